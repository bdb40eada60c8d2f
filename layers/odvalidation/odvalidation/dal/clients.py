"""boto3 clients, created once per process (a client costs ~100 ms to build).

The endpoint comes from boto3's own `AWS_ENDPOINT_URL` variable, so the same code talks to AWS or
to the local stack.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=5, read_timeout=20)


@cache
def client(service: str) -> Any:
    return boto3.client(service, config=_CONFIG)  # type: ignore[call-overload]


def reset() -> None:
    """Forget cached clients (tests that start a fresh moto)."""
    client.cache_clear()
