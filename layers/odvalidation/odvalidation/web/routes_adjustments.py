"""Reasonable adjustments (issue 18), as pages: the practitioner asks for, changes or withdraws an
adjustment from their journey; their academy lead agrees it or not (with a note) from the lead's journey
page. The rules are services/adjustments.py's; the emails services/adjustment_notices.py's. Plain forms:
nothing needs JavaScript."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import ValidationError

from ..domain import adjustments as rules
from ..domain.access import Caller as DomainCaller
from ..domain.adjustments import (
    DETAILS_LIMIT,
    MAX_WEEKS,
    Adjustment,
    AdjustmentKind,
    AdjustmentState,
    DocumentFormat,
    InterviewFormat,
    Terms,
)
from ..domain.errors import Conflict, InvalidInput, InvalidTransition, NotFound
from ..domain.models import Journey, Role, Stage
from ..domain.uk_time import uk_when
from ..services import adjustment_notices, adjustments, people, seats
from ..services import journeys as js
from .access import domain_caller
from .forms import first_values
from .pages import long_date
from .request import app, form_data, page, redirect, require_caller, require_role

router: Router = Router()
ACTIONABLE = (InvalidInput, InvalidTransition, Conflict)

FORMATS = [
    {"value": InterviewFormat.ONLINE.value, "text": "Online"},
    {"value": InterviewFormat.IN_PERSON.value, "text": "In person"},
]
DOCUMENTS = [{"value": f.value, "text": rules.DOCUMENT_TEXT[f].capitalize()} for f in DocumentFormat]
PRACTITIONER_NOTICES = {
    "requested": "Your request has been sent to your academy lead. We will email you when they decide.",
    "withdrawn": "Your adjustment is withdrawn.",
}
LEAD_NOTICES = {
    "agreed": "Adjustment agreed: the practitioner has been emailed.",
    "declined": "Adjustment not agreed: the practitioner has been emailed your note.",
    "already": "That request had already been decided: its decision is shown below.",
}
STATE_COLOURS = {
    AdjustmentState.REQUESTED: "yellow",
    AdjustmentState.AGREED: "green",
    AdjustmentState.DECLINED: "red",
    AdjustmentState.WITHDRAWN: "grey",
}


def _kind(value: str) -> AdjustmentKind:
    try:
        return AdjustmentKind(value)
    except ValueError:
        raise NotFound(f"There is no adjustment '{value[:40]}'.") from None


def _done() -> str:
    return (app.current_event.query_string_parameters or {}).get("done", "")


def _name(person_id: str) -> str:
    found = people.person(person_id)
    return found.name if found else "The practitioner"


def rows(found: list[Adjustment]) -> list[dict[str, Any]]:
    """One row per kind, asked for or not, in a fixed order (for the practitioner's and the lead's pages)."""
    by_kind = {a.kind: a for a in found}
    out = []
    for kind in AdjustmentKind:
        a = by_kind.get(kind)
        out.append(
            {
                "kind": kind.value,
                "title": rules.KIND_TEXT[kind],
                "adjustment": a,
                "state": rules.STATE_TEXT[a.state] if a else "",
                "colour": STATE_COLOURS[a.state] if a else "",
                "asked": rules.summary(kind, a.requested) if a else "",
                "agreed": rules.summary(kind, a.agreed) if a and a.agreed else "",
                "waiting": bool(a and a.state is AdjustmentState.REQUESTED),
            }
        )
    return out


# --------------------------------------------------------------------------- the practitioner


def _practitioner() -> DomainCaller:
    return domain_caller(require_caller())


def _interview_line(journey: Journey, found: list[Adjustment]) -> str:
    """The practitioner's interview, with the agreed format and length once it is arranged."""
    interview = seats.interview_of(journey) if journey.stage is Stage.INTERVIEW else None
    if interview is None:
        return ""
    agreed = next((a.agreed for a in found if a.kind is AdjustmentKind.INTERVIEW and a.agreed), None)
    line = f"{uk_when(interview.at, weekday=True)}, {interview.duration_minutes} minutes, at {interview.location}"
    extra = rules.interview_text(agreed)
    return line + (f". Agreed adjustments for the interview: {extra}" if extra else "")


@router.get("/journeys/<journey_id>/adjustments")
def practitioner_list(journey_id: str) -> Response:
    caller = _practitioner()
    journey, found = adjustments.readable(caller, journey_id)
    if caller.id != journey.practitioner_id:
        raise NotFound(f"There is no journey '{journey_id}'.")  # a lead reads them on the lead's page
    return page(
        "practitioner/adjustments.html",
        page_title="Reasonable adjustments",
        journey=journey,
        rows=rows(found),
        interview=_interview_line(journey, found),
        deadline=long_date(journey.claim_deadline) if journey.stage is Stage.CLAIM_DEVELOPMENT else "",
        notice=PRACTITIONER_NOTICES.get(_done(), ""),
    )


def _request_page(
    journey: Journey,
    kind: AdjustmentKind,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    return page(
        "practitioner/adjustment.html",
        status=status,
        page_title=rules.KIND_TEXT[kind],
        journey=journey,
        kind=kind.value,
        values=values,
        errors=errors,
        formats=FORMATS,
        documents=DOCUMENTS,
        max_weeks=MAX_WEEKS,
        details_limit=DETAILS_LIMIT,
    )


def _values_of(a: Adjustment | None) -> dict[str, str]:
    if a is None or a.state is AdjustmentState.WITHDRAWN:
        return {}
    t = a.requested
    return {
        "weeks": str(t.weeks or ""),
        "interview_format": t.interview_format.value if t.interview_format else "",
        "interview_breaks": "yes" if t.interview_breaks else "",
        "interview_minutes": str(t.interview_minutes or ""),
        "document_format": t.document_format.value if t.document_format else "",
        "details": t.details,
    }


@router.get("/journeys/<journey_id>/adjustments/<kind>")
def request_form(journey_id: str, kind: str) -> Response:
    caller = _practitioner()
    k = _kind(kind)
    journey, found = adjustments.readable(caller, journey_id)
    if caller.id != journey.practitioner_id:
        raise NotFound(f"There is no journey '{journey_id}'.")
    return _request_page(journey, k, _values_of(next((a for a in found if a.kind is k), None)), {})


# Field -> the message a person can act on (pydantic's own are for programmers).
FIELD_MESSAGES = {
    "weeks": f"Enter a whole number of weeks, from 1 to {MAX_WEEKS}",
    "interview_minutes": "Enter the interview's length in minutes, from 15 to 240, or leave it empty",
    "interview_format": "Choose whether the interview is online or in person",
    "document_format": "Choose the format you need documents in",
    "details": f"Describe what you need in {DETAILS_LIMIT:,} characters or fewer",
}
# Which field a rule's refusal belongs to, so the error summary links to it.
KIND_FIELD = {
    AdjustmentKind.MORE_TIME: "weeks",
    AdjustmentKind.INTERVIEW: "interview_format",
    AdjustmentKind.DOCUMENTS: "document_format",
    AdjustmentKind.OTHER: "details",
}


def _terms(values: dict[str, str]) -> tuple[Terms | None, dict[str, str]]:
    data: dict[str, Any] = {
        "interview_breaks": values.get("interview_breaks") == "yes",
        "details": values.get("details", ""),
    }
    for name in ("weeks", "interview_minutes", "interview_format", "document_format"):
        if values.get(name, "").strip():
            data[name] = values[name].strip()
    try:
        return Terms.model_validate(data), {}
    except ValidationError as error:
        names = {str(p["loc"][0]) for p in error.errors() if p["loc"]}
        return None, {n: FIELD_MESSAGES[n] for n in FIELD_MESSAGES if n in names}


@router.post("/journeys/<journey_id>/adjustments/<kind>")
def request(journey_id: str, kind: str) -> Response:
    caller = _practitioner()
    k = _kind(kind)
    journey = js.load_for(caller, journey_id)
    values = first_values(form_data())
    terms, errors = _terms(values)
    if terms is None:
        return _request_page(journey, k, values, errors, 400)
    try:
        adjustment_notices.request(caller, journey_id, k, terms)
    except ACTIONABLE as problem:
        status = 400 if isinstance(problem, InvalidInput) else 409
        return _request_page(journey, k, values, {KIND_FIELD[k]: problem.message}, status)
    return redirect(f"/journeys/{journey_id}/adjustments?done=requested")


@router.post("/journeys/<journey_id>/adjustments/<kind>/withdraw")
def withdraw(journey_id: str, kind: str) -> Response:
    caller = _practitioner()
    k = _kind(kind)
    try:
        adjustments.withdraw(caller, journey_id, k)
    except ACTIONABLE as problem:
        journey, found = adjustments.readable(caller, journey_id)
        return page(
            "practitioner/adjustments.html",
            status=409,
            page_title="Reasonable adjustments",
            journey=journey,
            rows=rows(found),
            interview=_interview_line(journey, found),
            deadline=long_date(journey.claim_deadline) if journey.stage is Stage.CLAIM_DEVELOPMENT else "",
            errors={f"withdraw-{k.value}": problem.message},
        )
    return redirect(f"/journeys/{journey_id}/adjustments?done=withdrawn")


# --------------------------------------------------------------------------- the academy lead


def _lead() -> DomainCaller:
    return domain_caller(require_role(Role.ACADEMY_LEAD, Role.NATIONAL_LEAD))


def _lead_page(
    caller: DomainCaller,
    journey_id: str,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    journey, found = adjustments.readable(caller, journey_id)
    name = _name(journey.practitioner_id)
    return page(
        "lead/adjustments.html",
        status=status,
        page_title=f"{name}'s reasonable adjustments",
        journey=journey,
        name=name,
        rows=[r for r in rows(found) if r["adjustment"]],
        deadline=long_date(journey.claim_deadline) if journey.stage is Stage.CLAIM_DEVELOPMENT else "",
        extended=journey.extension_granted,
        values=values or {},
        errors=errors or {},
        notice=LEAD_NOTICES.get(_done(), ""),
    )


@router.get("/lead/journeys/<journey_id>/adjustments")
def lead_list(journey_id: str) -> Response:
    return _lead_page(_lead(), journey_id)


@router.post("/lead/journeys/<journey_id>/adjustments/<kind>")
def decide(journey_id: str, kind: str) -> Response:
    caller = _lead()
    k = _kind(kind)
    values = first_values(form_data())
    decision = values.get(f"decision-{k.value}", "")
    note = values.get(f"note-{k.value}", "")
    if decision not in ("agree", "decline"):
        errors = {f"decision-{k.value}": "Choose whether you agree the adjustment"}
        return _lead_page(caller, journey_id, values, errors, 400)
    try:
        adjustment_notices.decide(caller, journey_id, k, agree=decision == "agree", note=note)
    except InvalidTransition:
        # Decided already (a second click, or another lead first): the page shows the decision.
        return redirect(f"/lead/journeys/{journey_id}/adjustments?done=already")
    except ACTIONABLE as problem:
        field = f"note-{k.value}" if isinstance(problem, InvalidInput) else f"decision-{k.value}"
        return _lead_page(
            caller, journey_id, values, {field: problem.message}, 409 if field.startswith("d") else 400
        )
    return redirect(
        f"/lead/journeys/{journey_id}/adjustments?done={'agreed' if decision == 'agree' else 'declined'}"
    )
