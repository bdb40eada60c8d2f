"""Items read once per request (issue 19: round trips).

A page is built from several services, and each reads what it needs: one request for a panel member's
review page read the same journey item five times and its panel three times, one after another. Within
one request nothing about them changes unless the request itself writes, so `Store.get` keeps each item
it read (and each item a BatchGetItem brought) for the rest of the request, and any write through the
Store forgets them all: a read after a write, or after a write's conflict that a service retries
(`@reapplied`), goes to DynamoDB again.

Only requests that read are wrapped (`reading()`: the web and API functions' GET requests). The cache is
a context variable, so it lives in the request's thread: the local stack runs many requests at once in
one process, each in its own thread, and none sees another's items. Queries are not kept (a page rarely
repeats one, and its items are read from the Query's own answer), except where a whole item collection
was read in one Query (`keep_collection`): a Query of that partition is then answered from it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar
from typing import Any

Key = tuple[tuple[str, str], ...]

_items: ContextVar[dict[Key, dict[str, Any] | None] | None] = ContextVar("read_cache", default=None)
_MISSING = object()


def key_of(key: dict[str, str]) -> Key:
    return tuple(sorted(key.items()))


@contextmanager
def reading() -> Iterator[None]:
    """Keep the items read until the block ends (one request)."""
    token = _items.set({})
    try:
        yield
    finally:
        _items.reset(token)


def for_request(event: dict[str, Any]) -> AbstractContextManager[None]:
    """`reading()` for an API Gateway request that only reads (GET, HEAD); nothing for the others,
    whose reads feed their writes and whose services retry them."""
    return reading() if event.get("httpMethod") in ("GET", "HEAD") else nullcontext()


def lookup(key: dict[str, str]) -> Any:
    """The item kept for this key (None: read, and not there), or `MISSING` if not kept. An item of a
    collection kept whole (`keep_collection`) is known either way: there, or not there."""
    items = _items.get()
    if items is None:
        return _MISSING
    if (k := key_of(key)) not in items:
        whole = items.get((("collection", key.get("PK", "")),))
        if whole is None:
            return _MISSING
        found_in = whole.get(key.get("SK", ""))
        return copy.deepcopy(found_in) if found_in is not None else None
    found = items[k]
    return copy.deepcopy(found)  # the caller may change what it got; the kept copy stays as read


def remember(key: dict[str, str], item: dict[str, Any] | None) -> None:
    items = _items.get()
    if items is not None:
        items[key_of(key)] = copy.deepcopy(item)


def keep_collection(pk: str, items: dict[str, dict[str, Any]]) -> None:
    """A whole item collection read in one Query (Store.collection): the request's later Queries of that
    partition are answered from it (Store.query), as its GetItems are from the items kept."""
    kept = _items.get()
    if kept is not None:
        kept[(("collection", pk),)] = copy.deepcopy(items)


def collection(pk: str, prefix: str = "") -> list[dict[str, Any]] | None:
    """The items of the collection kept for this partition whose sort key starts with `prefix`, in sort
    key order (copies: the caller may change them), or None if no collection was read."""
    kept = _items.get()
    found = kept.get((("collection", pk),)) if kept is not None else None
    if found is None:
        return None
    return [copy.deepcopy(found[sk]) for sk in sorted(found) if sk.startswith(prefix)]


def forget() -> None:
    """A write: nothing kept may be what DynamoDB now holds."""
    items = _items.get()
    if items is not None:
        items.clear()


MISSING = _MISSING
