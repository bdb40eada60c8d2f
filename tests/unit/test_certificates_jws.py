"""Signing and verifying a credential as a VC-JOSE compact JWS (ES256)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from odvalidation.certificates.credential import build_credential
from odvalidation.certificates.jws import (
    InvalidCredential,
    LocalKeySigner,
    b64url,
    public_jwk,
    public_jwks,
    registered_claims,
    sign_credential,
    verify_credential,
)
from odvalidation.domain.models import CertificateRecord, Level

BASE = "https://od.example.org"


def make_record(**changes: object) -> CertificateRecord:
    issued = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    fields: dict[str, object] = {
        "id": "q3Jk8vPzL1mN0aB2cD4eF6",
        "journey_id": "j-1",
        "practitioner_id": "p-1",
        "holder_name": "Zoë Smith",
        "level": Level.PRACTITIONER,
        "academy_id": "london",
        "framework_key": "nw-cipd-combined@1.0",
        "element_ids": ["1.1", "1.2", "2.1"],
        "valid_from": issued,
        "valid_until": issued + timedelta(days=1095),
        "issued_at": issued,
        "public": True,
    }
    fields.update(changes)
    return CertificateRecord.model_validate(fields)


@pytest.fixture(scope="module")
def signer() -> LocalKeySigner:
    return LocalKeySigner.generate("key-2026")


@pytest.fixture(scope="module")
def jwks(signer: LocalKeySigner) -> dict[str, Any]:
    return public_jwks(signer.public_key_der(), signer.key_id)


@pytest.fixture(scope="module")
def token(signer: LocalKeySigner) -> str:
    return sign_credential(build_credential(make_record(), base_url=BASE), signer)


def _part(token: str, index: int) -> dict[str, Any]:
    text = token.split(".")[index]
    return json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def test_header_is_vc_jose(token: str) -> None:
    assert _part(token, 0) == {"alg": "ES256", "kid": "key-2026", "typ": "vc+jwt", "cty": "vc"}


def test_signature_verifies_with_the_cryptography_package_alone(token: str, signer: LocalKeySigner) -> None:
    header, payload, signature = token.split(".")
    raw = base64.urlsafe_b64decode(signature + "==")
    assert len(raw) == 64
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    key = serialization.load_der_public_key(signer.public_key_der())
    assert isinstance(key, ec.EllipticCurvePublicKey)
    key.verify(der, f"{header}.{payload}".encode(), ec.ECDSA(hashes.SHA256()))  # raises if wrong
    with pytest.raises(InvalidSignature):
        key.verify(der, f"{header}.{payload}x".encode(), ec.ECDSA(hashes.SHA256()))


def test_verify_returns_the_credential_unchanged(token: str, jwks: dict[str, Any]) -> None:
    assert verify_credential(token, jwks) == build_credential(make_record(), base_url=BASE)
    assert verify_credential(token.encode() + b"\n", jwks)["id"].endswith("/q3Jk8vPzL1mN0aB2cD4eF6")


def test_payload_carries_the_open_badges_3_registered_claims(token: str) -> None:
    """OB 3.0 JWT proof format: iss = issuer.id, jti = id, nbf = validFrom, exp = validUntil (NumericDate)."""
    payload = _part(token, 1)
    credential = build_credential(make_record(), base_url=BASE)
    assert payload["iss"] == credential["issuer"]["id"] == f"{BASE}/academies/london"
    assert payload["jti"] == credential["id"]
    assert payload["nbf"] == int(datetime(2026, 3, 2, 9, 30, tzinfo=UTC).timestamp())
    assert payload["exp"] == int(datetime.fromisoformat(credential["validUntil"]).timestamp())
    assert isinstance(payload["nbf"], int)
    assert isinstance(payload["exp"], int)
    # Our subjects are identified by a hashed name, not an id: no sub (OB 3.0 asks for it only with an id).
    assert "sub" not in payload
    # Still a VC-JOSE vc+jwt: the credential's own members are the payload's, unchanged.
    assert {k: v for k, v in payload.items() if k not in ("iss", "jti", "nbf", "exp")} == credential


def test_sub_is_the_subject_id_where_the_subject_has_one() -> None:
    credential = build_credential(make_record(), base_url=BASE)
    credential["credentialSubject"]["id"] = "did:example:holder"
    assert registered_claims(credential)["sub"] == "did:example:holder"


def _sign_payload(payload: dict[str, Any], signer: LocalKeySigner) -> str:
    header = {"alg": "ES256", "kid": signer.key_id, "typ": "vc+jwt", "cty": "vc"}
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(payload).encode())}"
    return f"{signing_input}.{b64url(signer.sign(signing_input.encode()))}"


def old_format_credential() -> dict[str, Any]:
    """What the service issued before the registered claims: the credential alone, with the live status
    route in credentialStatus."""
    credential = build_credential(make_record(), base_url=BASE)
    credential["credentialStatus"] = {
        "id": f"{BASE}/api/public/certificates/q3Jk8vPzL1mN0aB2cD4eF6/status",
        "type": "StatusCheck2026",
    }
    return credential


def test_an_old_credential_without_registered_claims_still_verifies(
    signer: LocalKeySigner, jwks: dict[str, Any]
) -> None:
    old = old_format_credential()
    assert verify_credential(_sign_payload(old, signer), jwks) == old


def test_registered_claims_that_contradict_the_credential_are_refused(
    signer: LocalKeySigner, jwks: dict[str, Any]
) -> None:
    """Signed, so not a tampering: a token saying two things about one credential is refused all the same."""
    credential = build_credential(make_record(), base_url=BASE)
    for claim, value in [
        ("iss", f"{BASE}/academies/national"),
        ("jti", f"{BASE}/certificates/another"),
        ("nbf", registered_claims(credential)["nbf"] - 86_400),
        ("exp", registered_claims(credential)["exp"] + 86_400),
        ("sub", "did:example:someone"),
    ]:
        payload = credential | registered_claims(credential) | {claim: value}
        with pytest.raises(InvalidCredential, match=f"'{claim}' claim does not match") as refused:
            verify_credential(_sign_payload(payload, signer), jwks)
        assert refused.value.check == "claims"


def test_each_refusal_names_the_check_that_failed(
    token: str, signer: LocalKeySigner, jwks: dict[str, Any]
) -> None:
    header, _payload, signature = token.split(".")
    tampered = f"{header}.{b64url(b'{}')}.{signature}"
    other = LocalKeySigner.generate("key-unknown")
    foreign = sign_credential(build_credential(make_record(), base_url=BASE), other)
    for bad, check in [("not a token", "format"), (tampered, "signature"), (foreign, "issuer_key")]:
        with pytest.raises(InvalidCredential) as refused:
            verify_credential(bad, jwks)
        assert refused.value.check == check


def _set(data: Any, path: tuple[str | int, ...], value: Any) -> None:
    for step in path[:-1]:
        data = data[step]
    data[path[-1]] = value


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("validUntil",), "2099-03-01T09:30:00Z"),
        (("validFrom",), "2020-01-01T00:00:00Z"),
        (("id",), f"{BASE}/certificates/someone-elses"),
        (("issuer", "name"), "London Leadership Academy Ltd"),
        (("issuer", "parentOrg", "name"), "Somebody else"),
        (("credentialSubject", "name"), "Mallory Jones"),
        (("credentialSubject", "achievement", "name"), "System OD leader"),
        (("credentialSubject", "result", 0, "value"), "System OD leader"),
        (("credentialSubject", "achievement", "alignment", 0, "targetCode"), "3.1"),
        (("jti",), f"{BASE}/certificates/someone-elses"),
        (("exp",), 4_000_000_000),
        (("credentialSubject", "extra"), "added field"),
    ],
)
def test_changing_any_field_fails_verification(
    token: str, jwks: dict[str, Any], path: tuple[str | int, ...], value: Any
) -> None:
    header, _, signature = token.split(".")
    credential = _part(token, 1)
    _set(credential, path, value)
    forged = f"{header}.{b64url(json.dumps(credential).encode())}.{signature}"
    with pytest.raises(InvalidCredential, match="signature does not match"):
        verify_credential(forged, jwks)


def test_a_credential_signed_by_another_key_with_the_same_kid_fails(jwks: dict[str, Any]) -> None:
    impostor = LocalKeySigner.generate("key-2026")
    forged = sign_credential(build_credential(make_record(), base_url=BASE), impostor)
    with pytest.raises(InvalidCredential, match="signature does not match"):
        verify_credential(forged, jwks)


def test_unknown_kid_is_refused(jwks: dict[str, Any]) -> None:
    other = LocalKeySigner.generate("key-unpublished")
    with pytest.raises(InvalidCredential, match="does not publish"):
        verify_credential(sign_credential(build_credential(make_record(), base_url=BASE), other), jwks)


@pytest.mark.parametrize("alg", ["none", "HS256", "RS256", "ES384"])
def test_other_algorithms_are_refused(token: str, jwks: dict[str, Any], alg: str) -> None:
    header = _part(token, 0) | {"alg": alg}
    _, payload, signature = token.split(".")
    forged = f"{b64url(json.dumps(header).encode())}.{payload}.{'' if alg == 'none' else signature}"
    with pytest.raises(InvalidCredential, match="only ES256"):
        verify_credential(forged, jwks)


@pytest.mark.parametrize(
    "bad",
    ["", "not a token", "a.b", "a.b.c.d", "!!!.???.***", b"\xff\xfe binary", "e30.e30.e30", "bnVsbA.e30.e30"],
)
def test_malformed_tokens_are_refused_clearly(jwks: dict[str, Any], bad: str | bytes) -> None:
    with pytest.raises(InvalidCredential) as caught:
        verify_credential(bad, jwks)
    assert caught.value.reason  # a sentence for a person, not a traceback


def test_a_jwt_that_is_not_a_credential_is_refused(signer: LocalKeySigner, jwks: dict[str, Any]) -> None:
    token = _sign_payload({"sub": "someone", "type": ["NotACredential"]}, signer)
    with pytest.raises(InvalidCredential, match="not an Open Badges credential"):
        verify_credential(token, jwks)


def test_public_jwk_is_an_ec_p256_key(signer: LocalKeySigner) -> None:
    jwk = public_jwk(signer.public_key_der(), "key-2026")
    assert {k: jwk[k] for k in ("kty", "crv", "kid", "alg", "use")} == {
        "kty": "EC",
        "crv": "P-256",
        "kid": "key-2026",
        "alg": "ES256",
        "use": "sig",
    }
    assert len(base64.urlsafe_b64decode(jwk["x"] + "=")) == 32
    assert len(base64.urlsafe_b64decode(jwk["y"] + "=")) == 32
    assert "d" not in jwk  # never the private part


def test_a_rotated_key_still_verifies_older_certificates(signer: LocalKeySigner) -> None:
    old = sign_credential(build_credential(make_record(), base_url=BASE), signer)
    new_signer = LocalKeySigner.generate("key-2027")
    jwks = public_jwks(
        new_signer.public_key_der(), new_signer.key_id, public_jwk(signer.public_key_der(), "key-2026")
    )
    assert verify_credential(old, jwks)["validUntil"] == "2029-03-01T09:30:00Z"
