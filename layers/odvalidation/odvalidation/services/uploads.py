"""Evidence uploads: the presigned POSTs the service grants, and what binds a landed object to them.

Every presigned POST is recorded as an `UploadGrant` (dal/grants.py) when it is issued. S3 enforces the
POST policy (key, size, type, expiry); the S3-event check (evidence_checks) then accepts only an object
that a live grant covers, so an object put any other way (another practitioner's key, a key nobody was
given, a second object over a used grant) is quarantined and never replaces or marks anyone's evidence.

Keys are the service's own, made of safe characters only: journeys/<journey>/claim-<n>/<element>/<id>.
The browser's file name is kept apart, as the evidence item's display name.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict

from .. import clock
from ..dal import evidence as evidence_store
from ..dal import grants, keys
from ..domain.access import Caller
from ..domain.errors import InvalidInput, NotFound
from ..domain.evidence import ALLOWED_TYPES, check_declared, safe_display_name
from ..domain.models import EvidenceItem, EvidenceStatus, Stage, UploadGrant
from ..settings import settings
from .claim_development import journey_for_edit
from .common import db, new_id, part
from .journeys import _framework_ids, evidence_by_key


class UploadLink(BaseModel):
    model_config = ConfigDict(defer_build=True)

    evidence_id: str
    url: str
    fields: dict[str, str]
    max_bytes: int
    expires_in_seconds: int


def evidence_key(journey_id: str, claim_number: int, element_id: str, evidence_id: str) -> str:
    return f"{evidence_store.journey_prefix(journey_id)}claim-{claim_number}/{element_id}/{evidence_id}"


def _evidence_item(item: EvidenceItem) -> dict[str, Any]:
    return part(
        item.journey_id,
        f"EVIDENCE#{item.claim_number}#{item.id}",
        item,
        GSI1PK=f"EVIDENCEKEY#{item.key}",
        GSI1SK="EVIDENCE",
    )


def _record(item: EvidenceItem) -> None:
    db().put(_evidence_item(item))


def request_upload(
    caller: Caller, journey_id: str, element_id: str, filename: str, content_type: str, size: int
) -> UploadLink:
    journey = journey_for_edit(caller, journey_id)
    if element_id not in _framework_ids(journey):
        raise InvalidInput(f"Element {element_id} is not part of this cohort's framework.")
    max_bytes = settings().upload_max_bytes
    check_declared(content_type, size, max_bytes)
    evidence_id = new_id("e")
    key = evidence_key(journey_id, journey.claim_number, element_id, evidence_id)
    # The file may be no larger than the size declared for it (itself within the cap).
    form = evidence_store.upload_form(key, content_type, size)
    item = EvidenceItem(
        id=evidence_id,
        journey_id=journey_id,
        claim_number=journey.claim_number,
        element_id=element_id,
        key=key,
        display_name=safe_display_name(filename, content_type),
        content_type=content_type,
        size=size,
        uploaded_at=clock.now(),
    )
    grant = UploadGrant(
        key=key,
        journey_id=journey_id,
        claim_number=journey.claim_number,
        element_id=element_id,
        evidence_id=evidence_id,
        expires=evidence_store.policy_expiry(form),
    )
    # The item and its grant in one transaction (one round trip, issue 19): never an item "being
    # checked" that no upload could ever complete, because its grant was lost between two writes.
    db().put_together([_evidence_item(item), grants.item(grant)])
    return UploadLink(
        evidence_id=evidence_id,
        url=form["url"],
        fields=form["fields"],
        max_bytes=max_bytes,
        expires_in_seconds=evidence_store.UPLOAD_LINK_SECONDS,
    )


# ---------------------------------------------------------------------------- uploads from a plain HTML form
#
# Without JavaScript the page is drawn before anyone picks a file, so the file's name, size and type are
# unknown when the presigned POST is issued. The page's grant is for a prefix of its own under the
# journey's incoming/ area, where S3 puts the file under the name the browser gives it. When it lands,
# the evidence item is recorded (not before: items made for pages opened and never used would show as
# "being checked" and block the completeness check), the object is granted a key of the service's own and
# moved there, and it is checked there like any other upload.


class BrowserUpload(BaseModel):
    model_config = ConfigDict(defer_build=True)

    url: str
    fields: dict[str, str]  # the form's hidden fields; the file input must come after them
    max_bytes: int
    expires_in_seconds: int


def browser_upload(caller: Caller, journey_id: str, element_id: str, redirect_url: str) -> BrowserUpload:
    """A presigned POST for one file of one element, for a form that works without JavaScript."""
    journey = journey_for_edit(caller, journey_id)
    if element_id not in _framework_ids(journey):
        raise InvalidInput(f"Element {element_id} is not part of this cohort's framework.")
    prefix = f"{evidence_store.incoming_prefix(journey_id)}{new_id('u')}/"
    max_bytes = settings().upload_max_bytes
    form = evidence_store.browser_upload_form(prefix, redirect_url, max_bytes)
    grants.put(
        UploadGrant(
            key=prefix,
            prefix=True,
            journey_id=journey_id,
            claim_number=journey.claim_number,
            element_id=element_id,
            framework_key=journey.framework_key,
            expires=evidence_store.policy_expiry(form),
        )
    )
    return BrowserUpload(
        url=form["url"],
        fields=form["fields"],
        max_bytes=max_bytes,
        expires_in_seconds=evidence_store.UPLOAD_LINK_SECONDS,
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
    _record(item)
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
