"""The lead's home (issue 17): what is waiting for them, each with a count and a link to the list, so a
lead runs the programme from their own pages instead of typing URLs.

An academy lead sees their own academy. A national lead sees the programme's figures (the reports) and
may look at any academy's work (`?academy=`); the lists show names and stages, never a claim.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from .. import clock
from ..dal import parallel
from ..domain.academies import ACADEMIES
from ..domain.access import Caller as DomainCaller
from ..domain.errors import NotFound
from ..domain.frameworks import all_frameworks
from ..domain.models import Cohort, Journey, Role, Stage
from ..services import journeys as js
from ..services import seats
from .pages import STAGE_NAMES, academy_name
from .request import page
from .routes_lead import _academy_of, _name, lead_caller
from .routes_lead_alerts import alert_context

router: Router = Router()


@dataclass(frozen=True)
class Kind:
    """One kind of work waiting for the lead: its heading, what its count means, and what to do."""

    title: str
    none: str  # said when there is nothing of this kind
    action: str  # the link text for each journey


KINDS: dict[str, Kind] = {
    "attendance": Kind(
        "Workshop attendance to record",
        "No workshop attendance is waiting to be recorded.",
        "Record attendance",
    ),
    "panels": Kind("Claims waiting for a panel", "No claim is waiting for a panel.", "Resolve the panel"),
    "interviews": Kind(
        "Interviews to arrange", "Every claim that has been reviewed has its interview.", "Arrange interview"
    ),
    "stopped": Kind("Journeys that stopped", "No journey has stopped.", "See the journey"),
    "certificates": Kind("Certificates issued", "No certificate has been issued yet.", "See the journey"),
}


@dataclass
class Work:
    """The academy's cohorts and, for each kind, the journeys waiting (with their cohort)."""

    cohorts: list[Cohort]
    waiting: dict[str, list[tuple[Journey, Cohort]]] = field(default_factory=dict)


def _needs_attendance(j: Journey, c: Cohort, today: date) -> bool:
    # The service records attendance on or after the workshop day; before it there is nothing to do.
    at_workshop = j.stage in {Stage.REFLECTION, Stage.WORKSHOP}
    return at_workshop and not (j.workshop_attended or j.workshop_absent) and c.workshop_date <= today


def _kind_of(j: Journey, c: Cohort, today: date) -> str | None:
    if j.failure is not None:
        return "stopped"
    if _needs_attendance(j, c, today):
        return "attendance"
    if j.stage is Stage.AWAITING_PANEL:
        return "panels"
    if j.stage is Stage.INTERVIEW and seats.interview_of(j) is None:
        return "interviews"
    if j.stage is Stage.VALIDATED and j.certificate_id:
        return "certificates"
    return None


def academy_work(caller: DomainCaller, academy_id: str) -> Work:
    """The cohorts (a Query), their journeys (a Query per cohort, at once), and whether each claim at
    the interview step has its interview arranged (one BatchGetItem): three round trips."""
    work = Work(cohorts=js.academy_cohorts(academy_id), waiting={k: [] for k in KINDS})
    today = clock.now().date()
    by_cohort = list(zip(work.cohorts, js.academy_journeys(caller, academy_id, work.cohorts), strict=True))
    # Whether each claim at the interview step has its interview arranged: one BatchGetItem for all.
    seats.read_interviews(j for _, found in by_cohort for j in found if j.stage is Stage.INTERVIEW)
    for c, cohort_journeys in by_cohort:
        for j in cohort_journeys:
            kind = _kind_of(j, c, today)
            if kind:
                work.waiting[kind].append((j, c))
    return work


def _with_academy(path: str, caller: DomainCaller, academy_id: str) -> str:
    # A national lead looking at another academy keeps looking at it as they follow the links.
    if caller.has(Role.NATIONAL_LEAD) and academy_id != caller.academy_id:
        return f"{path}?{urlencode({'academy': academy_id})}"
    return path


def _action_href(kind: str, j: Journey) -> str:
    if kind == "attendance":
        return f"/lead/cohorts/{j.cohort_id}#attendance"
    if kind == "panels":
        return f"/lead/assignments/{j.id}"
    if kind == "interviews":
        return f"/lead/journeys/{j.id}/interview"
    return f"/lead/journeys/{j.id}"


def _chosen_academy(caller: DomainCaller) -> str:
    academy_id = _academy_of(caller)
    if academy_id not in {a.id for a in ACADEMIES}:
        raise NotFound(f"There is no academy '{academy_id}'.")
    return academy_id


@router.get("/lead")
def home() -> Response:
    caller = lead_caller()
    academy_id = _chosen_academy(caller)
    # The work lists and the alerts need nothing of one another: read at once (issue 19).
    work, alerts = parallel.at_once(
        lambda: academy_work(caller, academy_id), lambda: alert_context(caller, academy_id)
    )
    tasks: list[dict[str, Any]] = [
        {
            "id": kind,
            "title": k.title,
            "count": len(work.waiting[kind]),
            "href": _with_academy(f"/lead/work/{kind}", caller, academy_id),
        }
        for kind, k in KINDS.items()
    ]
    national = caller.has(Role.NATIONAL_LEAD)
    return page(
        "lead/home.html",
        page_title=f"{academy_name(academy_id)}: your work" if not national else "Academies' work",
        academy=academy_name(academy_id),
        academy_id=academy_id,
        national=national,
        own_academy=academy_id == caller.academy_id,
        academies=[
            {"name": a.name, "href": f"/lead?{urlencode({'academy': a.id})}", "current": a.id == academy_id}
            for a in ACADEMIES
        ]
        if national
        else [],
        tasks=tasks,
        dismiss_action=_with_academy("/lead/alerts/dismiss", caller, academy_id),
        **alerts,
        cohorts=work.cohorts,
        frameworks=all_frameworks(),
    )


@router.get("/lead/work/<kind>")
def work_list(kind: str) -> Response:
    caller = lead_caller()
    if kind not in KINDS:
        raise NotFound(f"There is no list '{kind}'.")
    academy_id = _chosen_academy(caller)
    waiting = academy_work(caller, academy_id).waiting[kind]
    rows = [
        {
            "name": _name(j.practitioner_id),
            "href": f"/lead/journeys/{j.id}",
            "cohort": c.name,
            "stage": STAGE_NAMES[j.stage],
            "stopped": j.failure is not None,
            "action": KINDS[kind].action,
            "action_href": _action_href(kind, j),
        }
        for j, c in waiting
    ]
    return page(
        "lead/work.html",
        page_title=KINDS[kind].title,
        kind=KINDS[kind],
        academy=academy_name(academy_id),
        back_href=_with_academy("/lead", caller, academy_id),
        rows=rows,
    )
