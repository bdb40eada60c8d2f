"""A journey: reading it (and what each caller may see of it), and what ends, restarts or resumes it.
The steps themselves: services/preparation.py (steps 1 to 3), services/claim_development.py (steps 4
and 5); a cohort's settings: services/cohorts.py."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .. import clock
from ..dal import keys, parallel, workflow
from ..dal.store import from_item
from ..domain import journey as rules
from ..domain.access import (
    Caller,
    check_lead,
    check_owner,
    check_view,
    is_lead_for,
    needs_links,
    reads_claims_as_lead,
)
from ..domain.claims import completeness
from ..domain.errors import Forbidden, InvalidTransition, NotFound, Unavailable
from ..domain.frameworks import framework
from ..domain.models import (
    Claim,
    Cohort,
    EvidenceStatus,
    Journey,
    Reflection,
    Stage,
)
from ..observability import logger
from . import journey_page
from .common import actor_of, db, moved, panel_ids, reapplied, supporter_ids, updated
from .journey_parts import academy_cohorts as academy_cohorts
from .journey_parts import all_cohorts as all_cohorts
from .journey_parts import claim as claim
from .journey_parts import claim_completeness as claim_completeness
from .journey_parts import cohort as cohort
from .journey_parts import completeness_of as completeness_of
from .journey_parts import evidence as evidence
from .journey_parts import evidence_by_key as evidence_by_key
from .journey_parts import framework_ids as framework_ids
from .journey_parts import history as history
from .journey_parts import schedule_claim_deadline as schedule_claim_deadline
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
        supporter_ids=supporter_ids(store, journey) if linked else set(),
        panel_ids=panel_ids(store, journey) if linked else set(),
    )
    return journey


def my_journeys(caller: Caller) -> list[Journey]:
    return practitioner_journeys(caller.id)


def practitioner_journeys(person_id: str) -> list[Journey]:
    return db().query_models(Journey, f"PRACTITIONER#{person_id}", index="GSI1", prefix="JOURNEY#")


def supported_journeys(caller: Caller) -> list[Journey]:
    store = db()
    ids = [
        item["GSI1SK"]["S"].split("#", 1)[1] for item in store.query(f"SUPPORTER#{caller.id}", index="GSI1")
    ]
    found = [from_item(Journey, item) for item in store.batch_get(keys.journey(i) for i in ids)]
    # Only where they are the supporter now (a link an earlier version left behind is not enough).
    return [j for j in found if j.supporter_id == caller.id]


def cohort_journeys(caller: Caller, cohort_id: str) -> list[Journey]:
    c = cohort(cohort_id)
    check_lead(caller, c.academy_id)
    return db().query_models(Journey, f"COHORT#{cohort_id}", index="GSI2", prefix="JOURNEY#")


def academy_journeys(caller: Caller, academy_id: str, cohorts: list[Cohort]) -> list[list[Journey]]:
    """The journeys of each of an academy's cohorts (read by academy_cohorts): one Query each, all at
    once (issue 19: the lead's home waits for the slowest cohort, not for one after another)."""
    check_lead(caller, academy_id)
    return parallel.each(
        lambda c: db().query_models(Journey, f"COHORT#{c.id}", index="GSI2", prefix="JOURNEY#"),
        [c for c in cohorts if c.academy_id == academy_id],
    )


def reflection(journey_id: str) -> Reflection | None:
    return db().get_model(Reflection, keys.journey_part(journey_id, "REFLECTION"))


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


def decide_again(caller: Caller, journey_id: str) -> Journey:
    """After "considering further development": the route back. A fresh execution opens step 3 again,
    where the practitioner may choose to claim now or in 12 to 18 months (or to develop further still).
    Named by the journey's version, which stays the same while it rests, so a repeated press starts
    the same execution, not a second one."""
    journey = load_for(caller, journey_id)
    check_owner(caller, journey)
    if journey.stage is not Stage.CLOSED or not rules.can_move(journey.stage, Stage.DECISION):
        raise InvalidTransition(
            "You can decide again after choosing to develop further first. This journey is at "
            f"'{journey.stage.value.replace('_', ' ')}'."
        )
    workflow.start(journey.id, "decision", name_suffix=f"again{journey.version}")
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
    return caller.id in supporter_ids(store, journey)


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
