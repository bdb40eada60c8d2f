"""DynamoDB's transient refusals, injected into moto on demand, answered exactly as DynamoDB does.

moto never refuses a request for a moment: its server answers DynamoDB requests one at a time
(local.moto_tuning), so no two transactions ever overlap, and it has no capacity to exceed. DynamoDB
does both, and the product must survive them (odvalidation.dal.retry). With faults switched on
(`LocalStack.inject_dynamodb_faults(...)` or `injected(...)`), the tables named answer:

- **concurrent transactions** (`window` seconds): a TransactWriteItems holds each item it writes for
  `window` seconds, the time a transaction is in flight on DynamoDB. Another transaction that names a
  held item is cancelled: `TransactionCanceledException` whose CancellationReasons carry
  `TransactionConflict` for that item and `None` for the others; a PutItem, UpdateItem or DeleteItem
  of a held item fails with `TransactionConflictException`. Journeys of one cohort share their
  cohort's and academy's counter items, so journeys moving at once meet here as they do on AWS;
- **rate-based conflicts** (`conflict_rate`): any transaction is cancelled so, naming one of its
  items at random, with the given probability, for tests that want conflicts whatever the timing;
- **throttling** (`throttle_rate`): a transaction is cancelled with `ThrottlingError` for one item,
  and a GetItem, Query, PutItem, UpdateItem or DeleteItem fails with
  `ProvisionedThroughputExceededException`, each with the given probability.

A refused request changes nothing. Off (the default), each hook costs one attribute read.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

# (table name, (hash value, range value)): an item as the hooks see it.
ItemRef = tuple[str, Any]

_active: Faults | None = None
_guard = threading.Lock()


class Faults:
    """One switched-on set of faults; `counts` says what was injected (a test that expects conflicts
    checks that there were some)."""

    def __init__(
        self,
        *,
        window: float = 0.0,
        conflict_rate: float = 0.0,
        throttle_rate: float = 0.0,
        seed: int | None = None,
        tables: set[str] | None = None,
    ) -> None:
        for name, rate in (("conflict_rate", conflict_rate), ("throttle_rate", throttle_rate)):
            if not 0.0 <= rate < 1.0:
                raise ValueError(f"{name} is a probability below 1, not {rate}")
        self.window = window
        self.conflict_rate = conflict_rate
        self.throttle_rate = throttle_rate
        self.tables = tables
        self.counts: Counter[str] = Counter()
        self._rng = random.Random(seed)  # noqa: S311 # nosec B311 - reproducible test faults
        self._held: dict[ItemRef, float] = {}  # item -> monotonic time its transaction ends
        self._lock = threading.Lock()

    def _applies(self, table_name: str) -> bool:
        return self.tables is None or table_name in self.tables

    def before_transaction(self, items: list[ItemRef]) -> None:
        """Cancel the transaction (before any of it is applied) as DynamoDB would, or let it run."""
        now = time.monotonic()
        with self._lock:
            for ref, until in list(self._held.items()):
                if until <= now:
                    del self._held[ref]
            watched = [i for i, (table, _) in enumerate(items) if self._applies(table)]
            if not watched:
                return
            held = next((i for i in watched if items[i] in self._held), None)
            if held is not None:
                self.counts["transaction_conflict"] += 1
                raise _cancelled(len(items), held, "TransactionConflict")
            if self.conflict_rate and self._rng.random() < self.conflict_rate:
                self.counts["transaction_conflict_by_rate"] += 1
                raise _cancelled(len(items), self._rng.choice(watched), "TransactionConflict")
            if self.throttle_rate and self._rng.random() < self.throttle_rate:
                self.counts["transaction_throttled"] += 1
                raise _cancelled(len(items), self._rng.choice(watched), "ThrottlingError")

    def after_transaction(self, items: list[ItemRef]) -> None:
        """The transaction went through: its items are held while it is (notionally) in flight."""
        if not self.window:
            return
        until = time.monotonic() + self.window
        with self._lock:
            for ref in items:
                if self._applies(ref[0]):
                    self._held[ref] = until

    def before_write(self, ref: ItemRef) -> None:
        if not self._applies(ref[0]):
            return
        with self._lock:
            until = self._held.get(ref)
            if until is not None and until > time.monotonic():
                self.counts["write_conflict"] += 1
                raise _error(
                    "TransactionConflictException",
                    "Transaction is ongoing for the item",
                )
        self.before_request(ref[0])

    def before_request(self, table_name: str) -> None:
        if not self._applies(table_name) or not self.throttle_rate:
            return
        with self._lock:
            if self._rng.random() < self.throttle_rate:
                self.counts["request_throttled"] += 1
                raise _error(
                    "ProvisionedThroughputExceededException",
                    "The level of configured provisioned throughput for the table was exceeded. "
                    "Consider increasing your provisioning level with the UpdateTable API.",
                )


def _cancelled(size: int, at: int, code: str) -> Exception:
    from moto.dynamodb.exceptions import TransactionCanceledException

    messages = {
        "TransactionConflict": "Transaction is ongoing for the item",
        "ThrottlingError": "Throughput exceeds the current capacity of your table or index.",
    }
    errors: list[Any] = [(None, None, None)] * size
    errors[at] = (code, messages[code], None)
    return TransactionCanceledException(errors)


def _error(code: str, message: str) -> Exception:
    from moto.dynamodb.exceptions import DynamodbException

    return DynamodbException(f"com.amazonaws.dynamodb.v20120810#{code}", message)


def active() -> Faults | None:
    return _active


@contextmanager
def injected(
    *,
    window: float = 0.0,
    conflict_rate: float = 0.0,
    throttle_rate: float = 0.0,
    seed: int | None = None,
    tables: set[str] | None = None,
) -> Iterator[Faults]:
    """Switch faults on for the `with` block (one set at a time per process)."""
    global _active
    faults = Faults(
        window=window, conflict_rate=conflict_rate, throttle_rate=throttle_rate, seed=seed, tables=tables
    )
    with _guard:
        if _active is not None:
            raise RuntimeError("DynamoDB faults are already switched on in this process")
        _active = faults
    try:
        yield faults
    finally:
        with _guard:
            _active = None
