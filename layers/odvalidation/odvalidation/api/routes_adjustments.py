"""Reasonable adjustments (issue 18): the practitioner asks, changes or withdraws; their academy lead
agrees or declines. Only those two read them (a national lead, the supporter and the panel are refused)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ..domain.adjustments import (
    DETAILS_LIMIT,
    MAX_WEEKS,
    NOTE_LIMIT,
    Adjustment,
    AdjustmentKind,
    DocumentFormat,
    InterviewFormat,
    Terms,
)
from ..services import adjustment_notices, adjustments
from .identity import current_caller
from .schemas import Body

router = Router()
JourneyId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class AdjustmentIn(Body):
    """What the practitioner needs. Give the field of the kind asked for: `weeks` (more_time),
    `interview_format` (interview; with `interview_breaks` and `interview_minutes` if needed),
    `document_format` (documents); `details` (required for other) describes it in your own words."""

    weeks: int | None = Field(default=None, ge=1, le=MAX_WEEKS)
    interview_format: InterviewFormat | None = None
    interview_breaks: bool = False
    interview_minutes: int | None = Field(default=None, ge=15, le=240)
    document_format: DocumentFormat | None = None
    details: Annotated[str, StringConstraints(strip_whitespace=True, max_length=DETAILS_LIMIT)] = ""


class DecisionIn(Body):
    agree: bool
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=NOTE_LIMIT)] = ""


class AdjustmentOut(BaseModel):
    model_config = ConfigDict(defer_build=True)

    kind: AdjustmentKind
    state: str
    requested: Terms
    agreed: Terms | None
    lead_note: str
    requested_at: datetime
    decided_at: datetime | None

    @classmethod
    def of(cls, a: Adjustment) -> AdjustmentOut:
        return cls(
            kind=a.kind,
            state=a.state.value,
            requested=a.requested,
            agreed=a.agreed,
            lead_note=a.lead_note,
            requested_at=a.requested_at,
            decided_at=a.decided_at,
        )


class AdjustmentList(BaseModel):
    model_config = ConfigDict(defer_build=True)

    adjustments: list[AdjustmentOut]


@router.get(
    "/api/journeys/<journey_id>/adjustments",
    tags=["Reasonable adjustments"],
    summary="The journey's reasonable adjustments (the practitioner and their academy lead only)",
)
def list_adjustments(journey_id: JourneyId) -> AdjustmentList:
    _, found = adjustments.readable(current_caller(router), journey_id)
    return AdjustmentList(adjustments=[AdjustmentOut.of(a) for a in found])


@router.put(
    "/api/journeys/<journey_id>/adjustments/<kind>",
    tags=["Reasonable adjustments"],
    summary="Ask for a reasonable adjustment, or change one (a change needs agreeing again)",
)
def request_adjustment(journey_id: JourneyId, kind: AdjustmentKind, body: AdjustmentIn) -> AdjustmentOut:
    terms = Terms.model_validate(body.model_dump())
    return AdjustmentOut.of(adjustment_notices.request(current_caller(router), journey_id, kind, terms))


@router.post(
    "/api/journeys/<journey_id>/adjustments/<kind>/withdrawal",
    tags=["Reasonable adjustments"],
    summary="Withdraw a reasonable adjustment (nothing of it is honoured from now)",
)
def withdraw_adjustment(journey_id: JourneyId, kind: AdjustmentKind) -> AdjustmentOut:
    return AdjustmentOut.of(adjustments.withdraw(current_caller(router), journey_id, kind))


@router.post(
    "/api/journeys/<journey_id>/adjustments/<kind>/decision",
    tags=["Reasonable adjustments"],
    summary="Agree a reasonable adjustment, or not, with a note (the practitioner's academy lead)",
)
def decide_adjustment(journey_id: JourneyId, kind: AdjustmentKind, body: DecisionIn) -> AdjustmentOut:
    decided = adjustment_notices.decide(
        current_caller(router), journey_id, kind, agree=body.agree, note=body.note
    )
    return AdjustmentOut.of(decided)
