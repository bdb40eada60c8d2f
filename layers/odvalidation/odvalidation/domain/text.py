"""Free text from people: what characters it may hold. NUL and other control characters (except tab,
line feed and carriage return) have no meaning in a narrative or a name and break pages, email and PDFs."""

from __future__ import annotations

import unicodedata
from typing import Any

ALLOWED_CONTROLS = frozenset("\t\n\r")


def control_character_path(value: Any, path: str = "") -> str | None:
    """The location of the first string holding a control character, or None."""
    if isinstance(value, str):
        for ch in value:
            if ch not in ALLOWED_CONTROLS and unicodedata.category(ch) in ("Cc", "Cs"):
                return path or "text"
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            found = control_character_path(key, path) or control_character_path(
                item, f"{path}.{key}" if path else str(key)
            )
            if found:
                return found
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = control_character_path(item, f"{path}[{index}]")
            if found:
                return found
    return None
