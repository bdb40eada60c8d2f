"""The packages whose parts load on first use (domain/lazy.py) say each name twice: once for type
checkers (`if TYPE_CHECKING:` imports) and once in the table `lazy_names` reads at run time. A name in
one and not the other, or under the wrong part, would type-check and then fail (or load the wrong
object) in a deployed function: here both are read from the source and compared, and every name is
loaded the way a function loads it."""

from __future__ import annotations

import ast
import importlib
import inspect

import pytest

LAZY_PACKAGES = (
    "odvalidation.domain.models",
    "odvalidation.domain.panels",
    "odvalidation.domain.reporting",
    "odvalidation.events",
)


def _declared(package: str) -> tuple[dict[str, str], dict[str, str]]:
    """(name -> part) as type checkers read it, and as the run-time table says."""
    tree = ast.parse(inspect.getsource(importlib.import_module(package)))
    typed: dict[str, str] = {}
    table: dict[str, str] = {}
    for node in tree.body:
        if not (isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"):
            continue
        for imported in node.body:
            assert isinstance(imported, ast.ImportFrom)
            assert imported.level == 1
            assert imported.module
            typed |= {alias.name: imported.module for alias in imported.names}
        for call in ast.walk(ast.Module(body=node.orelse, type_ignores=[])):
            if isinstance(call, ast.Call) and ast.unparse(call.func) == "lazy_names":
                parts = ast.literal_eval(call.args[1])
                table |= {name: part for part, names in parts.items() for name in names}
    return typed, table


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_type_checkers_and_the_run_time_table_name_the_same_parts(package: str) -> None:
    typed, table = _declared(package)
    assert typed, f"{package} declares no lazy names"
    assert typed == table


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_every_lazy_name_is_the_object_its_part_defines(package: str) -> None:
    module = importlib.import_module(package)
    for name, part in _declared(package)[1].items():
        assert getattr(module, name) is getattr(importlib.import_module(f"{package}.{part}"), name)
    with pytest.raises(AttributeError, match="no attribute 'Nothing'"):
        module.Nothing  # noqa: B018
