"""Where the pages live: every link, form, redirect, asset and cookie path is built here from one base.

API Gateway serves the API at `https://{api}.execute-api.{region}.amazonaws.com/{stage}/`, and a custom
domain can map the same stage at its root. The routes never see the difference: the proxy event's
`path` is the resource path (`/journeys/j-1`) either way. What the browser used is in
`requestContext.path`: `/v1/journeys/j-1` at the execute-api address, `/journeys/j-1` at a root
mapping. The base path of this request is what `requestContext.path` has before `path`, so the pages
work at whichever address the browser used. Without a request (or with an event that does not say),
the configured public base URL's path is used.

Paths inside the product (routes, `href`s built in Python, `next=`) are always service paths such as
`/journeys/j-1`; `url()` adds the base path once, where a path leaves for the browser (templates,
`redirect()`, cookies).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from ..settings import settings

# A stage name or a base path mapping: letters, digits and -._~ segments; anything else is not trusted.
_BASE_PATH = re.compile(r"^(/[A-Za-z0-9._~-]+)*$")
_current: ContextVar[str | None] = ContextVar("base_path", default=None)


def base_path_of(event: Mapping[str, Any]) -> str | None:
    """The part of the browser's path before the route's path ("/v1", or "" at a root mapping); None if
    the event does not say."""
    context = event.get("requestContext") or {}
    full, route = context.get("path"), event.get("path")
    if not isinstance(full, str) or not isinstance(route, str):
        return None
    full, route = full.rstrip("/"), route.rstrip("/")
    if not full.endswith(route):
        return None
    base = full[: len(full) - len(route)]
    return base if _BASE_PATH.match(base) else None


def base_path() -> str:
    """This request's base path, else the configured public base URL's ("" for a root mapping)."""
    current = _current.get()
    return settings().base_path if current is None else current


@contextmanager
def serving(event: Mapping[str, Any]) -> Iterator[str]:
    """Within the block, url() and the cookies use the base path of this request."""
    token = _current.set(base_path_of(event))
    try:
        yield base_path()
    finally:
        _current.reset(token)


def url(path: str) -> str:
    """The URL a browser needs for a service path: "/journeys/j-1" -> "/v1/journeys/j-1".

    Anything that is not a service path (an absolute URL, "#fragment", "?query", "") is returned as it is.
    """
    if not path.startswith("/") or path.startswith("//"):
        return path
    return base_path() + path


def cookie_path() -> str:
    """Cookies stay within the base path: at the execute-api address, another stage never sees them."""
    return base_path() or "/"
