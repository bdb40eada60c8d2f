"""Step 5: a panel member's review, and their draft of it."""

# No `from __future__ import annotations`: see models/__init__.py.

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from ..basics import Id, Model
from .enums import Judgement, Recommendation


class ElementJudgement(Model):
    element_id: str
    judgement: Judgement
    comment: Annotated[str, StringConstraints(max_length=4000)] = ""


class Review(Model):
    journey_id: Id
    claim_number: int
    member_id: Id
    judgements: list[ElementJudgement]
    recommendation: Recommendation
    submitted_at: datetime
    # Set when the member changed their review after submitting it (allowed until the review is due or
    # the interview starts: domain/panels/review_window.py).
    changed_at: datetime | None = None


class DraftJudgement(Model):
    """One element of a review draft: a judgement not chosen yet, a comment begun."""

    element_id: str
    judgement: Judgement | None = None
    comment: Annotated[str, StringConstraints(max_length=4000)] = ""


class ReviewDraft(Model):
    """A panel member's review as far as they have got (issue 16.4): private to its author (stored
    apart from the reviews, under REVIEWDRAFT#), changing nothing in the workflow, removed once the
    review is submitted."""

    journey_id: Id
    claim_number: int
    member_id: Id
    judgements: list[DraftJudgement] = Field(default_factory=list)
    recommendation: Recommendation | None = None
    saved_at: datetime
