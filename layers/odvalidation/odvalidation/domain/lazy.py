"""Packages whose parts load on first use (PEP 562 module `__getattr__`).

A package that re-exports every part's names makes each importer load every part: the reporting
counters, which every journey write needs, came with the report, table and CSV models that only
report pages use (~10 ms of each function's cold start), and `domain.panels` brought the whole
solver to code that only names a panel member. With `lazy_names` a package keeps its one public
surface (`from odvalidation.domain import reporting as r; r.build_report(...)`) and loads a part when
one of its names is first read. Type checkers read the same names from an `if TYPE_CHECKING:` import.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping


def lazy_names(package: str, parts: Mapping[str, tuple[str, ...]]) -> Callable[[str], object]:
    """The module `__getattr__` of `package`: each name in `parts[part]` is read from `package.part`,
    imported on first use and then kept in the package like an eager import would."""
    where = {name: part for part, names in parts.items() for name in names}
    namespace = sys.modules[package].__dict__

    def load(name: str) -> object:
        part = where.get(name)
        if part is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{part}"), name)
        namespace[name] = value
        return value

    return load
