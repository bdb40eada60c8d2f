"""W3C Bitstring Status List v1.0: the revocation status any standard verifier can read.

Pure: given the stored state of a list (its revoked positions), the same list credential comes out.

- Each new credential carries one `credentialStatus` entry of type `BitstringStatusListEntry`
  (statusPurpose `revocation`, `statusListIndex` a base-10 string, `statusListCredential` the list's URL),
  the one status Open Badges 3.0 allows (cardinality 0..1).
- A list is a `BitstringStatusListCredential` whose subject (`BitstringStatusList`) carries `encodedList`:
  the multibase base64url ("u" prefix, no padding) of the GZIP of the bitstring, bit 0 the most
  significant bit of the first byte; a set bit is a revoked credential.
- Every list holds 131,072 positions (16 KB, the spec's minimum): a verifier fetching it reveals only
  "one of up to 131,072 credentials", and the list's size says nothing of how many were issued (herd
  privacy). Positions are drawn at random (dal/status_lists.py), so consecutive certificates do not sit
  side by side and a change between two copies of the list does not date the revoked one.
- A list belongs to one issuer (an academy: openbadgeslib and others require the list's issuer to be
  the credential's) and one signing key (the list is signed with the key that signed its credentials,
  so a verifier holding that key can check both); see `list_id`.

The product's live status (the reason and date of a revocation, a renewal, supersession) is not in the
bit: the verification page and the public status API keep answering it (certificates/verification.py).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from .vocabulary import VC_CONTEXT, iso_z, issuer_url

LIST_SIZE = 131_072  # bits: 16 KB, the minimum Bitstring Status List v1.0 sets for herd privacy
PURPOSE = "revocation"
ENTRY_TYPE = "BitstringStatusListEntry"
LIST_TYPE = "BitstringStatusListCredential"
# A signed list is valid for a day: a verifier refuses a copy older than that (an old copy with fewer
# revocations cannot be replayed for long), and the service signs a fresh one when it is asked after
# half of that has passed, or at once after a revocation.
LIST_VALIDITY = timedelta(days=1)
RESIGN_AFTER = timedelta(hours=12)
# Bitstring Status List's `ttl` (milliseconds): how long a verifier may cache the list before fetching
# it again. Five minutes: a revocation reaches every verifier within that, at one small fetch each.
TTL_MS = 5 * 60 * 1000


def list_id(academy_id: str, key_id: str, number: int) -> str:
    """A list's id: the academy, a short fingerprint of the signing key, and the list's number for
    that pair (a new list starts when one is full). URL-safe: [a-z0-9-]."""
    fingerprint = hashlib.sha256(key_id.encode()).hexdigest()[:8]
    return f"{academy_id}-{fingerprint}-{number}"


def list_url(base_url: str, the_list_id: str) -> str:
    """Where the list credential is served, without sign-in: also the list credential's id."""
    return f"{base_url.rstrip('/')}/api/public/status-lists/{the_list_id}"


def status_entry(base_url: str, the_list_id: str, index: int) -> dict[str, Any]:
    """The `credentialStatus` of a credential at `index` of a list."""
    if not 0 <= index < LIST_SIZE:
        raise ValueError(f"status list index {index} is outside [0, {LIST_SIZE})")
    url = list_url(base_url, the_list_id)
    return {
        "id": f"{url}#{index}",
        "type": ENTRY_TYPE,
        "statusPurpose": PURPOSE,
        "statusListIndex": str(index),
        "statusListCredential": url,
    }


def encode_list(revoked: Iterable[int], size: int = LIST_SIZE) -> str:
    """`encodedList`: "u" + base64url (unpadded) of the GZIP of the bitstring with `revoked` set."""
    bits = bytearray(size // 8)
    for index in revoked:
        if not 0 <= index < size:
            raise ValueError(f"status list index {index} is outside [0, {size})")
        bits[index // 8] |= 0x80 >> (index % 8)
    # mtime=0: the same bits always give the same bytes, so an unchanged list encodes identically.
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")


def decode_list(encoded: str) -> bytes:
    """The bitstring of an `encodedList` (for tests and tools; verifiers bring their own)."""
    if not encoded.startswith("u"):
        raise ValueError("encodedList is multibase base64url: it starts with 'u'")
    data = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))


def is_set(bitstring: bytes, index: int) -> bool:
    return bool(bitstring[index // 8] & (0x80 >> (index % 8)))


def status_list_credential(
    base_url: str, the_list_id: str, academy_id: str, revoked: Iterable[int], at: datetime
) -> dict[str, Any]:
    """The unsigned list credential, valid from `at` for LIST_VALIDITY. Its issuer is the academy's
    profile URL, the same as every credential pointing at it."""
    url = list_url(base_url, the_list_id)
    return {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", LIST_TYPE],
        "issuer": issuer_url(base_url.rstrip("/"), academy_id),
        "validFrom": iso_z(at),
        "validUntil": iso_z(at + LIST_VALIDITY),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": PURPOSE,
            "encodedList": encode_list(revoked),
            "ttl": TTL_MS,
        },
    }
