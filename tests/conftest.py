"""Suite-wide: no DynamoDB Scan, ever (docs/data-model.md: every read is a GetItem or a Query); and one
botocore data loader per process.

A botocore hook is registered when this file is imported, before any test module creates a client:
on botocore's built-in handlers (so every botocore session created from now on, boto3's default one
included, carries it) and on boto3's default session if it already exists. It covers moto's
in-process mock and the stack-backed tests alike, since both talk through botocore clients in this
process. (The browser harness runs the web handler in a subprocess, which this hook cannot see.)
A test during which any Scan is called fails, and so does the session.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.handlers
import botocore.loaders
import botocore.session
import pytest

# moto's mock gives every `with mock_aws()` a new boto3 default session, and each new session parsed the
# service models and endpoint rules again (measured: a fifth of the unit tests' time in json.decode).
# The models are read-only data, so every session of the process shares one loader.
botocore.session.create_loader = functools.cache(botocore.loaders.create_loader)  # type: ignore[attr-defined]

SCANS: list[str] = []
_lock = threading.Lock()


def _refuse_scan(params: dict[str, Any], **_: Any) -> None:
    with _lock:
        SCANS.append(f"Scan of {params.get('TableName', '?')}")


_HOOK = ("before-parameter-build.dynamodb.Scan", _refuse_scan)
if _HOOK not in botocore.handlers.BUILTIN_HANDLERS:
    botocore.handlers.BUILTIN_HANDLERS.append(_HOOK)
if boto3.DEFAULT_SESSION is not None:
    boto3.DEFAULT_SESSION.events.register(*_HOOK)


@pytest.fixture(autouse=True)
def _no_scan_in_this_test() -> Iterator[None]:
    before = len(SCANS)
    yield
    new = SCANS[before:]
    if new:
        pytest.fail(f"DynamoDB Scan called (every read must be a GetItem or a Query): {new}")


@pytest.fixture(scope="session", autouse=True)
def _no_scan_in_the_session() -> Iterator[None]:
    yield
    assert not SCANS, f"DynamoDB Scan called during the test session: {SCANS}"
