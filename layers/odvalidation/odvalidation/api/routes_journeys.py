"""Routes for practitioners, supporters and academy leads (steps 1 to 5)."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import StringConstraints

from ..domain.access import Caller
from ..domain.models import Cohort, DraftComment, Person, Role
from ..services import claim_development, cohorts, comments, confirmations, people, preparation, uploads
from ..services import journeys as js
from ..services.uploads import UploadLink
from .identity import current_caller
from .schemas import (
    AttendanceIn,
    Body,
    ClaimIn,
    CohortIn,
    CohortList,
    CommentIn,
    CommentList,
    DecisionIn,
    EquivalentSessionIn,
    EvidenceIn,
    ExtensionIn,
    JourneyList,
    JourneyStatus,
    JourneySummary,
    Me,
    Message,
    ProfileIn,
    ReasonIn,
    ReflectionIn,
    RegisterInterest,
    SupporterIn,
)

router = Router()
JourneyId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


def caller() -> Caller:
    return current_caller(router)


@router.get("/api/me", tags=["You"], summary="Who you are and your journeys")
def me() -> Me:
    c = caller()
    return Me(
        id=c.id,
        email=c.email,
        name=c.name,
        roles=sorted(r.value for r in c.roles),
        academy_id=c.academy_id,
        journeys=[JourneySummary.of(j) for j in js.my_journeys(c)],
        supporting=[JourneySummary.of(j) for j in js.supported_journeys(c)],
    )


@router.put("/api/me/profile", tags=["You"], summary="Your profile: name, employer, line managers")
def profile(body: ProfileIn) -> Person:
    return people.update_profile(
        caller(), name=body.name, employer=body.employer, line_managers=body.line_managers
    )


@router.get("/api/cohorts", tags=["Cohorts"], summary="Cohorts open for expressions of interest")
def list_cohorts(academy_id: str | None = None) -> CohortList:
    cohorts = js.academy_cohorts(academy_id) if academy_id else js.all_cohorts()
    return CohortList(cohorts=cohorts)


@router.post("/api/cohorts", tags=["Cohorts"], summary="Create a cohort (academy lead)")
def create_cohort(body: CohortIn) -> Cohort:
    return cohorts.create_cohort(caller(), cohorts.NewCohort(**body.model_dump()))


@router.get(
    "/api/cohorts/<cohort_id>/journeys", tags=["Cohorts"], summary="A cohort's journeys (academy lead)"
)
def cohort_journeys(cohort_id: JourneyId) -> JourneyList:
    return JourneyList(journeys=[JourneySummary.of(j) for j in js.cohort_journeys(caller(), cohort_id)])


@router.post("/api/cohorts/<cohort_id>/attendance", tags=["Cohorts"], summary="Record workshop attendance")
def attendance(cohort_id: JourneyId, body: AttendanceIn) -> Message:
    moved = preparation.record_attendance(caller(), cohort_id, body.journey_ids, attended=body.attended)
    if not body.attended:
        return Message(message=f"Recorded that {len(body.journey_ids)} did not attend the workshop.")
    return Message(
        message=f"Attendance recorded for {len(body.journey_ids)}; {len(moved)} moved on to the decision."
    )


@router.post(
    "/api/journeys/<journey_id>/equivalent-session",
    tags=["Cohorts"],
    summary="Record an equivalent of the workshop (academy lead)",
    description="Another cohort's workshop, a one-to-one or a reasonable adjustment, with the reason.",
)
def equivalent_session(journey_id: JourneyId, body: EquivalentSessionIn) -> Message:
    moved = preparation.record_equivalent_session(caller(), journey_id, body.kind, body.reason)
    return Message(
        message="Equivalent session recorded"
        + ("; the practitioner moves on to the decision." if moved else ".")
    )


@router.post("/api/journeys", tags=["Journeys"], summary="Express interest in a cohort")
def register(body: RegisterInterest) -> JourneySummary:
    return JourneySummary.of(preparation.register_interest(caller(), body.cohort_id))


@router.get("/api/journeys/<journey_id>", tags=["Journeys"], summary="A journey's status and history")
def journey_status(journey_id: JourneyId) -> JourneyStatus:
    s = js.status(caller(), journey_id)
    return JourneyStatus(
        journey=JourneySummary.of(s["journey"]),
        claim=s["claim"],
        evidence=s["evidence"],
        completeness=s.get("completeness"),
        history=s["history"],
    )


@router.put("/api/journeys/<journey_id>/reflection", tags=["Step 1: reflection"], summary="Save or submit")
def reflection(journey_id: JourneyId, body: ReflectionIn) -> Message:
    preparation.save_reflection(caller(), journey_id, body.ratings, body.career_note, submit=body.submit)
    return Message(message="Reflection submitted." if body.submit else "Reflection saved.")


@router.post("/api/journeys/<journey_id>/decision", tags=["Step 3: decision"], summary="Record the decision")
def decision(journey_id: JourneyId, body: DecisionIn) -> Message:
    d = preparation.record_decision(caller(), journey_id, body.readiness, body.reengage_on, body.note)
    return Message(message=f"Decision recorded: {d.readiness.value.replace('_', ' ')}.")


@router.put(
    "/api/journeys/<journey_id>/claim", tags=["Step 4: claim"], summary="Save the level and narratives"
)
def save_claim(journey_id: JourneyId, body: ClaimIn) -> Message:
    c = claim_development.save_claim(
        caller(),
        journey_id,
        level=body.level,
        narratives=body.narratives,
        elements=body.elements,
        practice_reflection=body.practice_reflection,
        seen=body.versions,
    )
    return Message(
        message=f"Claim saved ({len([n for n in c.narratives.values() if n.strip()])} narratives)."
    )


@router.post("/api/journeys/<journey_id>/evidence", tags=["Step 4: claim"], summary="Get an upload link")
def add_evidence(journey_id: JourneyId, body: EvidenceIn) -> UploadLink:
    return uploads.request_upload(
        caller(), journey_id, body.element_id, body.filename, body.content_type, body.size
    )


@router.put(
    "/api/journeys/<journey_id>/evidence/<evidence_id>",
    tags=["Step 4: claim"],
    summary="Replace a piece of evidence",
)
def replace_evidence(journey_id: JourneyId, evidence_id: JourneyId, body: EvidenceIn) -> UploadLink:
    c = caller()
    claim_development.remove_evidence(c, journey_id, evidence_id)
    return uploads.request_upload(c, journey_id, body.element_id, body.filename, body.content_type, body.size)


@router.delete(
    "/api/journeys/<journey_id>/evidence/<evidence_id>",
    tags=["Step 4: claim"],
    summary="Remove a piece of evidence",
)
def remove_evidence(journey_id: JourneyId, evidence_id: JourneyId) -> Message:
    claim_development.remove_evidence(caller(), journey_id, evidence_id)
    return Message(message="Evidence removed.")


@router.put("/api/journeys/<journey_id>/supporter", tags=["Step 4: claim"], summary="Name a supporter")
def supporter(journey_id: JourneyId, body: SupporterIn) -> Message:
    p = confirmations.name_supporter(caller(), journey_id, body.email)
    return Message(message=f"{p.name} is now your supporter.")


@router.post(
    "/api/journeys/<journey_id>/comments",
    tags=["Step 4: claim"],
    summary="Comment on the draft claim (its named supporter)",
)
def comment(journey_id: JourneyId, body: CommentIn) -> DraftComment:
    found, _ = comments.comment(caller(), journey_id, body.element_id, body.text)
    return found


@router.get(
    "/api/journeys/<journey_id>/comments",
    tags=["Step 4: claim"],
    summary="The supporter's comments on the draft (the practitioner and the supporter)",
)
def draft_comments(journey_id: JourneyId) -> CommentList:
    return CommentList(comments=comments.comments(caller(), journey_id))


@router.post("/api/journeys/<journey_id>/submission", tags=["Step 5: submission"], summary="Submit the claim")
def submit(journey_id: JourneyId) -> Message:
    result = confirmations.submit_claim(caller(), journey_id)
    return Message(message=f"Claim submitted: {result.summary}.")


@router.post("/api/journeys/<journey_id>/withdrawal", tags=["Journeys"], summary="Withdraw from the pathway")
def withdraw(journey_id: JourneyId, body: ReasonIn) -> Message:
    js.withdraw(caller(), journey_id, body.reason)
    return Message(message="You have withdrawn. Your academy can help you return when you are ready.")


@router.post("/api/journeys/<journey_id>/new-claim", tags=["Step 4: claim"], summary="Start a new claim")
def new_claim(journey_id: JourneyId) -> Message:
    js.start_new_claim(caller(), journey_id)
    return Message(message="A new claim has been started.")


@router.post(
    "/api/journeys/<journey_id>/decide-again",
    tags=["Step 3: decision"],
    summary="Decide again after developing further",
)
def decide_again(journey_id: JourneyId) -> Message:
    js.decide_again(caller(), journey_id)
    return Message(message="Step 3 is open again: record your decision when you are ready.")


@router.post(
    "/api/journeys/<journey_id>/extension", tags=["Academy leads"], summary="Grant the one extension"
)
def extension(journey_id: JourneyId, body: ExtensionIn) -> Message:
    j = confirmations.grant_extension(caller(), journey_id, body.weeks, body.reason)
    assert j.claim_deadline is not None
    return Message(message=f"Extension granted: the claim is now due {j.claim_deadline:%-d %B %Y}.")


@router.post("/api/journeys/<journey_id>/resume", tags=["Academy leads"], summary="Resume after a failure")
def resume(journey_id: JourneyId) -> Message:
    js.resume_failed(caller(), journey_id)
    return Message(message="The journey has been resumed from the step that failed.")


class InvitationIn(Body):
    email: Annotated[
        str,
        StringConstraints(
            strip_whitespace=True, to_lower=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
        ),
    ]
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    role: Literal["panel", "supporter", "academy_lead"]
    academy_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    employer: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None


@router.post("/api/invitations", tags=["Academy leads"], summary="Invite a panel member, supporter or lead")
def invite(body: InvitationIn) -> Person:
    return people.invite(
        caller(),
        people.Invitation(
            email=body.email,
            name=body.name,
            role=Role(body.role),
            academy_id=body.academy_id,
            employer=body.employer,
        ),
    )
