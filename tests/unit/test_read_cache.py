"""A request that only reads keeps each item it read (dal/read_cache.py): the same item read twice is
one GetItem; any write through the Store, and the end of the request, forget what was kept."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from odvalidation.dal import clients, read_cache
from odvalidation.dal.store import Store
from tests.moto_tables import journey_table_properties, moto_in_process

TABLE = "read-cache-test"
KEY = {"PK": "JOURNEY#j-1", "SK": "JOURNEY"}


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Store, list[str]]]:
    with moto_in_process(monkeypatch):
        clients.reset()
        db = clients.client("dynamodb")
        db.create_table(TableName=TABLE, **journey_table_properties())
        db.put_item(TableName=TABLE, Item={"PK": {"S": KEY["PK"]}, "SK": {"S": KEY["SK"]}, "n": {"N": "1"}})
        calls: list[str] = []

        def count(event_name: str, **kwargs: Any) -> None:
            calls.append(event_name.rsplit(".", 1)[-1])

        db.meta.events.register("before-call.dynamodb", count)
        try:
            yield Store(TABLE), calls
        finally:
            db.meta.events.unregister("before-call.dynamodb", count)
            clients.reset()


def test_within_a_reading_request_an_item_is_read_once(store: tuple[Store, list[str]]) -> None:
    s, calls = store
    with read_cache.reading():
        first = s.get(KEY)
        assert first is not None
        first["n"] = {"N": "99"}  # a caller changing what it got does not change what is kept
        again = s.get(KEY)
        assert s.get({"PK": "JOURNEY#none", "SK": "JOURNEY"}) is None
        assert s.get({"PK": "JOURNEY#none", "SK": "JOURNEY"}) is None  # absence is kept too
    assert again == {"PK": {"S": KEY["PK"]}, "SK": {"S": KEY["SK"]}, "n": {"N": "1"}}
    assert calls == ["GetItem", "GetItem"]


def test_a_write_forgets_what_was_read(store: tuple[Store, list[str]]) -> None:
    s, calls = store
    with read_cache.reading():
        s.get(KEY)
        s.put({"PK": {"S": KEY["PK"]}, "SK": {"S": KEY["SK"]}, "n": {"N": "2"}})
        after = s.get(KEY)
    assert after is not None
    assert after["n"] == {"N": "2"}
    assert calls == ["GetItem", "PutItem", "GetItem"]


def test_a_batch_get_s_items_are_kept_and_nothing_outlives_the_request(
    store: tuple[Store, list[str]],
) -> None:
    s, calls = store
    absent = {"PK": "JOURNEY#none", "SK": "JOURNEY"}
    with read_cache.reading():
        [item] = s.batch_get([KEY, absent])
        assert s.get(KEY) == item
        assert s.get(absent) is None  # what a BatchGetItem did not find is known absent
    s.get(KEY)  # after the request: read again
    assert calls == ["BatchGetItem", "GetItem"]


def test_only_requests_that_read_keep_items_and_eventually_consistent_reads_never_do(
    store: tuple[Store, list[str]],
) -> None:
    s, calls = store
    with read_cache.for_request({"httpMethod": "POST"}):
        s.get(KEY)
        s.get(KEY)
    with read_cache.for_request({"httpMethod": "GET"}):
        s.get(KEY, consistent=False)
        s.get(KEY, consistent=False)
    assert calls == ["GetItem"] * 4
