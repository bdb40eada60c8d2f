"""Steps 1 to 3 of a journey: interest and the reflection, the workshop (attended, or an equivalent
session), and the practitioner's decision."""

from __future__ import annotations

from datetime import date
from typing import Any

from .. import clock
from ..dal import keys, parallel, read_cache, workflow
from ..dal.store import Change
from ..domain import journey as rules
from ..domain.access import (
    Caller,
    check_lead,
    check_owner,
    require_role,
)
from ..domain.errors import Conflict, InvalidInput, InvalidTransition
from ..domain.models import (
    AuditEvent,
    Decision,
    ElementRating,
    EquivalentSession,
    Journey,
    Readiness,
    Reflection,
    Role,
    Stage,
)
from .common import db, journey_items, moved, new_id, part, reapplied, updated
from .counting import counter_changes
from .journeys import cohort, framework_ids, load_for, reflection
from .people import ensure_profile


def register_interest(caller: Caller, cohort_id: str) -> Journey:
    require_role(caller, Role.PRACTITIONER)
    # The cohort, the caller's profile and any enrolment in one BatchGetItem (issue 19), kept for the
    # reads below until the first write.
    with read_cache.reading():
        db().batch_get([keys.cohort(cohort_id), keys.person(caller.id), keys.enrolment(caller.id, cohort_id)])
        return _register_interest(caller, cohort_id)


def _register_interest(caller: Caller, cohort_id: str) -> Journey:
    c = cohort(cohort_id)
    ensure_profile(caller)  # email, panels and reports need the practitioner's profile
    store = db()
    enrolment = store.get(keys.enrolment(caller.id, cohort_id))
    if enrolment is not None:
        # A retried registration: the same journey, and its execution started (idempotent by name).
        journey = store.journey(enrolment["journey_id"]["S"])
        if journey.stage is Stage.REFLECTION and journey.task_token is None:
            workflow.start(journey.id, "reflection", name_suffix="1")
        return journey
    if c.places is not None:
        joined = db().query_models(Journey, f"COHORT#{cohort_id}", index="GSI2", prefix="JOURNEY#")
        if len(joined) >= c.places:
            raise Conflict(f"{c.name} is full. Choose another cohort, or ask your academy lead.")
    at = clock.now()
    journey = Journey(
        id=new_id("j"),
        practitioner_id=caller.id,
        cohort_id=c.id,
        academy_id=c.academy_id,
        framework_key=c.framework_key,
        stage=Stage.REFLECTION,
        created_at=at,
        updated_at=at,
        stage_entered_at=at,
    )
    event = AuditEvent(
        journey_id=journey.id, at=at, actor=caller.id, action="expressed interest", to_stage=Stage.REFLECTION
    )
    guard = {k: {"S": v} for k, v in keys.enrolment(caller.id, cohort_id).items()} | {
        "journey_id": {"S": journey.id}
    }
    stored = store.commit(
        Change(
            journey=journey,
            expected_version=None,
            events=[event],
            guards=[guard],
            counters=counter_changes(None, journey, at),
        )
    )
    workflow.start(stored.id, "reflection", name_suffix="1")
    return stored


@reapplied()
def save_reflection(
    caller: Caller, journey_id: str, ratings: list[ElementRating], career_note: str, *, submit: bool
) -> Reflection:
    # The journey and its reflection in one Query (issue 19: round trips), kept until the write.
    with read_cache.reading():
        journey_items(journey_id)
        return _save_reflection(caller, journey_id, ratings, career_note, submit=submit)


def _save_reflection(
    caller: Caller, journey_id: str, ratings: list[ElementRating], career_note: str, *, submit: bool
) -> Reflection:
    journey = load_for(caller, journey_id)
    check_owner(caller, journey)
    known = framework_ids(journey)
    unknown = sorted({r.element_id for r in ratings} - set(known))
    if unknown:
        raise InvalidInput(f"Element {unknown[0]} is not part of this cohort's framework.")
    if submit:
        rated = {r.element_id for r in ratings}
        missing = [e for e in known if e not in rated]
        if missing:
            raise InvalidInput(
                f"Rate every element before submitting your reflection: element {missing[0]} has no rating yet.",
                details=[f"Element {m} has no rating yet." for m in missing],
            )
    existing = reflection(journey_id)
    if existing and existing.submitted:
        # A retried submit while the workflow may not have heard yet: one effect. Once the journey has
        # moved past the workshop the reflection is part of the record and stays as it was submitted.
        if submit and journey.resume_token and journey.stage in (Stage.REFLECTION, Stage.WORKSHOP):
            workflow.resume(journey.resume_token, {"submitted": True})
            return existing
        raise InvalidTransition(
            f"Your reflection was submitted on {existing.updated_at:%-d %B %Y}; it can no longer be changed."
        )
    if journey.stage is not Stage.REFLECTION:
        raise InvalidTransition("This journey is no longer at the reflection step.")
    r = Reflection(
        journey_id=journey_id,
        ratings=ratings,
        career_note=career_note,
        submitted=submit,
        updated_at=clock.now(),
    )
    store = db()
    if not submit:
        store.put(part(journey_id, "REFLECTION", r))
        return r
    if journey.waiting_step != "reflection" or not journey.task_token:
        raise InvalidTransition("Your journey is still being set up. Wait a moment and submit again.")
    token = journey.task_token
    store.commit(
        moved(
            journey,
            Stage.WORKSHOP,
            actor=caller.id,
            action="submitted reflection",
            puts=[part(journey_id, "REFLECTION", r)],
        )
    )
    workflow.resume(token, {"submitted": True})
    return r


@reapplied()
def record_attendance(
    caller: Caller, cohort_id: str, journey_ids: list[str], *, attended: bool = True
) -> list[str]:
    """The lead records who attended the workshop, or who did not, on or after its day. Returns the
    journeys moved on to the decision.

    Three round trips however many journeys (issue 19): the cohort and every journey in one
    BatchGetItem, then each journey's transaction and resume, the journeys at once (dal/parallel.py:
    none depends on another). A journey whose write finds it changed makes the whole request read again
    (`@reapplied`), and those already recorded are skipped."""
    store = db()
    ids = list(dict.fromkeys(journey_ids))
    with read_cache.reading():
        store.batch_get([keys.cohort(cohort_id), *(keys.journey(j) for j in ids)])
        c = cohort(cohort_id)
        check_lead(caller, c.academy_id)
        if clock.now().date() < c.workshop_date:
            raise InvalidInput(
                f"The workshop is on {c.workshop_date:%-d %B %Y}: record attendance on or after that day."
            )
        journeys = [store.journey(journey_id) for journey_id in ids]
    for journey in journeys:
        if journey.cohort_id != cohort_id:
            raise InvalidInput(f"Journey {journey.id} is not in cohort {cohort_id}.")

    def one(journey: Journey) -> bool:
        if journey.workshop_attended:
            return False
        if not attended:
            if not journey.workshop_absent:
                store.commit(
                    updated(
                        journey,
                        actor=caller.id,
                        action="did not attend the workshop",
                        update={"workshop_absent": True},
                    )
                )
            return False
        return _attended(caller, journey, action="attended workshop", update={"workshop_attended": True})

    return [j.id for j, moved_on in zip(journeys, parallel.each(one, journeys), strict=True) if moved_on]


EQUIVALENT_TEXT = {
    EquivalentSession.OTHER_COHORT: "another cohort's workshop",
    EquivalentSession.ONE_TO_ONE: "a one-to-one session",
    EquivalentSession.ADJUSTMENT: "a session arranged as a reasonable adjustment",
}


@reapplied()
def record_equivalent_session(caller: Caller, journey_id: str, kind: EquivalentSession, reason: str) -> bool:
    """The lead records that the practitioner attended an equivalent of the workshop, with why: the
    workshop is not the only door to the decision. Returns whether the journey moved on."""
    journey = db().journey(journey_id)
    check_lead(caller, journey.academy_id)
    if not reason.strip():
        raise InvalidInput("Say why an equivalent session stands in for the workshop.")
    if journey.stage not in (Stage.REFLECTION, Stage.WORKSHOP):
        raise InvalidTransition("The workshop step is over for this journey.")
    if journey.workshop_attended:
        return False
    text = f"{EQUIVALENT_TEXT[kind]}: {reason.strip()}"
    return _attended(
        caller,
        journey,
        action="attended an equivalent session",
        update={"workshop_attended": True, "workshop_absent": False, "workshop_equivalent": text},
        reason=text,
    )


def _attended(
    caller: Caller, journey: Journey, *, action: str, update: dict[str, Any], reason: str | None = None
) -> bool:
    """Record attendance; move on to the decision if the workflow waits at the workshop."""
    store = db()
    if journey.stage is Stage.WORKSHOP and journey.waiting_step == "workshop" and journey.task_token:
        token = journey.task_token
        store.commit(
            moved(journey, Stage.DECISION, actor=caller.id, action=action, reason=reason, update=update)
        )
        workflow.resume(token, {"attended": True})
        return True
    # Attended before finishing the reflection: the workshop step completes when it opens.
    store.commit(updated(journey, actor=caller.id, action=action, reason=reason, update=update))
    return False


@reapplied()
def record_decision(
    caller: Caller, journey_id: str, readiness: Readiness, reengage_on: date | None, note: str = ""
) -> Decision:
    journey = load_for(caller, journey_id)
    check_owner(caller, journey)
    today = clock.now().date()
    if readiness is Readiness.READY_LATER:
        earliest, latest = rules.ready_later_window(today)
        if reengage_on is None:
            reengage_on = earliest
        if not earliest <= reengage_on <= latest:
            raise InvalidInput(
                "Ready in 12 to 18 months: choose a date to pick this up again between "
                f"{earliest:%-d %B %Y} and {latest:%-d %B %Y}."
            )
    else:
        reengage_on = None
    if journey.stage is Stage.WORKSHOP and journey.workshop_attended:
        # Attendance is recorded and the workflow is opening the decision step: seconds, not a refusal.
        raise InvalidTransition(
            "Your workshop attendance has just been recorded and your journey is moving on to the "
            "decision step. Wait a moment and try again."
        )
    if journey.stage is not Stage.DECISION:
        raise InvalidTransition(
            f"This journey is not at the decision step: its stage is {journey.stage.value.replace('_', ' ')}."
        )
    if journey.readiness is not None and journey.task_token is None:
        if journey.readiness is readiness and journey.resume_token:
            workflow.resume(journey.resume_token, {"readiness": readiness.value})
            return Decision(
                journey_id=journey_id,
                readiness=readiness,
                reengage_on=reengage_on,
                note=note,
                decided_at=journey.updated_at,
            )
        raise InvalidTransition("Your decision has already been recorded.")
    if journey.waiting_step != "decision" or not journey.task_token:
        raise InvalidTransition("Your journey is still being set up. Wait a moment and try again.")
    at = clock.now()
    d = Decision(
        journey_id=journey_id, readiness=readiness, reengage_on=reengage_on, note=note, decided_at=at
    )
    token = journey.task_token
    db().commit(
        updated(
            journey,
            actor=caller.id,
            action=f"decided: {readiness.value.replace('_', ' ')}",
            update={
                "readiness": readiness,
                "reengage_on": reengage_on,
                "task_token": None,
                "resume_token": token,
                "waiting_step": None,
            },
            puts=[part(journey_id, f"DECISION#{at.isoformat()}", d)],
        )
    )
    workflow.resume(token, {"readiness": readiness.value})
    return d
