"""The local stack as the benchmarks use it: the meter hooked in before any client exists."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from local.stack import LocalStack

from .meter import Meter, item_size


@contextmanager
def metered_stack() -> Iterator[tuple[LocalStack, Meter]]:
    meter = Meter()
    meter.install()
    # Calls over HTTP, as from a deployed function: the cost benchmark prices each invocation's time,
    # which a call through a socket comes nearer to than one without (local/direct_calls.py).
    with LocalStack(direct_calls=False) as stack:
        db = stack.client("dynamodb")

        def size_of(table: str, key: dict[str, Any]) -> int:
            return item_size(db.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item") or {})

        meter.size_of = size_of
        yield stack, meter
