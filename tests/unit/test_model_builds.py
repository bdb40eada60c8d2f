"""Every pydantic model of the product defers building its validator to first use, so a function's
cold start builds only the models it names in `build(...)` (docs/architecture.md, "Cold start"). A model
declared with plain `BaseModel` and no `defer_build` is built when its module loads, in every function
that imports the module: the attestation forms cost the lead's pages 2-3 ms that way."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from pydantic import BaseModel

import odvalidation

# Built at import on purpose: every function reads its settings as it starts.
BUILT_AT_IMPORT = {"odvalidation.settings.Settings"}
# Importing it pauses the garbage collector until a function's app.py says start-up is over.
NOT_IMPORTED = {"odvalidation.startup"}


def test_every_model_builds_on_first_use() -> None:
    eager = []
    for info in pkgutil.walk_packages(odvalidation.__path__, "odvalidation."):
        if info.name in NOT_IMPORTED:
            continue
        module = importlib.import_module(info.name)
        eager += [
            f"{info.name}.{name}"
            for name, value in vars(module).items()
            if inspect.isclass(value)
            and issubclass(value, BaseModel)
            and value.__module__ == info.name
            and not value.model_config.get("defer_build")
        ]
    assert sorted(eager) == sorted(BUILT_AT_IMPORT)
