"""Pages for panel members (issue 4): my assignments, the conflict declaration, the element-by-element
review, the combined view of every review, and the chair's outcome form.

Every rule (who may see what, when evidence opens, when others' reviews show) lives in
services.panels; these pages only gather the form and show the service's answer.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from ..dal.evidence import DOWNLOAD_LINK_SECONDS
from ..domain.access import Caller as DomainCaller
from ..domain.errors import DomainError, Forbidden, NotFound
from ..domain.models import (
    ElementJudgement,
    EvidenceStatus,
    FrameworkElement,
    Judgement,
    Outcome,
    Recommendation,
    Review,
    Role,
    Stage,
)
from ..services import (
    adjustments,
    attestations,
    interviews,
    panel_overview,
    panel_reviews,
    panels,
    people,
    review_drafts,
    seats,
)
from ..services import journeys as js
from .access import domain_caller
from .forms import first_values
from .pages import academy_name
from .panel_work import Assignment, assignment, assignment_rows, my_review, next_step_for
from .request import app, form_data, page, redirect, require_role
from .review_form import COMMENT_LIMIT, ReviewMode, field_id, read_draft, review_mode, review_values, too_long

router: Router = Router()

PATH_ID = "<journey_id>"
JUDGEMENT_TEXT = {
    Judgement.EVIDENCED: "Evidenced",
    Judgement.PARTLY: "Partly evidenced",
    Judgement.NOT_YET: "Not yet evidenced",
}
RECOMMENDATION_TEXT = {
    Recommendation.LEADER: "System OD leader",
    Recommendation.PRACTITIONER: "System OD practitioner",
    Recommendation.NOT_YET: "Not yet validated",
}
OUTCOME_TEXT = {
    Outcome.LEADER: "System OD leader",
    Outcome.PRACTITIONER: "System OD practitioner",
    Outcome.NOT_YET: "Not yet validated",
}
NOTE_LIMIT = 2000
PLAN_LIMIT = 8000


def member_caller() -> DomainCaller:
    return domain_caller(require_role(Role.PANEL, Role.ACADEMY_LEAD, Role.NATIONAL_LEAD))


# --------------------------------------------------------------------------- my assignments


@router.get("/panel")
def assignments() -> Response:
    caller = member_caller()
    query = app.current_event.query_string_parameters or {}
    rows = assignment_rows(caller)
    notice = {
        "conflict": "You declared a conflict of interest. Your seat has been offered to another member.",
    }.get(query.get("done", ""), "")
    return page("panel/assignments.html", page_title="My panel assignments", rows=rows, notice=notice)


@router.get(f"/panel/{PATH_ID}")
def next_for_me(journey_id: str) -> Response:
    """Where every panel email links: the page where this member acts next on this claim."""
    return redirect(next_step_for(member_caller(), journey_id))


# --------------------------------------------------------------------------- conflict declaration


def conflict_facts(a: Assignment) -> list[dict[str, Any]]:
    """What a conflict is judged on, about the practitioner: where they work, their academy and who
    manages them (a member who works there or sits in that chain declares a conflict)."""
    who = a.practitioner
    managers = []
    for manager_id in who.line_managers if who else []:
        found = people.person(manager_id)
        managers.append(
            f"{found.name}{f', {found.employer}' if found.employer else ''}" if found else "Not known"
        )
    return [
        {"key": "Practitioner", "value": a.practitioner_name},
        {"key": "Employer", "value": (who.employer if who else None) or "Not given"},
        {
            "key": "Local Leadership Academy",
            "value": academy_name(who.academy_id if who else a.journey.academy_id),
        },
        {"key": "Line managers" if len(managers) > 1 else "Line manager", "value": managers or ["Not given"]},
        {"key": "Level claimed", "value": a.level_name},
    ]


def _declaration_page(
    a: Assignment, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> Response:
    return page(
        "panel/declaration.html",
        status=status,
        page_title="Do you have a conflict of interest?",
        a=a,
        facts=conflict_facts(a),
        values=values,
        errors=errors,
    )


@router.get(f"/panel/{PATH_ID}/declaration")
def declaration_form(journey_id: str) -> Response:
    a = assignment(member_caller(), journey_id)
    if a.seat.declared:
        return redirect(f"/panel/{journey_id}/review")
    return _declaration_page(a, {}, {})


@router.post(f"/panel/{PATH_ID}/declaration")
def declare(journey_id: str) -> Response:
    caller = member_caller()
    a = assignment(caller, journey_id)
    values = first_values(form_data())
    answer, note = values.get("conflict", ""), values.get("note", "").strip()
    errors: dict[str, str] = {}
    if answer not in {"no", "yes"}:
        errors["conflict"] = "Select whether you have a conflict of interest"
    elif answer == "yes" and not note:
        errors["note"] = "Describe the conflict of interest"
    if problem := too_long(note, NOTE_LIMIT, "The description"):
        errors["note"] = problem
    if errors:
        return _declaration_page(a, values, errors, status=400)
    try:
        panels.declare(caller, journey_id, conflict=answer == "yes", note=note)
    except DomainError as problem:
        return _declaration_page(a, values, {"conflict": problem.message}, status=409)
    if answer == "yes":
        return redirect("/panel?done=conflict")
    return redirect(f"/panel/{journey_id}/review")


@router.get(f"/panel/{PATH_ID}/evidence/<evidence_id>")
def evidence(journey_id: str, evidence_id: str) -> Response:
    """A short-lived download link, made (and audited) at the moment the member asks for it."""
    url = panels.evidence_link(member_caller(), journey_id, evidence_id)
    return redirect(url)


# --------------------------------------------------------------------------- the review


def _review_page(
    caller: DomainCaller,
    a: Assignment,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
    *,
    mode: ReviewMode | None = None,
) -> Response:
    mode = mode or review_mode(caller, a)
    claim = js.claim(a.journey)
    narratives = claim.narratives if claim else {}
    by_element: dict[str, list[dict[str, Any]]] = {}
    attested = attestations.confirmed(a.journey)  # "attested by ..." beside the evidence (issue 18.2)
    for item in js.evidence(a.journey):
        if item.status is EvidenceStatus.VERIFIED:
            # A library file linked to several elements is listed under each (issue 16.6), one link.
            for element_id in item.elements:
                by_element.setdefault(element_id, []).append(
                    {
                        "name": item.label,
                        "href": f"/panel/{a.journey.id}/evidence/{item.id}",
                        "attested": attested.get(item.id, []),
                    }
                )
    elements = [
        {
            "id": e.id,
            "title": e.title,
            "description": e.description,
            "narrative": narratives.get(e.id, ""),
            "evidence": by_element.get(e.id, []),
            "judgement_field": field_id("judgement", e.id),
            "comment_field": field_id("comment", e.id),
        }
        for e in a.elements
    ]
    return page(
        "panel/review.html",
        status=status,
        page_title=f"Review {a.practitioner_name}'s claim",
        a=a,
        elements=elements,
        judgements=[{"value": j.value, "text": t} for j, t in JUDGEMENT_TEXT.items()],
        recommendations=[{"value": r.value, "text": t} for r, t in RECOMMENDATION_TEXT.items()],
        link_minutes=DOWNLOAD_LINK_SECONDS // 60,
        values=values,
        errors=errors,
        mode=mode,
        judgement_text={j.value: t for j, t in JUDGEMENT_TEXT.items()},
        recommendation_text={r.value: t for r, t in RECOMMENDATION_TEXT.items()},
        notice=_REVIEW_NOTICES.get((app.current_event.query_string_parameters or {}).get("saved", ""), ""),
    )


_REVIEW_NOTICES = {
    "draft": "Your draft has been saved. No one else can see it: come back to it at any time before "
    "the review is due, then submit your review.",
}


@router.get(f"/panel/{PATH_ID}/review")
def review_form(journey_id: str) -> Response:
    caller = member_caller()
    a = assignment(caller, journey_id)
    if not a.seat.declared:
        # Evidence is shown only after declaring: send the member to the declaration first.
        return redirect(f"/panel/{journey_id}/declaration")
    mode = review_mode(caller, a)
    if mode.submitted is None and a.journey.stage is not Stage.PANEL_REVIEW:
        return redirect(f"/panel/{journey_id}/reviews")
    # The form as the member left it: their submitted review (to change it), else their draft.
    return _review_page(caller, a, review_values(mode), {}, mode=mode)


def read_review(
    elements: list[FrameworkElement], values: dict[str, str]
) -> tuple[list[ElementJudgement], Recommendation | None, dict[str, str]]:
    """The judgements and recommendation as typed, and a message per field that is missing or too long."""
    errors: dict[str, str] = {}
    judgements: list[ElementJudgement] = []
    allowed = {j.value for j in Judgement}
    for e in elements:
        choice = values.get(field_id("judgement", e.id), "")
        comment = values.get(field_id("comment", e.id), "").strip()
        if choice not in allowed:
            errors[field_id("judgement", e.id)] = f"Select a judgement for element {e.id}, {e.title}"
        elif problem := too_long(comment, COMMENT_LIMIT, f"The comment on element {e.id}"):
            errors[field_id("comment", e.id)] = problem
        else:
            judgements.append(ElementJudgement(element_id=e.id, judgement=Judgement(choice), comment=comment))
    raw = values.get("recommendation", "")
    recommendation = Recommendation(raw) if raw in {r.value for r in Recommendation} else None
    if recommendation is None:
        errors["recommendation"] = "Select your overall recommendation"
    return judgements, recommendation, errors


@router.post(f"/panel/{PATH_ID}/review")
def submit_review(journey_id: str) -> Response:
    """One form, two buttons: "Submit review" (or "Save changes") checks every element is judged;
    "Save as draft" keeps whatever is there."""
    caller = member_caller()
    a = assignment(caller, journey_id)
    if not a.seat.declared:
        return redirect(f"/panel/{journey_id}/declaration")
    values = first_values(form_data())
    if values.get("action") == "draft":
        drafted, recommendation, errors = read_draft(a.elements, values)
        if errors:
            return _review_page(caller, a, values, errors, status=400)
        try:
            review_drafts.save_draft(caller, journey_id, drafted, recommendation)
        except DomainError as problem:
            return _review_page(caller, a, values, {"recommendation": problem.message}, status=409)
        return redirect(f"/panel/{journey_id}/review?saved=draft")
    judgements, recommendation, errors = read_review(a.elements, values)
    if errors or recommendation is None:
        return _review_page(caller, a, values, errors, status=400)
    try:
        review = panel_reviews.submit_review(caller, journey_id, judgements, recommendation)
    except DomainError as problem:
        return _review_page(caller, a, values, {"recommendation": problem.message}, status=409)
    return redirect(f"/panel/{journey_id}/reviews?{'changed' if review.changed_at else 'submitted'}=1")


# --------------------------------------------------------------------------- the combined view


def reviewer_label(member_id: str, caller: DomainCaller, a: Assignment) -> str:
    """A reviewer as the others tell them apart: name, role on this panel and organisation (two
    members can share a name)."""
    seat = next((s for s in a.panel.seats if s.member_id == member_id), None)
    role = ("Chair, " if seat and seat.chair else "") + (seat.kind.value if seat else "member")
    name, organisation = "A panel member", ""
    try:
        found = panels.member(member_id)
        name, organisation = found.name, found.employer
    except NotFound:
        person = people.person(member_id)
        if person is not None:
            name, organisation = person.name, person.employer or ""
    if member_id == caller.id:
        name = "You"
    return f"{name} ({role}{f', {organisation}' if organisation else ''})"


def element_disagreements(a: Assignment, reviews: list[Review], service_flags: list[str]) -> dict[str, str]:
    """Element id -> what the reviewers said, for every element they did not judge alike: a grade apart
    (evidenced and partly) as well as the two apart the service flags for moderation."""
    found: dict[str, str] = {}
    for e in a.elements:
        said = [j.judgement for r in reviews for j in r.judgements if j.element_id == e.id]
        if len(set(said)) > 1:
            counts = ", ".join(
                f"{JUDGEMENT_TEXT[j].lower()} ({said.count(j)})" for j in JUDGEMENT_TEXT if j in said
            )
            flag = next((f for f in service_flags if f.startswith(f"Element {e.id}:")), "")
            found[e.id] = flag or f"Element {e.id}: judgements differ: {counts}."
    return found


@router.get(f"/panel/{PATH_ID}/reviews")
def combined(journey_id: str) -> Response:
    caller = member_caller()
    panel_reviews.read_ahead(caller, journey_id)  # two round trips for everything the page reads
    a = assignment(caller, journey_id)
    found = my_review(caller, journey_id)
    if found is None:
        return redirect(
            f"/panel/{journey_id}/review" if a.seat.declared else f"/panel/{journey_id}/declaration"
        )
    reviews, flags = found
    complete = len(reviews) >= len(a.panel.seats)
    panel_overview.read_members([r.member_id for r in reviews])  # one round trip, not one per reviewer
    names = {r.member_id: reviewer_label(r.member_id, caller, a) for r in reviews}
    differing = element_disagreements(a, reviews, flags) if complete else {}
    wide = {e.id for e in a.elements if any(f.startswith(f"Element {e.id}:") for f in flags)}
    elements = []
    for e in a.elements:
        rows = []
        for r in reviews:
            j = next((x for x in r.judgements if x.element_id == e.id), None)
            if j is not None:
                rows.append([names[r.member_id], JUDGEMENT_TEXT[j.judgement], j.comment or "No comment"])
        elements.append(
            {"id": e.id, "title": e.title, "rows": rows, "differ": e.id in differing, "wide": e.id in wide}
        )
    # Element by element first (in the framework's order), then the service's other flags (the
    # recommendations).
    shown_flags = [*differing.values(), *(f for f in flags if not f.startswith("Element "))]
    query = app.current_event.query_string_parameters or {}
    return page(
        "panel/reviews.html",
        page_title=f"All reviews of {a.practitioner_name}'s claim",
        a=a,
        elements=elements,
        recommendations=[[names[r.member_id], RECOMMENDATION_TEXT[r.recommendation]] for r in reviews],
        flags=shown_flags,
        complete=complete,
        reviewed_count=len(reviews),
        notice="Your review has been submitted."
        if query.get("submitted")
        else "Your review has been changed."
        if query.get("changed")
        else "",
        can_change=review_mode(caller, a).can_change,
        # The chair conducts the interview: they alone are told an agreed interview adjustment's format
        # and length (never what was asked, nor why); the other members are told nothing of it.
        interview_adjustment=adjustments.agreed_interview(journey_id)
        if a.seat.chair and a.journey.stage is Stage.INTERVIEW
        else "",
    )


# --------------------------------------------------------------------------- the outcome (chair)


def _outcome_page(
    a: Assignment, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> Response:
    return page(
        "panel/outcome.html",
        status=status,
        page_title="Record the outcome",
        a=a,
        outcomes=[{"value": o.value, "text": t} for o, t in OUTCOME_TEXT.items()],
        elements=[{"id": e.id, "title": e.title, "field": field_id("feedback", e.id)} for e in a.elements],
        values=values,
        errors=errors,
    )


def _chair_assignment(journey_id: str) -> tuple[DomainCaller, Assignment]:
    caller = member_caller()
    a = assignment(caller, journey_id)
    if not a.seat.chair:
        raise Forbidden("Only the panel chair records the outcome.")
    return caller, a


@router.get(f"/panel/{PATH_ID}/outcome")
def outcome_form(journey_id: str) -> Response:
    _, a = _chair_assignment(journey_id)
    recorded = seats.outcome_of(a.journey)
    if recorded is not None:
        return page(
            "panel/outcome_recorded.html",
            page_title="The outcome is recorded",
            a=a,
            outcome=OUTCOME_TEXT[recorded.outcome],
        )
    return _outcome_page(a, {}, {})


@router.post(f"/panel/{PATH_ID}/outcome")
def record_outcome(journey_id: str) -> Response:
    caller, a = _chair_assignment(journey_id)
    values = first_values(form_data())
    errors: dict[str, str] = {}
    raw = values.get("outcome", "")
    if raw not in {o.value for o in Outcome}:
        errors["outcome"] = "Select the outcome"
    feedback: dict[str, str] = {}
    for e in a.elements:
        text = values.get(field_id("feedback", e.id), "").strip()
        if problem := too_long(text, COMMENT_LIMIT, f"The feedback on element {e.id}"):
            errors[field_id("feedback", e.id)] = problem
        elif text:
            feedback[e.id] = text
    plan = values.get("development_plan", "").strip()
    if problem := too_long(plan, PLAN_LIMIT, "The development plan"):
        errors["development_plan"] = problem
    if errors:
        return _outcome_page(a, values, errors, status=400)
    try:
        interviews.record_outcome(caller, journey_id, Outcome(raw), feedback, plan)
    except DomainError as problem:
        return _outcome_page(a, values, {"outcome": problem.message}, status=409)
    return redirect(f"/panel/{journey_id}/outcome")
