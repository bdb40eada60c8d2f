"""What binds an object that landed in the evidence bucket to the upload the service granted for it
(services/uploads.py grants them): the grant that covers a key, whether it was live, and a browser form's
file moved under a key of the service's own. No caller here: S3's event runs it (services/evidence_checks.py),
so the evidence check starts without the use cases that grant uploads."""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime, timedelta
from typing import Any

from .. import clock
from ..dal import evidence as evidence_store
from ..dal import grants, keys
from ..domain.errors import NotFound
from ..domain.evidence import ALLOWED_TYPES, safe_display_name
from ..domain.models import EvidenceItem, EvidenceStatus, Stage, UploadGrant
from .common import db, part
from .journey_parts import evidence_by_key


def evidence_key(journey_id: str, claim_number: int, element_id: str, evidence_id: str) -> str:
    return f"{evidence_store.journey_prefix(journey_id)}claim-{claim_number}/{element_id}/{evidence_id}"


def evidence_record(item: EvidenceItem) -> dict[str, Any]:
    return part(
        item.journey_id,
        f"EVIDENCE#{item.claim_number}#{item.id}",
        item,
        GSI1PK=f"EVIDENCEKEY#{item.key}",
        GSI1SK="EVIDENCE",
    )


_TYPE_BY_EXTENSION = {ext: content_type for content_type, (_, ext) in ALLOWED_TYPES.items()} | {
    "jpeg": "image/jpeg"
}


def grant_for(key: str) -> UploadGrant | None:
    """The grant that covers an object key: its own, or (under incoming/) its form's prefix."""
    parts = key.split("/", 4)
    if len(parts) == 5 and parts[0] == "journeys" and parts[2] == "incoming":
        grant = grants.get("/".join(parts[:4]) + "/")
        return grant if grant is not None and grant.prefix else None
    grant = grants.get(key)
    return grant if grant is not None and not grant.prefix else None


def live(grant: UploadGrant, landed_at: datetime) -> bool:
    """Whether the object landed while its grant's policy was in force (both times are S3's)."""
    return landed_at <= grant.expires


def landed_evidence_id(incoming_key: str) -> str:
    """The evidence id of a browser form's file: the same for the same landed key, so that a retried
    check records one item, and the page S3 sends the browser back to can find it from the key."""
    digest = hashlib.sha256(incoming_key.encode()).digest()
    return "e" + base64.b32encode(digest).decode().rstrip("=").lower()[:20]


def receive_browser_upload(incoming_key: str, grant: UploadGrant, landed_at: datetime) -> EvidenceItem | None:
    """Record a browser form's file under a key of the service's own and move it there, where the
    S3-event check checks it. None if it is not evidence: the claim is no longer being developed, or has
    moved to another framework since the form was opened, or the form already brought a file of that name."""
    try:
        journey = db().journey(grant.journey_id)
    except NotFound:
        return None
    if journey.stage is not Stage.CLAIM_DEVELOPMENT or journey.claim_number != grant.claim_number:
        return None  # landed after the claim was submitted: it is not part of any claim
    if grant.framework_key is not None and grant.framework_key != journey.framework_key:
        return None  # the form was for an element of the framework the claim has since moved from
    evidence_id = landed_evidence_id(incoming_key)
    found = db().get_model(
        EvidenceItem, keys.journey_part(grant.journey_id, f"EVIDENCE#{grant.claim_number}#{evidence_id}")
    )
    if found is not None and found.status is not EvidenceStatus.PENDING:
        return None  # the same name posted again through the same form: the first file stands
    filename = incoming_key.rsplit("/", 1)[-1]
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    # The name's extension is what the browser "declared"; the check compares it with the real bytes.
    declared = _TYPE_BY_EXTENSION.get(extension)
    key = evidence_key(grant.journey_id, grant.claim_number, grant.element_id, evidence_id)
    item = found or EvidenceItem(
        id=evidence_id,
        journey_id=grant.journey_id,
        claim_number=grant.claim_number,
        element_id=grant.element_id,
        key=key,
        display_name=safe_display_name(filename, declared or ""),
        content_type=declared,
        uploaded_at=clock.now(),
    )
    db().put(evidence_record(item))
    # The move is itself an upload the service grants (to itself), so the check at the new key treats it
    # like any other: it is the first object there, and it is checked.
    grants.put(
        UploadGrant(
            key=key,
            journey_id=grant.journey_id,
            claim_number=grant.claim_number,
            element_id=grant.element_id,
            evidence_id=evidence_id,
            expires=landed_at + timedelta(seconds=evidence_store.UPLOAD_LINK_SECONDS),
            browser_name=filename,
        )
    )
    evidence_store.move(incoming_key, key)
    return item


def evidence_for_landing(journey_id: str, claim_number: int, key: str) -> EvidenceItem | None:
    """The evidence item an upload S3 just sent the browser back from became (by its landed key)."""
    if key.startswith(evidence_store.incoming_prefix(journey_id)):
        return db().get_model(
            EvidenceItem,
            keys.journey_part(journey_id, f"EVIDENCE#{claim_number}#{landed_evidence_id(key)}"),
        )
    return evidence_by_key(key)
