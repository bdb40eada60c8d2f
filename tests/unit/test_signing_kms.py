"""Signing certificates with a KMS key (moto): the signature verifies offline against KMS's public key."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, encode_dss_signature
from moto import mock_aws

from odvalidation.certificates.credential import build_credential
from odvalidation.certificates.jws import InvalidCredential, b64url, sign_credential, verify_credential
from odvalidation.dal import clients, signing
from odvalidation.dal.signing import KMS_RAW_MESSAGE_LIMIT, KmsSigner, public_key_der, signing_jwks
from odvalidation.domain.frameworks import framework
from odvalidation.domain.models import CertificateRecord, Level


@pytest.fixture
def kms_key(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    clients.reset()
    signing.reset()
    with mock_aws():
        kms = boto3.client("kms", region_name="eu-west-2")
        key = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY", Description="certificates")
        yield key["KeyMetadata"]["KeyId"]
    clients.reset()
    signing.reset()


def _record() -> CertificateRecord:
    fw = framework("global-practice@1.0")
    issued = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    return CertificateRecord(
        id="kms-cert-1",
        journey_id="j-1",
        practitioner_id="p-1",
        holder_name="Zoë Smith",
        level=Level.LEADER,
        academy_id="kss",
        framework_key=fw.key,
        element_ids=[e.id for e in fw.elements],
        valid_from=issued,
        valid_until=issued + timedelta(days=1095),
        issued_at=issued,
    )


def _public_key(key_id: str) -> ec.EllipticCurvePublicKey:
    key = serialization.load_der_public_key(public_key_der(key_id))
    assert isinstance(key, ec.EllipticCurvePublicKey)
    return key


def _der(raw: bytes) -> bytes:
    return encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))


def test_kms_signature_verifies_with_cryptography_against_the_kms_public_key(kms_key: str) -> None:
    signer = KmsSigner(kms_key)
    message = b"header.payload"

    raw = signer.sign(message)

    assert len(raw) == 64
    _public_key(kms_key).verify(_der(raw), message, ec.ECDSA(hashes.SHA256()))  # raises if wrong
    assert signer.key_id == kms_key  # the bare key id, not the ARN KMS answers with


def test_a_credential_signed_in_kms_verifies_with_the_published_jwks(kms_key: str) -> None:
    signer = KmsSigner(kms_key, raw_limit=None)  # moto: RAW at any size (see dal/signing.py)
    credential = build_credential(_record(), base_url="https://od.example.org")
    token = sign_credential(credential, signer)
    jwks = signing_jwks(kms_key)

    assert len(token) > KMS_RAW_MESSAGE_LIMIT  # a realistic credential is longer than KMS takes as RAW
    assert jwks["keys"][0]["kid"] == kms_key  # type: ignore[index]
    assert verify_credential(token, jwks) == credential

    header, payload, signature = token.split(".")
    body = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    tampered = body.replace(b'"validUntil":"2029', b'"validUntil":"2099')
    assert tampered != body
    with pytest.raises(InvalidCredential, match="signature does not match"):
        verify_credential(f"{header}.{b64url(tampered)}.{signature}", jwks)


def test_an_alias_resolves_to_the_key_id_for_kid(kms_key: str) -> None:
    boto3.client("kms", region_name="eu-west-2").create_alias(
        AliasName="alias/certificates", TargetKeyId=kms_key
    )
    signer = KmsSigner("alias/certificates")
    assert signer.key_id == kms_key
    _public_key(kms_key).verify(_der(signer.sign(b"m")), b"m", ec.ECDSA(hashes.SHA256()))


def test_a_symmetric_key_is_refused_clearly(kms_key: str) -> None:
    symmetric = boto3.client("kms", region_name="eu-west-2").create_key()["KeyMetadata"]["KeyId"]
    with pytest.raises(ValueError, match="ECC_NIST_P256"):
        KmsSigner(symmetric).key_id  # noqa: B018


class _RealKmsSemantics:
    """What real KMS does (moto does not): RAW up to 4096 bytes, and DIGEST signs the given digest as is."""

    def __init__(self) -> None:
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.calls: list[dict[str, Any]] = []

    def sign(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        if kwargs["MessageType"] == "RAW":
            assert len(kwargs["Message"]) <= 4096, "KMS rejects a RAW message over 4096 bytes"
            der = self.private_key.sign(kwargs["Message"], ec.ECDSA(hashes.SHA256()))
        else:
            der = self.private_key.sign(kwargs["Message"], ec.ECDSA(Prehashed(hashes.SHA256())))
        return {
            "Signature": der,
            "KeyId": "arn:aws:kms:eu-west-2:1:key/k",
            "SigningAlgorithm": "ECDSA_SHA_256",
        }


@pytest.mark.parametrize("size", [100, 4096, 4097, 9000])
def test_long_messages_are_sent_as_a_digest_as_real_kms_requires(
    monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    fake = _RealKmsSemantics()
    monkeypatch.setattr(signing, "client", lambda service: fake)
    message = b"x" * size

    raw = KmsSigner("k").sign(message)

    call = fake.calls[0]
    assert call["MessageType"] == ("RAW" if size <= 4096 else "DIGEST")
    if size > 4096:
        assert call["Message"] == hashlib.sha256(message).digest()
    fake.private_key.public_key().verify(_der(raw), message, ec.ECDSA(hashes.SHA256()))


def test_for_this_environment_uses_raw_only_against_a_local_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = _RealKmsSemantics()
    monkeypatch.setattr(signing, "client", lambda service: fake)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    KmsSigner.for_this_environment("k").sign(b"x" * 5000)
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5000")
    with pytest.raises(AssertionError, match="4096"):  # the fake enforces the real limit
        KmsSigner.for_this_environment("k").sign(b"x" * 5000)
    assert [c["MessageType"] for c in fake.calls] == ["DIGEST", "RAW"]
