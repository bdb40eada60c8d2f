"""Certificate ids a person can read off paper and type back.

Crockford's base32 alphabet leaves out I, L, O and U, so no two characters look alike; ids are
grouped in fours. When a typed id is looked up, the letters a reader might mistake are read as the
digits they stand for (O as 0, I and L as 1) and case is ignored. Ids issued before this rule
(URL-safe base64, case-sensitive) stay valid: they are looked up exactly as given first.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
GROUPS = 4
GROUP_LENGTH = 4  # 16 characters, 80 random bits
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_certificate_id() -> str:
    chars = [secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_LENGTH)]
    return "-".join("".join(chars[i : i + GROUP_LENGTH]) for i in range(0, len(chars), GROUP_LENGTH))


def readable_form(typed: str) -> str | None:
    """The id a person meant, in the readable alphabet, or None when `typed` cannot be one."""
    plain = "".join(typed.split()).replace("-", "").upper().translate(_READ_AS)
    if len(plain) != GROUPS * GROUP_LENGTH or any(c not in ALPHABET for c in plain):
        return None
    return "-".join(plain[i : i + GROUP_LENGTH] for i in range(0, len(plain), GROUP_LENGTH))
