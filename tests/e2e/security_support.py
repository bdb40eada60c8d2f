"""Shared pieces of the security tests on the local stack: the figures they measure, written as JSON
under test-artifacts/ so that `python -m tests.security.report` can put them into docs/security.md."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
_lock = threading.Lock()


def record(name: str, figures: dict[str, Any]) -> Path:
    """Write one suite's figures (overwriting the last run's)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"security-{name}.json"
    with _lock:
        path.write_text(json.dumps(figures, indent=2, sort_keys=True, default=str))
    return path


def message_of(response: Any) -> str:
    """The "message" of a JSON error body, or "" when there is none (which is itself a finding)."""
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("message", "")) if isinstance(body, dict) else ""


def web_session(base_url: str, email: str, password: str) -> Any:
    """A requests.Session signed in to the web pages through /sign-in, as a browser would (CSRF token
    from the form, then the session cookie)."""
    import re

    import requests

    session = requests.Session()
    form = session.get(f"{base_url}/sign-in", timeout=30)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token, "the sign-in page has no CSRF token"
    signed_in = session.post(
        f"{base_url}/sign-in",
        data={"email": email, "password": password, "csrf_token": token.group(1)},
        allow_redirects=False,
        timeout=30,
    )
    assert signed_in.status_code in (302, 303), signed_in.text[:500]
    return session
