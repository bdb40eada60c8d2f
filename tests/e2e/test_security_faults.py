"""Faults: throttling and 500s injected into the AWS calls the handlers make, and failures injected
into the state machine's Lambda tasks. Each journey either carries on (the call or the step is retried)
or lands in a recorded failure that a lead resumes; nothing already written is lost, and a failed
email never holds a journey up.

AWS faults are botocore `before-send` hooks on the product's own cached clients
(`odvalidation.dal.clients.client`), so every service call of every handler goes through them. Back-off
sleeps (botocore's and the state machine's Retry in moto) are set to zero: the retries still happen,
only the waiting is skipped.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse, HTTPHeaders

from local import dispatch, scenario
from local.stack import LocalStack
from odvalidation.dal.clients import client
from odvalidation.domain.frameworks import framework
from tests.e2e.security_support import record

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]

SERVICES = ("dynamodb", "s3", "stepfunctions", "scheduler", "sesv2", "ses", "kms")
FIGURES: dict[str, Any] = {"aws_faults": Counter(), "task_faults": Counter(), "lost_items": 0, "journeys": 0}


@pytest.fixture(autouse=True, scope="module")
def _figures() -> Iterator[None]:
    yield
    record("faults", FIGURES | {"aws_faults_total": sum(FIGURES["aws_faults"].values())})


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    from botocore.retries import standard
    from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0)

    class _NoSleep:
        @staticmethod
        def sleep(_seconds: float) -> None:
            return None

    monkeypatch.setattr(retrier_decl, "time", _NoSleep)


def _headers(*pairs: tuple[str, str]) -> HTTPHeaders:
    headers = HTTPHeaders()
    for name, value in pairs:
        headers[name] = value
    return headers


class AwsFaults:
    """Every other call to each service fails (alternately throttled and a 500), up to `limit` each:
    every call fails at least once before botocore's retry gets it through."""

    def __init__(self, limit: int = 12) -> None:
        self.limit = limit
        self.calls: Counter[str] = Counter()
        self.injected: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __call__(self, request: Any, event_name: str, **_: Any) -> AWSResponse | None:
        service = event_name.split(".")[1]
        with self._lock:
            self.calls[service] += 1
            if self.calls[service] % 2 == 0 or self.injected[service] >= self.limit:
                return None
            self.injected[service] += 1
            throttle = self.injected[service] % 2 == 1
        if throttle and service in ("dynamodb", "stepfunctions", "kms"):
            body = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"}).encode()
            response = AWSResponse(
                request.url, 400, _headers(("x-amzn-ErrorType", "ThrottlingException")), None
            )
        elif throttle and service == "s3":
            body = b"<Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message></Error>"
            response = AWSResponse(request.url, 503, HTTPHeaders(), None)
        else:
            body = b'{"message": "We encountered an internal error. Please try again."}'
            response = AWSResponse(request.url, 500, HTTPHeaders(), None)
        response._content = body  # type: ignore[attr-defined]  # what botocore reads the body from
        return response


@pytest.fixture
def aws_faults(no_backoff: None) -> Iterator[AwsFaults]:
    faults = AwsFaults()
    for service in SERVICES:
        client(service).meta.events.register_first("before-send", faults)
    yield faults
    for service in SERVICES:
        client(service).meta.events.unregister("before-send", faults)
    FIGURES["aws_faults"].update(faults.injected)


def _to_submitted(c: scenario.Cast) -> str:
    journey_id = scenario.register(c)
    scenario.reflect(c, journey_id)
    scenario.attend_workshop(c, journey_id)
    scenario.decide(c, journey_id, "ready_now")
    scenario.build_claim(c, journey_id)
    deadline = time.monotonic() + 30
    while not (c.practitioner.api.journey(journey_id).get("completeness") or {}).get("complete"):
        assert time.monotonic() < deadline, "evidence never verified"
        time.sleep(0.1)
    scenario.submit(c, journey_id)
    FIGURES["journeys"] += 1
    return journey_id


def _lost(c: scenario.Cast, journey_id: str) -> list[str]:
    """What the practitioner wrote and uploaded that is no longer there."""
    status = c.practitioner.api.journey(journey_id)
    elements = [e.id for e in framework(c.framework_key).elements]
    narratives = (status.get("claim") or {}).get("narratives", {})
    lost = [f"narrative {e}" for e in elements if not narratives.get(e)]
    have = {item["element_id"] for item in status["evidence"] if item["status"] == "verified"}
    lost += [f"evidence {e}" for e in elements if e not in have]
    actions = [e["action"] for e in status["history"]]
    lost += [a for a in ("expressed interest", "submitted reflection", "submitted claim") if a not in actions]
    FIGURES["lost_items"] += len(lost)
    return lost


def test_throttling_and_500s_on_every_aws_call_are_retried(
    local_stack: LocalStack, aws_faults: AwsFaults
) -> None:
    c = scenario.cast(local_stack)
    journey_id = _to_submitted(c)
    status = c.practitioner.api.wait_step(journey_id, "panel_review")
    assert status["journey"]["failure"] is None
    assert _lost(c, journey_id) == []
    # Faults really were injected into the calls the handlers made, on each service they use.
    assert {"dynamodb", "s3", "sfn"} <= set(aws_faults.injected), aws_faults.injected
    assert sum(aws_faults.injected.values()) >= 30


def _function(module: str) -> str:
    return next(name for name, ref in dispatch.HANDLERS.items() if ref.module == module)


class TransientError(Exception):
    """Named as the state machine's Retry expects (errorType is the exception's class name)."""


class TaskFaults:
    """Replaces a deployed function's handler: raise `error` for the first `times` calls (None: always)."""

    def __init__(self) -> None:
        self.plans: dict[str, tuple[type[Exception], int | None, Any]] = {}
        self.raised: Counter[str] = Counter()

    def handler_for(self, name: str) -> Any:
        def handler(event: Any, context: Any) -> Any:
            error, times, real = self.plans[name]
            if times is None or self.raised[name] < times:
                self.raised[name] += 1
                raise error(f"injected failure in {name}")
            return real(event, context)

        return handler


TASKS = TaskFaults()


@pytest.fixture
def task_faults(monkeypatch: pytest.MonkeyPatch, no_backoff: None) -> Iterator[Any]:
    import importlib

    def fail(module: str, error: type[Exception], times: int | None) -> str:
        name = _function(module)
        ref = dispatch.HANDLERS[name]
        real = getattr(importlib.import_module(ref.module), ref.attribute)
        TASKS.plans[name] = (error, times, real)
        globals()[f"handler_{name}"] = TASKS.handler_for(name)
        monkeypatch.setitem(
            dispatch.HANDLERS,
            name,
            ref.model_copy(update={"module": __name__, "attribute": f"handler_{name}"}),
        )
        return name

    yield fail
    FIGURES["task_faults"].update(TASKS.raised)


def test_a_failed_task_is_retried_or_recorded_and_resumed_by_a_lead(
    local_stack: LocalStack, task_faults: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = scenario.cast(local_stack)
    check_claim = task_faults("functions.check_claim.app", TransientError, 2)  # retried by the state machine
    task_faults("functions.assign_panel.app", RuntimeError, 1)  # not transient: recorded
    notify = task_faults("functions.notify.app", RuntimeError, None)  # every email fails
    journey_id = _to_submitted(c)
    api = c.practitioner.api
    deadline = time.monotonic() + 30
    while not (failed := api.journey(journey_id))["journey"]["failure"]:
        assert time.monotonic() < deadline, "the failure was never recorded"
        time.sleep(0.1)
    assert "RuntimeError" in failed["journey"]["failure"]
    assert failed["journey"]["stage"] == "submitted"
    step_failed = [e for e in failed["history"] if e["action"] == "step failed"]
    assert len(step_failed) == 1
    assert step_failed[0]["actor"]
    assert step_failed[0]["at"]

    # Step Functions down when the lead resumes: refused with a reason, and the failure is kept.
    def no_start(request: Any, event_name: str, **_: Any) -> AWSResponse | None:
        if not event_name.endswith("StartExecution"):
            return None
        response = AWSResponse(request.url, 500, HTTPHeaders(), None)
        response._content = b'{"message": "Internal failure."}'  # type: ignore[attr-defined]
        return response

    sfn = client("stepfunctions")
    sfn.meta.events.register_first("before-send", no_start)
    try:
        refused = c.lead.api.post(f"/api/journeys/{journey_id}/resume", expect=503)
    finally:
        sfn.meta.events.unregister("before-send", no_start)
    assert "try resuming again" in refused["message"]
    kept = api.journey(journey_id)
    assert kept["journey"]["failure"] == failed["journey"]["failure"]
    assert "resume did not start" in [e["action"] for e in kept["history"]]

    c.lead.api.post(f"/api/journeys/{journey_id}/resume")
    resumed = api.wait_step(journey_id, "panel_review")
    assert resumed["journey"]["failure"] is None
    assert "resumed after failure" in [e["action"] for e in resumed["history"]]
    assert _lost(c, journey_id) == []
    assert TASKS.raised[check_claim] == 2
    # The panel email failed every time, and the journey went on without it.
    assert TASKS.raised[notify] >= 1
    # A second resume has nothing to resume: one effect.
    c.lead.api.post(f"/api/journeys/{journey_id}/resume", expect=409)
