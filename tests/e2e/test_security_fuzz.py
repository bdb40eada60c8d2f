"""Fuzzing: schemathesis generates requests from the OpenAPI document (valid and invalid bodies, path
and query values) and sends them to the local stack with a practitioner's real token.

No answer may be a 5xx, and every 4xx must be JSON with a non-empty "message" a person can act on.
Bounded: a few examples per operation, so the whole run takes seconds.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from local import scenario
from local.stack import LocalStack
from odvalidation.api.app import openapi_json
from tests.e2e.security_support import record

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]

EXAMPLES_PER_OPERATION = 6
schema = schemathesis.openapi.from_dict(json.loads(openapi_json()))
TALLY: dict[str, Any] = {
    "cases": 0,
    "server_errors": 0,
    "without_message": 0,
    "by_status": {},
    "failures": [],
}


@pytest.fixture(scope="module")
def fuzzer(local_stack: LocalStack) -> Iterator[tuple[str, dict[str, str]]]:
    tag = secrets.token_hex(3)
    p = scenario.person(
        local_stack,
        f"fuzz.{tag}@example.nhs.uk",
        "Fuzz Tester",
        ["practitioner"],
        academy="north-west",
        employer=f"Fuzz {tag}",
    )
    yield local_stack.base_url, {"Authorization": f"Bearer {local_stack.token_for(p.email)}"}
    record(
        "fuzz",
        TALLY
        | {
            "operations": len(list(schema.get_all_operations())),
            "examples_per_operation": EXAMPLES_PER_OPERATION,
        },
    )


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,  # the same cases every run: a failure here reproduces
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_no_server_error_and_every_refusal_says_why(case: Any, fuzzer: tuple[str, dict[str, str]]) -> None:
    base_url, headers = fuzzer
    if case.method.upper() != case.operation.method.upper():
        # Methods the document does not list (TRACE, QUERY ...) never reach the API's code: API Gateway
        # answers them itself (the local front's stand-in answers 501), and other paths are web pages.
        return
    response = case.call(base_url=base_url, headers=headers, timeout=30)
    TALLY["cases"] += 1
    status = response.status_code
    TALLY["by_status"][str(status)] = TALLY["by_status"].get(str(status), 0) + 1
    where = f"{case.method} {case.formatted_path} -> {status}: {response.text[:200]}"
    if status >= 500:
        TALLY["server_errors"] += 1
        TALLY["failures"].append(where)
    assert status < 500, where
    if 400 <= status < 500:
        try:
            body = response.json()
        except ValueError:
            body = None
        ok = isinstance(body, dict) and bool(str(body.get("message", "")).strip())
        if not ok:
            TALLY["without_message"] += 1
            TALLY["failures"].append(where)
        assert ok, f"a {status} without a message: {where}"
