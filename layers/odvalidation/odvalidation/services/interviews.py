"""The interview and the outcome: the lead arranges the interview and records that it took place; the
chair records the outcome, which frees the panel's seats and starts the evidence's retention clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from .. import clock
from ..dal import evidence as evidence_store
from ..dal import keys, parallel, read_cache, workflow
from ..dal.invoke import invoke_async
from ..dal.store import from_item
from ..domain.access import Caller, check_lead
from ..domain.errors import Forbidden, InvalidInput, InvalidTransition, Unavailable
from ..domain.frameworks import framework
from ..domain.models import (
    EvidenceItem,
    Interview,
    Journey,
    Outcome,
    OutcomeRecord,
    Stage,
)
from ..domain.models.interview import latest_start
from ..domain.uk_time import uk_clock, uk_day, uk_when
from ..observability import logger, metrics
from ..settings import settings
from .common import db, journey_items, moved, part, reapplied, updated
from .seats import (
    _load_change,
    _seat_of,
    interview_of,
)


@reapplied()
def schedule_interview(
    caller: Caller, journey_id: str, at: datetime, location: str, duration: int
) -> Interview:
    """Arrange (or rearrange) the interview: three round trips (issue 19): the journey's items in one
    Query, the transaction, and the invitations handed to the Notify function (an asynchronous invoke:
    Lambda retries it and sends what keeps failing to the dead-letter queue), which emails every member
    and the practitioner after the lead's answer."""
    with read_cache.reading():
        journey, _ = journey_items(journey_id)
        check_lead(caller, journey.academy_id)
        if journey.stage is not Stage.INTERVIEW:
            raise InvalidTransition(
                "The interview can be arranged once every panel member has reviewed the claim."
            )
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        if at <= clock.now():
            raise InvalidInput("Choose a date and time for the interview in the future.")
        latest = latest_start(clock.now())
        if at > latest:
            raise InvalidInput(
                f"Choose a date for the interview within a year: by {latest:%-d %B %Y} at the latest. "
                "An interview follows the panel's review within weeks."
            )
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
    stored = db().commit(
        updated(
            journey,
            actor=caller.id,
            action="interview arranged",
            reason=f"{uk_day(at)} {uk_clock(at)} at {location}",  # UK time, as the lead typed it
            puts=[part(journey_id, f"INTERVIEW#{journey.claim_number}", interview)],
        )
    )
    try:
        invoke_async(
            settings().notify_function_arn,
            {
                "journey_id": journey_id,
                "kind": "interview_invitation",
                "since": stored.updated_at.isoformat(),
            },
        )
    except Exception:
        # Email never blocks the journey: the interview is arranged; arranging it again re-sends.
        logger.exception("interview invitations not queued", extra={"journey_id": journey_id})
        metrics.add_metric(name="EmailFailed", unit="Count", value=1)
    return interview


@reapplied()
def record_outcome(
    caller: Caller, journey_id: str, outcome: Outcome, feedback: dict[str, str], development_plan: str
) -> OutcomeRecord:
    # Read in one round trip (issue 19): the journey's items in one Query (the journey, its panel,
    # interview, outcome and the claim's evidence, which is tagged after the outcome), kept in the read
    # cache until the first write.
    with read_cache.reading():
        journey, items = journey_items(journey_id)
        prefix = f"EVIDENCE#{journey.claim_number}#"
        tagged = [
            from_item(EvidenceItem, item) for sk, item in sorted(items.items()) if sk.startswith(prefix)
        ]
        return _record_outcome(caller, journey, tagged, outcome, feedback, development_plan)


def _record_outcome(
    caller: Caller,
    journey: Journey,
    tagged: list[EvidenceItem],
    outcome: Outcome,
    feedback: dict[str, str],
    development_plan: str,
) -> OutcomeRecord:
    store = db()
    journey_id = journey.id
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
            # A repeat after a tagging failure (below) tags what is still untagged.
            _resume_and_tag(journey, journey.resume_token, outcome, tagged)
            return existing
        raise InvalidTransition(_not_now(journey, existing))
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
    _resume_and_tag(journey, token, outcome, tagged)
    return record


def _resume_and_tag(journey: Journey, token: str | None, outcome: Outcome, items: list[EvidenceItem]) -> None:
    """Resume the workflow and tag the claim's evidence at once: neither needs the other, and both
    follow the recorded outcome. S3 has no batch tagging, so the objects are tagged in parallel
    (dal/parallel.py): the chair waits for the slowest call, not for one per file."""
    calls: list[Callable[[], object]] = [lambda: _tag_for_retention(journey, items)]
    if token:
        calls.append(lambda: workflow.resume(token, {"outcome": outcome.value}))
    parallel.at_once(*calls)


def _tag_for_retention(journey: Journey, items: list[EvidenceItem]) -> None:
    """Tag the claim's evidence for the bucket's retention rule. The outcome is recorded and the
    journey has moved on first; a file that could not be tagged would be kept for ever, so any failure
    (an AccessDenied above all) is logged, counted and answered with a 503: the chair's retry tags
    what is left (tagging twice is harmless)."""

    def tag(item: EvidenceItem) -> str | None:
        try:
            evidence_store.tag_for_expiry(item.key)  # a file removed meanwhile is skipped there
        except Exception as exc:
            logger.exception(
                "evidence not tagged for retention", extra={"journey_id": journey.id, "key": item.key}
            )
            return str(getattr(exc, "response", {}).get("Error", {}).get("Code") or type(exc).__name__)
        return None

    failed = [code for code in parallel.each(tag, items) if code]
    if failed:
        metrics.add_metric(name="RetentionTaggingFailed", unit="Count", value=len(failed))
        raise Unavailable(
            f"The outcome is recorded, but {len(failed)} evidence file(s) could not be marked for deletion "
            f"({failed[0]}). Record the outcome again to finish."
        )


def _not_now(journey: Journey, existing: OutcomeRecord | None) -> str:
    """Why no outcome can be recorded now, and what the chair can do about it."""
    if existing is not None:
        said = existing.outcome.value.replace("_", " ")
        return (
            f"The outcome is already recorded: {said}, on {_when(existing.recorded_at)}. A recorded "
            "outcome is not changed here; if it is wrong, tell the academy lead, who can revoke a "
            "certificate issued in error."
        )
    if journey.stage is Stage.INTERVIEW:
        return "The interview step is still being set up. Wait a moment and try again."
    return "The outcome is recorded after the interview, and this claim has not reached its interview."


def _when(at: datetime) -> str:
    return uk_when(at)  # UK time, as the lead's form took it and every page shows it


def record_interview_held(caller: Caller, journey_id: str) -> Interview:
    """The academy lead records that the interview took place (once its arranged time has come), so
    that the chair may record the outcome. Recording it twice keeps the first record."""
    store = db()
    with read_cache.reading():  # the journey and its interview in one Query (issue 19)
        journey, _ = journey_items(journey_id)
        check_lead(caller, journey.academy_id)
        interview = interview_of(journey)
    if journey.stage is not Stage.INTERVIEW or interview is None:
        raise InvalidTransition("Arrange the interview first; then record that it took place.")
    if interview.held_at is not None:
        return interview
    if not interview.has_started(clock.now()):
        # Step 6 is not skipped: "held" opens the outcome, so it waits for the arranged time as the
        # outcome does. An interview brought forward is rearranged first, then recorded once held.
        raise InvalidTransition(
            f"The interview is arranged for {_when(interview.at)}: record that it took place after it "
            "has started. If it was brought forward, change the arranged date and time first."
        )
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
