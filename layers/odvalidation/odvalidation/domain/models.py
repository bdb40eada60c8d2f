"""The domain models of the pathway: one place for every entity the product stores or exchanges.

Models here are plain pydantic: they know nothing of DynamoDB keys (see dal/items.py) or HTTP
(see api/schemas.py).
"""

# No `from __future__ import annotations` here: pydantic would compile and evaluate every field's
# annotation string when the classes are created, which costs each function ~3 ms of start-up.

import json
import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

# The identifier and text types, the base model, the roles and `build` live one module down (basics.py),
# so that a function needing only those does not create every model class; they are the same objects here.
from .basics import Id as Id
from .basics import LongText as LongText
from .basics import Model as Model
from .basics import Role as Role
from .basics import ShortText as ShortText
from .basics import build as build

# --- enumerations --------------------------------------------------------------------------------


class Stage(StrEnum):
    """Where a journey stands. The allowed moves between them are in domain/journey.py only."""

    REFLECTION = "reflection"
    WORKSHOP = "workshop"
    DECISION = "decision"
    DEFERRED = "deferred"
    CLOSED = "closed"
    CLAIM_DEVELOPMENT = "claim_development"
    SUBMITTED = "submitted"
    AWAITING_PANEL = "awaiting_panel"
    PANEL_REVIEW = "panel_review"
    INTERVIEW = "interview"
    VALIDATED = "validated"
    NOT_YET_VALIDATED = "not_yet_validated"
    LAPSED = "lapsed"
    WITHDRAWN = "withdrawn"


class Readiness(StrEnum):
    READY_NOW = "ready_now"
    READY_LATER = "ready_12_18_months"
    FURTHER_DEVELOPMENT = "further_development"


class Level(StrEnum):
    """The level claimed, and the level validated."""

    LEADER = "system_od_leader"
    PRACTITIONER = "system_od_practitioner"


class Outcome(StrEnum):
    LEADER = "system_od_leader"
    PRACTITIONER = "system_od_practitioner"
    NOT_YET = "not_yet"


class Judgement(StrEnum):
    EVIDENCED = "evidenced"
    PARTLY = "partly_evidenced"
    NOT_YET = "not_yet_evidenced"


class Recommendation(StrEnum):
    LEADER = "system_od_leader"
    PRACTITIONER = "system_od_practitioner"
    NOT_YET = "not_yet"


class EvidenceStatus(StrEnum):
    PENDING = "pending"  # the upload link was issued; nothing has landed yet
    VERIFIED = "verified"
    QUARANTINED = "quarantined"


class MemberKind(StrEnum):
    PEER = "peer"
    EXPERT = "expert"


class CertificateStatus(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"
    UNKNOWN = "unknown"


# --- reference data -------------------------------------------------------------------------------


class Academy(Model):
    id: Id
    name: ShortText
    region: ShortText


class FrameworkElement(Model):
    id: Annotated[str, StringConstraints(pattern=r"^\d+(\.\d+)*$")]
    title: ShortText
    description: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    # Which levels must evidence this element: some elements are only expected of leaders.
    levels: list[Level] = Field(default_factory=lambda: [Level.LEADER, Level.PRACTITIONER])


class FrameworkDomain(Model):
    id: Annotated[str, StringConstraints(pattern=r"^\d+$")]
    title: ShortText
    elements: list[FrameworkElement] = Field(min_length=1)


class Framework(Model):
    id: Id
    version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+$")]
    title: ShortText
    summary: Annotated[str, StringConstraints(max_length=2000)]
    domains: list[FrameworkDomain] = Field(min_length=1)

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"

    @property
    def elements(self) -> list[FrameworkElement]:
        return [e for d in self.domains for e in d.elements]

    def element(self, element_id: str) -> FrameworkElement | None:
        return next((e for e in self.elements if e.id == element_id), None)

    def elements_for(self, level: Level) -> list[FrameworkElement]:
        return [e for e in self.elements if level in e.levels]


# --- people and cohorts ---------------------------------------------------------------------------


class Person(Model):
    """A signed-in user's profile. `id` is the Cognito `sub`."""

    id: Id
    name: ShortText
    email: Annotated[
        str, StringConstraints(max_length=254, pattern=r"^[^@\s\r\n]+@[^@\s\r\n]+\.[^@\s\r\n]+$")
    ]
    employer: ShortText | None = None
    academy_id: Id | None = None
    # The people in this person's line-management chain (ids), nearest first.
    line_managers: list[Id] = Field(default_factory=list)


class Cohort(Model):
    id: Id
    academy_id: Id
    name: ShortText
    number: int = Field(ge=1)
    framework_key: str  # "<framework id>@<version>": claims stay pinned to it
    workshop_date: date
    claim_window_months: int = Field(default=6, ge=1, le=9)
    panel_size: int = Field(default=3, ge=2, le=5)
    exclude_same_academy_panel: bool = False
    created_at: datetime
    # Where the workshop is held, and how many places it has (None: as many as register). Both may
    # change after the cohort is created.
    venue: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    places: int | None = Field(default=None, ge=1, le=500)


# --- the journey ----------------------------------------------------------------------------------


class AuditEvent(Model):
    """One line of a journey's audit trail: who did what, when, from which stage to which, and why."""

    journey_id: Id
    at: datetime
    actor: str  # a person id, or "system:<function>"
    action: str
    from_stage: Stage | None = None
    to_stage: Stage | None = None
    reason: str | None = None


class Failure(Model):
    """A step that could not complete. The journey keeps its stage and can be resumed from it."""

    step: str
    error: str
    cause: str
    at: datetime

    @property
    def message(self) -> str:
        """What went wrong, in the error's own words (not Lambda's JSON around them)."""
        return failure_message(self.cause)


_ERROR_MESSAGE = re.compile(r'^\s*\{.*?"errorMessage"\s*:\s*"((?:[^"\\]|\\.)*)("|\\?$)', re.DOTALL)


def failure_message(cause: str) -> str:
    """Step Functions passes a failed Lambda task's cause as Lambda's error JSON ({"errorMessage": ...,
    "errorType": ..., "stackTrace": [...]}): a lead reads its message, not the JSON and the stack trace.
    Any other cause (a timeout's, a state machine's own) is its text."""
    try:
        parsed = json.loads(cause)
    except ValueError:
        # Cut short (the trail kept 300 characters of it): the message starts near the start.
        cut = _ERROR_MESSAGE.search(cause)
        if cut is None:
            return cause.strip()
        text = cut.group(1)
        ended = cut.group(2) == '"'
        if not ended:
            text = re.sub(r"\\(u[0-9a-fA-F]{0,3})?$", "", text)  # an escape cut in two
        return str(json.loads(f'"{text}"')) + ("" if ended else "…")
    if isinstance(parsed, dict) and isinstance(parsed.get("errorMessage"), str) and parsed["errorMessage"]:
        return str(parsed["errorMessage"]).strip()
    return cause.strip()


class Journey(Model):
    id: Id
    practitioner_id: Id
    cohort_id: Id
    academy_id: Id
    framework_key: str
    stage: Stage
    version: int = 0  # optimistic lock: every write is conditional on it
    created_at: datetime
    updated_at: datetime
    stage_entered_at: datetime
    readiness: Readiness | None = None
    reengage_on: date | None = None
    workshop_attended: bool = False
    # The lead recorded that the practitioner did not come to the workshop (they stay at the step and
    # may attend another session).
    workshop_absent: bool = False
    # Attended an equivalent session instead (another cohort's workshop, a one-to-one, a reasonable
    # adjustment): what it was, as the lead recorded it.
    workshop_equivalent: str | None = None
    supporter_id: Id | None = None
    claim_number: int = 0  # 1 for the first claim; a new claim after "not yet" increments it
    claim_deadline: datetime | None = None
    extension_granted: bool = False
    task_token: str | None = None  # the token of the callback task the journey waits on
    # The token of the step just completed, kept until the next step opens so that a retried
    # request can resume the workflow again (Step Functions ignores a second resume).
    resume_token: str | None = None
    waiting_step: str | None = None
    execution_arn: str | None = None
    outcome: Outcome | None = None
    certificate_id: Id | None = None
    # The current certificate (certificate_id) was revoked: the journey still ended in a validation,
    # but no page or report may call the practitioner validated (issue 15.5).
    certificate_revoked: bool = False
    # A validated practitioner renewing their certificate: a lighter claim (a reflection on practice
    # since validation, evidence for a subset of elements) reviewed by one panel member.
    revalidation: bool = False
    failure: Failure | None = None


class ElementRating(Model):
    element_id: str
    rating: int = Field(ge=1, le=5)
    note: Annotated[str, StringConstraints(max_length=4000)] = ""


class Reflection(Model):
    journey_id: Id
    ratings: list[ElementRating]
    career_note: Annotated[str, StringConstraints(max_length=8000)] = ""
    submitted: bool = False
    updated_at: datetime


class Decision(Model):
    journey_id: Id
    readiness: Readiness
    reengage_on: date | None = None
    note: Annotated[str, StringConstraints(max_length=4000)] = ""
    decided_at: datetime


class EvidenceItem(Model):
    """One file in a claim's evidence library (issue 16.6): uploaded once, linked to every element it
    supports. `id` is its identity for good (downloads, audit, attestations key on it)."""

    id: Id
    journey_id: Id
    claim_number: int
    element_id: str  # the element it was uploaded for (its S3 key names it)
    # The elements it supports. Items stored before the library have none: they support element_id
    # (filled in on read below, so every reader sees one shape). An empty list: in the library, unlinked.
    element_ids: list[str] | None = None
    title: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""
    key: str  # the S3 object key, always under the journey's prefix
    display_name: ShortText
    status: EvidenceStatus = EvidenceStatus.PENDING
    content_type: str | None = None
    size: int | None = None
    reason: str | None = None  # why it was quarantined
    etag: str | None = None  # of the object that was checked: a new object at the key is checked again
    uploaded_at: datetime

    @model_validator(mode="after")
    def _links_of_an_older_item(self) -> "EvidenceItem":
        if self.element_ids is None:
            self.element_ids = [self.element_id] if self.element_id else []
        return self

    @property
    def elements(self) -> list[str]:
        """The element ids this item supports."""
        return list(self.element_ids or [])

    @property
    def label(self) -> str:
        """What the item is called: its title, or the file's name until it has one."""
        return self.title or self.display_name


class UploadGrant(Model):
    """An upload the service allowed: the one thing that binds an object in S3 to a journey's evidence.

    `key` is the object's exact key (the API's uploads, one evidence item each) or, for the claim
    builder's plain HTML form, the prefix S3 puts the browser's file under. An object at a key no
    live grant covers is quarantined and touches no evidence."""

    key: str
    prefix: bool = False
    journey_id: Id
    claim_number: int
    element_id: str
    evidence_id: Id | None = None  # the API's uploads: the evidence item made with the grant
    # The framework the element id belongs to: element ids repeat across frameworks ("1.1"), so a form
    # opened before a claim moved to another framework (domain/crosswalk.py) must not land on the new one.
    framework_key: str | None = None
    expires: datetime  # when the presigned POST's policy expires (S3's clock, the same as the object's)
    bound_to: str | None = None  # an exact grant is used once: the ETag of the object that used it
    browser_name: str | None = None  # a browser form's file: the name it came with (its type is read from it)


class ElementNarrative(Model):
    element_id: str
    narrative: LongText = ""


class Claim(Model):
    journey_id: Id
    number: int = Field(ge=1)
    level: Level | None = None
    narratives: dict[str, LongText] = Field(default_factory=dict)
    revalidation: bool = False
    elements: list[str] = Field(default_factory=list)  # revalidation: the elements chosen to evidence
    practice_reflection: LongText = ""  # revalidation: practice since the last validation
    submitted_at: datetime | None = None
    version: int = 0
    updated_at: datetime


class PanelSeat(Model):
    member_id: Id
    kind: MemberKind
    chair: bool = False
    declared: bool = False  # declared no conflict: evidence opens only after this
    declared_at: datetime | None = None


class Panel(Model):
    journey_id: Id
    claim_number: int
    seats: list[PanelSeat]
    assigned_at: datetime
    override_reason: str | None = None
    review_due: date | None = None
    version: int = 0


class DraftComment(Model):
    """A supporter's comment on a practitioner's draft claim (step 4): on one framework element, or on
    the claim as a whole (element_id None). Only the practitioner and their supporter read them: they
    are a conversation about a draft, not evidence the panel judges."""

    journey_id: Id
    claim_number: int
    element_id: str | None = None
    author_id: Id
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
    at: datetime


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


class EquivalentSession(StrEnum):
    OTHER_COHORT = "another_cohorts_workshop"
    ONE_TO_ONE = "one_to_one"
    ADJUSTMENT = "reasonable_adjustment"


class Interview(Model):
    journey_id: Id
    claim_number: int
    at: datetime
    location: ShortText
    duration_minutes: int = Field(default=60, ge=15, le=240)
    # Set when the academy lead records that the interview took place (perhaps earlier than arranged).
    held_at: datetime | None = None
    held_recorded_by: Id | None = None

    def has_taken_place(self, now: datetime) -> bool:
        """Step 6 happened: its arranged time has passed on the product clock, or the lead said so."""
        return self.held_at is not None or self.at <= now


class OutcomeRecord(Model):
    journey_id: Id
    claim_number: int
    outcome: Outcome
    feedback: dict[str, Annotated[str, StringConstraints(max_length=4000)]] = Field(default_factory=dict)
    development_plan: Annotated[str, StringConstraints(max_length=8000)] = ""
    recorded_by: Id
    recorded_at: datetime


class CertificateRecord(Model):
    id: Id  # unguessable (secrets.token_urlsafe)
    journey_id: Id
    practitioner_id: Id
    holder_name: ShortText
    level: Level
    academy_id: Id
    framework_key: str
    element_ids: list[str]
    valid_from: datetime
    valid_until: datetime
    issued_at: datetime
    revoked_at: datetime | None = None
    revoked_reason: str | None = None
    superseded_by: Id | None = None
    superseded_at: datetime | None = None
    supersedes: Id | None = None
    public: bool = False  # the practitioner chose to share the details publicly
    pdf_key: str | None = None
    credential_key: str | None = None
    badge_key: str | None = None  # the Open Badges baked PNG (the credential inside the image)
    # The certificate's position in a W3C Bitstring Status List (certificates/status_list.py); None for
    # certificates issued before the lists existed.
    status_list_id: str | None = None
    status_list_index: int | None = None

    def status_at(self, when: datetime) -> CertificateStatus:
        if self.revoked_at is not None and self.revoked_at <= when:
            return CertificateStatus.REVOKED
        if self.superseded_by is not None and (self.superseded_at is None or self.superseded_at <= when):
            return CertificateStatus.SUPERSEDED
        if when < self.valid_from:
            return CertificateStatus.UNKNOWN
        if when >= self.valid_until:
            return CertificateStatus.EXPIRED
        return CertificateStatus.VALID


class EmailRecord(Model):
    journey_id: Id
    kind: str
    to: list[str]
    subject: str
    message_id: str | None = None
    sent_at: datetime
    error: str | None = None
