"""Routes for panel members and for the academy lead's pool and assignments (issue 4)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ..domain.access import Caller, require_role
from ..domain.errors import InvalidInput, NotFound
from ..domain.models import (
    DraftJudgement,
    ElementJudgement,
    Interview,
    Outcome,
    OutcomeRecord,
    Panel,
    Recommendation,
    Review,
    ReviewDraft,
    Role,
)
from ..domain.panels import MemberDetails, PanelMember
from ..services import interviews, journeys, panel_reviews, panels, review_drafts, seats
from .identity import current_caller
from .schemas import Body, JourneyList, JourneySummary, Message

router = Router()
Ident = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


def caller() -> Caller:
    return current_caller(router)


class DeclarationIn(Body):
    conflict: bool
    note: Annotated[str, StringConstraints(max_length=2000)] = ""


class ReviewIn(Body):
    judgements: list[ElementJudgement] = Field(max_length=100)
    recommendation: Recommendation


class ReviewDraftIn(Body):
    judgements: list[DraftJudgement] = Field(default_factory=list, max_length=100)
    recommendation: Recommendation | None = None


class ReviewsOut(BaseModel):
    model_config = ConfigDict(defer_build=True)

    reviews: list[Review]
    disagreements: list[str]


class InterviewIn(Body):
    at: datetime
    location: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    duration_minutes: int = Field(default=60, ge=15, le=240)


class OutcomeIn(Body):
    outcome: Outcome
    feedback: dict[
        Annotated[str, StringConstraints(pattern=r"^\d+(\.\d+)*$")],
        Annotated[str, StringConstraints(max_length=4000)],
    ] = Field(default_factory=dict, max_length=100)
    development_plan: Annotated[str, StringConstraints(max_length=8000)] = ""


class ResolveIn(Body):
    member_ids: list[Annotated[str, StringConstraints(min_length=1, max_length=64)]] | None = None
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""


class Pool(BaseModel):
    model_config = ConfigDict(defer_build=True)

    members: list[PanelMember]


class Link(BaseModel):
    model_config = ConfigDict(defer_build=True)

    url: str
    expires_in_seconds: int


@router.get("/api/panel/members", tags=["Panels"], summary="The panel pool (academy and national leads)")
def list_pool() -> Pool:
    require_role(caller(), Role.ACADEMY_LEAD, Role.NATIONAL_LEAD)
    return Pool(members=panels.pool())


@router.put(
    "/api/panel/members/<member_id>",
    tags=["Panels"],
    summary="Add or change a pool member",
    description=(
        "Sets what a lead may change about a member. The member's current load and declared conflicts "
        "are kept by the service and cannot be sent; the answer shows them."
    ),
)
def save_member(member_id: Ident, body: MemberDetails) -> PanelMember:
    if body.id != member_id:
        raise InvalidInput("The member id in the path and the body differ.")
    return panels.save_member(caller(), body)


@router.get("/api/panel/assignments", tags=["Panels"], summary="Claims you are on the panel for")
def assignments() -> JourneyList:
    return JourneyList(journeys=[JourneySummary.of(j) for j in panels.my_assignments(caller())])


@router.get("/api/journeys/<journey_id>/panel", tags=["Panels"], summary="The claim's panel")
def get_panel(journey_id: Ident) -> Panel:
    journeys.load_for(caller(), journey_id)
    return seats.current_panel(journey_id)


@router.post("/api/journeys/<journey_id>/panel/declaration", tags=["Panels"], summary="Declare conflicts")
def declaration(journey_id: Ident, body: DeclarationIn) -> Message:
    panels.declare(caller(), journey_id, conflict=body.conflict, note=body.note)
    return Message(
        message="Conflict declared; your seat has been offered to another member."
        if body.conflict
        else "Thank you: you have declared no conflict of interest and can now open the evidence."
    )


@router.get(
    "/api/journeys/<journey_id>/evidence/<evidence_id>/link",
    tags=["Panels"],
    summary="A short-lived link to download one piece of evidence",
)
def evidence_link(journey_id: Ident, evidence_id: Ident) -> Link:
    from ..dal.evidence import DOWNLOAD_LINK_SECONDS

    return Link(
        url=panels.evidence_link(caller(), journey_id, evidence_id), expires_in_seconds=DOWNLOAD_LINK_SECONDS
    )


@router.put(
    "/api/journeys/<journey_id>/panel/review",
    tags=["Panels"],
    summary="Submit your review, or change it",
    description=(
        "Every element of the claim needs a judgement. Once submitted, a review can be changed by "
        "sending it again until the review is due or the interview starts; sending the same review again "
        "changes nothing. Your draft is removed when the review is submitted."
    ),
)
def review(journey_id: Ident, body: ReviewIn) -> Message:
    found = panel_reviews.submit_review(caller(), journey_id, body.judgements, body.recommendation)
    return Message(message="Review submitted." if found.changed_at is None else "Review changed.")


@router.put(
    "/api/journeys/<journey_id>/panel/review/draft",
    tags=["Panels"],
    summary="Save your review as a draft",
    description=(
        "A draft may be partial (some elements judged, comments, no recommendation yet). Only you can "
        "read it; it changes nothing in the claim's workflow. Saved until the review is due or the "
        "interview starts, and removed when you submit your review."
    ),
)
def save_draft(journey_id: Ident, body: ReviewDraftIn) -> ReviewDraft:
    return review_drafts.save_draft(caller(), journey_id, body.judgements, body.recommendation)


@router.get("/api/journeys/<journey_id>/panel/review/draft", tags=["Panels"], summary="Your review draft")
def get_draft(journey_id: Ident) -> ReviewDraft:
    who = caller()
    journey = journeys.load_for(who, journey_id)
    found = review_drafts.my_draft(who, journey)
    if found is None:
        raise NotFound("You have no draft of this review.")
    return found


@router.get(
    "/api/journeys/<journey_id>/panel/reviews", tags=["Panels"], summary="All reviews, once yours is in"
)
def reviews(journey_id: Ident) -> ReviewsOut:
    found, flags = panel_reviews.reviews_for(caller(), journey_id)
    return ReviewsOut(reviews=found, disagreements=flags)


@router.post(
    "/api/journeys/<journey_id>/panel/resolution",
    tags=["Panels"],
    summary="Unblock a claim that has no valid panel (academy lead)",
)
def resolve(journey_id: Ident, body: ResolveIn) -> Panel:
    return panels.resolve_blocked(caller(), journey_id, member_ids=body.member_ids, reason=body.reason)


@router.post("/api/journeys/<journey_id>/interview", tags=["Panels"], summary="Arrange the interview")
def interview(journey_id: Ident, body: InterviewIn) -> Interview:
    return interviews.schedule_interview(caller(), journey_id, body.at, body.location, body.duration_minutes)


@router.get("/api/journeys/<journey_id>/interview", tags=["Panels"], summary="The interview arranged")
def get_interview(journey_id: Ident) -> Interview:
    journey = journeys.load_for(caller(), journey_id)
    found = seats.interview_of(journey)
    if found is None:
        raise NotFound("No interview has been arranged for this claim yet.")
    return found


@router.post(
    "/api/journeys/<journey_id>/interview/held",
    tags=["Panels"],
    summary="Record that the interview took place (academy lead)",
)
def interview_held(journey_id: Ident) -> Interview:
    return interviews.record_interview_held(caller(), journey_id)


@router.post(
    "/api/journeys/<journey_id>/outcome", tags=["Panels"], summary="Record the outcome (panel chair)"
)
def outcome(journey_id: Ident, body: OutcomeIn) -> OutcomeRecord:
    return interviews.record_outcome(caller(), journey_id, body.outcome, body.feedback, body.development_plan)
