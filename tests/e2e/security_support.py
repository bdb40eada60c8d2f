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
