"""The academy lead's page for moving a claim in development to another framework version (issue 18):
a confirm page that shows what maps where and what will be uncovered, then the move. The rules are
services/crosswalks.py's; this module only gathers the form and shows the plan."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from ..domain.access import Caller as DomainCaller
from ..domain.errors import DomainError
from ..domain.models import Role
from ..services import crosswalks, people
from .access import domain_caller
from .forms import first_values
from .request import app, form_data, page, redirect, require_role

router: Router = Router()


def _lead() -> DomainCaller:
    return domain_caller(require_role(Role.ACADEMY_LEAD, Role.NATIONAL_LEAD))


def _name(person_id: str) -> str:
    person = people.person(person_id)
    return person.name if person else person_id


def _problem(message: str) -> Response:
    return page("lead/problem.html", status=409, page_title="The claim cannot be moved", message=message)


@router.get("/lead/journeys/<journey_id>/framework")
def confirm(journey_id: str) -> Response:
    caller = _lead()
    journey, targets = crosswalks.choices(caller, journey_id)
    name = _name(journey.practitioner_id)
    query = app.current_event.query_string_parameters or {}
    chosen = query.get("framework_key") or (targets[0].key if len(targets) == 1 else "")
    if not chosen:
        # Several frameworks to move to (or none): the lead picks one, with a plain GET form.
        return page(
            "lead/framework_choose.html",
            page_title="Move a claim to another framework",
            journey=journey,
            name=name,
            targets=[{"value": t.key, "text": f"{t.title}, version {t.version}"} for t in targets],
        )
    try:
        plan = crosswalks.preview(caller, journey_id, chosen[:100])
    except DomainError as problem:
        return _problem(problem.message)
    return page(
        "lead/framework_move.html",
        page_title="Move a claim to another framework",
        journey=journey,
        name=name,
        plan=plan,
        rows=plan.moved.rows,
        uncovered=plan.uncovered,
    )


@router.post("/lead/journeys/<journey_id>/framework")
def move(journey_id: str) -> Response:
    caller = _lead()
    target = first_values(form_data()).get("framework_key", "").strip()[:100]
    journey, _ = crosswalks.choices(caller, journey_id)
    if target and journey.framework_key == target:
        # The form sent twice (a double click, a refresh): the first one moved it; say so, not "refused".
        return redirect(f"/lead/journeys/{journey.id}?done=already-moved")
    try:
        done = crosswalks.move(caller, journey_id, target)
    except DomainError as problem:
        return _problem(problem.message)
    # The lead's page of the journey says so (a fixed notice: no text from the URL is shown back).
    return redirect(f"/lead/journeys/{done.journey.id}?done=moved")
