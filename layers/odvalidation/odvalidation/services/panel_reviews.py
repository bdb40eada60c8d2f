"""A panel's reviews: each member's judgements and recommendation, the review closed when every seat has
reviewed, and where the reviewers disagree."""

from __future__ import annotations

from functools import partial

from .. import clock
from ..dal import keys, parallel, read_cache, workflow
from ..dal import schedules as schedule_store
from ..domain.access import Caller, is_lead_for
from ..domain.claims import claimed_elements
from ..domain.errors import Conflict, Forbidden, InvalidInput, InvalidTransition
from ..domain.frameworks import framework
from ..domain.models import (
    ElementJudgement,
    Journey,
    Judgement,
    Panel,
    Recommendation,
    Review,
    Stage,
)
from . import alerts, review_drafts
from . import journeys as js
from .common import db, part, reapplied, record, updated
from .panels import SYSTEM
from .seats import (
    _seat_of,
    current_panel,
)

GRADE = {Judgement.EVIDENCED: 2, Judgement.PARTLY: 1, Judgement.NOT_YET: 0}


def submit_review(
    caller: Caller, journey_id: str, judgements: list[ElementJudgement], recommendation: Recommendation
) -> Review:
    """Submit the caller's review, or change it once submitted (until the review is due or the interview
    starts). Sending the same review again (a retry whose answer was lost) changes nothing."""
    store = db()
    with read_cache.reading():
        journey = store.journey(journey_id)
        # The panel and the claim in one BatchGetItem (issue 19), kept for the reads below until the
        # first write.
        store.batch_get(
            keys.journey_part(journey_id, f"{kind}#{journey.claim_number}") for kind in ("PANEL", "CLAIM")
        )
        return _submit_review(caller, journey, judgements, recommendation)


def _submit_review(
    caller: Caller, journey: Journey, judgements: list[ElementJudgement], recommendation: Recommendation
) -> Review:
    store = db()
    journey_id = journey.id
    panel, seat = _seat_of(caller, journey)
    if not seat.declared:
        raise Forbidden("Declare whether you have a conflict of interest before reviewing.")
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
    if review_drafts.my_review(caller, journey) is not None:
        return _change_review(caller, journey_id, judgements, recommendation)
    if journey.stage is not Stage.PANEL_REVIEW:
        raise InvalidTransition("Reviews are recorded while the claim is under panel review.")
    review = Review(
        journey_id=journey_id,
        claim_number=journey.claim_number,
        member_id=caller.id,
        judgements=judgements,
        recommendation=recommendation,
        submitted_at=clock.now(),
    )
    if not store.put(
        part(journey_id, review_drafts.review_sk(journey.claim_number, caller.id), review), only_if_new=True
    ):
        # The same member's other request landed first (a double click, a retry): it is a change now.
        return _change_review(caller, journey_id, judgements, recommendation)
    review_drafts.discard(journey_id, journey.claim_number, caller.id)
    record(journey_id, actor=caller.id, action="submitted review")
    _close_review_if_complete(journey_id, panel)
    return review


def _says(judgements: list[ElementJudgement], recommendation: Recommendation) -> tuple[object, ...]:
    return tuple(sorted((j.element_id, j.judgement.value, j.comment) for j in judgements)), recommendation


@reapplied()
def _change_review(
    caller: Caller, journey_id: str, judgements: list[ElementJudgement], recommendation: Recommendation
) -> Review:
    """Replace the caller's submitted review, with the audit event in the same transaction (versioned
    on the journey, so it is read again if the workflow moved meanwhile). Never resumes the workflow:
    the last review in did that once; the disagreements are worked out from the reviews whenever they
    are read (reviews_for), so the lead's and the members' pages show the change."""
    store = db()
    journey = store.journey(journey_id)
    panel, _ = _seat_of(caller, journey)
    existing = review_drafts.my_review(caller, journey)
    if existing is None:
        raise InvalidTransition("Your review of this claim is no longer held: submit it again.")
    if _says(existing.judgements, existing.recommendation) == _says(judgements, recommendation):
        return existing  # a retry, or nothing changed: no event, no write
    if journey.stage not in {Stage.PANEL_REVIEW, Stage.INTERVIEW}:
        raise InvalidTransition(
            "The panel's work on this claim is finished, so reviews can no longer be changed."
        )
    if reason := review_drafts.window_closed(journey, panel):
        raise Conflict(
            f"{reason}, so your review can no longer be changed. "
            "If something in it must be corrected, tell the panel chair or your academy lead."
        )
    changed = existing.model_copy(
        update={"judgements": judgements, "recommendation": recommendation, "changed_at": clock.now()}
    )
    store.commit(
        updated(
            journey,
            actor=caller.id,
            action="changed review",
            puts=[part(journey_id, review_drafts.review_sk(journey.claim_number, caller.id), changed)],
        )
    )
    return changed


@reapplied()
def _close_review_if_complete(journey_id: str, panel: Panel) -> None:
    """With every seat's review in, resume the workflow. The last two reviewers may get here at once:
    the one whose write finds the journey changed reads it again and finds the step already closed."""
    store = db()
    # The reviews and the journey at once (issue 19): the journey is read fresh (after this review's
    # write), and used only when every review is in.
    reviews, journey = parallel.at_once(
        lambda: store.query_models(Review, f"JOURNEY#{journey_id}", prefix=f"REVIEW#{panel.claim_number}#"),
        lambda: store.journey(journey_id),
    )
    if len(reviews) < len(panel.seats) or not {r.member_id for r in reviews} >= {
        s.member_id for s in panel.seats
    }:
        return
    if journey.task_token and journey.waiting_step == "panel_review":
        token = journey.task_token
        flags = disagreements(reviews)
        closed = store.commit(
            updated(
                journey,
                actor=SYSTEM,
                action="all reviews in",
                reason=f"{len(flags)} disagreement(s) flagged for moderation",
                update={"task_token": None, "resume_token": token, "waiting_step": None},
            )
        )
        # The reminders' deletes (Scheduler has no batch delete), the resume and the leads' alert follow
        # the recorded close, not one another: all at once (issue 19; dal/parallel.py).
        parallel.at_once(
            *(partial(schedule_store.cancel, journey_id, purpose) for purpose in REVIEW_REMINDERS),
            lambda: workflow.resume(token, {"reviews": len(reviews), "flags": len(flags)}),
            lambda: alerts.reviews_in(closed, len(flags)),
        )


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


REVIEW_REMINDERS = ("review-reminder", "review-overdue")
