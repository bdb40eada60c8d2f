"""What a verifier is told: the live status at any given point, and only what the holder chose to share."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from odvalidation.certificates.credential import build_credential
from odvalidation.certificates.jws import LocalKeySigner, b64url, public_jwks, sign_credential
from odvalidation.certificates.verification import VerificationStatus, offline_status, status_of, verify_file
from odvalidation.domain.models import CertificateRecord, Level

BASE = "https://od.example.org"
ISSUED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
UNTIL = ISSUED + timedelta(days=1095)


def make_record(**changes: object) -> CertificateRecord:
    fields: dict[str, object] = {
        "id": "c-7Yh2",
        "journey_id": "j-1",
        "practitioner_id": "p-1",
        "holder_name": "Siobhán Ó Raghallaigh",
        "level": Level.LEADER,
        "academy_id": "south-west",
        "framework_key": "global-practice@1.0",
        "element_ids": ["1.1", "3.1"],
        "valid_from": ISSUED,
        "valid_until": UNTIL,
        "issued_at": ISSUED,
    }
    fields.update(changes)
    return CertificateRecord.model_validate(fields)


def test_valid_shows_level_academy_dates_but_not_a_private_name() -> None:
    result = status_of(make_record(), ISSUED + timedelta(days=10))

    assert result.status is VerificationStatus.VALID
    assert result.ok
    assert result.level_name == "System OD leader"
    assert result.academy_name == "South West Leadership Academy"
    assert result.framework_title == "Global practice style OD framework, version 1.0"
    assert (result.valid_from, result.valid_until) == (ISSUED, UNTIL)
    assert result.holder_name is None
    assert "Siobhán" not in result.model_dump_json()


def test_public_certificate_shows_the_name() -> None:
    assert status_of(make_record(public=True), ISSUED).holder_name == "Siobhán Ó Raghallaigh"


def test_expired_after_valid_until() -> None:
    result = status_of(make_record(), UNTIL)
    assert result.status is VerificationStatus.EXPIRED
    assert "expired on 1 March 2029" in result.reason
    assert not result.ok


def test_revoked_gives_reason_and_date() -> None:
    revoked_at = ISSUED + timedelta(days=200)
    record = make_record(
        revoked_at=revoked_at, revoked_reason="Issued in error: the panel record was corrected"
    )

    result = status_of(record, revoked_at + timedelta(hours=1))

    assert result.status is VerificationStatus.REVOKED
    assert result.revoked_at == revoked_at
    assert result.revoked_reason == "Issued in error: the panel record was corrected"
    assert "revoked on 18 September 2026" in result.reason
    assert "panel record was corrected" in result.reason


def test_at_any_given_point_a_revoked_certificate_was_valid_before_its_revocation() -> None:
    revoked_at = ISSUED + timedelta(days=200)
    record = make_record(revoked_at=revoked_at, revoked_reason="Withdrawn")

    before = status_of(record, revoked_at - timedelta(days=1))

    assert before.status is VerificationStatus.VALID
    assert before.revoked_at is None
    assert before.revoked_reason is None


def test_superseded_by_a_renewal() -> None:
    result = status_of(make_record(superseded_by="c-newer"), ISSUED + timedelta(days=900))
    assert result.status is VerificationStatus.SUPERSEDED
    assert "newer" in result.reason
    assert "c-newer" not in result.model_dump_json()  # the new certificate's id is the holder's to share


def test_unknown_certificate_reveals_nothing() -> None:
    result = status_of(None, ISSUED)
    assert result.status is VerificationStatus.UNKNOWN
    assert result.model_dump(exclude={"status", "reason", "checked_at"}, exclude_none=True) == {}


def test_before_valid_from_is_not_valid_yet() -> None:
    result = status_of(make_record(), ISSUED - timedelta(days=1))
    assert result.status is VerificationStatus.UNKNOWN
    assert "not valid yet" in result.reason


# --- verify_file ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def signer() -> LocalKeySigner:
    return LocalKeySigner.generate("k1")


@pytest.fixture(scope="module")
def jwks(signer: LocalKeySigner) -> dict[str, Any]:
    return public_jwks(signer.public_key_der(), signer.key_id)


def test_verify_file_checks_signature_then_live_status(signer: LocalKeySigner, jwks: dict[str, Any]) -> None:
    record = make_record()
    token = sign_credential(build_credential(record, base_url=BASE), signer).encode()
    asked: list[str] = []

    def lookup(certificate_id: str) -> CertificateRecord | None:
        asked.append(certificate_id)
        return record.model_copy(
            update={"revoked_at": ISSUED + timedelta(days=1), "revoked_reason": "Withdrawn"}
        )

    result = verify_file(token, jwks, lookup, ISSUED + timedelta(days=2))

    assert asked == ["c-7Yh2"]
    assert result.status is VerificationStatus.REVOKED  # a genuine file, but the live record says revoked


def test_verify_file_with_a_bad_signature_is_invalid_and_never_looks_up(
    signer: LocalKeySigner, jwks: dict[str, Any]
) -> None:
    header, _, signature = sign_credential(build_credential(make_record(), base_url=BASE), signer).split(".")
    forged_payload = b64url(
        b'{"type":["OpenBadgeCredential"],"id":"https://od.example.org/certificates/c-7Yh2"}'
    )

    def lookup(certificate_id: str) -> CertificateRecord | None:
        raise AssertionError("must not look anything up for a forged file")

    result = verify_file(f"{header}.{forged_payload}.{signature}".encode(), jwks, lookup, ISSUED)

    assert result.status is VerificationStatus.INVALID
    assert "signature does not match" in result.reason
    assert result.level_name is None


def test_verify_file_for_a_deleted_certificate_is_unknown(
    signer: LocalKeySigner, jwks: dict[str, Any]
) -> None:
    token = sign_credential(build_credential(make_record(), base_url=BASE), signer).encode()
    assert verify_file(token, jwks, lambda _id: None, ISSUED).status is VerificationStatus.UNKNOWN


def test_offline_status_uses_the_signed_dates_and_says_revocation_was_not_checked() -> None:
    credential = build_credential(make_record(public=True), base_url=BASE)
    during = offline_status(credential, ISSUED + timedelta(days=1))
    assert during.status is VerificationStatus.VALID
    assert "not checked" in during.reason
    assert during.holder_name == "Siobhán Ó Raghallaigh"
    assert offline_status(credential, UNTIL + timedelta(seconds=1)).status is VerificationStatus.EXPIRED
