"""An Open Badges 3.0 verifier nobody here wrote (openbadgeslib's OB3Verifier, a dev dependency) given
only the issuer's public JWK, as a relying party would be (issue 21). The stack-backed version, on
credentials issued through a whole journey, is tests/e2e/test_open_badges_verifier.py."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

import jwt
import pytest
from openbadgeslib.ob3 import OB3VerificationError, OB3Verifier

from odvalidation import clock
from odvalidation.certificates.credential import build_credential
from odvalidation.certificates.jws import LocalKeySigner, b64url, public_jwks, sign_credential
from odvalidation.domain.models import CertificateRecord, Level

BASE = "https://od.example.org"


def credential(**changes: Any) -> dict[str, Any]:
    now = clock.now().replace(microsecond=0)
    fields: dict[str, Any] = {
        "id": "q3Jk8vPzL1mN0aB2cD4eF6",
        "journey_id": "j-1",
        "practitioner_id": "p-1",
        "holder_name": "Zoë Smith",
        "level": Level.PRACTITIONER,
        "academy_id": "london",
        "framework_key": "nw-cipd-combined@1.0",
        "element_ids": ["1.1", "1.2", "2.1"],
        "valid_from": now - timedelta(days=1),
        "valid_until": now + timedelta(days=1095),
        "issued_at": now - timedelta(days=1),
    }
    return build_credential(CertificateRecord.model_validate(fields | changes), base_url=BASE)


@pytest.fixture(scope="module")
def signer() -> LocalKeySigner:
    return LocalKeySigner.generate("key-2026")


@pytest.fixture(scope="module")
def verifier(signer: LocalKeySigner) -> OB3Verifier:
    jwk = public_jwks(signer.public_key_der(), signer.key_id)["keys"][0]
    return OB3Verifier(jwt.PyJWK(jwk).key)  # the key from the JWKS, nothing else


def test_it_accepts_a_credential_the_service_signs(signer: LocalKeySigner, verifier: OB3Verifier) -> None:
    issued = credential()
    verified = verifier.verify(sign_credential(issued, signer))
    assert verified.id == issued["id"]
    assert verified.issuer.id == issued["issuer"]["id"]
    assert verified.achievement.id == issued["credentialSubject"]["achievement"]["id"]


def test_it_refuses_the_old_format_without_registered_claims(
    signer: LocalKeySigner, verifier: OB3Verifier
) -> None:
    """Why the claims were added: what the service signed before is refused by this verifier."""
    header = {"alg": "ES256", "kid": signer.key_id, "typ": "vc+jwt", "cty": "vc"}
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(credential()).encode())}"
    old = f"{signing_input}.{b64url(signer.sign(signing_input.encode()))}"
    with pytest.raises(OB3VerificationError, match="missing the required 'iss' claim"):
        verifier.verify(old)


def test_it_refuses_a_tampered_credential(signer: LocalKeySigner, verifier: OB3Verifier) -> None:
    header, payload, signature = sign_credential(credential(), signer).split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    body["credentialSubject"]["achievement"]["name"] = "System OD leader"
    with pytest.raises(OB3VerificationError, match="Invalid signature"):
        verifier.verify(f"{header}.{b64url(json.dumps(body).encode())}.{signature}")


def test_it_refuses_one_that_has_expired(signer: LocalKeySigner, verifier: OB3Verifier) -> None:
    now = clock.now().replace(microsecond=0)
    lapsed = credential(valid_from=now - timedelta(days=1200), valid_until=now - timedelta(days=105))
    with pytest.raises(OB3VerificationError, match="expired"):
        verifier.verify(sign_credential(lapsed, signer))
