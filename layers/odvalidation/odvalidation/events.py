"""Input models of the functions the state machine, the scheduler and S3 invoke; each handler validates
its event with `Model.model_validate` (Powertools' event_parser would import pydantic.networks and
importlib.metadata at start-up for nothing we use)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .domain.basics import Id


class TaskEvent(BaseModel):
    # Built by the one function that takes each event (domain.models.build), not by every importer.
    model_config = ConfigDict(extra="ignore", defer_build=True)
    journey_id: Id


class AwaitStepEvent(TaskEvent):
    step: Literal[
        "reflection",
        "workshop",
        "decision",
        "claim_development",
        "awaiting_panel",
        "panel_review",
        "interview",
    ]
    task_token: str = Field(min_length=1)
    execution_arn: str = ""


class RecordStageEvent(TaskEvent):
    """Either a stage the workflow records on its own, or where a fresh execution continues."""

    stage: Literal["deferred", "closed", "lapsed"] | None = None
    continue_at: Literal["claim_development"] | None = None
    # The execution that asks to continue (Step Functions' $$.Execution.Name): names the new one.
    from_execution: str = Field(default="", max_length=80)


class NotifyEvent(TaskEvent):
    kind: Literal[
        "signposting",
        "lapsed",
        "panel_assigned",
        "panel_attention",
        "outcome",
        "reviews_in",
        "claim_submitted",
        "interview_invitation",
    ]
    # reviews_in: the disagreements the last review's close counted (the resume's output, $.review).
    flags: int = 0
    # interview_invitation (an asynchronous invoke): when the interview was arranged; whoever has had
    # an invitation since is not sent another when Lambda runs the event again.
    since: datetime | None = None


class RecordFailureEvent(TaskEvent):
    error: str = "Unknown"
    cause: str = ""
    execution_arn: str = ""


class ScheduledEvent(TaskEvent):
    model_config = ConfigDict(extra="allow")
    kind: Literal["claim_reminder", "claim_deadline", "reengage", "review_reminder", "certificate_expiry"]


class S3Object(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)
    key: str = Field(min_length=1)  # URL-encoded, as S3 sends it


class S3Entity(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)
    object: S3Object


class S3Record(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)
    s3: S3Entity


class S3Notification(BaseModel):
    """The S3 event notification, reduced to what the evidence check reads (the object keys).

    A pydantic model rather than Powertools' S3Event data class: importing any of those imports all
    ~40 of them (~12 ms of start-up)."""

    model_config = ConfigDict(extra="ignore", defer_build=True)
    records: list[S3Record] = Field(alias="Records")


class CognitoTrigger(BaseModel):
    """A Cognito user pool trigger's event, reduced to what the post-confirmation trigger reads.

    A pydantic model rather than Powertools' PostConfirmationTriggerEvent, for the reason S3Notification
    gives: importing one data class imports all of them."""

    model_config = ConfigDict(extra="ignore", defer_build=True)
    user_pool_id: str = Field(alias="userPoolId", min_length=1)
    user_name: str = Field(alias="userName", min_length=1)
    trigger_source: str = Field(alias="triggerSource", min_length=1)
