"""The per-check answer of the public credential check (issue 15): which check a credential file fails."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from odvalidation import clock
from odvalidation.certificates.checks import CheckName, Outcome, check_credential
from odvalidation.certificates.credential import build_credential
from odvalidation.certificates.jws import LocalKeySigner, public_jwks, sign_credential
from odvalidation.domain.models import CertificateRecord, Level

BASE = "https://od.example.org"


def record(**changes: Any) -> CertificateRecord:
    now = clock.now()
    fields: dict[str, Any] = {
        "id": "q3Jk8vPzL1mN0aB2cD4eF6",
        "journey_id": "j-1",
        "practitioner_id": "p-1",
        "holder_name": "Zoë Smith",
        "level": Level.PRACTITIONER,
        "academy_id": "london",
        "framework_key": "nw-cipd-combined@1.0",
        "element_ids": ["1.1"],
        "valid_from": now - timedelta(days=10),
        "valid_until": now + timedelta(days=1000),
        "issued_at": now - timedelta(days=10),
    }
    return CertificateRecord.model_validate(fields | changes)


@pytest.fixture(scope="module")
def signer() -> LocalKeySigner:
    return LocalKeySigner.generate("key-1")


def outcomes(answer: Any) -> dict[str, str]:
    return {c.name.value: c.outcome.value for c in answer.checks}


def test_a_genuine_current_credential_passes_every_check(signer: LocalKeySigner) -> None:
    held = record()
    token = sign_credential(build_credential(held, base_url=BASE), signer)
    jwks = public_jwks(signer.public_key_der(), signer.key_id)
    answer = check_credential(token, jwks, {held.id: held}.get, clock.now())
    assert answer.valid
    assert answer.failed_checks == []
    assert set(outcomes(answer).values()) == {"passed"}
    assert [c.name for c in answer.checks] == list(CheckName)


def test_an_expired_one_fails_its_dates_but_not_its_status(signer: LocalKeySigner) -> None:
    now = clock.now()
    held = record(valid_from=now - timedelta(days=1200), valid_until=now - timedelta(days=100))
    token = sign_credential(build_credential(held, base_url=BASE), signer)
    jwks = public_jwks(signer.public_key_der(), signer.key_id)
    answer = check_credential(token, jwks, {held.id: held}.get, now)
    assert not answer.valid
    assert answer.failed_checks == [CheckName.DATES]
    assert "expired" in next(c.detail for c in answer.checks if c.name is CheckName.DATES)
    assert answer.result.status.value == "expired"


def test_a_superseded_or_unknown_one_fails_its_status(signer: LocalKeySigner) -> None:
    now = clock.now()
    held = record(superseded_by="newer-certificate-id", superseded_at=now - timedelta(days=1))
    token = sign_credential(build_credential(held, base_url=BASE), signer)
    jwks = public_jwks(signer.public_key_der(), signer.key_id)
    replaced = check_credential(token, jwks, {held.id: held}.get, now)
    assert replaced.failed_checks == [CheckName.STATUS]
    assert replaced.result.status.value == "superseded"
    unknown = check_credential(token, jwks, {}.get, now)
    assert unknown.failed_checks == [CheckName.STATUS]


def test_after_a_failed_check_the_rest_are_not_checked(signer: LocalKeySigner) -> None:
    token = sign_credential(build_credential(record(), base_url=BASE), signer)
    other = LocalKeySigner.generate("key-1")  # same kid, another key: the signature cannot match
    jwks = public_jwks(other.public_key_der(), other.key_id)
    answer = check_credential(token, jwks, lambda _id: None, clock.now())
    assert outcomes(answer) == {
        "format": "passed",
        "issuer_key": "passed",
        "signature": "failed",
        "claims": "not_checked",
        "dates": "not_checked",
        "status": "not_checked",
    }
    assert answer.result.status.value == "invalid"
    assert Outcome.FAILED in {c.outcome for c in answer.checks}
