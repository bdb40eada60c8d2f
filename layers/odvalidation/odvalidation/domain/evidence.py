"""What evidence may be uploaded, and the server-side check of what actually landed.

The browser's file name and declared type are never trusted: the type is read from the file's first
bytes (magic numbers), and must match what was declared when the upload link was issued.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .errors import InvalidInput

# Declared content type -> (label, extension)
ALLOWED_TYPES: dict[str, tuple[str, str]] = {
    "application/pdf": ("PDF", "pdf"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("Word", "docx"),
    "application/msword": ("Word (older format)", "doc"),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ("PowerPoint", "pptx"),
    "application/vnd.ms-powerpoint": ("PowerPoint (older format)", "ppt"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("Excel", "xlsx"),
    "application/vnd.ms-excel": ("Excel (older format)", "xls"),
    "image/png": ("PNG image", "png"),
    "image/jpeg": ("JPEG image", "jpg"),
    "text/plain": ("plain text", "txt"),
}

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MARKUP = re.compile(rb"<\s*(script|html|svg|iframe|object|embed|body|\?xml)\b", re.IGNORECASE)


def allowed_list() -> str:
    return ", ".join(sorted({label.split(" (")[0] for label, _ in ALLOWED_TYPES.values()}))


def check_declared(content_type: str, size: int, max_bytes: int) -> None:
    if content_type not in ALLOWED_TYPES:
        raise InvalidInput(
            f"Files of type '{content_type}' cannot be uploaded. Upload one of: {allowed_list()}."
        )
    if size <= 0:
        raise InvalidInput("The file is empty. Choose the file again.")
    if size > max_bytes:
        raise InvalidInput(
            f"The file is {size / 1_048_576:.1f} MB; the largest file you can upload is "
            f"{max_bytes // 1_048_576} MB. Split it into smaller files or compress it."
        )


def sniff(head: bytes) -> str | None:
    """The content type the bytes really are, among the allowed ones, or None."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"PK\x03\x04"):
        # Office Open XML is a zip whose part names say which application made it.
        if b"word/" in head:
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if b"ppt/" in head:
            return "application/vnd.openxmlformats-officedocument.presentationml.presentation"
        if b"xl/" in head:
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return None
    if head.startswith(_OLE):
        return "application/x-ole-storage"  # legacy Office: matched to the declared type below
    if _looks_like_text(head):
        return "text/plain"
    return None


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        if exc.start < len(head) - 4:
            return False
        text = head[: exc.start].decode("utf-8")
    return not any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f" for ch in text)


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str = ""
    content_type: str = ""


def check_upload(head: bytes, *, declared_type: str, size: int, max_bytes: int) -> Verdict:
    """The server-side check of an object that landed in S3."""
    if size > max_bytes:
        return Verdict(False, f"The file is larger than {max_bytes // 1_048_576} MB.")
    if size == 0:
        return Verdict(False, "The file is empty.")
    actual = sniff(head)
    if actual is None:
        return Verdict(False, f"The file is not a type we accept. Upload one of: {allowed_list()}.")
    legacy = {"application/msword", "application/vnd.ms-powerpoint", "application/vnd.ms-excel"}
    if actual == "application/x-ole-storage" and declared_type in legacy:
        actual = declared_type
    if actual != declared_type:
        label = ALLOWED_TYPES.get(actual, ("a different kind of file", ""))[0]
        declared = ALLOWED_TYPES.get(declared_type, (declared_type, ""))[0]
        return Verdict(False, f"The file was described as {declared} but its content is {label}.")
    if _MARKUP.search(head) and actual in {"text/plain", "application/pdf", "image/png", "image/jpeg"}:
        # Polyglots: a file that is also HTML or script could run if a browser ever sniffed it.
        return Verdict(False, "The file contains web page or script content, which we do not accept.")
    return Verdict(True, content_type=actual)


_UNSAFE = re.compile(r"[\x00-\x1f\x7f<>:\"/\\|?*]")


def safe_display_name(filename: str, content_type: str) -> str:
    """A name that is safe to show and to offer as a download: no path, no control characters."""
    name = unicodedata.normalize("NFC", filename or "")
    name = re.split(r"[\\/]", name)[-1]
    # Format characters (bidi overrides, zero-width) can make "invoice\u202efdp.exe" display as another
    # name; lone surrogates cannot be stored or sent. Neither belongs in a file name.
    name = "".join(ch for ch in name if unicodedata.category(ch) not in {"Cf", "Cs"})
    name = _UNSAFE.sub("", name).strip(" .")
    name = re.sub(r"\s+", " ", name)
    stem, _, given = name.rpartition(".") if "." in name else (name, "", "")
    if content_type in ALLOWED_TYPES:
        # An accepted file is named for the type its bytes were checked to be.
        extension = ALLOWED_TYPES[content_type][1]
    else:
        # A refused file keeps the extension it came with (cleaned), so "bad.zip" is listed as bad.zip.
        extension = re.sub(r"[^A-Za-z0-9]", "", given)[:10].lower() or "bin"
    stem = stem[:100].strip(" .") or "evidence"
    return f"{stem}.{extension}"
