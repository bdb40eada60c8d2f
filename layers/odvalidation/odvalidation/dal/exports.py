"""A person's whole record in S3 (issue 18): the archive under exports/ in the evidence bucket
(KMS-encrypted, public access blocked; the lifecycle rule ExpireRecordArchives removes it after 7 days),
the short-lived links that download it, and the asynchronous invoke that asks the worker to make it."""

from __future__ import annotations

from functools import partial
from typing import IO, Any

from botocore.exceptions import ClientError

from ..settings import settings
from .clients import client
from .invoke import invoke_async
from .retry import retried


def queue_request(person_id: str, scope: str, request_id: str) -> None:
    """Ask RecordArchiveFunction to make the archive (Lambda queues the event: the page does not wait
    for it). The event carries ids only."""
    invoke_async(
        settings().record_archive_function_arn,
        {"person_id": person_id, "scope": scope, "request_id": request_id},
    )


def evidence_bytes(key: str) -> bytes | None:
    """A piece of evidence, or None when the bucket no longer holds it (the retention rule, an erasure)."""
    return _read(settings().evidence_bucket, key)


def certificate_bytes(key: str) -> bytes | None:
    return _read(settings().certificate_bucket, key)


def _read(bucket: str, key: str) -> bytes | None:
    try:
        out = client("s3").get_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if exc.response["Error"]["Code"] in {"404", "NoSuchKey", "NotFound"}:
            return None
        raise
    data: bytes = out["Body"].read()
    return data


def put_archive(key: str, body: IO[bytes]) -> None:
    """One PUT (S3 takes up to 5 GB so): the bucket's default encryption is the data key."""
    client("s3").put_object(
        Bucket=settings().evidence_bucket, Key=key, Body=body, ContentType="application/zip"
    )


def download_link(key: str, filename: str, seconds: int) -> str:
    """A presigned GET made when the person asks for it, never stored."""
    safe = filename.replace('"', "").replace("\r", "").replace("\n", "")
    url: str = client("s3").generate_presigned_url(
        "get_object",
        Params={
            "Bucket": settings().evidence_bucket,
            "Key": key,
            "ResponseContentDisposition": f'attachment; filename="{safe}"',
            "ResponseContentType": "application/zip",
        },
        ExpiresIn=seconds,
    )
    return url


def start_request(item: dict[str, Any], stale_before: str) -> bool:
    """Write a new request unless one is still being prepared (and not yet stale): True if written.
    The one condition makes asking twice, or two tabs asking at once, start one archive."""
    return _put_when(
        item,
        "attribute_not_exists(PK) OR #s <> :preparing OR requested_at < :stale",
        {":preparing": {"S": "preparing"}, ":stale": {"S": stale_before}},
    )


def settle_request(item: dict[str, Any]) -> bool:
    """Record the outcome of the request the item names while it is still being prepared, unless a
    newer request replaced it: True if written. An event delivered twice at once settles it once (one
    "ready" in the history, one email)."""
    return _put_when(
        item,
        "request_id = :rid AND #s = :preparing",
        {":rid": item["request_id"], ":preparing": {"S": "preparing"}},
    )


def _put_when(item: dict[str, Any], condition: str, values: dict[str, Any]) -> bool:
    """Put the request item if `condition` holds (`#s` is its status): False if it did not."""
    try:
        retried(
            partial(
                client("dynamodb").put_item,
                TableName=settings().table_name,
                Item=item,
                ConditionExpression=condition,
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues=values,
            ),
            what="PutItem",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True
