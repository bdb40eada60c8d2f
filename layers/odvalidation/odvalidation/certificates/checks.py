"""Which checks a credential passed and which it failed: the answer of the public verification route
(`POST /api/public/credentials/verification`), for a relying party holding a credential file.

The checks run in order and stop at the first that makes the rest meaningless: nothing in a credential
whose signature fails can be trusted, so its dates and status are "not_checked". The overall answer is
the same VerificationResult the verification page shows (valid, expired, revoked, superseded, unknown,
invalid).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from ..domain.models import CertificateRecord
from .credential import certificate_id_of
from .verification import VerificationResult, VerificationStatus, invalid, offline_status, status_of


class CheckName(StrEnum):
    FORMAT = "format"
    ISSUER_KEY = "issuer_key"
    SIGNATURE = "signature"
    CLAIMS = "claims"
    DATES = "dates"
    STATUS = "status"


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_CHECKED = "not_checked"  # an earlier check failed, so this one could not be trusted


WHAT = {
    CheckName.FORMAT: "The file is a signed credential: a compact JWS of type vc+jwt, signed with ES256.",
    CheckName.ISSUER_KEY: "It was signed with a key the issuer publishes at /.well-known/jwks.json.",
    CheckName.SIGNATURE: "The signature matches: nothing in the credential changed after it was signed.",
    CheckName.CLAIMS: (
        "It is an Open Badges credential of this service, and its JWT claims (iss, jti, nbf, exp) "
        "agree with its issuer, id and dates."
    ),
    CheckName.DATES: "Today is within the credential's validFrom and validUntil.",
    CheckName.STATUS: "The certificate exists and has not been revoked or replaced by a newer one.",
}


class Check(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    name: CheckName
    outcome: Outcome
    what: str  # what the check establishes
    detail: str  # what was found, for a person


class CredentialVerification(BaseModel):
    """The per-check answer. `valid` only when every check passed."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    valid: bool
    failed_checks: list[CheckName]
    checks: list[Check]
    result: VerificationResult


def _check(name: CheckName, outcome: Outcome, detail: str) -> Check:
    return Check(name=name, outcome=outcome, what=WHAT[name], detail=detail)


def _answer(checks: list[Check], result: VerificationResult) -> CredentialVerification:
    failed = [c.name for c in checks if c.outcome is Outcome.FAILED]
    return CredentialVerification(
        valid=not failed and result.ok, failed_checks=failed, checks=checks, result=result
    )


def _refused(failed: CheckName, reason: str, at: datetime) -> CredentialVerification:
    order = list(CheckName)
    checks = []
    for name in order:
        if order.index(name) < order.index(failed):
            checks.append(_check(name, Outcome.PASSED, "Passed."))
        elif name is failed:
            checks.append(_check(name, Outcome.FAILED, reason))
        else:
            checks.append(_check(name, Outcome.NOT_CHECKED, "Not checked: an earlier check failed."))
    return _answer(checks, invalid(reason, at))


def check_credential(
    raw: str | bytes,
    jwks: dict[str, Any],
    lookup: Callable[[str], CertificateRecord | None],
    at: datetime,
) -> CredentialVerification:
    """Check a credential file against the issuer's JWKS and the live record (looked up by its id)."""
    from .jws import InvalidCredential, verify_credential  # pyjwt + cryptography: only when a file is checked

    try:
        credential = verify_credential(raw, jwks)
    except InvalidCredential as refusal:
        return _refused(CheckName(refusal.check), refusal.reason, at)
    try:
        certificate_id = certificate_id_of(credential)
    except ValueError:
        return _refused(CheckName.CLAIMS, "The credential has no certificate id of this service.", at)
    checks = [
        _check(CheckName.FORMAT, Outcome.PASSED, "A compact JWS (vc+jwt, ES256)."),
        _check(CheckName.ISSUER_KEY, Outcome.PASSED, "Signed with a key published by the issuer."),
        _check(CheckName.SIGNATURE, Outcome.PASSED, "The signature matches the credential."),
        _check(CheckName.CLAIMS, Outcome.PASSED, f"Certificate {certificate_id}."),
    ]
    offline = offline_status(credential, at)
    dates_ok = offline.status is VerificationStatus.VALID
    checks.append(
        _check(
            CheckName.DATES,
            Outcome.PASSED if dates_ok else Outcome.FAILED,
            "Within its dates." if dates_ok else offline.reason,
        )
    )
    result = status_of(lookup(certificate_id), at)
    live_ok = result.status in (VerificationStatus.VALID, VerificationStatus.EXPIRED)
    checks.append(
        _check(
            CheckName.STATUS,
            Outcome.PASSED if live_ok else Outcome.FAILED,
            "Not revoked and not replaced." if live_ok else result.reason,
        )
    )
    return _answer(checks, result)
