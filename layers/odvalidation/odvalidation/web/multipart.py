"""multipart/form-data bodies (the one public form that uploads a file: /verify), parsed with the
standard library so that the CSRF check and the page read the same fields as from any other form."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MAX_BODY_BYTES = 1_000_000  # far above any form of ours; a bigger body is not parsed at all


@dataclass(frozen=True)
class UploadedFile:
    filename: str
    content: bytes


@dataclass
class Multipart:
    fields: dict[str, list[str]]
    files: dict[str, UploadedFile]


def is_multipart(content_type: str | None) -> bool:
    return bool(content_type) and str(content_type).lower().startswith("multipart/form-data")


def body_bytes(body: str | None, *, is_base64: bool) -> bytes:
    if not body:
        return b""
    # API Gateway passes a non-binary body as text: its bytes are its UTF-8 encoding.
    return base64.b64decode(body) if is_base64 else body.encode("utf-8", errors="surrogateescape")


def parse_multipart(raw: bytes, content_type: str) -> Multipart:
    """Text fields and uploaded files by name; a malformed or oversized body gives nothing."""
    found = Multipart(fields={}, files={})
    if not raw or len(raw) > MAX_BODY_BYTES or "boundary=" not in content_type.lower():
        return found
    # Imported here: only the /verify upload posts multipart, and email.policy costs every start-up ~5 ms.
    from email import policy
    from email.parser import BytesParser

    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=policy.HTTP).parsebytes(head + raw)
    if not message.is_multipart():
        return found
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            if content or filename:
                found.files[name] = UploadedFile(filename=filename, content=content)
        else:
            found.fields.setdefault(name, []).append(content.decode("utf-8", errors="replace"))
    return found


def content_type_of(event: Mapping[str, Any]) -> str:
    for name, value in (event.get("headers") or {}).items():
        if name.lower() == "content-type" and value:
            return str(value)
    return ""


def from_event(event: Mapping[str, Any]) -> Multipart:
    """The multipart body of an API Gateway (REST, v1) event."""
    raw = body_bytes(event.get("body"), is_base64=bool(event.get("isBase64Encoded")))
    return parse_multipart(raw, content_type_of(event))
