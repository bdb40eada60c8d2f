"""Lambda's asynchronous invocation in the local stack (local/async_invokes.py) and the product's seam to
it (odvalidation.dal.invoke): answered 202 before the handler runs, the handler under its own role,
Lambda's retries, and what failed every try sent to the dead-letter queue and the on-failure
destination as the function's role."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel

from local import async_invokes, dispatch, iam
from local.stack import LocalStack, shared_stack
from odvalidation.dal import clients
from odvalidation.dal.invoke import invoke_async

pytestmark = pytest.mark.xdist_group("local_stack")

FUNCTION = "od-validation-record-failure"  # any deployed function: its handler is swapped per test
SEEN: list[dict[str, Any]] = []
RELEASE = threading.Event()


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    return shared_stack()


@pytest.fixture(autouse=True)
def _fresh(stack: LocalStack) -> Iterator[None]:
    stack.async_invokes.drain()
    SEEN.clear()
    RELEASE.clear()
    clients.reset()
    yield
    RELEASE.set()
    stack.async_invokes.drain()


def _stub(name: str, monkeypatch: pytest.MonkeyPatch, handler: Any) -> None:
    globals()[handler.__name__] = handler
    monkeypatch.setitem(
        dispatch.HANDLERS, name, dispatch.HandlerRef(module=__name__, attribute=handler.__name__)
    )


def _messages(stack: LocalStack, logical_id: str) -> list[dict[str, Any]]:
    sqs = stack.client("sqs")
    url = sqs.get_queue_url(QueueName=stack.deployed.attributes[logical_id]["QueueName"])["QueueUrl"]
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"])
    for m in got.get("Messages", []):
        sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return list(got.get("Messages", []))


class Ask(BaseModel):
    request_id: str


def test_the_caller_gets_202_before_the_handler_runs_and_never_waits(
    stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    def waiting_handler(event: dict[str, Any], context: Any) -> None:
        principal = iam.current()
        SEEN.append({"event": event, "as": principal.label if principal else None})
        if not RELEASE.wait(30):
            raise TimeoutError("never released")

    _stub(FUNCTION, monkeypatch, waiting_handler)
    started = time.monotonic()
    answer = stack.client("lambda").invoke(FunctionName=FUNCTION, InvocationType="Event", Payload=b'{"a": 1}')
    assert answer["StatusCode"] == 202
    invoke_async(FUNCTION, Ask(request_id="r-1"))  # the seam: a pydantic model, returns at once
    # Both answered while the handler is blocked (it waits for RELEASE): nobody waited for it.
    assert time.monotonic() - started < 10
    RELEASE.set()
    outcomes = stack.async_invokes.drain()
    assert [o.succeeded for o in outcomes] == [True, True]
    assert sorted(json.dumps(s["event"]) for s in SEEN) == ['{"a": 1}', '{"request_id": "r-1"}']
    assert {s["as"] for s in SEEN} == {FUNCTION}  # its own role, never the caller's


def test_held_events_wait_and_a_synchronous_invoke_still_runs_inline(
    stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    def counting_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        SEEN.append(event)
        return {"n": len(SEEN)}

    _stub(FUNCTION, monkeypatch, counting_handler)
    with stack.async_invokes.held():
        invoke_async(FUNCTION, {"x": 1})
        invoke_async(FUNCTION, {"x": 1})
        assert SEEN == []
        answer = stack.client("lambda").invoke(FunctionName=FUNCTION, Payload=b'{"sync": true}')
        assert json.loads(answer["Payload"].read()) == {"n": 1}
    stack.async_invokes.drain()
    assert SEEN == [{"sync": True}, {"x": 1}, {"x": 1}]  # at least once: two asks, two runs


def test_a_failing_event_is_tried_three_times_then_dead_lettered_as_the_function(
    stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_handler(event: dict[str, Any], context: Any) -> None:
        SEEN.append(event)
        raise RuntimeError("the archive could not be made")

    _stub(FUNCTION, monkeypatch, failing_handler)
    _messages(stack, "DeadLetterQueue")
    iam.clear_trace()
    with stack.async_invokes.held():  # run by drain() below, not before it begins
        invoke_async(FUNCTION, {"id": "e-1"})
    [outcome] = stack.async_invokes.drain()
    assert len(SEEN) == 3  # Lambda's default: MaximumRetryAttempts 2
    assert outcome.tries == 3
    assert not outcome.succeeded
    assert outcome.undelivered == []
    [dead] = _messages(stack, "DeadLetterQueue")
    assert json.loads(dead["Body"]) == {"id": "e-1"}  # a DeadLetterConfig gets the event itself
    assert dead["MessageAttributes"]["ErrorMessage"]["StringValue"] == "the archive could not be made"
    assert dead["MessageAttributes"]["RequestID"]["StringValue"] == outcome.request_id
    # Sent with the function's own role (SAM grants it sqs:SendMessage on its DeadLetterConfig queue).
    assert any(
        label == FUNCTION and action == "sqs:SendMessage" and decision == iam.ALLOWED
        for (label, action, _, _), decision in iam.trace().items()
    )


def test_a_role_without_sqs_send_message_loses_the_record(
    stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_handler(event: dict[str, Any], context: Any) -> None:
        raise RuntimeError("no")

    _stub(FUNCTION, monkeypatch, failing_handler)
    queue = stack.deployed.arn("DeadLetterQueue")
    monkeypatch.setitem(
        async_invokes.CONFIGS, FUNCTION, async_invokes.InvokeConfig(retries=0, on_failure=queue)
    )
    registry = iam.registry()
    assert registry is not None
    empty = "arn:aws:iam::123456789012:role/local-empty"  # every template role may send to the DLQ
    monkeypatch.setitem(registry.roles, empty, iam.Role(empty, ()))
    monkeypatch.setitem(registry.functions, FUNCTION, empty)
    monkeypatch.delitem(registry.function_keys, FUNCTION, raising=False)
    with stack.async_invokes.held():  # run by drain() below, not before it begins
        invoke_async(FUNCTION, {"id": "e-2"})
    [outcome] = stack.async_invokes.drain()
    assert outcome.tries == 1
    assert outcome.undelivered == [queue]


def test_an_on_failure_destination_gets_lambdas_invocation_record(
    stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_handler(event: dict[str, Any], context: Any) -> None:
        raise ValueError("bad request")

    _stub(FUNCTION, monkeypatch, failing_handler)
    queue = stack.deployed.arn("DeadLetterQueue")
    monkeypatch.setitem(
        async_invokes.CONFIGS, FUNCTION, async_invokes.InvokeConfig(retries=1, on_failure=queue)
    )
    _messages(stack, "DeadLetterQueue")
    with stack.async_invokes.held():  # run by drain() below, not before it begins
        invoke_async(FUNCTION, {"id": "e-3"})
    [outcome] = stack.async_invokes.drain()
    assert outcome.tries == 2
    assert outcome.sent_to == [queue]
    [message] = _messages(stack, "DeadLetterQueue")
    record = json.loads(message["Body"])
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 2
    assert record["requestContext"]["functionArn"].endswith(f":function:{FUNCTION}:$LATEST")
    assert record["requestPayload"] == {"id": "e-3"}
    assert record["responseContext"]["functionError"] == "Unhandled"
    assert record["responsePayload"]["errorType"] == "ValueError"
    assert record["responsePayload"]["errorMessage"] == "bad request"
