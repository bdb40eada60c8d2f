"""A certificate's record: what was validated, for whom, and its status at any time."""

# No `from __future__ import annotations`: see models/__init__.py.

from datetime import datetime

from ..basics import Id, Model, ShortText
from .enums import CertificateStatus, Level


class CertificateRecord(Model):
    id: Id  # unguessable (secrets.token_urlsafe)
    journey_id: Id
    practitioner_id: Id
    holder_name: ShortText
    level: Level
    academy_id: Id
    framework_key: str
    element_ids: list[str]
    valid_from: datetime
    valid_until: datetime
    issued_at: datetime
    revoked_at: datetime | None = None
    revoked_reason: str | None = None
    superseded_by: Id | None = None
    superseded_at: datetime | None = None
    supersedes: Id | None = None
    public: bool = False  # the practitioner chose to share the details publicly
    pdf_key: str | None = None
    credential_key: str | None = None
    badge_key: str | None = None  # the Open Badges baked PNG (the credential inside the image)
    # The certificate's position in a W3C Bitstring Status List (certificates/status_list.py); None for
    # certificates issued before the lists existed.
    status_list_id: str | None = None
    status_list_index: int | None = None

    def status_at(self, when: datetime) -> CertificateStatus:
        if self.revoked_at is not None and self.revoked_at <= when:
            return CertificateStatus.REVOKED
        if self.superseded_by is not None and (self.superseded_at is None or self.superseded_at <= when):
            return CertificateStatus.SUPERSEDED
        if when < self.valid_from:
            return CertificateStatus.UNKNOWN
        if when >= self.valid_until:
            return CertificateStatus.EXPIRED
        return CertificateStatus.VALID
