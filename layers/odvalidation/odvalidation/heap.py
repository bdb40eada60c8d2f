"""Building what lives as long as the process: without the garbage collector, then frozen.

A function's start-up does this for its modules (odvalidation/startup.py). Two things are built later,
on the first request that needs them, and last as long: the route modules it brings in
(odvalidation/lazy_routes.py) and the boto3 clients (dal/clients.py), each tens of thousands of objects
with next to no garbage. Left to the collector, the first request's collections walked them again and
again: 7-9% of the API's cold start, side by side (docs/architecture.md, "Cold start"). Frozen, they also
stay out of every later invocation's collections.

Freezing keeps whatever else is alive at that moment too, so cyclic garbage made just before is never
collected; it happens a few times per process (each route module, each client), so that is bounded.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def lasting() -> Iterator[None]:
    """No collection while the block builds; then what it built is frozen and collection resumes. Inside
    start-up, where the collector is already paused, the block leaves it paused for `loaded()` to end."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.enable()
