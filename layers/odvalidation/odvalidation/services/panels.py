"""Panels of peers and experts: the pool, assignment, conflict declarations, reviews, the interview
and the outcome (issue 4). The choice of panel is the pure solver in domain/panels.py."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from .. import clock
from ..dal import evidence as evidence_store
from ..dal import keys, mail, workflow
from ..dal import schedules as schedule_store
from ..dal.store import Change, from_item, to_item
from ..domain import panels as solver
from ..domain.access import Caller, check_lead, is_lead_for, reads_claims_as_lead
from ..domain.claims import claimed_elements
from ..domain.errors import Conflict, Forbidden, InvalidInput, InvalidTransition, NotFound, Unavailable
from ..domain.frameworks import framework
from ..domain.models import (
    AuditEvent,
    ElementJudgement,
    EvidenceItem,
    Interview,
    Journey,
    Judgement,
    Outcome,
    OutcomeRecord,
    Panel,
    PanelSeat,
    Person,
    Recommendation,
    Review,
    Stage,
)
from ..settings import settings
from . import journeys as js
from .common import db, moved, part, reapplied, record, updated

REVIEW_DAYS = 28
SYSTEM = "system:panel-assignment"


# ---------------------------------------------------------------------------- the pool


def pool() -> list[solver.PanelMember]:
    return db().query_models(solver.PanelMember, "POOL", index="GSI2", prefix="MEMBER#")


def member(member_id: str) -> solver.PanelMember:
    found = db().get_model(solver.PanelMember, keys.member(member_id))
    if found is None:
        raise NotFound(f"There is no panel member '{member_id}'.")
    return found


def member_item(m: solver.PanelMember) -> dict[str, Any]:
    return to_item(m, keys.member(m.id), GSI2PK="POOL", GSI2SK=f"MEMBER#{m.id}")


# What a lead may change; the member's load and declared conflicts stay the service's.
_LEAD_FIELDS = frozenset(solver.MemberDetails.model_fields) - {"id"}


def save_member(caller: Caller, details: solver.MemberDetails) -> solver.PanelMember:
    """Add or change a pool member (a lead of the member's academy, or a national lead). A change
    writes only the fields a lead may set, so it never resets a load or forgets a conflict; a lead
    may not move another academy's member into their own."""
    check_lead(caller, details.academy_id)
    store = db()
    existing = store.get_model(solver.PanelMember, keys.member(details.id))
    if existing is None:
        added = solver.PanelMember(**details.model_dump())
        if store.put(member_item(added), only_if_new=True):
            return added
        existing = member(details.id)  # added by someone else a moment ago: change it instead
    check_lead(caller, existing.academy_id)
    if not store.set_fields(keys.member(details.id), details, _LEAD_FIELDS):
        raise NotFound(f"There is no panel member '{details.id}'.")
    return member(details.id)


# ---------------------------------------------------------------------------- assignment


def claim_to_assign(journey: Journey) -> solver.ClaimToAssign:
    practitioner = js.person(journey.practitioner_id)
    cohort = js.cohort(journey.cohort_id)
    today = clock.now().date()
    previous = [
        {s.member_id for s in p.seats}
        for p in db().query_models(Panel, f"JOURNEY#{journey.id}", prefix="PANEL#")
        if p.claim_number != journey.claim_number
    ]
    return solver.ClaimToAssign(
        journey_id=journey.id,
        practitioner_id=journey.practitioner_id,
        employer=(practitioner.employer if practitioner and practitioner.employer else "unknown employer"),
        academy_id=journey.academy_id,
        line_managers=practitioner.line_managers if practitioner else [],
        exclude_same_academy=cohort.exclude_same_academy_panel,
        panel_size=cohort.panel_size,
        review_starts=today,
        needed_by=today + timedelta(days=REVIEW_DAYS),
        previous_panels=previous,
    )


def _load_change(member_id: str, by: int) -> dict[str, Any]:
    """The member's load moves by `by` claims, in the same transaction as the seat (+1) or as the
    outcome or withdrawal that ends the panel's work (-1: a cap is the claims held at once, and a
    load never goes below zero)."""
    update: dict[str, Any] = {
        "Key": {k: {"S": v} for k, v in keys.member(member_id).items()},
        "UpdateExpression": "ADD current_load :by",
        "ExpressionAttributeValues": {":by": {"N": str(by)}},
    }
    if by < 0:
        update["ConditionExpression"] = "current_load >= :least"
        update["ExpressionAttributeValues"][":least"] = {"N": str(-by)}
    return update


def _conflict_declared(member_id: str, practitioner_id: str) -> dict[str, Any]:
    """In the transaction that frees the seat: the member keeps the conflict for good and holds one
    claim fewer. An update of those two attributes alone, so a lead's edit of the member at the same
    moment cannot undo it (nor this undo the edit)."""
    update = _load_change(member_id, -1)
    update["UpdateExpression"] = (
        "SET declared_conflicts = list_append(if_not_exists(declared_conflicts, :none), :conflict) "
        + update["UpdateExpression"]
    )
    update["ExpressionAttributeValues"] |= {":none": {"L": []}, ":conflict": {"L": [{"S": practitioner_id}]}}
    return update


def seats_released(journey: Journey) -> list[dict[str, Any]]:
    """The load updates that free the seats of the journey's current panel (none if it has none)."""
    panel = db().get_model(Panel, keys.journey_part(journey.id, f"PANEL#{journey.claim_number}"))
    return [_load_change(s.member_id, -1) for s in panel.seats] if panel else []


def _seat_change(journey: Journey, assignment: solver.Assignment, base: Change) -> Change:
    """Add the panel, one seat item per member (for "my assignments") and the members' loads."""
    at = clock.now()
    panel = Panel(
        journey_id=journey.id,
        claim_number=journey.claim_number,
        seats=[
            PanelSeat(member_id=m, kind=assignment.kinds[m], chair=m == assignment.chair_id)
            for m in assignment.member_ids
        ],
        assigned_at=at,
        override_reason=assignment.override_reason,
        review_due=at.date() + timedelta(days=REVIEW_DAYS),
    )
    base.puts.append(part(journey.id, f"PANEL#{journey.claim_number}", panel))
    for seat in panel.seats:
        base.puts.append(
            part(
                journey.id,
                f"SEAT#{journey.claim_number}#{seat.member_id}",
                seat,
                GSI1PK=f"MEMBER#{seat.member_id}",
                GSI1SK=f"SEAT#{at.isoformat()}#{journey.id}",
            )
        )
        base.updates.append(_load_change(seat.member_id, 1))
    return base


@reapplied(task=True)
def assign_for_journey(journey_id: str) -> dict[str, Any]:
    """State machine task: a panel for a submitted claim, or the reason there is none (the journey
    then waits for the lead; it does not fail)."""
    store = db()
    journey = store.journey(journey_id)
    if journey.stage is Stage.PANEL_REVIEW:
        return {"assigned": True}  # a retried task
    if journey.stage is Stage.AWAITING_PANEL:
        return {"assigned": False, "reason": _last_reason(journey)}
    if journey.stage is not Stage.SUBMITTED:
        raise InvalidTransition(f"Journey {journey_id} is at {journey.stage.value}; no panel to assign.")
    claim = js.claim(journey)
    if claim is not None and claim.revalidation:
        result: solver.Assignment | solver.NoValidPanel = solver.assign_reviewer(
            claim_to_assign(journey), pool()
        )
    else:
        result = solver.assign_panel(claim_to_assign(journey), pool())
    if isinstance(result, solver.NoValidPanel):
        # The workflow then emails the academy's leads (NotifyLeads) and waits for them.
        store.commit(
            moved(journey, Stage.AWAITING_PANEL, actor=SYSTEM, action="no valid panel", reason=result.reason)
        )
        return {"assigned": False, "reason": result.reason}
    store.commit(
        _seat_change(
            journey,
            result,
            moved(
                journey,
                Stage.PANEL_REVIEW,
                actor=SYSTEM,
                action="panel assigned",
                reason=", ".join(result.member_ids),
            ),
        )
    )
    schedule_review_reminders(journey_id)
    return {"assigned": True, "members": result.member_ids}


def _last_reason(journey: Journey) -> str:
    for event in reversed(js.history(journey.id)):
        if event.action == "no valid panel" and event.reason:
            return event.reason
    return "No valid panel."


@reapplied()
def resolve_blocked(caller: Caller, journey_id: str, *, member_ids: list[str] | None, reason: str) -> Panel:
    """The lead unblocks a journey waiting for a panel: try again (after adding members or raising
    caps), or override with a recorded reason."""
    store = db()
    journey = store.journey(journey_id)
    check_lead(caller, journey.academy_id)
    if journey.stage is not Stage.AWAITING_PANEL:
        raise InvalidTransition("This journey is not waiting for a panel.")
    if not journey.task_token:
        raise InvalidTransition("The journey is still being set up. Wait a moment and try again.")
    claim = claim_to_assign(journey)
    members = pool()
    if member_ids:
        result: solver.Assignment | solver.NoValidPanel = solver.override_panel(
            claim, members, member_ids, reason
        )
        action = "panel overridden by lead"
    else:
        result = solver.assign_panel(claim, members)
        action = "panel assigned after lead's changes"
    if isinstance(result, solver.NoValidPanel):
        raise InvalidInput(f"There is still no valid panel: {result.reason}")
    token = journey.task_token
    store.commit(
        _seat_change(
            journey,
            result,
            moved(journey, Stage.PANEL_REVIEW, actor=caller.id, action=action, reason=reason or None),
        )
    )
    schedule_review_reminders(journey_id)
    workflow.resume(token, {"assigned": True})
    return current_panel(journey_id)


def current_panel(journey_id: str) -> Panel:
    journey = db().journey(journey_id)
    found = db().get_model(Panel, keys.journey_part(journey_id, f"PANEL#{journey.claim_number}"))
    if found is None:
        raise NotFound("No panel has been assigned to this claim yet.")
    return found


def _seat_of(caller: Caller, journey: Journey) -> tuple[Panel, PanelSeat]:
    panel = db().get_model(Panel, keys.journey_part(journey.id, f"PANEL#{journey.claim_number}"))
    seat = next((s for s in panel.seats if s.member_id == caller.id), None) if panel else None
    if panel is None or seat is None:
        raise NotFound(f"There is no journey '{journey.id}'.")
    return panel, seat


def my_assignments(caller: Caller) -> list[Journey]:
    store = db()
    ids = [
        item["PK"]["S"].split("#", 1)[1]
        for item in store.query(f"MEMBER#{caller.id}", index="GSI1", prefix="SEAT#")
    ]
    return [from_item(Journey, item) for item in store.batch_get(keys.journey(i) for i in ids)]


# ---------------------------------------------------------------------------- conflicts


@reapplied()
def _declare_no_conflict(caller: Caller, journey_id: str) -> Panel:
    """Members of one panel declare at about the same time; each declaration is a versioned write of the
    panel, so the one that finds the panel changed reads it again and adds its seat's declaration."""
    store = db()
    journey = store.journey(journey_id)
    panel, seat = _seat_of(caller, journey)
    if seat.declared:
        return panel  # declared already: one effect
    at = clock.now()
    seats = [
        s.model_copy(update={"declared": True, "declared_at": at}) if s.member_id == caller.id else s
        for s in panel.seats
    ]
    new_panel = panel.model_copy(update={"seats": seats, "version": panel.version + 1})
    store.put_versioned(part(journey_id, f"PANEL#{journey.claim_number}", new_panel), panel.version)
    store.put(
        part(
            journey_id,
            f"SEAT#{journey.claim_number}#{caller.id}",
            seat.model_copy(update={"declared": True, "declared_at": at}),
            GSI1PK=f"MEMBER#{caller.id}",
            GSI1SK=f"SEAT#{panel.assigned_at.isoformat()}#{journey_id}",
        )
    )
    record(journey_id, actor=caller.id, action="declared no conflict of interest")
    return new_panel


def declare(caller: Caller, journey_id: str, *, conflict: bool, note: str = "") -> Panel:
    """Before opening any evidence a member declares no conflict, or a conflict (which frees the seat)."""
    if not conflict:
        return _declare_no_conflict(caller, journey_id)
    return _declare_conflict(caller, journey_id, note)


@reapplied()
def _declare_conflict(caller: Caller, journey_id: str, note: str) -> Panel:
    """A conflict: recorded against the member, the seat freed and the best replacement seated, all in
    one transaction (so a stale read writes nothing and is simply re-applied)."""
    store = db()
    journey = store.journey(journey_id)
    panel, _ = _seat_of(caller, journey)
    at = clock.now()
    claim = claim_to_assign(journey)
    chair = next((s.member_id for s in panel.seats if s.chair), None)
    result = solver.replace_member(
        claim,
        pool(),
        [s.member_id for s in panel.seats],
        caller.id,
        chair_id=chair if chair != caller.id else None,
    )
    remaining = [s for s in panel.seats if s.member_id != caller.id]
    change = updated(
        journey, actor=caller.id, action="declared a conflict of interest", reason=note or None, update={}
    )
    change.deletes.append(keys.journey_part(journey_id, f"SEAT#{journey.claim_number}#{caller.id}"))
    change.updates.append(_conflict_declared(caller.id, journey.practitioner_id))
    if isinstance(result, solver.NoValidPanel):
        new_panel = panel.model_copy(update={"seats": remaining, "version": panel.version + 1})
        change.puts.append(part(journey_id, f"PANEL#{journey.claim_number}", new_panel))
        change.events.append(
            AuditEvent(journey_id=journey_id, at=at, actor=SYSTEM, action="seat vacant", reason=result.reason)
        )
        _alert_leads(store.commit(change), "seat_vacant", result.reason, seats=len(remaining))
        return new_panel
    newcomer = next(m for m in result.member_ids if m not in {s.member_id for s in remaining})
    new_seat = PanelSeat(member_id=newcomer, kind=result.kinds[newcomer], chair=result.chair_id == newcomer)
    seats = [s.model_copy(update={"chair": s.member_id == result.chair_id}) for s in remaining] + [new_seat]
    new_panel = panel.model_copy(update={"seats": seats, "version": panel.version + 1})
    change.puts += [
        part(journey_id, f"PANEL#{journey.claim_number}", new_panel),
        part(
            journey_id,
            f"SEAT#{journey.claim_number}#{newcomer}",
            new_seat,
            GSI1PK=f"MEMBER#{newcomer}",
            GSI1SK=f"SEAT#{at.isoformat()}#{journey_id}",
        ),
    ]
    change.updates.append(_load_change(newcomer, 1))
    change.events.append(
        AuditEvent(journey_id=journey_id, at=at, actor=SYSTEM, action="seat reassigned", reason=newcomer)
    )
    stored = store.commit(change)
    _quiet_panel_email(stored, "panel_assigned", only=[newcomer])
    return new_panel


# ---------------------------------------------------------------------------- evidence access


def evidence_link(caller: Caller, journey_id: str, evidence_id: str) -> str:
    """A short-lived download link, for the practitioner, their supporter, their lead, or an assigned
    panel member who has declared no conflict. Every access is written to the audit trail."""
    store = db()
    journey = store.journey(journey_id)
    item = store.get_model(
        EvidenceItem, keys.journey_part(journey_id, f"EVIDENCE#{journey.claim_number}#{evidence_id}")
    )
    supporters = js.supporter_ids(store, journey_id)
    seats = js.panel_ids(store, journey)
    if caller.id in seats:
        _, seat = _seat_of(caller, journey)
        if not seat.declared:
            raise Forbidden("Declare whether you have a conflict of interest before opening any evidence.")
    elif not (
        caller.id == journey.practitioner_id
        or caller.id in supporters
        or reads_claims_as_lead(caller, journey)
    ):
        if is_lead_for(caller, journey.academy_id):
            raise Forbidden("National leads see the programme's figures, not a practitioner's evidence.")
        raise NotFound(f"There is no journey '{journey_id}'.")
    if item is None or item.status.value != "verified":
        raise NotFound("That evidence is not available.")
    record(
        journey_id,
        actor=caller.id,
        action="opened evidence",
        reason=f"element {', '.join(item.elements) or item.element_id}: {item.display_name}",
    )
    return evidence_store.download_link(item.key, item.display_name)


# ---------------------------------------------------------------------------- reviews

GRADE = {Judgement.EVIDENCED: 2, Judgement.PARTLY: 1, Judgement.NOT_YET: 0}


def submit_review(
    caller: Caller, journey_id: str, judgements: list[ElementJudgement], recommendation: Recommendation
) -> Review:
    store = db()
    journey = store.journey(journey_id)
    panel, seat = _seat_of(caller, journey)
    if not seat.declared:
        raise Forbidden("Declare whether you have a conflict of interest before reviewing.")
    if journey.stage is not Stage.PANEL_REVIEW:
        raise InvalidTransition("Reviews are recorded while the claim is under panel review.")
    claim = js.claim(journey)
    expected = claimed_elements(framework(journey.framework_key), claim)
    given = {j.element_id for j in judgements}
    missing = [e for e in expected if e not in given]
    if missing:
        raise InvalidInput(
            f"Give a judgement for every element: element {missing[0]} has none yet.",
            details=[f"Element {m} has no judgement yet." for m in missing],
        )
    extra = sorted(given - set(expected))
    if extra:
        raise InvalidInput(f"Element {extra[0]} is not part of this claim.")
    review = Review(
        journey_id=journey_id,
        claim_number=journey.claim_number,
        member_id=caller.id,
        judgements=judgements,
        recommendation=recommendation,
        submitted_at=clock.now(),
    )
    if not store.put(
        part(journey_id, f"REVIEW#{journey.claim_number}#{caller.id}", review), only_if_new=True
    ):
        raise Conflict("You have already submitted your review of this claim.")
    record(journey_id, actor=caller.id, action="submitted review")
    _close_review_if_complete(journey_id, panel)
    return review


@reapplied()
def _close_review_if_complete(journey_id: str, panel: Panel) -> None:
    """With every seat's review in, resume the workflow. The last two reviewers may get here at once:
    the one whose write finds the journey changed reads it again and finds the step already closed."""
    store = db()
    reviews = store.query_models(Review, f"JOURNEY#{journey_id}", prefix=f"REVIEW#{panel.claim_number}#")
    if len(reviews) < len(panel.seats) or not {r.member_id for r in reviews} >= {
        s.member_id for s in panel.seats
    }:
        return
    journey = store.journey(journey_id)
    if journey.task_token and journey.waiting_step == "panel_review":
        token = journey.task_token
        flags = disagreements(reviews)
        store.commit(
            updated(
                journey,
                actor=SYSTEM,
                action="all reviews in",
                reason=f"{len(flags)} disagreement(s) flagged for moderation",
                update={"task_token": None, "resume_token": token, "waiting_step": None},
            )
        )
        for purpose in REVIEW_REMINDERS:
            schedule_store.cancel(journey_id, purpose)
        workflow.resume(token, {"reviews": len(reviews), "flags": len(flags)})


def disagreements(reviews: list[Review]) -> list[str]:
    """Judgements two grades apart on an element, or different recommendations: for moderation."""
    flags: list[str] = []
    by_element: dict[str, list[Judgement]] = {}
    for r in reviews:
        for j in r.judgements:
            by_element.setdefault(j.element_id, []).append(j.judgement)
    for element_id, grades in sorted(by_element.items()):
        values = [GRADE[g] for g in grades]
        if max(values) - min(values) >= 2:
            flags.append(f"Element {element_id}: judgements range from not yet evidenced to evidenced.")
    recommendations = {r.recommendation for r in reviews}
    if len(recommendations) > 1:
        flags.append(
            "The panel's recommendations differ: "
            + ", ".join(sorted(r.value.replace("_", " ") for r in recommendations))
            + "."
        )
    return flags


def reviews_for(caller: Caller, journey_id: str) -> tuple[list[Review], list[str]]:
    """A member sees the others' reviews only after submitting their own; leads see them all."""
    store = db()
    journey = store.journey(journey_id)
    reviews = store.query_models(Review, f"JOURNEY#{journey_id}", prefix=f"REVIEW#{journey.claim_number}#")
    if not is_lead_for(caller, journey.academy_id):
        _seat_of(caller, journey)
        if caller.id not in {r.member_id for r in reviews}:
            raise Forbidden("You can see the other reviews once you have submitted your own.")
    panel = current_panel(journey_id)
    complete = {r.member_id for r in reviews} >= {s.member_id for s in panel.seats}
    return reviews, disagreements(reviews) if complete else []


# ---------------------------------------------------------------------------- interview and outcome


@reapplied()
def schedule_interview(
    caller: Caller, journey_id: str, at: datetime, location: str, duration: int
) -> Interview:
    store = db()
    journey = store.journey(journey_id)
    check_lead(caller, journey.academy_id)
    if journey.stage is not Stage.INTERVIEW:
        raise InvalidTransition(
            "The interview can be arranged once every panel member has reviewed the claim."
        )
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    if at <= clock.now():
        raise InvalidInput("Choose a date and time for the interview in the future.")
    arranged = interview_of(journey)
    if arranged is not None and arranged.has_taken_place(clock.now()):
        raise InvalidTransition(
            f"The interview took place on {_when(arranged.held_at or arranged.at)}: "
            "the panel chair now records the outcome."
        )
    interview = Interview(
        journey_id=journey_id,
        claim_number=journey.claim_number,
        at=at,
        location=location,
        duration_minutes=duration,
    )
    stored = store.commit(
        updated(
            journey,
            actor=caller.id,
            action="interview arranged",
            reason=f"{at:%-d %B %Y %H:%M} at {location}",
            puts=[part(journey_id, f"INTERVIEW#{journey.claim_number}", interview)],
        )
    )
    _quiet_panel_email(stored, "interview_invitation", include_practitioner=True, interview=interview)
    return interview


@reapplied()
def record_outcome(
    caller: Caller, journey_id: str, outcome: Outcome, feedback: dict[str, str], development_plan: str
) -> OutcomeRecord:
    store = db()
    journey = store.journey(journey_id)
    panel, seat = _seat_of(caller, journey)
    if not seat.chair:
        raise Forbidden("Only the panel chair records the outcome.")
    known = {e.id for e in framework(journey.framework_key).elements}
    unknown = sorted(set(feedback) - known)
    if unknown:
        raise InvalidInput(f"Element {unknown[0]} is not part of this cohort's framework.")
    if outcome is Outcome.NOT_YET and not (
        development_plan.strip() or any(v.strip() for v in feedback.values())
    ):
        raise InvalidInput(
            "Write developmental feedback or a development plan: 'not yet' always comes with a route back."
        )
    if journey.stage is not Stage.INTERVIEW or journey.waiting_step != "interview" or not journey.task_token:
        existing = store.get_model(
            OutcomeRecord, keys.journey_part(journey_id, f"OUTCOME#{journey.claim_number}")
        )
        if existing is not None and existing.outcome is outcome:
            if journey.resume_token:
                workflow.resume(journey.resume_token, {"outcome": outcome.value})
            # A repeat after a tagging failure (below) tags what is still untagged.
            _tag_for_retention(journey)
            return existing
        raise InvalidTransition("The outcome is recorded after the interview.")
    interview = interview_of(journey)
    if interview is None:
        raise InvalidTransition(
            "The outcome is recorded after the interview, and no interview has been arranged yet: "
            "the academy lead arranges it."
        )
    if not interview.has_taken_place(clock.now()):
        raise InvalidTransition(
            f"The interview is on {_when(interview.at)}: record the outcome after it has taken place."
        )
    record = OutcomeRecord(
        journey_id=journey_id,
        claim_number=journey.claim_number,
        outcome=outcome,
        feedback=feedback,
        development_plan=development_plan,
        recorded_by=caller.id,
        recorded_at=clock.now(),
    )
    token = journey.task_token
    to = Stage.NOT_YET_VALIDATED if outcome is Outcome.NOT_YET else Stage.VALIDATED
    change = moved(
        journey,
        to,
        actor=caller.id,
        action=f"outcome: {outcome.value.replace('_', ' ')}",
        update={"outcome": outcome},
        puts=[part(journey_id, f"OUTCOME#{journey.claim_number}", record)],
    )
    # The panel's work on this claim ends with its outcome: each member can take another claim.
    change.updates.extend(_load_change(s.member_id, -1) for s in panel.seats)
    store.commit(change)
    workflow.resume(token, {"outcome": outcome.value})
    _tag_for_retention(journey)
    return record


def _tag_for_retention(journey: Journey) -> None:
    """Tag the claim's evidence for the bucket's retention rule. The outcome is recorded and the
    journey has moved on first; a file that could not be tagged would be kept for ever, so any failure
    (an AccessDenied above all) is logged, counted and answered with a 503: the chair's retry tags
    what is left (tagging twice is harmless)."""
    from ..observability import logger, metrics

    failed: list[str] = []
    for item in js.evidence(journey):
        try:
            evidence_store.tag_for_expiry(item.key)  # a file removed meanwhile is skipped there
        except Exception as exc:
            logger.exception(
                "evidence not tagged for retention", extra={"journey_id": journey.id, "key": item.key}
            )
            failed.append(getattr(exc, "response", {}).get("Error", {}).get("Code") or type(exc).__name__)
    if failed:
        metrics.add_metric(name="RetentionTaggingFailed", unit="Count", value=len(failed))
        raise Unavailable(
            f"The outcome is recorded, but {len(failed)} evidence file(s) could not be marked for deletion "
            f"({failed[0]}). Record the outcome again to finish."
        )


def interview_of(journey: Journey) -> Interview | None:
    """The interview arranged for the journey's current claim, if any."""
    return db().get_model(Interview, keys.journey_part(journey.id, f"INTERVIEW#{journey.claim_number}"))


def _when(at: datetime) -> str:
    return f"{at:%-d %B %Y} at {at:%H:%M}"


def record_interview_held(caller: Caller, journey_id: str) -> Interview:
    """The academy lead records that the interview took place (say, earlier than first arranged), so
    that the chair may record the outcome. Recording it twice keeps the first record."""
    store = db()
    journey = store.journey(journey_id)
    check_lead(caller, journey.academy_id)
    interview = interview_of(journey)
    if journey.stage is not Stage.INTERVIEW or interview is None:
        raise InvalidTransition("Arrange the interview first; then record that it took place.")
    if interview.held_at is not None:
        return interview
    held = interview.model_copy(update={"held_at": clock.now(), "held_recorded_by": caller.id})
    store.commit(
        updated(
            journey,
            actor=caller.id,
            action="interview held",
            puts=[part(journey_id, f"INTERVIEW#{journey.claim_number}", held)],
        )
    )
    return held


def outcome_of(journey: Journey) -> OutcomeRecord | None:
    return db().get_model(OutcomeRecord, keys.journey_part(journey.id, f"OUTCOME#{journey.claim_number}"))


# ---------------------------------------------------------------------------- email


def _ics(journey: Journey, interview: Interview, attendees: list[Person]) -> bytes:
    from icalendar import Calendar, Event, vCalAddress

    cal = Calendar()
    cal.add("prodid", "-//NHS System OD Validation//EN")
    cal.add("version", "2.0")
    cal.add("method", "REQUEST")
    event = Event()
    event.add("uid", f"interview-{journey.id}-{interview.claim_number}@od-validation")
    event.add("summary", "System OD validation interview")
    event.add("dtstart", interview.at)
    event.add("dtend", interview.at + timedelta(minutes=interview.duration_minutes))
    event.add("dtstamp", clock.now())
    event.add("location", interview.location)
    event.add(
        "description",
        "Developmental validation interview. Details: " + settings().public_url(f"/journeys/{journey.id}"),
    )
    event.add("organizer", vCalAddress(f"mailto:{settings().sender_email}"))
    for p in attendees:
        event.add("attendee", vCalAddress(f"mailto:{p.email}"))
    cal.add_component(event)
    return bytes(cal.to_ical())


def send_panel_email(
    journey: Journey,
    kind: str,
    *,
    only: list[str] | None = None,
    include_practitioner: bool = False,
    interview: Interview | None = None,
    **context: Any,
) -> list[Any]:
    from . import notifications

    panel = current_panel(journey.id)
    people = [
        p for s in panel.seats if (only is None or s.member_id in only) and (p := js.person(s.member_id))
    ]
    if kind == "review_reminder":
        reviewed = {
            r.member_id
            for r in db().query_models(
                Review, f"JOURNEY#{journey.id}", prefix=f"REVIEW#{journey.claim_number}#"
            )
        }
        people = [p for p in people if p.id not in reviewed]
        context.setdefault("overdue", bool(panel.review_due and clock.now().date() > panel.review_due))
    practitioner = js.person(journey.practitioner_id) if include_practitioner else None
    claim = js.claim(journey)
    level = claim.level.value if claim and claim.level else ""
    shared: dict[str, Any] = {
        "level": notifications.LEVEL_TEXT.get(level, "system OD practice"),
        "review_due": panel.review_due.strftime("%-d %B %Y") if panel.review_due else "",
        **context,
    }
    attachments = None
    if kind == "interview_invitation":
        interview = interview or interview_of(journey)
        if interview is None:
            raise NotFound("No interview has been arranged.")
        shared |= {
            "when": f"{interview.at:%A %-d %B %Y at %H:%M} UTC",
            "duration": interview.duration_minutes,
            "location": interview.location,
        }
        attachments = [
            mail.Attachment(
                "interview.ics",
                _ics(journey, interview, [*people, *([practitioner] if practitioner else [])]),
                "text",
                "calendar",
                {"method": "REQUEST"},
            )
        ]
    # Each link opens the page where its reader acts: a member's next step on this claim (declare,
    # review, or record the outcome), the practitioner's journey.
    sent = notifications.send_to(
        journey,
        kind,
        people,
        attachments=attachments,
        **({"link": settings().public_url(f"/panel/{journey.id}")} | shared),
    )
    if practitioner is not None:
        sent += notifications.send_to(journey, kind, [practitioner], attachments=attachments, **shared)
    return sent


def _alert_leads(journey: Journey, problem: str, reason: str, *, seats: int = 0) -> None:
    from . import notifications

    notifications.alert_academy_leads(journey, problem, reason, seats=seats)


def _quiet_panel_email(journey: Journey, kind: str, **kw: Any) -> None:
    from ..observability import logger

    try:
        send_panel_email(journey, kind, **kw)
    except Exception:
        logger.exception("panel email failed", extra={"journey_id": journey.id, "kind": kind})


REVIEW_REMINDERS = ("review-reminder", "review-overdue")


def schedule_review_reminders(journey_id: str) -> None:
    """A reminder a week before the review is due, and another the day after it if still not done (the
    scheduled function emails only the members who have not reviewed)."""
    panel = current_panel(journey_id)
    if panel.review_due:
        due = datetime.combine(panel.review_due, datetime.min.time(), tzinfo=UTC)
        schedule_store.put(
            journey_id, "review-reminder", due - timedelta(days=7), {"kind": "review_reminder"}
        )
        schedule_store.put(journey_id, "review-overdue", due + timedelta(days=1), {"kind": "review_reminder"})


def today() -> date:
    return clock.now().date()
