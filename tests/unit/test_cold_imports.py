"""What each function's cold start imports (docs/architecture.md, "What each function imports").

Each function is imported in a fresh interpreter with a deployed function's environment, as
bench/coldstart.py does, and must not load what its requests never use: a heavy import that comes back
to a function's import path fails here, whatever the machine's speed (no timing is asserted).
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

import pytest

from bench.coldstart import function_dirs, lambda_env, python
from odvalidation.api.route_index import ROUTES as API_ROUTES
from odvalidation.web.route_index import ROUTES as WEB_ROUTES

# Loaded on first use by the one function that needs them, never at start-up (and nowhere else).
ON_FIRST_USE = ("jinja2", "fpdf", "segno", "cryptography")
# Only the functions behind API routes route and render; task functions take one event each.
ROUTING = (
    "odvalidation.api",
    "odvalidation.web",
    "aws_lambda_powertools.event_handler",
    "aws_lambda_powertools.utilities.data_classes",  # ~40 classes: events.py has the few fields we read
    "aws_lambda_powertools.utilities.parser",
    "aws_lambda_powertools.utilities.idempotency",
)
# Every journey write needs the reporting counters; the report, table and CSV parts are for report
# pages only (domain/lazy.py). Every service names a panel member; only assign_panel runs the solver.
REPORTS = tuple(
    f"odvalidation.domain.reporting.{part}" for part in ("reports", "tables", "by_cohort", "by_quarter")
)
SOLVER = tuple(f"odvalidation.domain.panels.{part}" for part in ("assign", "search", "rules"))

# The workflow's tasks, email, certificates and the evidence check read a journey's parts
# (services/journey_parts.py), what adjustments were agreed (services/agreed_adjustments.py) and what binds
# a landed file to its upload (services/upload_landings.py), not the use cases that check a caller.
USE_CASES = (
    "odvalidation.services.journeys",
    "odvalidation.services.journey_page",
    "odvalidation.services.adjustments",
    "odvalidation.services.preparation",
    "odvalidation.services.claim_development",
    "odvalidation.services.uploads",
)
# The workflow's own moves and failures need the journey store and the workflow, not even a panel's seats
# (services/stage_tasks.py); nor do its waits and claim check (services/tasks.py: only the scheduler's
# reminders, services/scheduled_tasks.py, read a panel's seats).
SEATS = ("odvalidation.services.seats",)

TASKS = (
    "assign_panel",
    "await_step",
    "check_claim",
    "evidence_uploaded",
    "issue_certificate",
    "notify",
    "post_confirmation",
    "record_archive",
    "record_failure",
    "record_stage",
    "scheduled",
)
NOT_GUARDED: set[str] = set()


def not_loaded(function: str) -> tuple[str, ...]:
    if function == "web":
        # Each page module comes with the first request whose path is one of its routes.
        pages = (f"odvalidation.web.routes_{m}" for m in WEB_ROUTES)
        return ("fpdf", "segno", "cryptography", "odvalidation.api", *pages)
    if function == "api":
        # Each route module comes with the first request whose path is one of its routes.
        return (*ON_FIRST_USE, "odvalidation.web", *(f"odvalidation.api.routes_{m}" for m in API_ROUTES))
    if function == "status_list":
        return (*ON_FIRST_USE, "odvalidation.web")
    solver = () if function == "assign_panel" else SOLVER
    seatless = ("record_stage", "record_failure", "await_step", "check_claim")
    # ...nor who may do what: the workflow acts for no signed-in caller (services/common.py names the
    # Caller type only for type checkers).
    use_cases = (*USE_CASES, *SEATS, "odvalidation.domain.access") if function in seatless else USE_CASES
    # Cognito's trigger validates its event and adds a group: the types, not the domain's model classes.
    models = ("odvalidation.domain.models",) if function == "post_confirmation" else ()
    # The evidence check emails only about a file it refuses (services/evidence_checks.py).
    email = (
        ("odvalidation.services.notifications", "odvalidation.email")
        if function == "evidence_uploaded"
        else ()
    )
    # Choosing a panel reads and writes the journey and its seats: not the pool's management, conflict
    # declarations, panel email or the leads' alerts (services/panel_assignment.py).
    panel_work = (
        (
            "odvalidation.services.panels",
            "odvalidation.services.notifications",
            "odvalidation.services.alerts",
        )
        if function == "assign_panel"
        else ()
    )
    return (*ON_FIRST_USE, *ROUTING, *REPORTS, *solver, *use_cases, *models, *email, *panel_work, "csv")


@functools.cache
def started(function: str) -> dict[str, Any]:
    """What importing the function left behind: its modules (and its packages in the order they finished
    loading, as sys.modules keeps them), and how the garbage collector ran."""
    code = (
        "import gc, json, sys\n"
        "runs = []\n"
        "gc.callbacks.append(lambda phase, info: runs.append(phase))\n"
        f"import functions.{function}.app\n"
        "print(json.dumps({'modules': sorted(sys.modules), 'collections': runs.count('start'),"
        " 'enabled': gc.isenabled(), 'frozen': gc.get_freeze_count(),"
        " 'loaded': [name for name in sys.modules if '.' not in name or name == 'odvalidation.startup']}))"
    )
    out = python(["-c", code], lambda_env(function))
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def imported(function: str) -> set[str]:
    return set(started(function)["modules"])


def test_every_function_is_guarded() -> None:
    assert set(function_dirs()) - NOT_GUARDED == {*TASKS, "api", "web", "status_list"}


@pytest.mark.parametrize("function", [*TASKS, "api", "web", "status_list"])
def test_a_function_imports_only_what_its_cold_start_needs(function: str) -> None:
    modules = imported(function)
    assert f"functions.{function}.app" in modules  # the probe imported the function
    loaded = sorted(
        name
        for name in modules
        for heavy in not_loaded(function)
        if name == heavy or name.startswith(f"{heavy}.")
    )
    assert loaded == []


@pytest.mark.parametrize("function", [*TASKS, "api", "web", "status_list"])
def test_a_function_starts_without_garbage_collection_then_collects_as_usual(function: str) -> None:
    # odvalidation/startup.py: no collection while the function loads (7-10% of a cold start otherwise),
    # what it built frozen out of later collections, and the collector back on for the invocations.
    # Compiling app.py itself, before its first line runs, may take one when its bytecode is not cached
    # (a deployed function's own file ships none); loading without the pause takes dozens.
    state = started(function)
    assert state["collections"] <= 1
    assert state["enabled"] is True
    assert state["frozen"] > 10_000


@pytest.mark.parametrize("function", [*TASKS, "api", "web", "status_list"])
def test_a_function_loads_the_aws_sdk_before_the_other_libraries(function: str) -> None:
    # odvalidation/startup.py: the same modules, loaded in this order, took 2-6% less of a cold start.
    loaded = started(function)["loaded"]
    assert loaded.index("boto3") < loaded.index("pydantic")
    assert loaded.index("boto3") < loaded.index("aws_lambda_powertools")
    assert loaded.index("boto3") + 1 == loaded.index("odvalidation.startup")  # loaded by the start-up


def test_only_a_function_s_app_imports_the_start_up_module() -> None:
    # Importing it pauses the collector until the app calls loaded(): anywhere else it would stay paused.
    root = Path(__file__).resolve().parents[2]
    statement = re.compile(r"^\s*(from odvalidation\.startup import|import odvalidation\.startup\b)", re.M)
    importers = {
        str(path.relative_to(root))
        for folder in ("functions", "layers", "local", "bench", "tests")
        for path in (root / folder).rglob("*.py")
        if statement.search(path.read_text())
    }
    assert importers == {f"functions/{name}/app.py" for name in function_dirs()}


def test_the_report_routes_load_without_the_journey_use_cases_or_panel_assignment() -> None:
    # Reports read cohorts and the pool (services/journey_parts.py, services/panel_pool.py), not what
    # journeys and panels are changed by: a cold API whose first request is a report loads neither.
    code = (
        "import sys, json, functions.api.app as api\n"
        "api.app.load_routes_for('/api/reports/national')\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    out = python(["-c", code], lambda_env("api"))
    modules = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert "odvalidation.api.routes_reports" in modules
    assert {"odvalidation.services.journeys", "odvalidation.services.panels"} & modules == set()
