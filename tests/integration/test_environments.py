"""Execution environments: handlers in worker processes (LocalStack.environments), as Lambda runs them."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from local import dispatch, scenario
from local.environments import Environments
from local.stack import LocalStack, shared_stack
from odvalidation import clock

pytestmark = pytest.mark.xdist_group("local_stack")

# Handlers defined here, run by the environments: a worker imports this module by name.
REPORT, SLOW, EXIT = "test-environment-report", "test-environment-slow", "test-environment-exit"


def report(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"pid": os.getpid(), "now": clock.now().isoformat(), "echo": event, "name": context.function_name}


def slow(event: dict[str, Any], context: Any) -> dict[str, Any]:
    time.sleep(0.5)
    return {"pid": os.getpid()}


def exit_abruptly(event: dict[str, Any], context: Any) -> dict[str, Any]:
    os._exit(3)  # as a runtime that crashes mid-invocation


@pytest.fixture(scope="module")
def stack() -> LocalStack:
    return shared_stack()


@pytest.fixture(scope="module")
def environments(stack: LocalStack) -> Iterator[Environments]:
    # Registered before the pool starts: a worker takes the handler map when it is spawned.
    added = {REPORT: "report", SLOW: "slow", EXIT: "exit_abruptly"}
    for name, attribute in added.items():
        dispatch.HANDLERS[name] = dispatch.HandlerRef(module=__name__, attribute=attribute)
    try:
        with stack.environments(2) as pool:
            yield pool
    finally:
        for name in added:
            dispatch.HANDLERS.pop(name, None)


def invoke(name: str, event: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    payload, errored = dispatch.invoke_in_process(name, event)
    return json.loads(payload), errored


def test_a_handler_runs_in_another_process_with_its_event_and_context(environments: Environments) -> None:
    result, errored = invoke(REPORT, {"hello": "world"})
    assert not errored
    assert result["pid"] != os.getpid()
    assert result["echo"] == {"hello": "world"}
    assert result["name"] == REPORT


def test_invocations_at_once_run_in_separate_environments(environments: Environments) -> None:
    pids: list[int] = []
    threads = [threading.Thread(target=lambda: pids.append(invoke(SLOW, {})[0]["pid"])) for _ in range(2)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(pids)) == 2, pids  # two environments, one invocation each
    assert time.monotonic() - started < 0.95  # side by side, not one after the other


def test_environments_read_the_product_clock_as_it_moves(
    stack: LocalStack, environments: Environments
) -> None:
    stack.advance_clock(days=3)
    result, _ = invoke(REPORT, {})
    seen = datetime.fromisoformat(result["now"])
    assert abs(seen - clock.now()) < timedelta(seconds=30)
    assert seen - datetime.now(seen.tzinfo) > timedelta(days=2)


def test_an_environment_that_dies_fails_its_invocation_and_is_replaced(environments: Environments) -> None:
    before = environments.count()
    result, errored = invoke(EXIT, {})
    assert errored
    assert result["errorType"] == "Runtime.ExitError"
    assert environments.count() == before  # a fresh one took its place
    again, errored = invoke(REPORT, {"after": "crash"})
    assert not errored
    assert again["echo"] == {"after": "crash"}


def test_a_journey_runs_through_the_environments(stack: LocalStack, environments: Environments) -> None:
    spent_before = environments.spent()
    c = scenario.cast(stack)
    journey_id = scenario.register(c)
    scenario.reflect(c, journey_id)
    c.practitioner.api.wait_step(journey_id, "workshop")
    spent = environments.spent()

    def more(function: str) -> int:
        name = next(n for n in dispatch.HANDLERS if n.endswith(f"-{function}"))
        base = spent_before.get(name)
        return spent[name].invocations - (base.invocations if base else 0) if name in spent else 0

    # The API behind the HTTP front, and Step Functions' task through moto's Lambda: both in workers.
    assert more("api") >= 2
    assert more("await-step") >= 2


def test_another_environment_starts_when_all_are_busy_up_to_the_bound(environments: Environments) -> None:
    # Its own pool of one that may grow to two (the fixture has registered the handlers).
    pool = Environments(1, most=2).start()
    try:
        pids: list[int] = []

        def call() -> None:
            payload, errored = pool.invoke(SLOW, {})
            assert not errored
            pids.append(json.loads(payload)["pid"])

        threads = [threading.Thread(target=call) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(pids) == 3  # the third waited for one of the two
        assert len(set(pids)) == 2
        assert pool.count() == 2
        assert pool.spent()[SLOW].invocations == 3
    finally:
        pool.stop()
