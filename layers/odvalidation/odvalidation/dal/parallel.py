"""AWS calls that do not depend on one another, made at once (issue 19: round trips).

A request that must make several independent calls before it answers (tag each evidence object,
email each attendee, delete each reminder schedule: none of these services has a batch call) waits
for the slowest of them rather than for their sum. boto3 clients are thread-safe, and the process
keeps one of each (dal/clients.py), so the threads share them.

Each call runs in a copy of the caller's context (`contextvars`), so what the request keeps in
context variables (its read cache, dal/read_cache.py; and, in the local stack, the role its calls
are made as and the benchmark's meter) goes with it into the worker thread.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

# Enough for a panel's attendees or a claim's evidence at once; more would only queue on the
# connection pool (botocore keeps 10 connections per client).
MOST_AT_ONCE = 8


def each[T, R](call: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """`call` of every item, at once, in the items' order. Every call is made (or has failed) before
    this returns; the first failure, if any, is then raised. With one item or none, no thread."""
    todo = list(items)
    if len(todo) <= 1:
        return [call(item) for item in todo]
    with ThreadPoolExecutor(max_workers=min(len(todo), MOST_AT_ONCE)) as pool:
        futures = [pool.submit(contextvars.copy_context().run, call, item) for item in todo]
    # Leaving the block waited for all of them: no call is left running when an error is raised.
    return [future.result() for future in futures]


def at_once(*calls: Callable[[], Any]) -> list[Any]:
    """Each of a few different calls, at once; their results in order (as `each`)."""
    return each(lambda call: call(), calls)
