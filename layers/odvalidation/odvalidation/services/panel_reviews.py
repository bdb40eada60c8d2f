"""A panel's reviews: each member's judgements and recommendation, the review closed when every seat has
reviewed, and where the reviewers disagree."""

from __future__ import annotations

from typing import Any

from .. import clock
from ..dal import keys, read_cache, workflow
from ..dal.store import from_item
from ..domain.access import Caller, is_lead_for
from ..domain.claims import claimed_elements, given_twice
from ..domain.errors import Conflict, Forbidden, InvalidInput, InvalidTransition, StaleRead
from ..domain.frameworks import framework
from ..domain.models import (
    AuditEvent,
    ElementJudgement,
    Journey,
    Judgement,
    Panel,
    Recommendation,
    Review,
    Stage,
)
from . import journeys as js
from . import review_drafts
from .common import db, journey_items, part, reapplied, updated
from .panel_assignment import SYSTEM
from .seats import (
    _seat_of,
    current_panel,
)

GRADE = {Judgement.EVIDENCED: 2, Judgement.PARTLY: 1, Judgement.NOT_YET: 0}


@reapplied()
def submit_review(
    caller: Caller, journey_id: str, judgements: list[ElementJudgement], recommendation: Recommendation
) -> Review:
    """Submit the caller's review, or change it once submitted (until the review is due or the interview
    starts). Sending the same review again (a retry whose answer was lost) changes nothing.

    Three round trips at most, however the calls fall (issue 19): the journey's items in one Query
    (journey, panel, claim, every review, the member's draft, the interview), one transaction, and, for
    the last review in, the workflow resumed. What the close also sets off (the reminders' deletes, the
    leads' alert) is the workflow's next task (NotifyReviewsIn), after the answer."""
    with read_cache.reading():
        journey, items = journey_items(journey_id)
        return _submit_review(caller, journey, items, judgements, recommendation)


def _submit_review(
    caller: Caller,
    journey: Journey,
    items: dict[str, dict[str, Any]],
    judgements: list[ElementJudgement],
    recommendation: Recommendation,
) -> Review:
    journey_id = journey.id
    n = journey.claim_number
    panel, seat = _seat_of(caller, journey)
    if not seat.declared:
        raise Forbidden("Declare whether you have a conflict of interest before reviewing.")
    claim = js.claim(journey)
    expected = claimed_elements(framework(journey.framework_key), claim)
    if twice := given_twice([j.element_id for j in judgements]):
        raise InvalidInput(
            f"Element {twice[0]} is given twice: give each element one judgement.",
            details=[f"Element {t} is given more than once." for t in twice],
        )
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
        return _change_review(caller, journey, panel, judgements, recommendation)
    if journey.stage is not Stage.PANEL_REVIEW:
        raise InvalidTransition("Reviews are recorded while the claim is under panel review.")
    review = Review(
        journey_id=journey_id,
        claim_number=n,
        member_id=caller.id,
        judgements=judgements,
        recommendation=recommendation,
        submitted_at=clock.now(),
    )
    others = [from_item(Review, item) for sk, item in items.items() if sk.startswith(f"REVIEW#{n}#")]
    reviews = [*(r for r in others if r.member_id != caller.id), review]
    change = updated(journey, actor=caller.id, action="submitted review")
    change.guards.append(part(journey_id, review_drafts.review_sk(n, caller.id), review))
    if review_drafts.draft_sk(n, caller.id) in items:  # the member's draft, if any, goes with it
        change.deletes.append(keys.journey_part(journey_id, review_drafts.draft_sk(n, caller.id)))
    reviewed = {r.member_id for r in reviews}
    waiting = [s.member_id for s in panel.seats if s.member_id not in reviewed]
    token = journey.task_token if journey.waiting_step == "panel_review" else None
    flags: list[str] = []
    if waiting or token is None:
        # Not the last: the reviews not yet in must still be absent when this one lands, else the
        # last two reviewers, each seeing the other's missing, would both leave the step open.
        change.absent += [keys.journey_part(journey_id, review_drafts.review_sk(n, m)) for m in waiting]
    else:
        # The last review in closes the step in the same transaction (the last two reviewers at once:
        # one finds the journey changed, reads again and finds it closed).
        flags = disagreements(reviews)
        change.journey = change.journey.model_copy(
            update={"task_token": None, "resume_token": token, "waiting_step": None}
        )
        change.events.append(
            AuditEvent(
                journey_id=journey_id,
                at=change.events[0].at,
                actor=SYSTEM,
                action="all reviews in",
                reason=f"{len(flags)} disagreement(s) flagged for moderation",
            )
        )
    try:
        db().commit(change)
    except Conflict:
        # The guard: the same member's other request (a double click, a retry) landed first. Read
        # again: it is then a change of that review, or the same review (nothing to do).
        raise StaleRead("Your review was saved by another request a moment ago.") from None
    if token is not None and not waiting:
        workflow.resume(token, {"reviews": len(reviews), "flags": len(flags)})
    return review


def _says(judgements: list[ElementJudgement], recommendation: Recommendation) -> tuple[object, ...]:
    return tuple(sorted((j.element_id, j.judgement.value, j.comment) for j in judgements)), recommendation


def _change_review(
    caller: Caller,
    journey: Journey,
    panel: Panel,
    judgements: list[ElementJudgement],
    recommendation: Recommendation,
) -> Review:
    """Replace the caller's submitted review, with the audit event in the same transaction (versioned
    on the journey: if the workflow moved meanwhile, submit_review reads again and re-applies). Never
    resumes the workflow: the last review in did that once; the disagreements are worked out from the
    reviews whenever they are read (reviews_for), so the lead's and the members' pages show the change."""
    journey_id = journey.id
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
    db().commit(
        updated(
            journey,
            actor=caller.id,
            action="changed review",
            puts=[part(journey_id, review_drafts.review_sk(journey.claim_number, caller.id), changed)],
        )
    )
    return changed


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


def read_ahead(caller: Caller, journey_id: str) -> None:
    """What a page of a claim's reviews reads (GET /panel/<id>/reviews), in two round trips whatever it
    shows (issue 19), into the request's read cache: the journey's items in one Query (the journey,
    panel, claim, interview, every review, the caller's own draft), then the practitioner and every
    reviewer (member and person) in one BatchGetItem."""
    journey, items = journey_items(journey_id)
    prefix = f"REVIEW#{journey.claim_number}#"
    ids = sorted({sk[len(prefix) :] for sk in items if sk.startswith(prefix)})
    db().batch_get(
        [keys.person(journey.practitioner_id), *(keys.member(i) for i in ids), *(keys.person(i) for i in ids)]
    )


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
