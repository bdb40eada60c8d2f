"""What a verifier is told about a certificate, at any given point.

The answer always says the level, the academy and the dates (that is what a system leader needs to
rely on the certificate); the holder's name only when the practitioner chose to make it public.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from ..domain.academies import academy
from ..domain.errors import NotFound
from ..domain.frameworks import framework
from ..domain.models import CertificateRecord, CertificateStatus, Level
from .credential import LEVEL_NAMES, certificate_id_of, iso_z


class VerificationStatus(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"
    UNKNOWN = "unknown"  # no such certificate (or not valid yet at the time asked about)
    INVALID = "invalid"  # the file's signature does not verify: nothing in it can be trusted


class VerificationResult(BaseModel):
    """The public answer. It is also the JSON body of GET /api/public/certificates/{id}/status."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    status: VerificationStatus
    reason: str
    checked_at: datetime
    certificate_id: str | None = None
    level: Level | None = None
    level_name: str | None = None
    academy_name: str | None = None
    framework_title: str | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    revoked_at: datetime | None = None
    revoked_reason: str | None = None
    holder_name: str | None = None  # only when the practitioner made the certificate public

    @property
    def ok(self) -> bool:
        return self.status is VerificationStatus.VALID

    def summary(self) -> str:
        """A few plain lines for a person (the CLI prints this)."""
        lines = [f"{self.status.value.upper()}: {self.reason}"]
        if self.holder_name:
            lines.append(f"Holder: {self.holder_name}")
        if self.level_name:
            lines.append(f"Level: {self.level_name}")
        if self.academy_name:
            lines.append(f"Issued by: {self.academy_name}")
        if self.framework_title:
            lines.append(f"Framework: {self.framework_title}")
        if self.valid_from and self.valid_until:
            lines.append(f"Valid from {iso_z(self.valid_from)} until {iso_z(self.valid_until)}")
        if self.certificate_id:
            lines.append(f"Certificate: {self.certificate_id}")
        return "\n".join(lines)


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _day(when: datetime) -> str:
    return _aware(when).astimezone(UTC).strftime("%d %B %Y").lstrip("0")


def status_of(record: CertificateRecord | None, at: datetime) -> VerificationResult:
    """The status of a certificate at `at` (now, or any point in the past), with what may be shown."""
    at = _aware(at)
    if record is None:
        return VerificationResult(
            status=VerificationStatus.UNKNOWN,
            reason="There is no certificate with this id. Check the link or ask the holder for it again.",
            checked_at=at,
        )
    status = record.status_at(at)
    if status is CertificateStatus.UNKNOWN:  # the record exists but was not valid yet at that time
        return VerificationResult(
            status=VerificationStatus.UNKNOWN,
            reason=(
                f"This certificate was not valid yet on {_day(at)}: "
                f"it is valid from {_day(record.valid_from)}."
            ),
            checked_at=at,
            certificate_id=record.id,
        )
    try:
        academy_name: str | None = academy(record.academy_id).name
    except NotFound:
        academy_name = None
    try:
        the_framework = framework(record.framework_key)
        framework_title: str | None = f"{the_framework.title}, version {the_framework.version}"
    except NotFound:
        framework_title = None
    level_name = LEVEL_NAMES[record.level]
    reasons = {
        CertificateStatus.VALID: (
            f"This certificate is valid: validated as a {level_name} until {_day(record.valid_until)}."
        ),
        CertificateStatus.EXPIRED: (
            f"This certificate expired on {_day(record.valid_until)}. The holder may have renewed it: "
            "ask them for their current certificate."
        ),
        CertificateStatus.REVOKED: (
            f"This certificate was revoked on {_day(record.revoked_at or at)}"
            + (f": {record.revoked_reason}" if record.revoked_reason else ".")
        ),
        CertificateStatus.SUPERSEDED: (
            "This certificate was replaced by a newer one (a renewal or a change of level). "
            "Ask the holder for their current certificate."
        ),
    }
    revoked = status is CertificateStatus.REVOKED
    return VerificationResult(
        status=VerificationStatus(status.value),
        reason=reasons[status],
        checked_at=at,
        certificate_id=record.id,
        level=record.level,
        level_name=level_name,
        academy_name=academy_name,
        framework_title=framework_title,
        valid_from=_aware(record.valid_from),
        valid_until=_aware(record.valid_until),
        revoked_at=_aware(record.revoked_at) if revoked and record.revoked_at else None,
        revoked_reason=record.revoked_reason if revoked else None,
        holder_name=record.holder_name if record.public else None,
    )


def invalid(reason: str, at: datetime) -> VerificationResult:
    return VerificationResult(status=VerificationStatus.INVALID, reason=reason, checked_at=_aware(at))


def verify_file(
    raw: bytes,
    jwks: dict[str, Any],
    lookup: Callable[[str], CertificateRecord | None],
    at: datetime,
) -> VerificationResult:
    """Check a credential file: first its signature, then its live status by the certificate id in it."""
    from .jws import InvalidCredential, verify_credential  # pyjwt + cryptography: only when a file is checked

    try:
        credential = verify_credential(raw, jwks)
        certificate_id = certificate_id_of(credential)
    except (InvalidCredential, ValueError) as exc:
        return invalid(getattr(exc, "reason", str(exc)), at)
    return status_of(lookup(certificate_id), at)


def offline_status(credential: dict[str, Any], at: datetime) -> VerificationResult:
    """What can be said from a verified credential alone, without the live status (revocation unknown)."""
    at = _aware(at)
    try:
        valid_from = datetime.fromisoformat(str(credential["validFrom"]))
        valid_until = datetime.fromisoformat(str(credential["validUntil"]))
        certificate_id = certificate_id_of(credential)
    except (KeyError, ValueError):
        return invalid("The credential has no valid dates or id.", at)
    achievement = credential.get("credentialSubject", {}).get("achievement", {})
    level_name = achievement.get("name")
    details: dict[str, Any] = {
        "certificate_id": certificate_id,
        "level_name": level_name if isinstance(level_name, str) else None,
        "academy_name": (credential.get("issuer") or {}).get("name"),
        "valid_from": valid_from,
        "valid_until": valid_until,
        "holder_name": credential.get("credentialSubject", {}).get("name"),
        "checked_at": at,
    }
    if at < valid_from:
        return VerificationResult(
            status=VerificationStatus.UNKNOWN,
            reason=f"Not valid yet: valid from {_day(valid_from)}.",
            **details,
        )
    if at >= valid_until:
        return VerificationResult(
            status=VerificationStatus.EXPIRED,
            reason=f"This certificate expired on {_day(valid_until)}.",
            **details,
        )
    return VerificationResult(
        status=VerificationStatus.VALID,
        reason=(
            f"The signature is genuine and the certificate is within its dates (until {_day(valid_until)}). "
            "Checked offline: whether it has since been revoked was not checked."
        ),
        **details,
    )
