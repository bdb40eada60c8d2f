"""Erasing a person's files from S3 (their evidence; their certificates' PDF, credential and badge): every
version and delete marker, not just the current object (both buckets are versioned, so a plain delete
would leave the bytes recoverable)."""

from __future__ import annotations

from typing import Any

from ..settings import settings
from .clients import client


def erase_prefix(prefix: str, bucket: str | None = None) -> int:
    """Delete every version of every object under prefix in the bucket (the evidence bucket unless
    named); returns how many."""
    s3 = client("s3")
    bucket = bucket or settings().evidence_bucket
    erased = 0
    kwargs: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix}
    while True:
        page = s3.list_object_versions(**kwargs)
        victims = [
            {"Key": v["Key"], "VersionId": v["VersionId"]}
            for v in page.get("Versions", []) + page.get("DeleteMarkers", [])
        ]
        for start in range(0, len(victims), 1000):
            s3.delete_objects(Bucket=bucket, Delete={"Objects": victims[start : start + 1000], "Quiet": True})
        erased += sum(1 for v in page.get("Versions", []))
        if not page.get("IsTruncated"):
            return erased
        kwargs["KeyMarker"] = page["NextKeyMarker"]
        kwargs["VersionIdMarker"] = page["NextVersionIdMarker"]
