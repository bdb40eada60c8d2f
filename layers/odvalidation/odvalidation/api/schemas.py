"""Request and response bodies of the JSON API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from ..domain.claims import Completeness
from ..domain.models import (
    AuditEvent,
    Claim,
    Cohort,
    DraftComment,
    ElementRating,
    EquivalentSession,
    EvidenceItem,
    Journey,
    Level,
    Readiness,
)
from ..domain.text import control_character_path

Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    @model_validator(mode="before")
    @classmethod
    def no_control_characters(cls, data: Any) -> Any:
        where = control_character_path(data)
        if where:
            raise ValueError(
                f"{where} contains a control character (such as NUL); remove it and send it again"
            )
        return data


class Message(BaseModel):
    model_config = ConfigDict(defer_build=True)

    message: str
    details: list[str] = Field(default_factory=list)


class JourneySummary(BaseModel):
    """What anyone allowed to see a journey sees (no task tokens)."""

    model_config = ConfigDict(defer_build=True)

    id: str
    practitioner_id: str
    cohort_id: str
    academy_id: str
    framework_key: str
    stage: str
    step: int | None
    version: int
    created_at: datetime
    updated_at: datetime
    readiness: Readiness | None
    reengage_on: date | None
    workshop_attended: bool
    supporter_id: str | None
    claim_number: int
    claim_deadline: datetime | None
    extension_granted: bool
    waiting_for: str | None
    outcome: str | None
    certificate_id: str | None
    certificate_revoked: bool = False  # the current certificate was revoked: not "validated" any more
    failure: str | None

    @classmethod
    def of(cls, j: Journey) -> JourneySummary:
        from ..domain.journey import step_number

        return cls(
            id=j.id,
            practitioner_id=j.practitioner_id,
            cohort_id=j.cohort_id,
            academy_id=j.academy_id,
            framework_key=j.framework_key,
            stage=j.stage.value,
            step=step_number(j.stage),
            version=j.version,
            created_at=j.created_at,
            updated_at=j.updated_at,
            readiness=j.readiness,
            reengage_on=j.reengage_on,
            workshop_attended=j.workshop_attended,
            supporter_id=j.supporter_id,
            claim_number=j.claim_number,
            claim_deadline=j.claim_deadline,
            extension_granted=j.extension_granted,
            waiting_for=j.waiting_step,
            outcome=j.outcome.value if j.outcome else None,
            certificate_id=j.certificate_id,
            certificate_revoked=j.certificate_revoked,
            failure=f"{j.failure.error}: {j.failure.cause[:200]}" if j.failure else None,
        )


class JourneyStatus(BaseModel):
    model_config = ConfigDict(defer_build=True)

    journey: JourneySummary
    claim: Claim | None = None
    evidence: list[EvidenceItem] = Field(default_factory=list)
    completeness: Completeness | None = None
    history: list[AuditEvent] = Field(default_factory=list)


class RegisterInterest(Body):
    cohort_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]


class ReflectionIn(Body):
    ratings: list[ElementRating] = Field(max_length=100)
    career_note: Annotated[str, StringConstraints(max_length=8000)] = ""
    submit: bool = False


class DecisionIn(Body):
    readiness: Readiness
    reengage_on: date | None = None
    note: Annotated[str, StringConstraints(max_length=4000)] = ""


class ClaimIn(Body):
    level: Level | None = None
    narratives: dict[
        Annotated[str, StringConstraints(pattern=r"^\d+(\.\d+)*$")],
        Annotated[str, StringConstraints(max_length=20_000)],
    ] = Field(default_factory=dict, max_length=100)
    # Revalidation claims only: at least one element per domain, and practice since validation.
    elements: list[Annotated[str, StringConstraints(pattern=r"^\d+(\.\d+)*$")]] | None = Field(
        default=None, max_length=100
    )
    practice_reflection: Annotated[str, StringConstraints(max_length=20_000)] | None = None
    # Optimistic concurrency per element: the narrative versions as last read (claim.narrative_versions
    # in GET /api/journeys/{id}). A narrative changed since is refused with a 409, not overwritten.
    versions: dict[
        Annotated[str, StringConstraints(pattern=r"^\d+(\.\d+)*$")], Annotated[int, Field(ge=0)]
    ] = Field(
        default_factory=dict,
        max_length=100,
        description=(
            "Each narrative's version as you last read it (claim.narrative_versions; 0 for one never "
            "written). Send it with every narrative you change: if the narrative was changed since, the "
            "save is refused with 409 and nothing is overwritten. A narrative sent without its version "
            "overwrites whatever is there."
        ),
    )


class EvidenceIn(Body):
    element_id: Annotated[str, StringConstraints(pattern=r"^\d+(\.\d+)*$")]
    filename: Annotated[str, StringConstraints(min_length=1, max_length=255)]
    content_type: Annotated[str, StringConstraints(min_length=1, max_length=120)]
    size: int = Field(ge=1, le=10 * 1024**3)


class SupporterIn(Body):
    email: Annotated[
        str, StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    ]


class CommentIn(Body):
    element_id: Annotated[str | None, StringConstraints(pattern=r"^\d+(\.\d+)*$")] = None
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]


class CommentList(BaseModel):
    model_config = ConfigDict(defer_build=True)

    comments: list[DraftComment]


class ReasonIn(Body):
    reason: Reason = ""


class ExtensionIn(Body):
    weeks: int = Field(ge=1, le=12)
    reason: Reason


class AttendanceIn(Body):
    journey_ids: list[Annotated[str, StringConstraints(min_length=1, max_length=64)]] = Field(
        min_length=1, max_length=500
    )
    # False records that these practitioners did not come (they may attend an equivalent session).
    attended: bool = True


class EquivalentSessionIn(Body):
    kind: EquivalentSession
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)]


class CohortIn(Body):
    academy_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    number: int = Field(ge=1, le=999)
    framework_key: Annotated[str, StringConstraints(min_length=1, max_length=80)]
    workshop_date: date
    claim_window_months: int = Field(default=6, ge=1, le=9)
    panel_size: int = Field(default=3, ge=2, le=5)
    exclude_same_academy_panel: bool = False


class CohortList(BaseModel):
    model_config = ConfigDict(defer_build=True)

    cohorts: list[Cohort]


class JourneyList(BaseModel):
    model_config = ConfigDict(defer_build=True)

    journeys: list[JourneySummary]


class Me(BaseModel):
    model_config = ConfigDict(defer_build=True)

    id: str
    email: str
    name: str
    roles: list[str]
    academy_id: str | None
    journeys: list[JourneySummary]
    supporting: list[JourneySummary]


class ProfileIn(Body):
    """What a person may change about themselves. Not their academy: it scopes what they may do, so it
    comes from their sign-in (set at sign-up or by the lead who invited them), and a request naming one is
    refused rather than answered as if it had changed."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    employer: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    line_managers: list[Annotated[str, StringConstraints(min_length=1, max_length=64)]] = Field(
        default_factory=list, max_length=10
    )

    @model_validator(mode="before")
    @classmethod
    def no_academy(cls, data: Any) -> Any:
        if isinstance(data, dict) and "academy_id" in data:
            raise PydanticCustomError(
                "academy_fixed",
                "academy_id cannot be changed here: your academy is set by your academy lead (or when you "
                "signed up). Send your profile without academy_id; ask your academy lead to move you.",
            )
        return data
