"""What agreed reasonable adjustments change, read without an access check: the weeks a claim window
gains and the interview's agreed format. For the workflow's tasks (services/tasks.py) and the use cases
alike (services/adjustments.py re-exports these), with nothing that checks a caller or sends email."""

from __future__ import annotations

from ..dal import keys
from ..domain import adjustments as rules
from ..domain.adjustments import Adjustment, AdjustmentKind
from ..domain.models import Journey
from .common import db, part


def sk(kind: AdjustmentKind) -> str:
    return f"ADJUSTMENT#{kind.value}"


def of(journey_id: str) -> list[Adjustment]:
    """Every adjustment of a journey (no access check: for the use cases below and the workflow)."""
    return db().query_models(Adjustment, f"JOURNEY#{journey_id}", prefix="ADJUSTMENT#")


def one(journey_id: str, kind: AdjustmentKind) -> Adjustment | None:
    return db().get_model(Adjustment, keys.journey_part(journey_id, sk(kind)))


def claim_opening(journey: Journey, claim_number: int) -> tuple[int, list[dict[str, object]]]:
    """For the workflow opening a claim window: the agreed weeks to add to the new deadline, and the
    adjustment item (to write in the same transaction) recording that this claim carries them."""
    found = one(journey.id, AdjustmentKind.MORE_TIME)
    weeks = rules.agreed_weeks(found)
    if found is None or weeks == 0:
        return 0, []
    marked = found.model_copy(update={"applied_claim": claim_number, "applied_weeks": weeks})
    return weeks, [part(journey.id, sk(AdjustmentKind.MORE_TIME), marked)]


def agreed_interview(journey_id: str) -> str:
    """The agreed interview format and length, as the chair and the invitation state it ('' if none)."""
    found = one(journey_id, AdjustmentKind.INTERVIEW)
    return rules.interview_text(found.agreed if found else None)
