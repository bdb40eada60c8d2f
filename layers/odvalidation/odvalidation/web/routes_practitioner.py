"""The practitioner's pages (steps 1 to 5), and the supporter's view of a claim, where they comment on the draft.

Every page calls the same services as the JSON API (services/journeys.py): the rules live there, and a
rule broken comes back as a domain error whose message goes into the NHS error summary. Evidence goes
from the browser straight to S3 through a presigned POST in a plain HTML form (no JavaScript).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import Field, StringConstraints

from ..domain import access
from ..domain.claims import Completeness
from ..domain.errors import Forbidden, NotFound
from ..domain.frameworks import framework
from ..domain.history import A_PANEL_MEMBER
from ..domain.models import (
    DraftComment,
    ElementRating,
    EvidenceItem,
    EvidenceStatus,
    Journey,
    Level,
    Outcome,
    Readiness,
    Stage,
)
from ..services import comments, confirmations, journey_page, people, preparation
from ..services import journeys as js
from . import pages
from .forms import _Form, first_values, validate
from .pages import LEVEL_NAMES, STAGE_NAMES, long_date
from .request import ACTIONABLE, form_data, me, page, query, redirect
from .routes_claim import _claim_context

router: Router = Router()


def readiness_choices(claim_window_months: int) -> list[dict[str, Any]]:
    """The three choices, each saying what it leads to before the practitioner chooses it."""
    return [
        {
            "value": Readiness.READY_NOW.value,
            "text": "I am ready to make a claim now",
            "hint": f"Your claim opens straight away. You have {claim_window_months} months to give evidence "
            "and a narrative for each element, with a supporter you name. We remind you before the deadline.",
        },
        {
            "value": Readiness.READY_LATER.value,
            "text": "I will be ready in 12 to 18 months",
            "hint": "No claim opens yet. We email you on the date you choose, and step 3 opens again for you "
            "to decide. Nothing is lost in the meantime.",
            "conditional": True,  # reveals the date
        },
        {
            "value": Readiness.FURTHER_DEVELOPMENT.value,
            "text": "I am considering further development first",
            "hint": "No claim opens and no deadline runs. We email you ways to develop your practice. When you "
            "are ready, you can decide again from your journey page, or join a later cohort.",
        },
    ]


RATINGS = [
    {"value": "1", "text": "1 - not yet"},
    {"value": "2", "text": "2"},
    {"value": "3", "text": "3"},
    {"value": "4", "text": "4"},
    {"value": "5", "text": "5 - confident"},
]


def field_id(element_id: str) -> str:
    """An element id as part of an HTML id ("1.2" -> "1-2"), so the error summary's links stay simple."""
    return element_id.replace(".", "-")


# --------------------------------------------------------------------------- register interest


class InterestForm(_Form):
    cohort_id: Annotated[str, Field(min_length=1, max_length=64)] = ""


@router.post("/journeys")
def register_interest() -> Response:
    form, _ = validate(InterestForm, first_values(form_data()))
    if form is None:
        return redirect("/home")
    journey = preparation.register_interest(me(), form.cohort_id)
    return redirect(f"/journeys/{journey.id}?registered=1")


# --------------------------------------------------------------------------- step 1: reflection


def _reflection_page(
    journey: Journey, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> Response:
    fw = framework(journey.framework_key)
    return page(
        "practitioner/reflection.html",
        status=status,
        page_title="Your reflection",
        journey=journey,
        framework=fw,
        values=values,
        errors=errors,
        ratings=RATINGS,
        field_id=field_id,
    )


@router.get("/journeys/<journey_id>/reflection")
def reflection_form(journey_id: str) -> Response:
    caller = me()
    journey = js.load_for(caller, journey_id)
    access.check_owner(caller, journey)
    values: dict[str, str] = {}
    saved = js.reflection(journey_id)
    if saved:
        values["career_note"] = saved.career_note
        for r in saved.ratings:
            values[f"rating-{r.element_id}"] = str(r.rating)
            values[f"note-{r.element_id}"] = r.note
    return _reflection_page(journey, values, {})


@router.post("/journeys/<journey_id>/reflection")
def save_reflection(journey_id: str) -> Response:
    caller = me()
    journey = js.load_for(caller, journey_id)
    values = first_values(form_data())
    submit = values.get("action") == "submit"
    errors: dict[str, str] = {}
    ratings: list[ElementRating] = []
    for element in framework(journey.framework_key).elements:
        rating = values.get(f"rating-{element.id}", "")
        note = values.get(f"note-{element.id}", "")
        if len(note) > 4000:
            errors[f"note-{field_id(element.id)}"] = (
                f"Element {element.id}: the note must be 4000 characters or fewer"
            )
        if rating in {"1", "2", "3", "4", "5"}:
            ratings.append(ElementRating(element_id=element.id, rating=int(rating), note=note[:4000]))
    if len(values.get("career_note", "")) > 8000:
        errors["career_note"] = "Your career note must be 8000 characters or fewer"
    if errors:
        return _reflection_page(journey, values, errors, status=400)
    try:
        preparation.save_reflection(caller, journey_id, ratings, values.get("career_note", ""), submit=submit)
    except ACTIONABLE as problem:
        rated = {r.element_id for r in ratings}
        for element in framework(journey.framework_key).elements:
            if problem.details and element.id not in rated:
                errors[f"rating-{field_id(element.id)}"] = f"Select a rating for element {element.id}"
        return _reflection_page(journey, values, errors or {"career_note": problem.message}, status=400)
    if submit:
        return redirect(f"/journeys/{journey_id}?done=reflection")
    return redirect(f"/journeys/{journey_id}/reflection?saved=1")


# --------------------------------------------------------------------------- step 3: decision


def _decision_page(
    journey: Journey, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> Response:
    return page(
        "practitioner/decision.html",
        status=status,
        page_title="Your decision",
        journey=journey,
        values=values,
        errors=errors,
        readiness=readiness_choices(js.cohort(journey.cohort_id).claim_window_months),
    )


def _date_from(values: dict[str, str], name: str) -> date | None:
    """A date typed in the three boxes; None if all are empty; ValueError with a message if invalid."""
    parts = [values.get(f"{name}-{p}", "").strip() for p in ("day", "month", "year")]
    if not any(parts):
        return None
    if not all(p.isdigit() for p in parts):
        raise ValueError("The date must be a real date, like 14 3 2027")
    try:
        return date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        raise ValueError("The date must be a real date, like 14 3 2027") from None


@router.get("/journeys/<journey_id>/decision")
def decision_form(journey_id: str) -> Response:
    caller = me()
    journey = js.load_for(caller, journey_id)
    access.check_owner(caller, journey)
    return _decision_page(journey, {}, {})


@router.post("/journeys/<journey_id>/decision")
def decide(journey_id: str) -> Response:
    caller = me()
    journey = js.load_for(caller, journey_id)
    values = first_values(form_data())
    errors: dict[str, str] = {}
    choice = values.get("readiness", "")
    if choice not in {r.value for r in Readiness}:
        errors["readiness"] = "Select what you have decided"
    reengage: date | None = None
    try:
        # The date belongs to "12 to 18 months" only: typed and then another choice made, it is ignored.
        if choice == Readiness.READY_LATER.value:
            reengage = _date_from(values, "reengage")
    except ValueError as problem:
        errors["reengage-day"] = str(problem)
    if len(values.get("note", "")) > 4000:
        errors["note"] = "Your note must be 4000 characters or fewer"
    if errors:
        return _decision_page(journey, values, errors, status=400)
    readiness = Readiness(choice)
    try:
        preparation.record_decision(caller, journey_id, readiness, reengage, values.get("note", ""))
    except ACTIONABLE as problem:
        where = "reengage-day" if readiness is Readiness.READY_LATER else "readiness"
        return _decision_page(journey, values, {where: problem.message}, status=400)
    return redirect(f"/journeys/{journey_id}/decided")


# --------------------------------------------------------------------------- step 4: the claim builder


# --------------------------------------------------------------------------- step 5: check and submit


def _check_page(caller: access.Caller, journey_id: str, errors: list[str], status: int = 200) -> Response:
    context = _claim_context(caller, journey_id)
    journey: Journey = context["journey"]
    if journey.stage is not Stage.CLAIM_DEVELOPMENT:
        return redirect(f"/journeys/{journey_id}")
    completeness: Completeness | None = context["completeness"]
    problems = errors or (completeness.missing if completeness else [])
    return page(
        "practitioner/check.html",
        status=status,
        page_title="Check your claim before you submit it",
        rows=_claim_rows(journey, context, editable=True),
        problems=pages.problem_links(journey_id, problems),
        errors={"submit": problems[0]} if errors else {},
        **{k: context[k] for k in ("journey", "completeness", "supporter", "deadline")},
    )


def _claim_rows(journey: Journey, context: dict[str, Any], *, editable: bool) -> list[dict[str, Any]]:
    base = f"/journeys/{journey.id}/claim"
    level = context["claim"].level if context["claim"] else None
    supporter = context["supporter"]
    rows: list[dict[str, Any]] = [
        {"key": "Level claimed", "value": LEVEL_NAMES[level] if level else "Not chosen yet"}
        | ({"href": f"{base}#level"} if editable else {}),
        {"key": "Supporter", "value": supporter.name if supporter else "Not named"}
        | ({"href": f"{base}#supporter_email"} if editable else {}),
    ]
    for element in context["framework"].elements:
        if element.id not in context["expected"]:
            continue
        files = [
            f"{i.display_name} ({_evidence_state(i)})"
            for i in context["evidence"]
            if element.id in i.elements
        ]
        narrative = context["narratives"].get(element.id, "").strip() or "No narrative yet"
        row: dict[str, Any] = {
            "key": f"{element.id} {element.title}",
            "value": [narrative, *(files or ["No evidence yet"])],
        }
        if editable:
            row |= {"href": f"{base}/{element.id}", "visually_hidden": f"element {element.id}"}
        rows.append(row)
    return rows


def _evidence_state(item: EvidenceItem) -> str:
    return {
        EvidenceStatus.VERIFIED: "verified",
        EvidenceStatus.PENDING: "being checked",
        EvidenceStatus.QUARANTINED: "not accepted",
    }[item.status]


@router.get("/journeys/<journey_id>/check")
def check_answers(journey_id: str) -> Response:
    return _check_page(me(), journey_id, [])


@router.post("/journeys/<journey_id>/submit")
def submit(journey_id: str) -> Response:
    caller = me()
    try:
        confirmations.submit_claim(caller, journey_id)
    except ACTIONABLE as problem:
        return _check_page(caller, journey_id, problem.details or [problem.message], 400)
    return redirect(f"/journeys/{journey_id}/submitted")


# --------------------------------------------------------------------------- the journey's status


DONE = {
    "registered": "You have registered your interest. Start with your reflection.",
    "reflection": "Your reflection has been submitted. Your academy will invite you to the workshop.",
    "decision": "Your decision has been recorded.",
    "submitted": "Your claim has been submitted. We will tell you when a panel has been chosen.",
    "commented": "Your comment has been added. The practitioner sees it with their claim.",
    "new-claim": "Your new claim has started. The steps you have done stay done.",
    "decide-again": "We are opening step 3 again. In a moment you can decide when to make your claim.",
}


def _actor_name(actor: str, caller: access.Caller, names: dict[str, str]) -> str:
    if actor == caller.id:
        return "You"
    if actor.startswith("system:"):
        return "The service"
    if actor not in names:
        found = people.person(actor)
        names[actor] = found.name if found else "Your academy"
    return names[actor]


@router.get("/journeys/<journey_id>")
def journey_status(journey_id: str) -> Response:
    return _status_page(me(), journey_id)


COMMENT_LIMIT = 4000


class CommentForm(_Form):
    element_id: Annotated[str, Field(max_length=20)] = ""
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=COMMENT_LIMIT)]


@router.post("/journeys/<journey_id>/comments")
def leave_comment(journey_id: str) -> Response:
    caller = me()
    values = first_values(form_data())
    form, errors = validate(CommentForm, values)
    if form is None:
        errors = {"text": "Enter your comment (4,000 characters or fewer)"} if "text" in errors else errors
        return _status_page(caller, journey_id, values, errors, 400)
    try:
        comments.comment(caller, journey_id, form.element_id or None, form.text)
    except (*ACTIONABLE, Forbidden) as problem:
        return _status_page(caller, journey_id, values, {"text": problem.message}, 409)
    return redirect(f"/journeys/{journey_id}?done=commented#comments")


def _comment_rows(journey: Journey, found: list[DraftComment]) -> list[list[str]]:
    titles = {e.id: e.title for e in framework(journey.framework_key).elements}
    return [
        [
            long_date(c.at),
            f"Element {c.element_id}: {titles.get(c.element_id, '')}"
            if c.element_id
            else "The claim as a whole",
            c.text,
        ]
        for c in found
    ]


def _status_page(
    caller: access.Caller,
    journey_id: str,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    # One Query of the journey's item collection and one BatchGetItem of the people it names.
    view = journey_page.load(caller, journey_id)
    journey: Journey = view.journey
    owner = caller.id == journey.practitioner_id
    names = {pid: p.name for pid, p in view.people.items()}
    # Everyone the trail names was in the batch: one not found there is a lead without a profile.
    names |= {
        e.actor: "A panel member" if e.actor == A_PANEL_MEMBER else "Your academy"
        for e in view.history
        if e.actor not in names
    }
    history = pages.plain_history(
        [(long_date(e.at), e.action, _actor_name(e.actor, caller, names)) for e in reversed(view.history)]
    )
    members = [
        {
            "key": view.members[seat.member_id].name if seat.member_id in view.members else "A panel member",
            "value": ("Chair, " if seat.chair else "") + seat.kind.value,
        }
        for seat in (view.panel.seats if view.panel else [])
    ]
    outcome = view.outcome
    cohort = view.cohort
    if cohort is None:
        raise NotFound(f"There is no cohort '{journey.cohort_id}'.")
    practitioner = view.people.get(journey.practitioner_id)
    context: dict[str, Any] = {
        "journey": journey,
        "framework": framework(journey.framework_key),
        "claim": view.claim,
        "evidence": view.evidence,
        "narratives": view.claim.narratives if view.claim else {},
        "supporter": view.people.get(journey.supporter_id) if journey.supporter_id else None,
    }
    level = view.claim.level if view.claim else None
    context["expected"] = {
        e.id for e in (context["framework"].elements_for(level) if level else context["framework"].elements)
    }
    done = query().get("done", "") or ("registered" if query().get("registered") else "")
    supporter = caller.id == journey.supporter_id
    draft_comments = view.comments
    return page(
        "practitioner/status.html",
        status=status,
        supporter=supporter,
        supporter_named=context["supporter"] is not None or bool(journey.supporter_id),
        comment_rows=_comment_rows(journey, draft_comments),
        can_comment=supporter and journey.stage is Stage.CLAIM_DEVELOPMENT,
        # Only the elements of the level claimed: a comment on an element the claim does not have
        # would be feedback the practitioner cannot act on.
        element_options=[("", "The claim as a whole")]
        + [(e.id, f"{e.id} {e.title}") for e in context["framework"].elements if e.id in context["expected"]],
        values=values or {},
        errors=errors or {},
        page_title="Your validation journey"
        if owner
        else f"{practitioner.name if practitioner else 'A'}'s claim",
        journey=journey,
        owner=owner,
        practitioner_name=practitioner.name if practitioner else "The practitioner",
        cohort=cohort,
        stage=STAGE_NAMES[journey.stage],
        steps=pages.step_items(journey, view.interview) if owner else [],
        action=pages.next_action(journey, cohort, view.interview),
        interview=pages.interview_details(journey, view.interview),
        # Just asked to decide again: step 3 opens in a moment, and the notice says so.
        further_development=journey.stage is Stage.CLOSED and done != "decide-again",
        further_means=pages.FURTHER_DEVELOPMENT_MEANS,
        feedback=pages.feedback_state(journey, view.feedback_given) if owner else "",
        history=history,
        members=members,
        outcome=outcome,
        outcome_name=_outcome_name(journey),
        notice=DONE.get(done, ""),
        claim_rows=_claim_rows(journey, context, editable=False) if view.claim else [],
        certificate_href=f"/certificates/{quote(journey.certificate_id)}" if journey.certificate_id else "",
        certificate_link="See and share your certificate"
        if owner
        else f"See {practitioner.name if practitioner else 'the practitioner'}'s certificate",
        panel_href=pages.panel_href(caller, journey, view.panel),
        **pages.after_outcome(journey, outcome, owner),
    )


@router.post("/journeys/<journey_id>/new-claim")
def new_claim(journey_id: str) -> Response:
    caller = me()
    try:
        js.start_new_claim(caller, journey_id)
    except ACTIONABLE as problem:
        return _status_page(caller, journey_id, errors={"new-claim": problem.message}, status=409)
    return redirect(f"/journeys/{journey_id}?done=new-claim")


@router.post("/journeys/<journey_id>/decide-again")
def decide_again(journey_id: str) -> Response:
    """The route back after "considering further development": step 3 opens again."""
    caller = me()
    try:
        js.decide_again(caller, journey_id)
    except ACTIONABLE as problem:
        return _status_page(caller, journey_id, errors={"decide-again": problem.message}, status=409)
    # The execution opens step 3 in a moment (it runs on its own): the journey page says so meanwhile.
    return redirect(f"/journeys/{journey_id}?done=decide-again")


def _outcome_name(journey: Journey) -> str:
    if journey.outcome is None:
        return ""
    if journey.outcome is Outcome.NOT_YET:
        return "Not yet validated"
    if journey.certificate_revoked:
        # Issue 15.5: after a revocation the journey may not say "validated".
        return f"{LEVEL_NAMES[Level(journey.outcome.value)]}: certificate revoked"
    return LEVEL_NAMES[Level(journey.outcome.value)]
