"""What the pages show, apart from how they are routed: the seams other parts of the product fill in."""

from __future__ import annotations

import contextlib
import re
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from .. import clock
from ..dal import parallel
from ..domain import access
from ..domain import journey as rules
from ..domain.academies import ACADEMIES
from ..domain.errors import NotFound
from ..domain.frameworks import framework
from ..domain.models import (
    AuditEvent,
    Cohort,
    Failure,
    Interview,
    Journey,
    Level,
    OutcomeRecord,
    Panel,
    Role,
    Stage,
    failure_message,
)
from ..domain.uk_time import uk_when
from ..services import feedback as fb
from ..services import journeys as js
from ..services import people, seats
from . import panel_work
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


def interview_text(interview: Interview) -> str:
    """ "12 January 2027 at 10:00, Room 4, Mersey House": when (UK time) and where."""
    return f"{uk_when(interview.at)}, {interview.location}"


# What "considering further development" means, told the same to the practitioner and to their lead.
FURTHER_DEVELOPMENT_MEANS = (
    "No claim is open and no deadline is running. Nothing is lost: the reflection and workshop stay done."
)


def next_action(
    journey: Journey, cohort: Cohort | None, interview: Interview | None = None
) -> dict[str, str]:
    """What the practitioner does next, when it is due, and where (href empty: nothing to do online)."""
    base = f"/journeys/{journey.id}"
    stage = journey.stage
    if stage is Stage.INTERVIEW:
        if interview is None:
            return {"text": "Your academy will arrange your interview with the panel", "href": "", "due": ""}
        if interview.has_taken_place(clock.now()):
            return {"text": "The panel will record the outcome of your interview", "href": "", "due": ""}
        return {
            "text": f"Your interview: {interview_text(interview)}",
            "href": f"{base}#interview",
            "due": "",
        }
    if stage is Stage.CLOSED:
        return {
            "text": "Decide again when you are ready to make a claim",
            "href": f"{base}#decide-again",
            "due": "",
        }
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
    if stage in {Stage.SUBMITTED, Stage.AWAITING_PANEL, Stage.PANEL_REVIEW}:
        return {"text": "Your claim is with the panel", "href": base, "due": ""}
    if stage is Stage.VALIDATED and journey.certificate_id:
        return {
            "text": "See and share your certificate",
            "href": f"/certificates/{quote(journey.certificate_id)}",
            "due": "",
        }
    if stage in {Stage.NOT_YET_VALIDATED, Stage.LAPSED}:
        return {
            "text": "Read the panel's feedback and start a new claim",
            "href": f"{base}#new-claim",
            "due": "",
        }
    return {"text": "See your journey", "href": base, "due": ""}


# What a step in progress says, in the task list's status column: the step's name is already in the
# row, so the status says where the step is ("In progress"), or what it is waiting for.
STEP_STATUS = {
    Stage.DEFERRED: "Returning in 12 to 18 months",
    Stage.CLOSED: "Developing further",
    Stage.SUBMITTED: "Submitted",
    Stage.AWAITING_PANEL: "Waiting for a panel",
    Stage.LAPSED: "Claim lapsed",
}
# After the outcome every step was taken: they stay completed, whatever the outcome was.
OUTCOME_STAGES = frozenset({Stage.VALIDATED, Stage.NOT_YET_VALIDATED})


def step_items(journey: Journey, interview: Interview | None = None) -> list[dict[str, Any]]:
    """The six steps as a task list: done, where the journey is now, and not yet."""
    current = rules.step_number(journey.stage) or 0
    if journey.stage in OUTCOME_STAGES:
        current = len(rules.SIX_STEPS) + 1
    action = next_action(journey, None, interview)
    items: list[dict[str, Any]] = []
    for number, name, _ in rules.SIX_STEPS:
        item: dict[str, Any] = {"name": f"{number}. {name}"}
        if number < current:
            item["status"] = "Completed"
        elif number == current:
            item |= {
                "status": "Certificate revoked"
                if journey.certificate_revoked and journey.stage is Stage.VALIDATED
                else STEP_STATUS.get(journey.stage, "In progress"),
                "colour": "blue",
            }
            if action["href"]:
                item["href"] = action["href"]
        else:
            item["status"] = "Cannot start yet"
        items.append(item)
    return items


def open_cohorts(caller: Caller, enrolled: set[str]) -> list[Cohort]:
    """The cohorts of the caller's own academy whose workshop is still to come, not yet joined."""
    if not caller.academy or not caller.has_role(Role.PRACTITIONER):
        return []
    today = clock.now().date()
    found = [
        c for c in js.academy_cohorts(caller.academy) if c.id not in enrolled and c.workshop_date >= today
    ]
    return sorted(found, key=lambda c: c.workshop_date)


def home_context(caller: Caller) -> dict[str, Any]:
    """The context of home.html: each role's own work. A practitioner's journeys and the cohorts of
    their academy open to them, a supporter's claims, a panel member's assignments with the next action
    on each, and a lead's way to their academy or the national reports."""
    who = domain_caller(caller)
    journeys = js.my_journeys(who) if caller.has_role(Role.PRACTITIONER) else []
    enrolled = {j.cohort_id for j in journeys}
    offered = open_cohorts(caller, enrolled)
    cohorts: dict[str, Cohort] = {c.id: c for c in offered}
    ordered = sorted(journeys, key=lambda j: j.created_at, reverse=True)

    def reads(journey: Journey) -> tuple[Cohort | None, Interview | None, str]:
        # What each journey's row needs besides the journey: its cohort (unless offered above), its
        # interview while one is ahead, and whether feedback was given after the outcome.
        cohort = cohorts.get(journey.cohort_id)
        if cohort is None:
            with contextlib.suppress(NotFound):
                cohort = js.cohort(journey.cohort_id)
        interview = seats.interview_of(journey) if journey.stage is Stage.INTERVIEW else None
        return cohort, interview, feedback_state(journey)

    shown = []
    # Every journey's reads at once: a practitioner with several journeys waits as long as for one.
    for journey, (cohort, interview, feedback) in zip(ordered, parallel.each(reads, ordered), strict=True):
        shown.append(
            {
                "id": journey.id,
                "cohort": cohort.name if cohort else journey.cohort_id,
                "stage": stage_name(journey),
                "step": rules.step_number(journey.stage),
                "action": next_action(journey, cohort, interview),
                "interview": interview_details(journey, interview),
                "further_development": journey.stage is Stage.CLOSED,
                "feedback": feedback,
                "steps": step_items(journey, interview),
                "certificate_href": f"/certificates/{quote(journey.certificate_id)}"
                if journey.certificate_id
                else "",
            }
        )
    supporting = []
    if caller.has_role(Role.SUPPORTER):
        for journey in js.supported_journeys(who):
            practitioner = people.person(journey.practitioner_id)
            supporting.append(
                {
                    "id": journey.id,
                    "name": practitioner.name if practitioner else "A practitioner",
                    "stage": stage_name(journey),
                    "can_comment": journey.stage is Stage.CLAIM_DEVELOPMENT,
                }
            )
    assignments = panel_work.assignment_rows(who) if caller.has_role(Role.PANEL) else []
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
        "open_cohorts": [
            {
                "id": c.id,
                "name": c.name,
                "academy": academy_name(c.academy_id),
                "workshop": long_date(c.workshop_date),
            }
            for c in offered
        ],
        "supporting": supporting,
        "assignments": assignments,
        "is_panel": caller.has_role(Role.PANEL),
        "is_lead": caller.has_role(Role.ACADEMY_LEAD),
        "is_national": caller.has_role(Role.NATIONAL_LEAD),
        # The six steps, not started, only for a practitioner who has no journey yet.
        "steps": [{"name": step, "status": "Cannot start yet"} for step in STEPS]
        if caller.has_role(Role.PRACTITIONER) and not shown
        else [],
    }


def interview_details(journey: Journey, interview: Interview | None) -> dict[str, str] | None:
    """The arranged interview as the practitioner reads it (UK time), until it has taken place."""
    if interview is None or journey.stage is not Stage.INTERVIEW or interview.has_taken_place(clock.now()):
        return None
    return {"text": interview_text(interview), "duration": f"{interview.duration_minutes} minutes"}


def feedback_state(journey: Journey, given: bool | None = None) -> str:
    """After the outcome the practitioner is asked for feedback on the process: "ask" until they have
    given it, then "given" (to thank them); "" before the outcome. given=None: read it."""
    if not fb.invitation_open(journey):
        return ""
    if given is None:
        given = fb.existing(journey) is not None
    return "given" if given else "ask"


def panel_href(caller: access.Caller, journey: Journey, panel: Panel | None) -> str:
    """A member of this claim's panel reads the journey page (an old email's link, the lead's list):
    it links the page where they act on the claim, which redirects to their next step."""
    if panel is None or caller.id == journey.practitioner_id:
        return ""
    return f"/panel/{journey.id}" if any(s.member_id == caller.id for s in panel.seats) else ""


def after_outcome(journey: Journey, outcome: OutcomeRecord | None, owner: bool) -> dict[str, Any]:
    """The panel's developmental feedback, element by element with each element's title, and whether
    the practitioner can start a new claim from here (after "not yet" or a lapsed claim)."""
    titles = {e.id: e.title for e in framework(journey.framework_key).elements}
    feedback = [
        {"key": f"{element_id} {titles.get(element_id, '')}".strip(), "value": text}
        for element_id, text in (outcome.feedback.items() if outcome else [])
    ]
    return {
        "feedback_rows": feedback,
        "can_start_new_claim": owner and journey.stage in {Stage.NOT_YET_VALIDATED, Stage.LAPSED},
    }


# --------------------------------------------------------------------------- the history, in plain words

# The audit trail records what happened in the service's words ("moved to closed", "decided: ready 12 18
# months"); a person reads what it means for them. Actions not listed read as recorded.
PLAIN_ACTIONS = {
    "decided: ready now": "Decided to make a claim now",
    "decided: ready 12 18 months": "Decided to claim in 12 to 18 months",
    "decided: further development": "Decided to develop further first",
    "outcome: system od leader": "Outcome: validated as a system OD leader",
    "outcome: system od practitioner": "Outcome: validated as a system OD practitioner",
    "outcome: not yet": "Outcome: not yet validated, with developmental feedback",
    "claim deadline passed": "The claim's deadline passed",
    "superseded execution ended": "The service moved the journey on",
    "resume did not start": "The service could not restart a step; the academy has been told",
    "step failed": "A step did not complete; the academy has been told",
    "resumed after failure": "The academy restarted a step",
    "linked evidence": "Linked a file from the evidence library to an element",
    "unlinked evidence": "Took a file of the evidence library off an element",
    "described evidence": "Gave a file of the evidence library its title and description",
}
PLAIN_MOVES = {
    Stage.CLOSED: "Paused to develop further",
    Stage.DEFERRED: "Paused for 12 to 18 months",
    Stage.SUBMITTED: "Claim submitted",
    Stage.AWAITING_PANEL: "Waiting for a panel",
    Stage.PANEL_REVIEW: "Panel review started",
    Stage.INTERVIEW: "Ready for the validation interview",
    Stage.LAPSED: "The claim lapsed",
    Stage.WITHDRAWN: "Withdrew from the pathway",
}


def step_name(step: str) -> str:
    """A failure's step (a stage, or the step the workflow waited at) as a lead reads it."""
    if step in {s.value for s in Stage}:
        return STAGE_NAMES[Stage(step)].lower()
    return step.replace("_", " ")


def stopped_text(failure: Failure) -> str:
    """Why a journey stopped, for its lead: the step, the error's own message and its kind."""
    return f"At the {step_name(failure.step)} step: {failure.message} ({failure.error})"


def history_reason(event: AuditEvent) -> str:
    """An audit event's reason as shown in a history table. A failed step's reason was once recorded with
    Lambda's whole error JSON; it is shown as its message, as it is recorded now."""
    reason = event.reason or ""
    if event.action == "step failed" and ": " in reason:
        error, cause = reason.split(": ", 1)
        return f"{error}: {failure_message(cause)}"
    return reason


def plain_action(action: str) -> str:
    """An audit action as a sentence a person reads."""
    if action.startswith("moved to "):
        raw = action.removeprefix("moved to ")
        stage = Stage(raw) if raw in {s.value for s in Stage} else None
        if stage is not None:
            return PLAIN_MOVES.get(stage, f"Moved on to {STAGE_NAMES[stage].lower()}")
    text = PLAIN_ACTIONS.get(action, action)
    return text[:1].upper() + text[1:]


def plain_history(rows: list[tuple[str, str, str]]) -> list[list[str]]:
    """(date, action, by) rows, newest first, in plain words; a row repeated on the same day by the same
    person (evidence opened five times) is shown once, with how many times."""
    grouped: list[list[Any]] = []
    for when, action, by in rows:
        text = plain_action(action)
        if grouped and grouped[-1][:3] == [when, text, by]:
            grouped[-1][3] += 1
        else:
            grouped.append([when, text, by, 1])
    return [[w, t if n == 1 else f"{t} ({n} times)", b] for w, t, b, n in grouped]


_ELEMENT = re.compile(r"^Element (\d+(?:\.\d+)*) ")


def problem_links(journey_id: str, problems: list[str]) -> list[dict[str, str]]:
    """What keeps a claim from being submitted, each linked to where it is put right (the NHS error
    summary): an element's gap to that element's page, the level to its question, the rest to the claim."""
    base = f"/journeys/{journey_id}/claim"
    links = []
    for problem in problems:
        element = _ELEMENT.match(problem)
        if element:
            href = f"{base}/{element.group(1)}"
        elif problem.startswith("Choose the level"):
            href = f"{base}#level"
        else:
            href = base
        links.append({"text": problem, "href": href})
    return links
