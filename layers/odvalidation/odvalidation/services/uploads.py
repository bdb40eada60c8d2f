"""Evidence uploads: the presigned POSTs the service grants, and what binds a landed object to them.

Every presigned POST is recorded as an `UploadGrant` (dal/grants.py) when it is issued. S3 enforces the
POST policy (key, size, type, expiry); the S3-event check (evidence_checks) then accepts only an object
that a live grant covers, so an object put any other way (another practitioner's key, a key nobody was
given, a second object over a used grant) is quarantined and never replaces or marks anyone's evidence.

Keys are the service's own, made of safe characters only: journeys/<journey>/claim-<n>/<element>/<id>.
The browser's file name is kept apart, as the evidence item's display name.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from .. import clock
from ..dal import evidence as evidence_store
from ..dal import grants
from ..domain.access import Caller
from ..domain.errors import InvalidInput
from ..domain.evidence import check_declared, safe_display_name
from ..domain.models import EvidenceItem, UploadGrant
from ..settings import settings
from .claim_development import journey_for_edit
from .common import db, new_id
from .journeys import framework_ids
from .upload_landings import evidence_key, evidence_record


class UploadLink(BaseModel):
    model_config = ConfigDict(defer_build=True)

    evidence_id: str
    url: str
    fields: dict[str, str]
    max_bytes: int
    expires_in_seconds: int


def request_upload(
    caller: Caller, journey_id: str, element_id: str, filename: str, content_type: str, size: int
) -> UploadLink:
    journey = journey_for_edit(caller, journey_id)
    if element_id not in framework_ids(journey):
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
    db().put_together([evidence_record(item), grants.item(grant)])
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
    if element_id not in framework_ids(journey):
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
