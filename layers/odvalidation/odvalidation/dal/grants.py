"""Upload grants in the table: written when a presigned POST is issued, read by the S3-event check.

A grant is read by its key with a consistent GetItem (not through an index), so an object that lands a
moment after its grant was written still finds it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from botocore.exceptions import ClientError

from ..domain.models import UploadGrant
from . import keys
from .store import from_item, store, to_item

# Kept a day past the policy's expiry, so a late or retried S3 event still finds what was granted.
_KEEP = timedelta(days=1)


def item(grant: UploadGrant) -> dict[str, Any]:
    """The grant as a table item (for a write of its own, or one transaction with its evidence item)."""
    found = to_item(grant, keys.upload_grant(grant.key))
    found["expires_at"] = {"N": str(int((grant.expires + _KEEP).timestamp()))}  # the table's TTL
    return found


def put(grant: UploadGrant) -> None:
    store().put(item(grant))


def get(key: str) -> UploadGrant | None:
    item = store().get(keys.upload_grant(key))
    return from_item(UploadGrant, item) if item else None


def bind(grant: UploadGrant, etag: str) -> bool:
    """Use an exact grant for the object with this ETag; False if another object used it first.

    The same object again (S3 delivers an event twice, or the check is retried) finds it bound to itself.
    """
    db = store()
    try:
        db.db.update_item(
            TableName=db.table,
            Key={k: {"S": v} for k, v in keys.upload_grant(grant.key).items()},
            UpdateExpression="SET bound_to = :etag",
            ConditionExpression="attribute_exists(PK) AND (attribute_not_exists(bound_to) OR bound_to = :etag)",
            ExpressionAttributeValues={":etag": {"S": etag}},
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True
