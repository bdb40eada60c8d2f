"""The API and web functions include a route module on the first request whose path is one of its routes
(odvalidation/lazy_routes.py; the tables in api/route_index.py and web/route_index.py). Each table must
be its routers' own paths, and no request may be one that two modules could answer unless they are
loaded together: otherwise which module a request happened to load first would decide."""

from __future__ import annotations

import ast
import gc
import importlib
import inspect
import json
import pkgutil
from itertools import combinations

import pytest

from bench.coldstart import lambda_env, python
from odvalidation.api.route_index import INDEX as API
from odvalidation.lazy_routes import LazyResolver, RouteIndex
from odvalidation.web import site
from odvalidation.web.route_index import INDEX as WEB

INDEXES = {"api": API, "web": WEB}
OWN_FUNCTION = {"status_lists"}  # the API's status-list route: served by functions/status_list


def _routes(index: RouteIndex, module: str) -> list[tuple[str, tuple[str, ...]]]:
    """(path, methods) of a module's router, in the order they were declared. Powertools keeps them in
    Router._routes (private, but the version is pinned: a change of shape fails here, not in use)."""
    router = importlib.import_module(f"{index.package}.routes_{module}").router
    return [(key[0], tuple(key[1])) for key in router._routes]


def _overlap(a: str, b: str) -> bool:
    """Whether one path could match both templates (a <name> matches any one segment)."""
    x, y = a.strip("/").split("/"), b.strip("/").split("/")
    return len(x) == len(y) and all(
        s == t or s.startswith("<") or t.startswith("<") for s, t in zip(x, y, strict=True)
    )


@pytest.mark.parametrize("name", INDEXES)
def test_the_table_names_every_route_module(name: str) -> None:
    index = INDEXES[name]
    package = importlib.import_module(index.package)
    found = {
        m.name.removeprefix("routes_")
        for m in pkgutil.iter_modules(package.__path__)
        if m.name.startswith("routes_")
    }
    assert set(index.routes) == found - OWN_FUNCTION


@pytest.mark.parametrize(("name", "module"), [(n, m) for n, i in INDEXES.items() for m in i.routes])
def test_the_table_is_each_routers_own_paths(name: str, module: str) -> None:
    index = INDEXES[name]
    paths = list(dict.fromkeys(path for path, _ in _routes(index, module)))
    assert list(index.routes[module]) == paths


@pytest.mark.parametrize("name", INDEXES)
def test_no_request_can_be_answered_by_two_modules_loaded_apart(name: str) -> None:
    index = INDEXES[name]
    routes = [
        (m, path, method) for m in index.routes for path, methods in _routes(index, m) for method in methods
    ]
    together = [set(group) for group in index.together]
    clashes = [
        (a, b)
        for a, b in combinations(routes, 2)
        if a[0] != b[0]
        and a[2] == b[2]
        and _overlap(a[1], b[1])
        and not any({a[0], b[0]} <= group for group in together)
    ]
    assert clashes == []


def test_the_web_table_knows_what_the_site_answers_itself_and_no_module_does() -> None:
    """The pages web/site.py declares on the resolver (`@app.get(...)`) load no module, so they must be
    exactly its own routes, and no module may have a route there."""
    declared = [
        decorator.args[0].value
        for node in ast.walk(ast.parse(inspect.getsource(site)))
        if isinstance(node, ast.FunctionDef)
        for decorator in node.decorator_list
        if isinstance(decorator, ast.Call)
        and ast.unparse(decorator.func).startswith("app.")
        and decorator.args
        and isinstance(decorator.args[0], ast.Constant)
    ]
    assert sorted(set(declared)) == sorted(WEB.own)
    module_paths = [path for paths in WEB.routes.values() for path in paths]
    for own in WEB.own:
        if own.endswith("/.+"):
            assert not [p for p in module_paths if p.startswith(own.removesuffix(".+"))]
        else:
            assert not [p for p in module_paths if _overlap(p, own)], own


def test_a_path_loads_the_modules_with_a_route_there_and_an_unknown_one_loads_all() -> None:
    assert API.modules_for("/api/journeys/j-1/panel") == ("panels",)
    assert API.modules_for("/api/reports/cohorts.csv") == ("reports",)
    assert API.modules_for("/api/public/frameworks/nw-cipd-combined@1.0") == ("frameworks",)
    # GET lists evidence in the journeys module; POST and DELETE are the evidence library's.
    assert API.modules_for("/api/journeys/j-1/evidence") == ("journeys", "evidence")
    assert API.modules_for("/api/journeys/j-1/") == ("journeys",)
    assert API.modules_for("/api/nothing/here") == tuple(API.routes)
    assert API.modules_for("/api/journeys//panel") == tuple(API.routes)  # an empty segment is no id
    # The lead's cohort pages and journey pages come together, cohorts first (/lead/cohorts/new).
    assert WEB.modules_for("/lead/cohorts/c-1") == ("lead_cohorts", "lead_journey")
    assert WEB.modules_for("/lead/cohorts/new") == ("lead_cohorts", "lead_journey")
    assert WEB.modules_for("/panel/j-1/review") == ("panel",)
    # What the site answers itself (a visit's first page, and every page's stylesheet) loads nothing.
    for path in ("/", "/home", "/sign-in", "/static/css/nhsuk.min.css", "/assets/favicons/favicon.ico"):
        assert WEB.modules_for(path) == (), path
    assert WEB.modules_for("/confirm/resend") == ("account",)
    assert WEB.modules_for("/nothing/here") == tuple(WEB.routes)


@pytest.mark.parametrize(
    ("function", "path", "module"),
    [
        ("api", "/api/reports/national", "odvalidation.api.routes_reports"),
        ("web", "/panel", "odvalidation.web.routes_panel"),
    ],
)
def test_a_cold_function_includes_no_route_module_until_a_request_names_one(
    function: str, path: str, module: str
) -> None:
    package = module.rsplit(".", 1)[0]
    code = (
        "import sys, json, importlib\n"
        f"f = importlib.import_module('functions.{function}.app')\n"
        "app = f.app\n"
        "before = sorted(app._loaded)\n"
        f"app.load_routes_for({path!r})\n"
        "print(json.dumps([before, sorted(app._loaded), sorted(m for m in sys.modules if m.startswith("
        f"'{package}.routes_'))]))"
    )
    out = python(["-c", code], lambda_env(function))
    before, after, imported = json.loads(out.stdout.strip().splitlines()[-1])
    assert before == []
    assert after == [module.rsplit("routes_", 1)[1]]
    assert module in imported


def test_route_modules_load_without_garbage_collection() -> None:
    # As at start-up (odvalidation/startup.py): what a route module builds lives as long as the process.
    runs: list[str] = []

    def count(phase: str, info: dict[str, int]) -> None:
        runs.append(phase)

    resolver = LazyResolver(API, enable_validation=True)
    frozen = gc.get_freeze_count()
    gc.callbacks.append(count)
    try:
        resolver.load_routes(*API.routes)
    finally:
        gc.callbacks.remove(count)
    assert runs == []
    assert gc.isenabled()
    # ...and later collections leave it alone (each loaded route alone is hundreds of objects).
    assert gc.get_freeze_count() - frozen > 100 * len(API.routes)
    assert resolver._loaded == set(API.routes)  # it did load them all
