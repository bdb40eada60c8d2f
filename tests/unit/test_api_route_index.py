"""The API function includes a route module on the first request whose path is one of its routes
(api/route_index.py, api/app.py). The table must be the routers' own paths, and no request may be one
that two modules could answer: then which module was loaded first would decide."""

from __future__ import annotations

import importlib
import json
import pkgutil
from itertools import combinations

import pytest

from bench.coldstart import lambda_env, python
from odvalidation import api
from odvalidation.api.route_index import ROUTES, modules_for

OWN_FUNCTION = {"status_lists"}  # served by functions/status_list, not the API function


def _routes(module: str) -> list[tuple[str, tuple[str, ...]]]:
    """(path, methods) of a module's router, in the order they were declared. Powertools keeps them in
    Router._routes (private, but the version is pinned: a change of shape fails here, not in use)."""
    router = importlib.import_module(f"odvalidation.api.routes_{module}").router
    return [(key[0], tuple(key[1])) for key in router._routes]


def _overlap(a: str, b: str) -> bool:
    """Whether one path could match both templates (a <name> matches any one segment)."""
    x, y = a.strip("/").split("/"), b.strip("/").split("/")
    return len(x) == len(y) and all(
        s == t or s.startswith("<") or t.startswith("<") for s, t in zip(x, y, strict=True)
    )


def test_the_table_names_every_route_module_of_the_api_function() -> None:
    found = {
        m.name.removeprefix("routes_")
        for m in pkgutil.iter_modules(api.__path__)
        if m.name.startswith("routes_")
    }
    assert set(ROUTES) == found - OWN_FUNCTION


@pytest.mark.parametrize("module", list(ROUTES))
def test_the_table_is_each_routers_own_paths(module: str) -> None:
    paths = list(dict.fromkeys(path for path, _ in _routes(module)))
    assert list(ROUTES[module]) == paths


def test_no_request_can_be_answered_by_two_modules() -> None:
    routes = [(m, path, method) for m in ROUTES for path, methods in _routes(m) for method in methods]
    clashes = [
        (a, b) for a, b in combinations(routes, 2) if a[0] != b[0] and a[2] == b[2] and _overlap(a[1], b[1])
    ]
    assert clashes == []


def test_a_path_loads_the_modules_with_a_route_there_and_an_unknown_one_loads_all() -> None:
    assert modules_for("/api/journeys/j-1/panel") == ("panels",)
    assert modules_for("/api/reports/cohorts.csv") == ("reports",)
    assert modules_for("/api/public/frameworks/nw-cipd-combined@1.0") == ("frameworks",)
    # GET lists evidence in the journeys module; POST and DELETE are the evidence library's.
    assert modules_for("/api/journeys/j-1/evidence") == ("journeys", "evidence")
    assert modules_for("/api/journeys/j-1/") == ("journeys",)
    assert modules_for("/api/nothing/here") == tuple(ROUTES)
    assert modules_for("/api/journeys//panel") == tuple(ROUTES)  # an empty segment is no journey id


def test_a_cold_api_function_loads_no_route_module_until_a_request_names_one() -> None:
    code = (
        "import sys, json, functions.api.app as f\n"
        "before = sorted(m for m in sys.modules if m.startswith('odvalidation.api.routes_'))\n"
        "f.app.load_routes_for('/api/reports/national')\n"
        "after = sorted(m for m in sys.modules if m.startswith('odvalidation.api.routes_'))\n"
        "print(json.dumps([before, after]))"
    )
    out = python(["-c", code], lambda_env("api"))
    before, after = json.loads(out.stdout.strip().splitlines()[-1])
    assert before == []
    assert after == ["odvalidation.api.routes_reports"]
