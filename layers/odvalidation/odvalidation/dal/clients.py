"""boto3 clients, created once per process (a client costs ~100 ms to build).

The endpoint comes from boto3's own `AWS_ENDPOINT_URL` variable, so the same code talks to AWS or
to the local stack.
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

import boto3
from botocore.config import Config

from ..heap import lasting

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=5, read_timeout=20)
# A client in use is thread-safe, but making one from boto3's default session is not, and the first
# calls of a cold start may come from dal/parallel.py's threads at once.
_MAKING = threading.Lock()


@cache
def client(service: str) -> Any:
    # A client lives as long as the process: built without the collector, then frozen (odvalidation/heap.py).
    with _MAKING, lasting():
        return boto3.client(service, config=_CONFIG)  # type: ignore[call-overload]


def reset() -> None:
    """Forget cached clients (tests that start a fresh moto)."""
    client.cache_clear()
