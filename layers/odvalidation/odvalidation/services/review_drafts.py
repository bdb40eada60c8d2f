"""A panel member's review draft (issue 16.4): saved as often as they like, partial, seen by no one
else (not the other members, the leads, the practitioner, nor any report), and changing nothing in the
workflow (no audit event either: saving a draft is not something that happened to the claim). It is
removed when the review is submitted (services/panel_reviews.py); a draft that can no longer be (the
window closed, the member left the panel, the journey ended) is deleted by DynamoDB's TTL once nobody
has saved it for DRAFT_KEEP, so a member's notes on a claim do not stay for good."""

from __future__ import annotations

from datetime import timedelta

from .. import clock
from ..dal import keys
from ..domain.access import Caller
from ..domain.claims import claimed_elements, given_twice
from ..domain.errors import Conflict, Forbidden, InvalidInput, InvalidTransition
from ..domain.frameworks import framework
from ..domain.models import DraftJudgement, Journey, Panel, Recommendation, Review, ReviewDraft, Stage
from ..domain.review_window import closed_because
from . import journeys as js
from .common import db, part
from .seats import _seat_of, interview_of

# Far beyond any review window (weeks): only a draft that can no longer be submitted gets this old.
DRAFT_KEEP = timedelta(days=180)


def draft_sk(claim_number: int, member_id: str) -> str:
    return f"REVIEWDRAFT#{claim_number}#{member_id}"


def review_sk(claim_number: int, member_id: str) -> str:
    return f"REVIEW#{claim_number}#{member_id}"


def window_closed(journey: Journey, panel: Panel) -> str | None:
    """Why reviews of this claim can no longer be drafted or changed (None while they can)."""
    return closed_because(clock.now(), panel.review_due, interview_of(journey))


def save_draft(
    caller: Caller, journey_id: str, judgements: list[DraftJudgement], recommendation: Recommendation | None
) -> ReviewDraft:
    """Save (replace) the caller's draft. Saving the same draft twice leaves the same draft."""
    store = db()
    journey = store.journey(journey_id)
    panel, seat = _seat_of(caller, journey)
    if not seat.declared:
        raise Forbidden("Declare whether you have a conflict of interest before reviewing.")
    if store.get(keys.journey_part(journey_id, review_sk(journey.claim_number, caller.id))) is not None:
        raise Conflict(
            'You have already submitted your review: change it and select "Save changes" instead '
            "of saving a draft."
        )
    if journey.stage is not Stage.PANEL_REVIEW:
        raise InvalidTransition("Drafts are saved while the claim is under panel review.")
    if reason := window_closed(journey, panel):
        raise Conflict(f"{reason}, so a draft can no longer be saved: submit your review now.")
    expected = set(claimed_elements(framework(journey.framework_key), js.claim(journey)))
    for j in judgements:
        if j.element_id not in expected:
            raise InvalidInput(f"Element {j.element_id} is not part of this claim.")
    if twice := given_twice([j.element_id for j in judgements]):
        raise InvalidInput(f"Element {twice[0]} is given twice: give each element one judgement.")
    draft = ReviewDraft(
        journey_id=journey_id,
        claim_number=journey.claim_number,
        member_id=caller.id,
        # An element with neither a judgement nor a comment says nothing: not kept.
        judgements=[j for j in judgements if j.judgement is not None or j.comment.strip()],
        recommendation=recommendation,
        saved_at=clock.now(),
    )
    item = part(journey_id, draft_sk(journey.claim_number, caller.id), draft)
    item["expires_at"] = {"N": str(int((draft.saved_at + DRAFT_KEEP).timestamp()))}  # the table's TTL
    store.put(item)
    return draft


def my_draft(caller: Caller, journey: Journey) -> ReviewDraft | None:
    """The caller's own draft, never anyone else's (the key is theirs). None once their review is in:
    a draft saved in the moment the review was submitted is stale and never shown."""
    store = db()
    found = store.get_model(
        ReviewDraft, keys.journey_part(journey.id, draft_sk(journey.claim_number, caller.id))
    )
    if found is None or my_review(caller, journey) is not None:
        return None
    return found


def my_review(caller: Caller, journey: Journey) -> Review | None:
    return db().get_model(Review, keys.journey_part(journey.id, review_sk(journey.claim_number, caller.id)))


def discard(journey_id: str, claim_number: int, member_id: str) -> None:
    """Remove a draft (deleting one that is not there is no error: a retried submission)."""
    db().delete(keys.journey_part(journey_id, draft_sk(claim_number, member_id)))
