"""What practitioners, supporters and academy leads do to a journey (steps 1 to 5)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict

from .. import clock
from ..dal import evidence as evidence_store
from ..dal import keys, workflow
from ..dal import schedules as schedule_store
from ..dal.store import Change, from_item, to_item
from ..domain import journey as rules
from ..domain.academies import academy
from ..domain.access import (
    Caller,
    check_lead,
    check_owner,
    check_view,
    is_lead_for,
    needs_links,
    reads_claims_as_lead,
    require_role,
)
from ..domain.claims import Completeness, completeness
from ..domain.errors import Conflict, Forbidden, InvalidInput, InvalidTransition, NotFound, Unavailable
from ..domain.frameworks import framework
from ..domain.models import (
    AuditEvent,
    Claim,
    Cohort,
    Decision,
    ElementRating,
    EquivalentSession,
    EvidenceItem,
    EvidenceStatus,
    Journey,
    Level,
    Person,
    Readiness,
    Reflection,
    Role,
    Stage,
)
from ..observability import logger
from . import journey_page
from .common import actor_of, db, moved, new_id, panel_ids, part, reapplied, supporter_ids, updated
from .common import record as record_event
from .counting import counter_changes
from .people import ensure_profile, person_by_email
from .seats import seats_released

# ---------------------------------------------------------------------------- reading


def load_for(caller: Caller, journey_id: str) -> Journey:
    """The journey, if the caller has a reason to see it (else NotFound: ids are not confirmed)."""
    store = db()
    try:
        journey = store.journey(journey_id)
    except NotFound:
        raise NotFound(f"There is no journey '{journey_id}'.") from None
    linked = needs_links(caller, journey)
    check_view(
        caller,
        journey,
        supporter_ids=supporter_ids(store, journey_id) if linked else set(),
        panel_ids=panel_ids(store, journey) if linked else set(),
    )
    return journey


def cohort(cohort_id: str) -> Cohort:
    found = db().get_model(Cohort, keys.cohort(cohort_id))
    if found is None:
        raise NotFound(f"There is no cohort '{cohort_id}'.")
    return found


def my_journeys(caller: Caller) -> list[Journey]:
    return db().query_models(Journey, f"PRACTITIONER#{caller.id}", index="GSI1", prefix="JOURNEY#")


def supported_journeys(caller: Caller) -> list[Journey]:
    store = db()
    ids = [
        item["GSI1SK"]["S"].split("#", 1)[1] for item in store.query(f"SUPPORTER#{caller.id}", index="GSI1")
    ]
    return [from_item(Journey, item) for item in store.batch_get(keys.journey(i) for i in ids)]


def cohort_journeys(caller: Caller, cohort_id: str) -> list[Journey]:
    c = cohort(cohort_id)
    check_lead(caller, c.academy_id)
    return db().query_models(Journey, f"COHORT#{cohort_id}", index="GSI2", prefix="JOURNEY#")


def academy_cohorts(academy_id: str) -> list[Cohort]:
    academy(academy_id)
    return db().query_models(Cohort, f"ACADEMY#{academy_id}", index="GSI1", prefix="COHORT#")


def all_cohorts() -> list[Cohort]:
    return db().query_models(Cohort, "COHORTS", index="GSI2")


def reflection(journey_id: str) -> Reflection | None:
    return db().get_model(Reflection, keys.journey_part(journey_id, "REFLECTION"))


def claim(journey: Journey) -> Claim | None:
    if journey.claim_number < 1:
        return None
    return db().get_model(Claim, keys.journey_part(journey.id, f"CLAIM#{journey.claim_number}"))


def evidence(journey: Journey) -> list[EvidenceItem]:
    return db().query_models(
        EvidenceItem, f"JOURNEY#{journey.id}", prefix=f"EVIDENCE#{journey.claim_number}#"
    )


def history(journey_id: str) -> list[AuditEvent]:
    return db().audit_trail(journey_id)


def claim_completeness(journey: Journey) -> Completeness:
    current = claim(journey)
    if current is None and journey.revalidation and journey.claim_number:
        # Nothing saved yet on a renewal: judge it as the (empty) revalidation claim it will be.
        current = Claim(
            journey_id=journey.id, number=journey.claim_number, updated_at=clock.now(), revalidation=True
        )
    return completeness(framework(journey.framework_key), current, evidence(journey))


# ---------------------------------------------------------------------------- cohorts (academy leads)


class NewCohort(BaseModel):
    model_config = ConfigDict(defer_build=True)

    academy_id: str
    name: str
    number: int
    framework_key: str
    workshop_date: date
    claim_window_months: int = 6
    panel_size: int = 3
    exclude_same_academy_panel: bool = False
    venue: str = ""
    places: int | None = None


class CohortChanges(BaseModel):
    """What a lead may change after creating a cohort: not its academy, number or framework (claims are
    pinned to the framework version, and the number is part of its id)."""

    model_config = ConfigDict(defer_build=True)

    name: str
    workshop_date: date
    claim_window_months: int
    panel_size: int
    exclude_same_academy_panel: bool = False
    venue: str = ""
    places: int | None = None


def _cohort_item(c: Cohort) -> dict[str, Any]:
    return to_item(
        c,
        keys.cohort(c.id),
        GSI1PK=f"ACADEMY#{c.academy_id}",
        GSI1SK=f"COHORT#{c.number:04d}",
        GSI2PK="COHORTS",
        GSI2SK=f"{c.academy_id}#{c.number:04d}",
    )


def update_cohort(caller: Caller, cohort_id: str, changes: CohortChanges) -> Cohort:
    """A lead changes the workshop's date, venue or places, or the cohort's claim window and panel size.
    Journeys already past a step keep what it gave them (a claim deadline set from the old window)."""
    c = cohort(cohort_id)
    check_lead(caller, c.academy_id)
    if changes.places is not None:
        taken = len(db().query_models(Journey, f"COHORT#{cohort_id}", index="GSI2", prefix="JOURNEY#"))
        if changes.places < taken:
            raise InvalidInput(
                f"{taken} practitioners have already joined: the cohort needs at least {taken} places."
            )
    changed = Cohort.model_validate(c.model_dump() | changes.model_dump())
    db().put(_cohort_item(changed))
    return changed


def create_cohort(caller: Caller, spec: NewCohort) -> Cohort:
    check_lead(caller, spec.academy_id)
    academy(spec.academy_id)
    framework(spec.framework_key)  # claims are pinned to an existing framework version
    c = Cohort(id=f"{spec.academy_id}-{spec.number}", created_at=clock.now(), **spec.model_dump())
    if not db().put(_cohort_item(c), only_if_new=True):
        raise Conflict(f"{academy(c.academy_id).name} already has a cohort {c.number}.")
    return c


# ---------------------------------------------------------------------------- step 1: interest, reflection


def register_interest(caller: Caller, cohort_id: str) -> Journey:
    require_role(caller, Role.PRACTITIONER)
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


def _framework_ids(journey: Journey) -> list[str]:
    return [e.id for e in framework(journey.framework_key).elements]


@reapplied()
def save_reflection(
    caller: Caller, journey_id: str, ratings: list[ElementRating], career_note: str, *, submit: bool
) -> Reflection:
    journey = load_for(caller, journey_id)
    check_owner(caller, journey)
    known = _framework_ids(journey)
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


# ---------------------------------------------------------------------------- step 2: workshop


@reapplied()
def record_attendance(
    caller: Caller, cohort_id: str, journey_ids: list[str], *, attended: bool = True
) -> list[str]:
    """The lead records who attended the workshop, or who did not, on or after its day. Returns the
    journeys moved on to the decision."""
    c = cohort(cohort_id)
    check_lead(caller, c.academy_id)
    if clock.now().date() < c.workshop_date:
        raise InvalidInput(
            f"The workshop is on {c.workshop_date:%-d %B %Y}: record attendance on or after that day."
        )
    store = db()
    journeys = [store.journey(journey_id) for journey_id in journey_ids]
    for journey in journeys:
        if journey.cohort_id != cohort_id:
            raise InvalidInput(f"Journey {journey.id} is not in cohort {cohort_id}.")
    moved_on: list[str] = []
    for journey in journeys:
        if journey.workshop_attended:
            continue
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
            continue
        if _attended(caller, journey, action="attended workshop", update={"workshop_attended": True}):
            moved_on.append(journey.id)
    return moved_on


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


# ---------------------------------------------------------------------------- step 3: decision


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
    if journey.stage is not Stage.DECISION:
        raise InvalidTransition("This journey is not at the decision step.")
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


# ---------------------------------------------------------------------------- step 4: claim development


def _claim_for_edit(caller: Caller, journey_id: str) -> tuple[Journey, Claim]:
    journey = load_for(caller, journey_id)
    check_owner(caller, journey)
    if journey.stage is not Stage.CLAIM_DEVELOPMENT:
        raise InvalidTransition("The claim can only be changed during claim development.")
    current = claim(journey) or Claim(
        journey_id=journey_id,
        number=journey.claim_number,
        updated_at=clock.now(),
        revalidation=journey.revalidation,
        # A renewal is at the level already validated.
        level=Level(journey.outcome.value) if journey.revalidation and journey.outcome else None,
    )
    return journey, current


def save_claim(
    caller: Caller,
    journey_id: str,
    *,
    level: Level | None = None,
    narratives: dict[str, str] | None = None,
    elements: list[str] | None = None,
    practice_reflection: str | None = None,
) -> Claim:
    """Merge the given narratives into the claim. Only the elements sent are changed, so two tabs
    (or a practitioner and a retry) never wipe each other's work; a concurrent save is retried."""
    for _attempt in range(3):
        journey, current = _claim_for_edit(caller, journey_id)
        known = set(_framework_ids(journey))
        unknown = sorted((set(narratives or {}) | set(elements or [])) - known)
        if unknown:
            raise InvalidInput(f"Element {unknown[0]} is not part of this cohort's framework.")
        if (elements is not None or practice_reflection is not None) and not current.revalidation:
            raise InvalidInput("Chosen elements and a practice reflection belong to a revalidation claim.")
        if current.revalidation and level and level is not current.level:
            raise InvalidInput("A revalidation is at the level you were validated at.")
        updated_claim = current.model_copy(
            update={
                "level": current.level if current.revalidation else (level or current.level),
                "elements": elements if elements is not None else current.elements,
                "practice_reflection": (
                    practice_reflection if practice_reflection is not None else current.practice_reflection
                ),
                "narratives": {**current.narratives, **(narratives or {})},
                "version": current.version + 1,
                "updated_at": clock.now(),
            }
        )
        try:
            db().put_versioned(
                part(journey_id, f"CLAIM#{journey.claim_number}", updated_claim), current.version
            )
        except Conflict:
            continue
        return updated_claim
    raise Conflict("Your claim is being saved from somewhere else at the same time. Reload and try again.")


def remove_evidence(caller: Caller, journey_id: str, evidence_id: str) -> None:
    journey, _ = _claim_for_edit(caller, journey_id)
    store = db()
    key = keys.journey_part(journey_id, f"EVIDENCE#{journey.claim_number}#{evidence_id}")
    found = store.get_model(EvidenceItem, key)
    if found is None:
        raise NotFound("That evidence has already been removed.")
    # A claim moved to another framework may link one file to several elements (domain/crosswalk.py):
    # the file goes only with its last link.
    if not any(other.key == found.key and other.id != found.id for other in evidence(journey)):
        evidence_store.delete(found.key)
    store.delete(key)
    # Only an audit event: the removal is done, so a concurrent change to the journey is met by
    # reading it again (record_event), never by a "reload" for something that already happened.
    record_event(
        journey_id,
        actor=caller.id,
        action="removed evidence",
        reason=f"element {found.element_id}: {found.display_name}",
    )


def evidence_by_key(key: str) -> EvidenceItem | None:
    items = list(db().query(f"EVIDENCEKEY#{key}", index="GSI1"))
    return from_item(EvidenceItem, items[0]) if items else None


@reapplied()
def name_supporter(caller: Caller, journey_id: str, email: str) -> Person:
    journey = load_for(caller, journey_id)
    check_owner(caller, journey)
    if journey.stage in rules.RESTING and journey.stage is not Stage.NOT_YET_VALIDATED:
        raise InvalidTransition("A supporter can be named while the claim is being developed.")
    found = person_by_email(email)
    if found is None:
        raise InvalidInput(
            f"No one with the email {email} has an account yet. Ask your academy lead to invite them as a supporter."
        )
    if found.id == caller.id:
        raise InvalidInput("Name someone other than yourself as your supporter.")
    link = {k: {"S": v} for k, v in keys.journey_part(journey_id, f"SUPPORTER#{found.id}").items()} | {
        "GSI1PK": {"S": f"SUPPORTER#{found.id}"},
        "GSI1SK": {"S": f"JOURNEY#{journey_id}"},
    }
    db().commit(
        updated(
            journey,
            actor=caller.id,
            action="named supporter",
            reason=found.name,
            update={"supporter_id": found.id},
            puts=[link],
        )
    )
    return found


# ---------------------------------------------------------------------------- step 5: submission


@reapplied()
def submit_claim(caller: Caller, journey_id: str) -> Completeness:
    journey = load_for(caller, journey_id)
    check_owner(caller, journey)
    current = claim(journey)
    if journey.stage is not Stage.CLAIM_DEVELOPMENT and current is not None and current.submitted_at:
        # A double-clicked submit, or a retry after the workflow could not be reached: one effect.
        if journey.stage is Stage.SUBMITTED and journey.resume_token:
            workflow.resume(journey.resume_token, {"event": "submitted"})
        return completeness(framework(journey.framework_key), current, evidence(journey))
    if journey.stage is not Stage.CLAIM_DEVELOPMENT:
        raise InvalidTransition("Only a claim in development can be submitted.")
    result = claim_completeness(journey)
    if not result.complete:
        raise InvalidInput(f"Your claim is not ready to submit: {result.missing[0]}", details=result.missing)
    if journey.waiting_step != "claim_development" or not journey.task_token:
        raise InvalidTransition("Your journey is still being set up. Wait a moment and submit again.")
    assert current is not None
    submitted = current.model_copy(update={"submitted_at": clock.now(), "version": current.version + 1})
    token = journey.task_token
    db().commit(
        moved(
            journey,
            Stage.SUBMITTED,
            actor=caller.id,
            action="submitted claim",
            reason=f"claim {journey.claim_number}, {submitted.level}",
            puts=[part(journey_id, f"CLAIM#{journey.claim_number}", submitted)],
        )
    )
    for purpose in ("claim-reminder-30", "claim-reminder-7", "claim-deadline"):
        schedule_store.cancel(journey_id, purpose)
    workflow.resume(token, {"event": "submitted"})
    return result


@reapplied()
def grant_extension(caller: Caller, journey_id: str, weeks: int, reason: str) -> Journey:
    journey = db().journey(journey_id)
    check_lead(caller, journey.academy_id)
    if journey.stage is not Stage.CLAIM_DEVELOPMENT or journey.claim_deadline is None:
        raise InvalidTransition("An extension can only be granted during claim development.")
    if journey.extension_granted:
        raise InvalidTransition("This claim has already had its one extension.")
    if not 1 <= weeks <= 12:
        raise InvalidInput("An extension is between 1 and 12 weeks.")
    deadline = journey.claim_deadline + timedelta(weeks=weeks)
    stored = db().commit(
        updated(
            journey,
            actor=caller.id,
            action="granted extension",
            reason=reason,
            update={"claim_deadline": deadline, "extension_granted": True},
        )
    )
    schedule_claim_deadline(stored)
    return stored


def schedule_claim_deadline(journey: Journey) -> None:
    assert journey.claim_deadline is not None
    now = clock.now()
    for days, purpose in ((30, "claim-reminder-30"), (7, "claim-reminder-7")):
        at = journey.claim_deadline - timedelta(days=days)
        if at > now:
            schedule_store.put(journey.id, purpose, at, {"kind": "claim_reminder", "days_left": days})
    schedule_store.put(journey.id, "claim-deadline", journey.claim_deadline, {"kind": "claim_deadline"})


@reapplied()
def withdraw(caller: Caller, journey_id: str, reason: str) -> Journey:
    journey = load_for(caller, journey_id)
    check_owner(caller, journey)
    token = journey.task_token
    change = moved(journey, Stage.WITHDRAWN, actor=caller.id, action="withdrew", reason=reason)
    if journey.stage in (Stage.PANEL_REVIEW, Stage.INTERVIEW):
        # A claim withdrawn under review frees its panel's seats.
        change.updates.extend(seats_released(journey))
    stored = db().commit(change)
    if token:
        workflow.fail(token, "Withdrawn", reason or "withdrawn by the practitioner")
    return stored


def start_new_claim(caller: Caller, journey_id: str) -> Journey:
    """After "not yet" (or a lapse): a new claim, with its own six-month window."""
    journey = load_for(caller, journey_id)
    check_owner(caller, journey)
    if not rules.can_move(journey.stage, Stage.CLAIM_DEVELOPMENT):
        raise InvalidTransition("A new claim can be started after a 'not yet' outcome or a lapsed claim.")
    workflow.start(journey.id, "claim_development", name_suffix=f"claim{journey.claim_number + 1}")
    return journey


RESUME_AT: dict[Stage, str] = {
    Stage.REFLECTION: "reflection",
    Stage.WORKSHOP: "workshop",
    Stage.DECISION: "decision",
    Stage.CLAIM_DEVELOPMENT: "claim_development",
    Stage.SUBMITTED: "submission",
    Stage.AWAITING_PANEL: "awaiting_panel",
    Stage.PANEL_REVIEW: "panel_review",
    Stage.INTERVIEW: "interview",
    Stage.VALIDATED: "certificate",
}


@reapplied()
def resume_failed(caller: Caller, journey_id: str) -> Journey:
    """Start a fresh execution at the step where a failure was recorded."""
    journey = db().journey(journey_id)
    check_lead(caller, journey.academy_id)
    if journey.failure is None:
        raise InvalidTransition("This journey has no recorded failure to resume from.")
    start_at = RESUME_AT.get(journey.stage)
    if start_at is None:
        raise InvalidTransition(f"A journey at '{journey.stage.value}' has nothing to resume.")
    failure = journey.failure
    stored = db().commit(
        updated(
            journey,
            actor=caller.id,
            action="resumed after failure",
            reason=failure.error,
            update={"failure": None},
        )
    )
    try:
        # Named by the failure it resumes: a start retried after its answer was lost finds the same one.
        workflow.start(journey.id, start_at, name_suffix=f"resume{int(failure.at.timestamp())}")
    except Exception as exc:
        logger.exception("resume did not start", extra={"journey_id": journey.id})
        # No execution started: the failure goes back, so the journey still shows it and can be resumed.
        db().commit(
            updated(
                stored,
                actor=caller.id,
                action="resume did not start",
                reason=type(exc).__name__,
                update={"failure": failure},
            )
        )
        raise Unavailable(
            "The journey's workflow could not be started just now. Nothing was lost: try resuming again "
            "in a minute."
        ) from exc
    return stored


def status(caller: Caller, journey_id: str) -> dict[str, Any]:
    # One Query of the journey's item collection (journey_page.load checks access on it and hides
    # the claim from a panel member who has not declared no conflict of interest).
    view = journey_page.load(caller, journey_id, names=False)
    journey = view.journey
    result: dict[str, Any] = {
        "journey": journey,
        "step": rules.step_number(journey.stage),
        "history": view.history,
        "claim": view.claim,
        "evidence": view.evidence,
        "comments": view.comments,  # the supporter's, for the practitioner and their supporter only
    }
    if journey.stage is Stage.CLAIM_DEVELOPMENT:
        current = view.claim
        if current is None and journey.revalidation and journey.claim_number:
            current = Claim(
                journey_id=journey.id, number=journey.claim_number, updated_at=clock.now(), revalidation=True
            )
        result["completeness"] = completeness(framework(journey.framework_key), current, view.evidence)
    return result


def sees_content(caller: Caller, journey: Journey) -> bool:
    """Whether the caller (who may view the journey) may read its claim and evidence: the practitioner,
    their supporter, a panel member who has declared no conflict, a lead of the journey's academy."""
    if caller.id == journey.practitioner_id or reads_claims_as_lead(caller, journey):
        return True
    store = db()
    if caller.id in panel_ids(store, journey):
        return not _seated_undeclared(caller, journey)
    return caller.id in supporter_ids(store, journey.id)


def sees_panel_choice(caller: Caller, journey: Journey) -> bool:
    """Who declared a conflict, and why members were or were not seated, is for the leads and the panel."""
    if caller.id == journey.practitioner_id:
        return False
    return is_lead_for(caller, journey.academy_id) or caller.id in panel_ids(db(), journey)


def _seated_undeclared(caller: Caller, journey: Journey) -> bool:
    if caller.id == journey.practitioner_id or caller.id not in panel_ids(db(), journey):
        return False
    seat = db().get(keys.journey_part(journey.id, f"SEAT#{journey.claim_number}#{caller.id}"))
    return seat is not None and not seat.get("declared", {}).get("BOOL", False)


def require_practitioner_of(caller: Caller, journey: Journey) -> None:
    if caller.id != journey.practitioner_id:
        raise Forbidden("Only the practitioner can do this.")


def deadline_of(journey: Journey) -> datetime | None:
    return journey.claim_deadline


__all__ = [
    "EvidenceStatus",
    "actor_of",
]
