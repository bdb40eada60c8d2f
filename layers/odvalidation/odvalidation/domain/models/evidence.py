"""A claim's evidence library and the upload grants that bind objects in S3 to it."""

# No `from __future__ import annotations`: see models/__init__.py.

from datetime import datetime
from typing import Annotated

from pydantic import StringConstraints, model_validator

from ..basics import Id, Model, ShortText
from .enums import EvidenceStatus


class EvidenceItem(Model):
    """One file in a claim's evidence library (issue 16.6): uploaded once, linked to every element it
    supports. `id` is its identity for good (downloads, audit, attestations key on it)."""

    id: Id
    journey_id: Id
    claim_number: int
    element_id: str  # the element it was uploaded for (its S3 key names it)
    # The elements it supports. Items stored before the library have none: they support element_id
    # (filled in on read below, so every reader sees one shape). An empty list: in the library, unlinked.
    element_ids: list[str] | None = None
    title: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""
    key: str  # the S3 object key, always under the journey's prefix
    display_name: ShortText
    status: EvidenceStatus = EvidenceStatus.PENDING
    content_type: str | None = None
    size: int | None = None
    reason: str | None = None  # why it was quarantined
    etag: str | None = None  # of the object that was checked: a new object at the key is checked again
    uploaded_at: datetime

    @model_validator(mode="after")
    def _links_of_an_older_item(self) -> "EvidenceItem":
        if self.element_ids is None:
            self.element_ids = [self.element_id] if self.element_id else []
        return self

    @property
    def elements(self) -> list[str]:
        """The element ids this item supports."""
        return list(self.element_ids or [])

    @property
    def label(self) -> str:
        """What the item is called: its title, or the file's name until it has one."""
        return self.title or self.display_name


class UploadGrant(Model):
    """An upload the service allowed: the one thing that binds an object in S3 to a journey's evidence.

    `key` is the object's exact key (the API's uploads, one evidence item each) or, for the claim
    builder's plain HTML form, the prefix S3 puts the browser's file under. An object at a key no
    live grant covers is quarantined and touches no evidence."""

    key: str
    prefix: bool = False
    journey_id: Id
    claim_number: int
    element_id: str
    evidence_id: Id | None = None  # the API's uploads: the evidence item made with the grant
    # The framework the element id belongs to: element ids repeat across frameworks ("1.1"), so a form
    # opened before a claim moved to another framework (domain/crosswalk.py) must not land on the new one.
    framework_key: str | None = None
    expires: datetime  # when the presigned POST's policy expires (S3's clock, the same as the object's)
    bound_to: str | None = None  # an exact grant is used once: the ETag of the object that used it
    browser_name: str | None = None  # a browser form's file: the name it came with (its type is read from it)
