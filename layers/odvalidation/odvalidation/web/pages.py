"""What the pages show, apart from how they are routed: the seams other parts of the product fill in."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ..domain import access
from ..domain import journey as rules
from ..domain.academies import ACADEMIES
from ..domain.models import Cohort, Journey, Level, Role, Stage
from ..services import journeys as js
from .security import Caller

ROLE_NAMES = {
    Role.PRACTITIONER: "Practitioner",
    Role.SUPPORTER: "Supporter",
    Role.PANEL: "Panel member",
    Role.ACADEMY_LEAD: "Academy lead",
    Role.NATIONAL_LEAD: "National lead",
}

STEPS = (
    "Reflection",
    "Workshop",
    "Decision",
    "Claim development",
    "Submission and panel review",
    "Validation interview",
)


def academy_name(academy_id: str | None) -> str:
    return next((a.name for a in ACADEMIES if a.id == academy_id), "Not given")


def role_names(caller: Caller) -> list[str]:
    return [ROLE_NAMES[r] for r in Role if r in caller.roles] or ["No role yet"]


def domain_caller(caller: Caller) -> access.Caller:
    """The web session's person as the services know them (the one place the two are converted)."""
    return access.Caller(
        id=caller.sub, email=caller.email, name=caller.name, roles=caller.roles, academy_id=caller.academy
    )


STAGE_NAMES = {
    Stage.REFLECTION: "Reflection",
    Stage.WORKSHOP: "Workshop",
    Stage.DECISION: "Decision",
    Stage.DEFERRED: "Returning in 12 to 18 months",
    Stage.CLOSED: "Considering further development",
    Stage.CLAIM_DEVELOPMENT: "Claim development",
    Stage.SUBMITTED: "Claim submitted",
    Stage.AWAITING_PANEL: "Waiting for a panel",
    Stage.PANEL_REVIEW: "Panel review",
    Stage.INTERVIEW: "Validation interview",
    Stage.VALIDATED: "Validated",
    Stage.NOT_YET_VALIDATED: "Not yet validated",
    Stage.LAPSED: "Claim lapsed",
    Stage.WITHDRAWN: "Withdrawn",
}

LEVEL_NAMES = {Level.LEADER: "System OD leader", Level.PRACTITIONER: "System OD practitioner"}


def lead_stage_text(journey: Journey, names: dict[Stage, str]) -> str:
    """Where a journey is on a lead's cohort page: never "Validated" once its certificate is revoked."""
    if journey.stage is Stage.VALIDATED and journey.certificate_revoked:
        return "Validated, certificate revoked"
    return names[journey.stage]


def stage_name(journey: Journey) -> str:
    """Where a journey is, in words: never "Validated" once its certificate is revoked (issue 15.5)."""
    if journey.stage is Stage.VALIDATED and journey.certificate_revoked:
        return "Certificate revoked"
    return STAGE_NAMES[journey.stage]


def long_date(value: date | datetime | None) -> str:
    return f"{value:%-d %B %Y}" if value else ""


def next_action(journey: Journey, cohort: Cohort | None) -> dict[str, str]:
    """What the practitioner does next, when it is due, and where (href empty: nothing to do online)."""
    base = f"/journeys/{journey.id}"
    stage = journey.stage
    if stage is Stage.REFLECTION:
        return {"text": "Complete your reflection", "href": f"{base}/reflection", "due": ""}
    if stage is Stage.WORKSHOP:
        when = long_date(cohort.workshop_date) if cohort else ""
        return {"text": "Attend the workshop", "href": "", "due": when}
    if stage is Stage.DECISION:
        return {"text": "Decide when to make your claim", "href": f"{base}/decision", "due": ""}
    if stage is Stage.CLAIM_DEVELOPMENT:
        return {"text": "Build your claim", "href": f"{base}/claim", "due": long_date(journey.claim_deadline)}
    if stage is Stage.DEFERRED:
        return {
            "text": "We will contact you to decide again",
            "href": "",
            "due": long_date(journey.reengage_on),
        }
    if stage in {Stage.SUBMITTED, Stage.AWAITING_PANEL, Stage.PANEL_REVIEW, Stage.INTERVIEW}:
        return {"text": "Your claim is with the panel", "href": base, "due": ""}
    return {"text": "See your journey", "href": base, "due": ""}


def step_items(journey: Journey) -> list[dict[str, Any]]:
    """The six steps as a task list: done, where the journey is now, and not yet."""
    current = rules.step_number(journey.stage) or 0
    finished = journey.stage in {Stage.VALIDATED, Stage.NOT_YET_VALIDATED}
    action = next_action(journey, None)
    items: list[dict[str, Any]] = []
    for number, name, _ in rules.SIX_STEPS:
        item: dict[str, Any] = {"name": f"{number}. {name}"}
        if number < current or (finished and number == current):
            item["status"] = "Completed"
        elif number == current:
            item |= {"status": stage_name(journey), "colour": "blue"}
            if action["href"]:
                item["href"] = action["href"]
        else:
            item["status"] = "Cannot start yet"
        items.append(item)
    return items


def home_context(caller: Caller) -> dict[str, Any]:
    """The context of home.html: where each of the caller's journeys is, the cohorts open to them, and
    the journeys they support."""
    who = domain_caller(caller)
    journeys = js.my_journeys(who) if caller.has_role(Role.PRACTITIONER) else []
    cohorts = {c.id: c for c in js.all_cohorts()} if caller.has_role(Role.PRACTITIONER) else {}
    shown = []
    for journey in sorted(journeys, key=lambda j: j.created_at, reverse=True):
        cohort = cohorts.get(journey.cohort_id)
        shown.append(
            {
                "id": journey.id,
                "cohort": cohort.name if cohort else journey.cohort_id,
                "stage": stage_name(journey),
                "step": rules.step_number(journey.stage),
                "action": next_action(journey, cohort),
                "steps": step_items(journey),
            }
        )
    enrolled = {j.cohort_id for j in journeys}
    open_cohorts = [
        {
            "id": c.id,
            "name": c.name,
            "academy": academy_name(c.academy_id),
            "workshop": long_date(c.workshop_date),
        }
        for c in cohorts.values()
        if c.id not in enrolled
    ]
    supporting = []
    if caller.has_role(Role.SUPPORTER):
        for journey in js.supported_journeys(who):
            practitioner = js.person(journey.practitioner_id)
            supporting.append(
                {
                    "id": journey.id,
                    "name": practitioner.name if practitioner else "A practitioner",
                    "stage": stage_name(journey),
                }
            )
    return {
        "page_title": "Your validation journey" if shown else "Your account",
        "account_rows": [
            {"key": "Name", "value": caller.name},
            {"key": "Email address", "value": caller.email},
            {"key": "Roles", "value": role_names(caller)},
            {"key": "Local Leadership Academy", "value": academy_name(caller.academy)},
            {"key": "Employer", "value": caller.employer or "Not given"},
        ],
        "journeys": shown,
        "open_cohorts": open_cohorts,
        "supporting": supporting,
        "steps": [{"name": step, "status": "Cannot start yet"} for step in STEPS] if not shown else [],
    }
