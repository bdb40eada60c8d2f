"""W3C Bitstring Status Lists and the Open Badges baked PNG, checked against an implementation nobody
here wrote (openbadgeslib: its status-list decoder and checker, its PNG unbaker, its OB3 verifier).
The stack-backed journey is tests/e2e/test_open_badges_verifier.py."""

from __future__ import annotations

import gzip
import io
from datetime import timedelta
from typing import Any

import jwt
import pytest
from openbadgeslib import baking
from openbadgeslib.ob3 import OB3VerificationError, OB3Verifier
from openbadgeslib.ob3.status import decode_encoded_list, set_indices
from PIL import Image

from odvalidation import clock
from odvalidation.certificates import status_list as sl
from odvalidation.certificates.badge import KEYWORD, render_badge_png
from odvalidation.certificates.credential import build_credential
from odvalidation.certificates.jws import LocalKeySigner, public_jwks, sign_credential
from odvalidation.domain.models import CertificateRecord, Level

BASE = "https://od.example.org"
LIST_ID = "london-0a1b2c3d-0"


def record(**changes: Any) -> CertificateRecord:
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
        "status_list_id": LIST_ID,
        "status_list_index": 70_001,
    }
    return CertificateRecord.model_validate(fields | changes)


@pytest.fixture(scope="module")
def signer() -> LocalKeySigner:
    return LocalKeySigner.generate("key-2026")


@pytest.fixture(scope="module")
def verifier(signer: LocalKeySigner) -> OB3Verifier:
    jwk = public_jwks(signer.public_key_der(), signer.key_id)["keys"][0]
    return OB3Verifier(jwt.PyJWK(jwk).key)


# ------------------------------------------------------------------ the bitstring


def test_the_encoded_list_is_multibase_base64url_gzip_of_16_kb() -> None:
    encoded = sl.encode_list({0, 7, 8, 131_071})
    assert encoded.startswith("u")
    assert "=" not in encoded
    assert "+" not in encoded
    assert "/" not in encoded
    bits = sl.decode_list(encoded)
    assert len(bits) == 16 * 1024 == sl.LIST_SIZE // 8
    assert bits[0] == 0b1000_0001  # index 0 is the first byte's most significant bit; 7 its least
    assert bits[1] == 0b1000_0000
    assert bits[-1] == 0b0000_0001
    assert gzip.decompress(__import__("base64").urlsafe_b64decode(encoded[1:] + "==")) == bits


def test_an_independent_decoder_reads_the_same_bits() -> None:
    revoked = {3, 4_096, 70_001, 131_071}
    assert set_indices(decode_encoded_list(sl.encode_list(revoked))) == revoked
    assert set_indices(decode_encoded_list(sl.encode_list([]))) == frozenset()


def test_an_index_outside_the_list_is_refused() -> None:
    with pytest.raises(ValueError, match="outside"):
        sl.encode_list({sl.LIST_SIZE})
    with pytest.raises(ValueError, match="outside"):
        sl.status_entry(BASE, LIST_ID, -1)


def test_an_unchanged_list_encodes_to_the_same_bytes() -> None:
    assert sl.encode_list({5}) == sl.encode_list({5})


def test_list_ids_are_per_academy_and_key_and_url_safe() -> None:
    one = sl.list_id("london", "1234abcd-0000-4000-8000-000000000000", 0)
    assert one.startswith("london-")
    assert one.endswith("-0")
    assert one != sl.list_id("london", "another-key", 0) != sl.list_id("kss", "another-key", 0)
    assert all(c.isalnum() or c == "-" for c in one)


# ------------------------------------------------------------------ the credential's entry


def test_a_certificate_with_a_position_carries_one_bitstring_status_list_entry() -> None:
    status = build_credential(record(), base_url=BASE)["credentialStatus"]
    assert status == {
        "id": f"{BASE}/api/public/status-lists/{LIST_ID}#70001",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "70001",
        "statusListCredential": f"{BASE}/api/public/status-lists/{LIST_ID}",
    }


def test_a_certificate_issued_before_the_lists_carries_no_status() -> None:
    old = record(status_list_id=None, status_list_index=None)
    assert "credentialStatus" not in build_credential(old, base_url=BASE)


# ------------------------------------------------------------------ the list credential


def served(signer: LocalKeySigner, revoked: set[int]) -> Any:
    """A download function that serves the signed list at its URL, as the status-list route does."""
    credential = sl.status_list_credential(BASE, LIST_ID, "london", revoked, clock.now())
    token = sign_credential(credential, signer)
    urls: list[str] = []

    def download(url: str) -> bytes:
        urls.append(url)
        if url != sl.list_url(BASE, LIST_ID):
            raise OSError(f"not found: {url}")
        return token.encode()

    download.urls = urls  # type: ignore[attr-defined]
    return download


def test_the_independent_verifier_checks_the_signed_list_and_finds_the_credential_valid(
    signer: LocalKeySigner, verifier: OB3Verifier
) -> None:
    token = sign_credential(build_credential(record(), base_url=BASE), signer)
    download = served(signer, {1, 2, 70_000, 70_002})  # neighbours revoked, not this one
    verified = verifier.verify(token, check_status=True, verify_status_list=True, download=download)
    assert verified.credential_status[0]["statusListIndex"] == "70001"
    assert download.urls == [sl.list_url(BASE, LIST_ID)]


def test_the_independent_verifier_reports_a_revoked_credential(
    signer: LocalKeySigner, verifier: OB3Verifier
) -> None:
    token = sign_credential(build_credential(record(), base_url=BASE), signer)
    with pytest.raises(OB3VerificationError, match="revocation' is set at index 70001"):
        verifier.verify(token, check_status=True, download=served(signer, {70_001}))


def test_a_list_signed_with_another_key_is_refused(signer: LocalKeySigner, verifier: OB3Verifier) -> None:
    token = sign_credential(build_credential(record(), base_url=BASE), signer)
    forged = served(LocalKeySigner.generate("key-2026"), set())
    with pytest.raises(OB3VerificationError, match="proof is invalid"):
        verifier.verify(token, check_status=True, download=forged)


def test_the_list_credential_names_the_academy_as_issuer_and_a_refresh_time() -> None:
    at = clock.now()
    credential = sl.status_list_credential(BASE, LIST_ID, "london", set(), at)
    assert credential["issuer"] == f"{BASE}/academies/london"
    assert credential["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    subject = credential["credentialSubject"]
    assert subject["type"] == "BitstringStatusList"
    assert subject["statusPurpose"] == "revocation"
    assert subject["ttl"] == 300_000
    assert credential["validUntil"] > credential["validFrom"]


# ------------------------------------------------------------------ the baked badge


def test_the_badge_is_a_png_with_the_credential_baked_in(
    signer: LocalKeySigner, verifier: OB3Verifier
) -> None:
    token = sign_credential(build_credential(record(), base_url=BASE), signer)
    png = render_badge_png(record(), academy_name="London Leadership Academy", token=token)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.size == (512, 512)
    # Read out by a PNG reader nobody here wrote (openbadgeslib over pypng), then verified.
    assert OB3Verifier.extract_token_from_png(png) == token
    assert verifier.verify(OB3Verifier.extract_token_from_png(png)).id.endswith(record().id)


def test_the_chunk_is_as_the_baking_spec_says(signer: LocalKeySigner) -> None:
    """iTXt, keyword openbadgecredential, uncompressed, empty language and translated keyword, once."""
    token = sign_credential(build_credential(record(), base_url=BASE), signer)
    png = render_badge_png(record(), academy_name="London Leadership Academy", token=token)
    chunks = [data for tag, data in baking.Reader(bytes=png).chunks() if tag in (b"iTXt", "iTXt")]
    ours = [data for data in chunks if data.startswith(KEYWORD.encode() + b"\0")]
    assert len(ours) == 1
    assert ours[0] == KEYWORD.encode() + b"\0" + b"\0\0" + b"\0" + b"\0" + token.encode()
