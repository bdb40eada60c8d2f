"""A function's start-up: no garbage collection while its modules load, then what they built frozen.

Imported first by every `functions/*/app.py` (its own import section in pyproject.toml, so sorting
keeps it first), which calls `loaded()` as its last statement; by nothing else, as importing it
pauses the collector (tests/unit/test_cold_imports.py).

Why: loading a function builds tens of thousands of objects that live as long as the process
(modules, classes, pydantic validators, botocore's service models) and next to no garbage, yet the
collector walks all of them again each time they grow by a quarter. That was 7-10% of a cold start,
and more of it in the product's functions than in the bare libraries, as their heaps are bigger
(docs/architecture.md, "Cold start"). Freezing them afterwards also keeps them out of every warm
invocation's collections, which then walk only what the invocation made.

The AWS SDK loads next, before anything of the function's own: every function calls AWS, so it would
load anyway, and loaded first the same modules took 2-6% less of a cold start, side by side (api 6%,
record_stage 4%, notify 3%, assign_panel 2%; docs/architecture.md, "Cold start"). Among them, regular
expressions compiled faster (urllib3's took 4 ms first and 6 ms after the product's models).
"""

import gc

gc.disable()

import boto3  # noqa: E402, F401  (after the pause, so that it too loads without the collector)


def loaded() -> None:
    """Start-up is over: freeze what it built and collect garbage as usual from now on."""
    gc.freeze()
    gc.enable()
