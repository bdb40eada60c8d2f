"""A lead's pages about cohorts and one practitioner's journey (issue 17).

The cohort page records workshop attendance (attended, or did not attend, from the workshop day on);
the journey page shows the reflection, decision, claim, reviews, interview, outcome and history, with
the actions open at that point (an equivalent session, the extension, the interview, resuming,
revoking). The rules stay in the services; an academy lead reads their academy's claims, a national
lead sees where a journey is but not its content (`journeys.sees_content`).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from .. import clock
from ..domain import journey as rules
from ..domain.access import Caller as DomainCaller
from ..domain.crosswalk import destinations
from ..domain.errors import DomainError, NotFound
from ..domain.frameworks import framework
from ..domain.models import EquivalentSession, EvidenceItem, Journey, Panel, Readiness, Stage
from ..domain.uk_time import in_uk
from ..services import attestations, interviews, journey_page, panel_reviews, preparation, seats
from ..services import journeys as js
from .forms import first_values
from .pages import (
    FURTHER_DEVELOPMENT_MEANS,
    LEVEL_NAMES,
    STAGE_NAMES,
    academy_name,
    history_reason,
    lead_stage_text,
    long_date,
    stopped_text,
)
from .request import app, form_data, page, redirect
from .routes_lead import STAGE_TEXT, _day, _name, lead_caller

router: Router = Router()

READINESS_TEXT = {
    Readiness.READY_NOW: "Ready to make a claim now",
    Readiness.READY_LATER: "Ready in 12 to 18 months",
    Readiness.FURTHER_DEVELOPMENT: "Considering further development first",
}
JUDGEMENT_TEXT = {
    "evidenced": "Evidenced",
    "partly_evidenced": "Partly evidenced",
    "not_yet_evidenced": "Not yet",
}
RECOMMENDATION_TEXT = {
    "system_od_leader": "System OD leader",
    "system_od_practitioner": "System OD practitioner",
    "not_yet": "Not yet",
}
EQUIVALENTS = [
    {"value": EquivalentSession.OTHER_COHORT.value, "text": "Another cohort's workshop"},
    {"value": EquivalentSession.ONE_TO_ONE.value, "text": "A one-to-one session"},
    {"value": EquivalentSession.ADJUSTMENT.value, "text": "A session arranged as a reasonable adjustment"},
]
NOTICES = {
    "attendance": "Attendance recorded.",
    "absent": "Recorded that they did not attend the workshop.",
    "equivalent": "Equivalent session recorded.",
    "held": "Recorded that the interview took place: the panel chair can now record the outcome.",
    "revoked": "The certificate is revoked. Anyone who checks it is told so.",
    "extension": "Extension granted.",
    "resumed": "Journey resumed.",
    "interview": "Interview arranged: the panel and the practitioner have been sent an invitation.",
    "panel": "Panel assigned.",
    "changed": "The cohort's details are saved.",
    "moved": "Claim moved to another framework version: the practitioner has been emailed what it now "
    "covers and what is left to do.",
    "already-moved": "The claim is already on that framework version: nothing was moved again.",
}


def _notice() -> str:
    return NOTICES.get((app.current_event.query_string_parameters or {}).get("done", ""), "")


# --------------------------------------------------------------------------- a cohort and its attendance


def interview_text(j: Journey) -> str:
    """'Interview on 18 Dec 2026' once it is arranged, else ''."""
    arranged = seats.interview_of(j) if j.stage is Stage.INTERVIEW else None
    if arranged is None:
        return ""
    if arranged.held_at is not None:
        return f"Interview held on {in_uk(arranged.held_at):%-d %b %Y}"
    return f"Interview on {in_uk(arranged.at):%-d %b %Y}"  # the UK's day (23:30 UTC may be tomorrow)


def _actions(j: Journey) -> list[dict[str, str]]:
    """Links for what the lead can do for this journey now (each service still checks the rules)."""
    links: list[dict[str, str]] = []
    if j.stage in {Stage.REFLECTION, Stage.WORKSHOP} and not j.workshop_attended:
        links.append({"href": f"/lead/journeys/{j.id}/equivalent", "text": "Record an equivalent session"})
    if j.stage is Stage.CLAIM_DEVELOPMENT and not j.extension_granted:
        links.append({"href": f"/lead/journeys/{j.id}/extension", "text": "Grant extension"})
    if j.stage is Stage.CLAIM_DEVELOPMENT and destinations(j.framework_key):
        links.append({"href": f"/lead/journeys/{j.id}/framework", "text": "Move to another framework"})
    if j.stage is Stage.AWAITING_PANEL:
        links.append({"href": f"/lead/assignments/{j.id}", "text": "Resolve panel"})
    if j.stage is Stage.INTERVIEW:
        arranged = interview_text(j)
        links.append({"href": f"/lead/journeys/{j.id}/interview", "text": arranged or "Arrange interview"})
    if j.stage is Stage.VALIDATED and j.certificate_id:
        links.append({"href": f"/lead/certificates/{j.certificate_id}/revoke", "text": "Revoke certificate"})
    return links


def _workshop_text(j: Journey) -> str:
    if j.workshop_equivalent:
        return f"Attended an equivalent session: {j.workshop_equivalent}"
    if j.workshop_attended:
        return "Attended"
    if j.workshop_absent:
        return "Did not attend"
    return "Not recorded"


def _cohort_page(
    caller: DomainCaller, cohort_id: str, values: dict[str, Any], errors: dict[str, str], status: int = 200
) -> Response:
    c = js.cohort(cohort_id)
    journeys = js.cohort_journeys(caller, cohort_id)
    rows = [
        {
            "id": j.id,
            "name": _name(j.practitioner_id),
            "stage": lead_stage_text(j, STAGE_TEXT),
            "step": rules.step_number(j.stage),
            "deadline": _day(j.claim_deadline),
            "extension": j.extension_granted,
            "stopped": j.failure is not None,
            "actions": _actions(j),
        }
        for j in journeys
    ]
    at_workshop = [
        {
            "value": j.id,
            "text": _name(j.practitioner_id),
            "hint": "Recorded as not attending" if j.workshop_absent else "",
        }
        for j in journeys
        if j.stage in {Stage.REFLECTION, Stage.WORKSHOP} and not j.workshop_attended
    ]
    return page(
        "lead/cohort.html",
        status=status,
        page_title=c.name,
        cohort=c,
        rows=rows,
        at_workshop=at_workshop,
        workshop_open=clock.now().date() >= c.workshop_date,
        values=values,
        errors=errors,
        notice=_notice(),
    )


@router.get("/lead/cohorts/<cohort_id>")
def cohort(cohort_id: str) -> Response:
    return _cohort_page(lead_caller(), cohort_id, {"people": []}, {})


@router.post("/lead/cohorts/<cohort_id>/attendance")
def attendance(cohort_id: str) -> Response:
    caller = lead_caller()
    data = form_data()
    values: dict[str, Any] = {**first_values(data), "people": [v for v in data.get("people", []) if v]}
    errors: dict[str, str] = {}
    if not values["people"]:
        errors["people"] = "Select the practitioners whose attendance you are recording"
    if values.get("attended") not in {"yes", "no"}:
        errors["attended"] = "Select whether they attended the workshop"
    if errors:
        return _cohort_page(caller, cohort_id, values, errors, status=400)
    attended = values["attended"] == "yes"
    try:
        preparation.record_attendance(caller, cohort_id, values["people"], attended=attended)
    except DomainError as problem:
        return _cohort_page(caller, cohort_id, values, {"people": problem.message}, status=409)
    return redirect(f"/lead/cohorts/{cohort_id}?done={'attendance' if attended else 'absent'}")


# --------------------------------------------------------------------------- one journey


def _names(view: journey_page.JourneyPage) -> Any:
    """Names for ids: the people and members the page's one BatchGetItem brought, else one read each."""
    cache: dict[str, str] = {pid: p.name for pid, p in view.people.items()}
    cache |= {mid: m.name for mid, m in view.members.items()}

    def name(person_id: str) -> str:
        if person_id.startswith("system:"):
            return "The service"
        if person_id not in cache:
            cache[person_id] = _name(person_id)
        return cache[person_id]

    return name


def _reflection(j: Journey, titles: dict[str, str]) -> dict[str, Any] | None:
    found = js.reflection(j.id)
    if found is None:
        return None
    return {
        "submitted": found.submitted,
        "rows": [
            [f"{r.element_id} {titles.get(r.element_id, '')}", str(r.rating), r.note] for r in found.ratings
        ],
        "career_note": found.career_note,
    }


def _reviews(caller: DomainCaller, j: Journey, name: Any, titles: dict[str, str]) -> list[dict[str, Any]]:
    if not j.claim_number or j.stage not in {
        Stage.PANEL_REVIEW,
        Stage.INTERVIEW,
        Stage.VALIDATED,
        Stage.NOT_YET_VALIDATED,
    }:
        return []
    try:
        reviews, _ = panel_reviews.reviews_for(caller, j.id)
    except NotFound:
        return []
    return [
        {
            "by": name(r.member_id),
            "recommendation": RECOMMENDATION_TEXT.get(r.recommendation.value, r.recommendation.value),
            "rows": [
                [
                    f"{x.element_id} {titles.get(x.element_id, '')}",
                    JUDGEMENT_TEXT[x.judgement.value],
                    x.comment,
                ]
                for x in r.judgements
            ],
        }
        for r in reviews
    ]


def _told_apart(name: Any, members: dict[str, Any]) -> Any:
    """A member's name with their organisation and academy: two members may share a name."""

    def label(person_id: str) -> str:
        m = members.get(person_id)
        return f"{name(person_id)} ({m.employer}, {academy_name(m.academy_id)})" if m else name(person_id)

    return label


def _panel(panel: Panel | None, name: Any, members: dict[str, Any]) -> list[dict[str, str]]:
    # Each seat says the member's organisation and academy too: two members may share a name.
    return [
        {
            "key": name(seat.member_id),
            "value": ", ".join(
                [("Chair, " if seat.chair else "") + seat.kind.value]
                + (
                    [members[seat.member_id].employer, academy_name(members[seat.member_id].academy_id)]
                    if seat.member_id in members
                    else []
                )
                + (["declared no conflict"] if seat.declared else ["not declared yet"])
            ),
        }
        for seat in (panel.seats if panel else [])
    ]


def _evidence_rows(j: Journey, items: list[EvidenceItem]) -> list[list[str]]:
    """File, element, check, and who attested it (issue 18.2): only for a reader who sees the content."""
    attested = attestations.confirmed(j) if items else {}
    return [
        [
            e.label,
            ", ".join(e.elements) or "None yet",
            e.status.value.capitalize(),
            "; ".join(a.mark() for a in attested.get(e.id, [])),
        ]
        for e in items
    ]


def _journey_page(caller: DomainCaller, journey_id: str) -> Response:
    # The journey's items in one Query and the people, members and cohort it names in one BatchGetItem,
    # access checked and the history shaped for this reader, as on the practitioner's journey page.
    view = journey_page.load(caller, journey_id)
    j = view.journey
    content = js.sees_content(caller, j)
    name = _names(view)
    fw = framework(j.framework_key)
    titles = {e.id: e.title for e in fw.elements}
    # load() already withholds the claim from a reader who may not see it; the page holds to it too.
    claim = view.claim if content else None
    interview = seats.interview_of(j) if j.claim_number else None
    outcome = view.outcome
    summary = [
        {"key": "Cohort", "value": view.cohort.name if view.cohort else j.cohort_id},
        {"key": "Stage", "value": STAGE_NAMES[j.stage]},
        {"key": "Workshop", "value": _workshop_text(j)},
    ]
    if j.readiness:
        decided = READINESS_TEXT[j.readiness]
        summary.append(
            {
                "key": "Decision",
                "value": decided + (f", from {long_date(j.reengage_on)}" if j.reengage_on else ""),
            }
        )
    if j.stage is Stage.CLOSED:
        # The same truth the practitioner reads on their journey page, and their route back.
        summary.append(
            {
                "key": "What this means",
                "value": f"{FURTHER_DEVELOPMENT_MEANS} When they are ready, they can decide again from their "
                "journey page (step 3 opens again), or join a later cohort.",
            }
        )
    if j.claim_deadline:
        extended = " (extended)" if j.extension_granted else ""
        summary.append({"key": "Claim deadline", "value": long_date(j.claim_deadline) + extended})
    if j.failure:
        summary.append({"key": "Stopped", "value": stopped_text(j.failure)})
    return page(
        "lead/journey.html",
        page_title=f"{name(j.practitioner_id)}'s journey",
        journey=j,
        name=name(j.practitioner_id),
        content=content,
        summary=summary,
        notice=_notice(),
        actions=_actions(j),
        reflection=_reflection(j, titles) if content else None,
        claim=claim,
        level=LEVEL_NAMES[claim.level] if claim and claim.level else "",
        narratives=[
            [f"{e} {titles.get(e, '')}", text] for e, text in (claim.narratives.items() if claim else [])
        ],
        evidence=_evidence_rows(j, view.evidence) if content else [],
        panel=_panel(view.panel, name, view.members),
        reviews=_reviews(caller, j, _told_apart(name, view.members), titles) if content else [],
        interview=interview,
        adjustments=view.adjustments,  # load() gives them to the academy's leads only
        can_record_held=j.stage is Stage.INTERVIEW
        and interview is not None
        and interview.held_at is None
        and interview.has_started(clock.now()),
        outcome=outcome,
        outcome_text=RECOMMENDATION_TEXT.get(j.outcome.value, "") if j.outcome else "",
        outcome_feedback=[[f"{e} {titles.get(e, '')}", t] for e, t in outcome.feedback.items()]
        if outcome and content
        else [],
        history=[
            [long_date(e.at), e.action[:1].upper() + e.action[1:], name(e.actor), history_reason(e)]
            for e in reversed(view.history)
        ],
    )


@router.get("/lead/journeys/<journey_id>")
def journey(journey_id: str) -> Response:
    return _journey_page(lead_caller(), journey_id)


@router.post("/lead/journeys/<journey_id>/interview-held")
def interview_held(journey_id: str) -> Response:
    caller = lead_caller()
    try:
        interviews.record_interview_held(caller, journey_id)
    except DomainError as problem:
        return page(
            "lead/problem.html",
            status=409,
            page_title="The interview was not recorded",
            message=problem.message,
        )
    return redirect(f"/lead/journeys/{journey_id}?done=held")


# --------------------------------------------------------------------------- an equivalent session


def _equivalent_page(
    j: Journey, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> Response:
    return page(
        "lead/equivalent.html",
        status=status,
        page_title="Record an equivalent session",
        journey=j,
        name=_name(j.practitioner_id),
        options=EQUIVALENTS,
        values=values,
        errors=errors,
    )


@router.get("/lead/journeys/<journey_id>/equivalent")
def equivalent_form(journey_id: str) -> Response:
    return _equivalent_page(js.load_for(lead_caller(), journey_id), {}, {})


@router.post("/lead/journeys/<journey_id>/equivalent")
def equivalent(journey_id: str) -> Response:
    caller = lead_caller()
    j = js.load_for(caller, journey_id)
    values = first_values(form_data())
    errors: dict[str, str] = {}
    if values.get("kind") not in {o["value"] for o in EQUIVALENTS}:
        errors["kind"] = "Select the session they attended instead of the workshop"
    reason = values.get("reason", "").strip()
    if not reason:
        errors["reason"] = "Enter why this session stands in for the workshop"
    elif len(reason) > 2000:
        errors["reason"] = "The reason must be 2000 characters or fewer"
    if errors:
        return _equivalent_page(j, values, errors, status=400)
    try:
        preparation.record_equivalent_session(caller, journey_id, EquivalentSession(values["kind"]), reason)
    except DomainError as problem:
        return _equivalent_page(j, values, {"kind": problem.message}, status=409)
    return redirect(f"/lead/journeys/{journey_id}?done=equivalent")
