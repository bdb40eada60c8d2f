"""Certificate signing with an asymmetric KMS key (ECC_NIST_P256, SIGN_VERIFY): the private key never
leaves KMS. The JWS `kid` is the KMS key id, so the published JWKS says which key signed what.
"""

from __future__ import annotations

import hashlib
import os
from functools import cache

from ..certificates.jws import der_to_raw, public_jwks
from .clients import client

# KMS refuses a RAW message over 4096 bytes; a credential with many framework alignments is longer.
KMS_RAW_MESSAGE_LIMIT = 4096
ALGORITHM = "ECDSA_SHA_256"


def _moto_endpoint() -> bool:
    """The local stack (moto) signs a DIGEST message as if it were RAW, hashing it a second time, and sets
    no size limit on RAW: against it, RAW is the only form whose signature verifies."""
    return bool(os.environ.get("AWS_ENDPOINT_URL"))


class KmsSigner:
    """A `certificates.jws.Signer` backed by KMS: ECDSA P-256 with SHA-256, returned as raw r||s."""

    def __init__(self, key_id: str, *, raw_limit: int | None = KMS_RAW_MESSAGE_LIMIT) -> None:
        if not key_id:
            raise ValueError("no signing key is configured (SIGNING_KEY_ID)")
        self._key_ref = key_id
        # Messages up to raw_limit go as RAW (KMS hashes them); longer ones are hashed here and sent as
        # DIGEST. None means always RAW (for moto; see _moto_endpoint).
        self._raw_limit = raw_limit

    @classmethod
    def for_this_environment(cls, key_id: str) -> KmsSigner:
        return cls(key_id, raw_limit=None if _moto_endpoint() else KMS_RAW_MESSAGE_LIMIT)

    @property
    def key_id(self) -> str:
        """The bare KMS key id (never an alias or ARN), resolved once, so `kid` stays stable."""
        return _key_info(self._key_ref)[0]

    def sign(self, message: bytes) -> bytes:
        if self._raw_limit is None or len(message) <= self._raw_limit:
            kwargs = {"Message": message, "MessageType": "RAW"}
        else:
            kwargs = {"Message": hashlib.sha256(message).digest(), "MessageType": "DIGEST"}
        response = client("kms").sign(KeyId=self._key_ref, SigningAlgorithm=ALGORITHM, **kwargs)
        return der_to_raw(response["Signature"])


@cache
def _key_info(key_ref: str) -> tuple[str, bytes]:
    """(bare key id, DER public key), fetched once per process: the public key of a KMS key never changes."""
    response = client("kms").get_public_key(KeyId=key_ref)
    # CustomerMasterKeySpec is the deprecated name that some emulators (moto) still answer with.
    spec = response.get("KeySpec") or response.get("CustomerMasterKeySpec")
    if spec != "ECC_NIST_P256" or response.get("KeyUsage") != "SIGN_VERIFY":
        raise ValueError(
            f"KMS key {key_ref} is {spec}/{response.get('KeyUsage')}; "
            "certificates need an ECC_NIST_P256 SIGN_VERIFY key"
        )
    key_id = str(response["KeyId"]).rsplit("/", 1)[-1]  # KMS answers with the key's ARN (moto: the id)
    return key_id, bytes(response["PublicKey"])


def public_key_der(key_id: str) -> bytes:
    """The DER (SubjectPublicKeyInfo) public key of a KMS signing key; cached per process."""
    return _key_info(key_id)[1]


def signing_jwks(key_id: str) -> dict[str, object]:
    """The JWKS to serve at /.well-known/jwks.json for the current signing key."""
    bare_id, der = _key_info(key_id)
    return public_jwks(der, bare_id)


def reset() -> None:
    """Forget cached keys (tests that start a fresh moto)."""
    _key_info.cache_clear()
