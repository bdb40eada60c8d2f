"""What lives as long as the process is built without the garbage collector, then frozen
(odvalidation/heap.py): route modules (tests/unit/test_route_index.py) and boto3 clients (here)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from odvalidation.dal import clients, parallel
from odvalidation.heap import lasting


@pytest.fixture
def collections() -> Iterator[list[str]]:
    runs: list[str] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            runs.append(phase)

    gc.callbacks.append(count)
    try:
        yield runs
    finally:
        gc.callbacks.remove(count)


def test_what_a_block_builds_is_not_collected_then_frozen(collections: list[str]) -> None:
    frozen = gc.get_freeze_count()
    with lasting():
        built = [[i] for i in range(50_000)]  # twenty-five times the youngest generation's threshold
        assert not gc.isenabled()
    assert collections == []
    assert gc.isenabled()
    assert gc.get_freeze_count() - frozen >= len(built)


def test_inside_start_up_the_collector_stays_paused_for_loaded_to_resume() -> None:
    gc.disable()
    try:
        frozen = gc.get_freeze_count()
        with lasting():
            pass
        assert not gc.isenabled()
        assert gc.get_freeze_count() == frozen  # loaded() freezes everything at once
    finally:
        gc.enable()


def test_a_client_is_made_without_collections_and_frozen(
    collections: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")
    clients.reset()
    frozen = gc.get_freeze_count()
    try:
        made = clients.client("sqs")  # one no test otherwise makes: built here, not taken from the cache
        assert made.meta.service_model.service_name == "sqs"
        assert collections == []
        assert gc.isenabled()
        # A client is thousands of objects (its service model, its handlers); all of them stay out of
        # later collections.
        assert gc.get_freeze_count() - frozen > 1_000
    finally:
        clients.reset()


def test_clients_made_at_once_from_threads_leave_the_collector_on(monkeypatch: pytest.MonkeyPatch) -> None:
    # The first calls of a cold request may come from dal/parallel.py's threads at once, each making
    # its service's client: however they interleave, collection is on again when they are done.
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")
    clients.reset()
    try:
        made = parallel.each(clients.client, ["sqs", "sns", "firehose", "kinesis"])
        assert [m.meta.service_model.service_name for m in made] == ["sqs", "sns", "firehose", "kinesis"]
        assert gc.isenabled()
    finally:
        clients.reset()
