"""S3 for evidence: presigned POSTs straight from the browser, server-side checks, short-lived GETs.

Lambda never carries evidence bytes except the first few it reads to check the file's real type.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from ..settings import settings
from .clients import client

UPLOAD_LINK_SECONDS = 900
DOWNLOAD_LINK_SECONDS = 300


def journey_prefix(journey_id: str) -> str:
    return f"journeys/{journey_id}/"


def incoming_prefix(journey_id: str) -> str:
    """Where the claim builder's plain HTML form puts a file, under the name the browser gives it, until
    the S3-event check moves it to a key of its own (so no stored key carries a browser's file name)."""
    return f"{journey_prefix(journey_id)}incoming/"


def policy_expiry(form: dict[str, Any]) -> datetime:
    """When a presigned POST's policy expires, read from the policy itself (S3's clock, not the product's)."""
    policy = json.loads(base64.b64decode(form["fields"]["policy"]))
    return datetime.fromisoformat(str(policy["expiration"]).replace("Z", "+00:00"))


def upload_form(key: str, content_type: str, max_bytes: int) -> dict[str, Any]:
    """A presigned POST for exactly one key, one content type and at most max_bytes.

    S3 enforces these conditions (and the local stack enforces them as S3 does); the object that lands
    is still checked on the server side (evidence_uploaded) against the grant recorded with the link.
    """
    post: dict[str, Any] = client("s3").generate_presigned_post(
        Bucket=settings().evidence_bucket,
        Key=key,
        Fields={"Content-Type": content_type},
        Conditions=[
            {"Content-Type": content_type},
            ["content-length-range", 1, max_bytes],
            {"key": key},
        ],
        ExpiresIn=UPLOAD_LINK_SECONDS,
    )
    return post


# A plain HTML form cannot know the file's type when the page is drawn, so the object is stored as
# opaque bytes (S3 never serves it as anything a browser would render); the S3 event check reads its
# real type from its first bytes and records that.
BROWSER_UPLOAD_TYPE = "application/octet-stream"


def browser_upload_form(key_prefix: str, redirect_url: str, max_bytes: int) -> dict[str, Any]:
    """A presigned POST for a form that works without JavaScript: any one file under key_prefix.

    S3 puts the file's own name where `${filename}` is (boto3 then adds the condition
    ["starts-with", "$key", key_prefix]); after the upload S3 sends the browser to redirect_url.
    """
    post: dict[str, Any] = client("s3").generate_presigned_post(
        Bucket=settings().evidence_bucket,
        Key=key_prefix + "${filename}",
        Fields={"Content-Type": BROWSER_UPLOAD_TYPE, "success_action_redirect": redirect_url},
        Conditions=[
            {"Content-Type": BROWSER_UPLOAD_TYPE},
            {"success_action_redirect": redirect_url},
            ["content-length-range", 1, max_bytes],
        ],
        ExpiresIn=UPLOAD_LINK_SECONDS,
    )
    return post


def head(key: str) -> dict[str, Any] | None:
    try:
        out: dict[str, Any] = client("s3").head_object(Bucket=settings().evidence_bucket, Key=key)
    except ClientError as exc:
        if exc.response["Error"]["Code"] in {"404", "NoSuchKey", "NotFound"}:
            return None
        raise
    return out


def first_bytes(key: str, count: int = 8192) -> bytes:
    out = client("s3").get_object(Bucket=settings().evidence_bucket, Key=key, Range=f"bytes=0-{count - 1}")
    data: bytes = out["Body"].read()
    return data


def quarantine(key: str, target_key: str | None = None) -> str:
    """Move an object that failed its checks out of the journey's prefix (to quarantine/<target_key>)."""
    s3 = client("s3")
    bucket = settings().evidence_bucket
    target = f"quarantine/{target_key or key}"
    s3.copy_object(Bucket=bucket, Key=target, CopySource={"Bucket": bucket, "Key": key})
    _delete_every_version(key)
    return target


def quarantine_version(key: str, version_id: str | None) -> str:
    """Move one version out of the journey's prefix, leaving every other version as it was.

    For an object no upload was granted for: if it was put over someone's evidence, deleting just this
    version makes their checked object the current one again."""
    s3 = client("s3")
    bucket = settings().evidence_bucket
    target = f"quarantine/unbound/{key}"
    source: dict[str, str] = {"Bucket": bucket, "Key": key}
    if version_id:
        source["VersionId"] = version_id
    s3.copy_object(Bucket=bucket, Key=target, CopySource=source)
    if version_id:
        s3.delete_object(Bucket=bucket, Key=key, VersionId=version_id)
    else:
        _delete_every_version(key)
    return target


def move(key: str, target: str) -> None:
    """Move a checked object to its own key (a server-side copy), then remove every version of the old one."""
    s3 = client("s3")
    bucket = settings().evidence_bucket
    s3.copy_object(Bucket=bucket, Key=target, CopySource={"Bucket": bucket, "Key": key})
    _delete_every_version(key)


def delete(key: str) -> None:
    _delete_every_version(key)


def _delete_every_version(key: str) -> None:
    """Remove an object for good: in a versioned bucket a plain delete only hides it, and the hidden
    version (personal data) would outlive the retention rule, which expires tagged objects."""
    s3 = client("s3")
    bucket = settings().evidence_bucket
    listed = s3.list_object_versions(Bucket=bucket, Prefix=key)
    victims = [
        {"Key": v["Key"], "VersionId": v["VersionId"]}
        for v in [*listed.get("Versions", []), *listed.get("DeleteMarkers", [])]
        if v["Key"] == key
    ]
    if victims:
        s3.delete_objects(Bucket=bucket, Delete={"Objects": victims, "Quiet": True})


def download_link(key: str, filename: str) -> str:
    safe = filename.replace('"', "").replace("\r", "").replace("\n", "")
    url: str = client("s3").generate_presigned_url(
        "get_object",
        Params={
            "Bucket": settings().evidence_bucket,
            "Key": key,
            "ResponseContentDisposition": f'attachment; filename="{safe}"',
        },
        ExpiresIn=DOWNLOAD_LINK_SECONDS,
    )
    return url


def tag_for_expiry(key: str) -> bool:
    """Mark evidence for the retention lifecycle rule once the outcome is recorded. False if the file
    is gone already; any other failure (AccessDenied above all) raises."""
    try:
        client("s3").put_object_tagging(
            Bucket=settings().evidence_bucket,
            Key=key,
            Tagging={"TagSet": [{"Key": "retention", "Value": "expire"}]},
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] in {"404", "NoSuchKey", "NotFound"}:
            return False
        raise
    return True
