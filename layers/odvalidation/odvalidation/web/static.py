"""The built NHS.UK frontend files (`make assets`), served with their content types and long caching.

In AWS these are small and few, so the web function serves them itself; a CDN in front caches them.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

STATIC_ROOT = Path(__file__).parent / "static"
# The service's own stylesheet: in git (static/ is built and ignored), served beside the built files.
APP_ROOT = Path(__file__).parent / "app_static"
APP_CSS = "app.css"

CONTENT_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".map": "application/json",
    ".json": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
}
TEXT_SUFFIXES = {".css", ".js", ".mjs", ".map", ".json", ".svg"}
LONG_CACHE = "public, max-age=31536000, immutable"


class StaticFile:
    def __init__(self, body: bytes | str, content_type: str) -> None:
        self.body = body
        self.content_type = content_type


def resolve(url_path: str, root: Path | None = None) -> Path | None:
    """The file under root that url_path names, or None for anything outside it, hidden or unknown."""
    root = (root or STATIC_ROOT).resolve()
    decoded = unquote(url_path)
    if "\x00" in decoded or "\\" in decoded:
        return None
    parts = PurePosixPath(decoded).parts
    if not parts or any(p in {"..", "."} or p.startswith(".") or p == "/" for p in parts):
        return None
    candidate = root.joinpath(*parts).resolve()
    if not candidate.is_relative_to(root) or not candidate.is_file():
        return None
    if candidate.suffix not in CONTENT_TYPES:
        return None
    return candidate


def load(url_path: str, root: Path | None = None) -> StaticFile | None:
    path = resolve(url_path, root) if root else resolve(url_path) or resolve(url_path, APP_ROOT)
    if path is None:
        return None
    content_type = CONTENT_TYPES[path.suffix]
    # Text goes back as text: API Gateway passes it untouched, with no binary media type needed.
    body: bytes | str = path.read_text("utf-8") if path.suffix in TEXT_SUFFIXES else path.read_bytes()
    return StaticFile(body, content_type)


@cache
def asset_version() -> str:
    """A short hash of the stylesheet, added to its URL so a new frontend version is never served stale."""
    css = STATIC_ROOT / "nhsuk-frontend.min.css"
    if not css.is_file():
        return "dev"
    return hashlib.sha256(css.read_bytes()).hexdigest()[:10]


@cache
def app_css_version() -> str:
    """The same for the service's own stylesheet."""
    return hashlib.sha256((APP_ROOT / APP_CSS).read_bytes()).hexdigest()[:10]
