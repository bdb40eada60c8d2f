"""Securing a credential with JOSE (W3C VC-JOSE-COSE): a compact JWS whose payload is the credential itself.

Signing goes through a `Signer` so the private key can stay inside KMS (dal/signing.py); verifying needs
only the public JWKS, which anyone can fetch from `/.well-known/jwks.json`.

Beside the credential's own members the payload carries the JWT registered claims that the Open Badges 3.0
JWT proof format requires (section "JSON Web Token Proof Format"): `iss` = issuer.id, `jti` = id, `nbf` =
validFrom and `exp` = validUntil as NumericDate, `sub` = credentialSubject.id when the subject has one.
VC-JOSE-COSE allows them (they are ordinary JWT claims next to the credential's members), and badge
verifiers, wallets and backpacks that follow Open Badges 3.0 refuse a token without them. Credentials
signed before the claims were added carry none: they still verify here, because every claim is checked
against the credential when it is present and none is required.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any, Protocol

import jwt
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

ALG = "ES256"
TYP = "vc+jwt"
CTY = "vc"
# The checks verify_credential makes, in order; InvalidCredentialError.check is one of them.
CHECKS = ("format", "issuer_key", "signature", "claims")
REGISTERED_CLAIMS = ("iss", "sub", "jti", "nbf", "exp")


class InvalidCredentialError(Exception):
    """The file is not a credential this service signed, unchanged. `reason` is written for a person;
    `check` names the check that failed (one of CHECKS), so a verifier can be told which."""

    def __init__(self, reason: str, check: str = "format") -> None:
        super().__init__(reason)
        self.reason = reason
        self.check = check


InvalidCredential = InvalidCredentialError  # the short name the brief and callers use


class Signer(Protocol):
    """Signs with ECDSA P-256 / SHA-256 and returns the raw 64-byte r||s signature (JWS form)."""

    @property
    def key_id(self) -> str: ...

    def sign(self, message: bytes) -> bytes: ...


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    if not text or any(c not in _B64URL for c in text):
        raise InvalidCredential(
            "The file is not a signed credential: it has characters a JWS cannot contain."
        )
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise InvalidCredential(
            "The file is not a signed credential: a part of it is not base64url."
        ) from None


_B64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def der_to_raw(der_signature: bytes, size: int = 32) -> bytes:
    """ASN.1 DER ECDSA signature (what KMS returns) -> fixed-length r||s (what JWS wants)."""
    r, s = decode_dss_signature(der_signature)
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def _json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _numeric_date(value: object) -> int:
    """An ISO 8601 date-time of the credential (validFrom, validUntil) as a JWT NumericDate."""
    when = datetime.fromisoformat(str(value))
    if when.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone")
    return int(when.timestamp())


def registered_claims(credential: dict[str, Any]) -> dict[str, Any]:
    """The JWT registered claims Open Badges 3.0 asks for, each taken from the credential's own fields."""
    issuer = credential.get("issuer")
    subject = credential.get("credentialSubject")
    claims: dict[str, Any] = {
        "iss": issuer.get("id") if isinstance(issuer, dict) else issuer,
        "jti": credential["id"],
        "nbf": _numeric_date(credential["validFrom"]),
    }
    if credential.get("validUntil"):
        claims["exp"] = _numeric_date(credential["validUntil"])
    if isinstance(subject, dict) and subject.get("id"):
        claims["sub"] = subject["id"]
    return claims


def sign_credential(credential: dict[str, Any], signer: Signer) -> str:
    """The credential as a compact JWS (`header.payload.signature`), its payload the credential's members
    with the registered claims beside them."""
    if set(credential) & set(REGISTERED_CLAIMS):
        raise ValueError("the credential already has members named like JWT registered claims")
    header = {"alg": ALG, "kid": signer.key_id, "typ": TYP, "cty": CTY}
    payload = credential | registered_claims(credential)
    signing_input = f"{b64url(_json(header))}.{b64url(_json(payload))}"
    signature = signer.sign(signing_input.encode("ascii"))
    if len(signature) != 64:
        raise ValueError(f"an ES256 signature is 64 bytes (r||s); the signer returned {len(signature)}")
    return f"{signing_input}.{b64url(signature)}"


def _header(token: str) -> dict[str, Any]:
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidCredential(
            "The file is not a signed credential: a JWS has three parts separated by dots."
        )
    try:
        header = json.loads(b64url_decode(parts[0]))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InvalidCredential("The file is not a signed credential: its header is not JSON.") from None
    if not isinstance(header, dict):
        raise InvalidCredential("The file is not a signed credential: its header is not a JSON object.")
    return header


def _check_claims(payload: dict[str, Any]) -> dict[str, Any]:
    """The credential without its registered claims, once each claim present matches the credential.

    None is required, so that credentials signed before the claims were added still verify; one that
    is present and disagrees with the credential is refused (a signed token saying two things).
    """
    present = {name: payload[name] for name in REGISTERED_CLAIMS if name in payload}
    credential = {k: v for k, v in payload.items() if k not in present}
    if not present:
        return credential
    try:
        expected = registered_claims(credential)
    except (KeyError, ValueError, TypeError, OverflowError):
        raise InvalidCredential(
            "The credential's id, issuer or dates are missing or malformed.", "claims"
        ) from None
    fields = {"iss": "issuer id", "jti": "id", "nbf": "validFrom", "exp": "validUntil", "sub": "subject id"}
    for name, value in present.items():
        if expected.get(name) != value:
            raise InvalidCredential(
                f"The token's {name!r} claim does not match the credential's {fields[name]}.", "claims"
            )
    return credential


def verify_credential(token: str | bytes, jwks: dict[str, Any]) -> dict[str, Any]:
    """Check the signature with the issuer's public keys and return the credential (without the JWT
    registered claims, which are checked against it).

    Raises InvalidCredential for a malformed token, an algorithm other than ES256, a key id the issuer
    does not publish, a bad signature, registered claims that contradict the credential, or a payload
    that is not an Open Badges credential. Its `check` says which.
    """
    if isinstance(token, bytes):
        try:
            token = token.decode("ascii")
        except UnicodeDecodeError:
            raise InvalidCredential("The file is not a signed credential: it is not plain text.") from None
    token = token.strip()
    header = _header(token)
    if header.get("alg") != ALG:
        raise InvalidCredential(
            f"The credential uses the algorithm {header.get('alg')!r}; only ES256 is accepted."
        )
    if header.get("typ") != TYP:
        raise InvalidCredential(f"The token is of type {header.get('typ')!r}, not a credential ({TYP}).")
    if header.get("crit"):
        raise InvalidCredential("The credential has critical header parameters this verifier does not know.")
    kid = header.get("kid")
    jwk = next((k for k in jwks.get("keys", []) if isinstance(k, dict) and k.get("kid") == kid), None)
    if not isinstance(kid, str) or jwk is None:
        raise InvalidCredential(
            f"The credential was signed with a key ({kid!r}) the issuer does not publish.", "issuer_key"
        )
    try:
        key = jwt.PyJWK(jwk, algorithm=ALG).key
    except jwt.PyJWKError as exc:
        raise InvalidCredential(
            f"The issuer's published key {kid!r} is not usable: {exc}", "issuer_key"
        ) from None
    try:
        decoded = jwt.PyJWS().decode_complete(token, key=key, algorithms=[ALG])
    except jwt.InvalidSignatureError:
        raise InvalidCredential(
            "The signature does not match: the credential was changed after it was issued, "
            "or it was not issued by this service.",
            "signature",
        ) from None
    except jwt.InvalidTokenError as exc:
        raise InvalidCredential(f"The file is not a valid signed credential: {exc}") from None
    try:
        payload = json.loads(decoded["payload"])
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InvalidCredential("The signed content is not JSON.", "claims") from None
    if not isinstance(payload, dict) or "OpenBadgeCredential" not in (payload.get("type") or []):
        raise InvalidCredential("The signed content is not an Open Badges credential.", "claims")
    return _check_claims(payload)


def public_jwk(der_public_key: bytes, kid: str) -> dict[str, str]:
    """An EC P-256 public key (DER SubjectPublicKeyInfo, as KMS GetPublicKey returns it) as a JWK."""
    key = serialization.load_der_public_key(der_public_key)
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ValueError("the signing key must be an EC P-256 (ECC_NIST_P256) key")
    numbers = key.public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": b64url(numbers.x.to_bytes(32, "big")),
        "y": b64url(numbers.y.to_bytes(32, "big")),
        "kid": kid,
        "alg": ALG,
        "use": "sig",
    }


def public_jwks(der_public_key: bytes, kid: str, *older: dict[str, str]) -> dict[str, Any]:
    """The JWKS to publish at /.well-known/jwks.json. Pass the JWKs of retired keys as `older` so that
    certificates signed before a key rotation still verify."""
    return {"keys": [public_jwk(der_public_key, kid), *older]}


class LocalKeySigner:
    """A signer holding its own private key: for tests and tools, never for issuing real certificates."""

    def __init__(self, private_key: ec.EllipticCurvePrivateKey, key_id: str) -> None:
        self._private_key = private_key
        self._key_id = key_id

    @classmethod
    def generate(cls, key_id: str = "local-test-key") -> LocalKeySigner:
        return cls(ec.generate_private_key(ec.SECP256R1()), key_id)

    @property
    def key_id(self) -> str:
        return self._key_id

    def sign(self, message: bytes) -> bytes:
        return der_to_raw(self._private_key.sign(message, ec.ECDSA(hashes.SHA256())))

    def public_key_der(self) -> bytes:
        return self._private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
