"""Reasonable adjustments (issue 18): the practitioner asks, their academy lead agrees or declines, and
what is agreed is honoured where it applies. The rules are domain/adjustments.py's.

Each adjustment is its own item in the journey's collection (SK ADJUSTMENT#<kind>), never a field of the
journey item that reports, counters and panel pages read. Every write goes in one transaction with the
journey (an audit event that names no content, and the journey's version check, so two changes at once
are re-applied in turn, never lost). An agreed "more time" moves the claim deadline (on top of the one
standard extension) and its reminder schedules.

This module imports no other service that sends email (services.adjustment_notices does), so that
services.panels and services.tasks may read what is agreed without an import cycle.
"""

from __future__ import annotations

from datetime import timedelta

from .. import clock
from ..dal import schedules as schedule_store
from ..domain import adjustments as rules
from ..domain.access import Caller, check_owner, is_lead_for, reads_claims_as_lead
from ..domain.adjustments import Adjustment, AdjustmentKind, Terms
from ..domain.errors import Forbidden, InvalidTransition, NotFound
from ..domain.models import Journey, Role, Stage
from . import journeys as js
from .agreed_adjustments import agreed_interview as agreed_interview
from .agreed_adjustments import claim_opening as claim_opening
from .agreed_adjustments import of as of
from .agreed_adjustments import one as one
from .agreed_adjustments import sk as sk
from .common import db, part, reapplied, updated

NOT_FOR_YOU = "Reasonable adjustments are private to the practitioner and their academy lead."
NOT_FOR_NATIONAL = (
    "A national lead does not read a practitioner's reasonable adjustments: "
    "they are for the practitioner and their academy lead."
)


def _check_reader(caller: Caller, journey: Journey) -> None:
    if caller.id == journey.practitioner_id or reads_claims_as_lead(caller, journey):
        return
    if caller.has(Role.NATIONAL_LEAD) and is_lead_for(caller, journey.academy_id):
        raise Forbidden(NOT_FOR_NATIONAL)
    raise Forbidden(NOT_FOR_YOU)


def readable(caller: Caller, journey_id: str) -> tuple[Journey, list[Adjustment]]:
    """The journey and its adjustments, for the practitioner and their academy lead; anyone else who
    may see the journey is refused (403), anyone who may not is told it does not exist (404)."""
    journey = js.load_for(caller, journey_id)
    _check_reader(caller, journey)
    return journey, of(journey_id)


def _lead_journey(caller: Caller, journey_id: str) -> Journey:
    try:
        journey = db().journey(journey_id)
    except NotFound:
        raise NotFound(f"There is no journey '{journey_id}'.") from None
    if not reads_claims_as_lead(caller, journey):
        if caller.has(Role.NATIONAL_LEAD):
            raise Forbidden(NOT_FOR_NATIONAL)
        raise Forbidden("Only a lead of this practitioner's academy can agree a reasonable adjustment.")
    return journey


def _deadline_update(journey: Journey, after: Adjustment) -> tuple[dict[str, object], Adjustment]:
    """The journey's new deadline (if its current claim window is open and the agreed time changed),
    and the adjustment recording what its deadline now carries."""
    if journey.stage is not Stage.CLAIM_DEVELOPMENT or journey.claim_deadline is None:
        return {}, after
    owed = rules.weeks_owed(after, journey.claim_number)
    if owed == 0:
        return {}, after
    deadline = rules.moved_deadline(journey.claim_deadline, owed, clock.now())
    return {"claim_deadline": deadline}, after.model_copy(
        update={"applied_claim": journey.claim_number, "applied_weeks": rules.agreed_weeks(after)}
    )


def _write(journey: Journey, caller: Caller, action: str, after: Adjustment) -> tuple[Journey, Adjustment]:
    update, after = _deadline_update(journey, after)
    stored = db().commit(
        updated(
            journey,
            actor=caller.id,
            action=action,
            update=update,
            puts=[part(journey.id, sk(after.kind), after)],
        )
    )
    if update:
        # The deadline and its reminders move together (the deadline task checks the journey's own date,
        # so a schedule left at an earlier time would do nothing; a reminder would mislead, so it moves).
        reschedule_claim_deadline(stored)
    return stored, after


@reapplied()
def request(caller: Caller, journey_id: str, kind: AdjustmentKind, terms: Terms) -> tuple[Adjustment, bool]:
    """Ask for an adjustment, or change one (a change needs agreeing again). Sent twice: one effect
    (the second returns changed=False, and no one is emailed again)."""
    journey = js.load_for(caller, journey_id)
    check_owner(caller, journey)
    if journey.stage in (Stage.WITHDRAWN, Stage.CLOSED):
        raise InvalidTransition("This journey has ended: there is nothing left to adjust.")
    existing = one(journey_id, kind)
    after = rules.requested(existing, journey_id, kind, terms, clock.now())
    if after is None:
        assert existing is not None
        return existing, False
    _, stored = _write(journey, caller, "adjustment requested", after)
    return stored, True


@reapplied()
def withdraw(caller: Caller, journey_id: str, kind: AdjustmentKind) -> Adjustment:
    journey = js.load_for(caller, journey_id)
    check_owner(caller, journey)
    existing = one(journey_id, kind)
    if existing is None:
        raise NotFound("You have not asked for this adjustment.")
    after = rules.withdrawn(existing, clock.now())
    if after is None:
        return existing
    _, stored = _write(journey, caller, "adjustment withdrawn", after)
    return stored


@reapplied()
def decide(caller: Caller, journey_id: str, kind: AdjustmentKind, *, agree: bool, note: str) -> Adjustment:
    journey = _lead_journey(caller, journey_id)
    existing = one(journey_id, kind)
    if existing is None:
        raise NotFound("The practitioner has not asked for this adjustment.")
    after = rules.decided(existing, agree=agree, note=note, by=caller.id, now=clock.now())
    _, stored = _write(journey, caller, "adjustment agreed" if agree else "adjustment declined", after)
    return stored


def reschedule_claim_deadline(journey: Journey) -> None:
    """Move the deadline's schedules; a reminder whose time has passed is removed, not left at its old
    (later) time where it would tell the practitioner the wrong number of days."""
    assert journey.claim_deadline is not None
    js.schedule_claim_deadline(journey)
    now = clock.now()
    for days, purpose in ((30, "claim-reminder-30"), (7, "claim-reminder-7")):
        if journey.claim_deadline - timedelta(days=days) <= now:
            schedule_store.cancel(journey.id, purpose)
