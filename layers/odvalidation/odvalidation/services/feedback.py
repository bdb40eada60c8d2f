"""Participant feedback after the outcome (research-based practice: feedback is collected after each
cohort). One response per claim, stored with the journey; a cohort's responses come from one Query.

Items: PK `JOURNEY#<id>`, SK `FEEDBACK#<claim n>`, GSI2 `COHORT#<cohort>` / `FEEDBACK#<journey>#<n>` (the
cohort's journeys are read with the `JOURNEY#` prefix on the same index, so neither read sees the other).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .. import clock
from ..dal import keys
from ..dal.store import from_item, to_item
from ..domain.access import Caller, check_lead
from ..domain.errors import InvalidTransition, NotFound
from ..domain.models import Journey, Stage
from ..settings import settings
from .common import db
from .journey_parts import cohort as load_cohort

# The poster's words about the process, as the questions we ask (1 = strongly disagree, 5 = strongly agree).
QUESTIONS: dict[str, str] = {
    "integrity": "The process had integrity and was robust",
    "assurance": "The process provided assurance of my capability",
    "opened_doors": "Being validated has opened doors for me",
    "confidence": "I developed in confidence",
    "connections": "I made valuable connections",
}
SCALE: dict[int, str] = {
    1: "Strongly disagree",
    2: "Disagree",
    3: "Neither agree nor disagree",
    4: "Agree",
    5: "Strongly agree",
}
OUTCOME_STAGES = frozenset({Stage.VALIDATED, Stage.NOT_YET_VALIDATED})

Rating = Annotated[int, Field(ge=1, le=5)]
Comments = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]


class FeedbackIn(BaseModel):
    """What the practitioner gives: a rating for each question and, if they wish, their own words."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    integrity: Rating
    assurance: Rating
    opened_doors: Rating
    confidence: Rating
    connections: Rating
    comments: Comments = ""


class Feedback(FeedbackIn):
    journey_id: str
    claim_number: int
    cohort_id: str
    academy_id: str
    outcome: str | None
    submitted_at: datetime


class QuestionSummary(BaseModel):
    model_config = ConfigDict(defer_build=True)

    key: str
    question: str
    responses: int
    average: float | None  # None without responses
    distribution: dict[int, int]  # rating -> responses


class FeedbackSummary(BaseModel):
    model_config = ConfigDict(defer_build=True)

    cohort_id: str
    responses: int
    questions: list[QuestionSummary]
    comments: list[str] | None = Field(
        default=None,
        description="free text, only for leads of the cohort's academy and national leads, and only "
        "from at least as many respondents as the suppression threshold",
    )
    comments_withheld: bool = Field(
        default=False, description="free text was given but by too few people to show it verbatim"
    )


def _key(journey: Journey) -> dict[str, str]:
    return keys.journey_part(journey.id, f"FEEDBACK#{journey.claim_number}")


def invitation_open(journey: Journey) -> bool:
    return journey.stage in OUTCOME_STAGES and journey.claim_number >= 1


def existing(journey: Journey) -> Feedback | None:
    return db().get_model(Feedback, _key(journey))


def give(caller: Caller, journey_id: str, answers: FeedbackIn) -> tuple[Feedback, bool]:
    """Store the practitioner's feedback on this claim. Returns (feedback, created).

    Idempotent: one response per claim; a repeat (a retried post, a second click) returns the stored
    response unchanged and created=False.
    """
    store = db()
    try:
        journey = store.journey(journey_id)
    except NotFound:
        raise NotFound(f"There is no journey '{journey_id}'.") from None
    if caller.id != journey.practitioner_id:
        # Only the practitioner gives feedback on their journey; others are not told it exists.
        raise NotFound(f"There is no journey '{journey_id}'.")
    if not invitation_open(journey):
        raise InvalidTransition(
            "You can give feedback once the panel has recorded the outcome of your claim."
        )
    record = Feedback(
        **answers.model_dump(),
        journey_id=journey.id,
        claim_number=journey.claim_number,
        cohort_id=journey.cohort_id,
        academy_id=journey.academy_id,
        outcome=journey.outcome.value if journey.outcome else None,
        submitted_at=clock.now(),
    )
    item = to_item(
        record,
        _key(journey),
        GSI2PK=f"COHORT#{journey.cohort_id}",
        GSI2SK=f"FEEDBACK#{journey.id}#{journey.claim_number}",
    )
    if store.put(item, only_if_new=True):
        return record, True
    found = existing(journey)
    assert found is not None  # the conditional put failed because it exists
    return found, False


def cohort_responses(cohort_id: str) -> list[Feedback]:
    return [
        from_item(Feedback, item)
        for item in db().query(f"COHORT#{cohort_id}", index="GSI2", prefix="FEEDBACK#")
    ]


def summarise(cohort_id: str, responses: list[Feedback], *, with_comments: bool) -> FeedbackSummary:
    # Imported here: statistics (with fractions, random, ...) is only needed by the leads' summaries.
    from statistics import fmean

    questions = []
    for key, text in QUESTIONS.items():
        values = [int(getattr(r, key)) for r in responses]
        questions.append(
            QuestionSummary(
                key=key,
                question=text,
                responses=len(values),
                average=round(fmean(values), 1) if values else None,
                distribution={n: values.count(n) for n in SCALE},
            )
        )
    given = [r.comments for r in responses if r.comments] if with_comments else None
    # Free text from fewer people than the suppression threshold could be read back to the person
    # who wrote it (issue 15.4): then it is withheld, and the page says so.
    few = len(responses) < max(1, settings().suppression_threshold)
    return FeedbackSummary(
        cohort_id=cohort_id,
        responses=len(responses),
        questions=questions,
        comments=None if few else given,
        comments_withheld=bool(given) and few,
    )


def cohort_summary(caller: Caller, cohort_id: str) -> FeedbackSummary:
    """A lead's summary of a cohort's feedback, free text included (leads of its academy, national leads)."""
    c = load_cohort(cohort_id)
    check_lead(caller, c.academy_id)
    return summarise(cohort_id, cohort_responses(cohort_id), with_comments=True)
