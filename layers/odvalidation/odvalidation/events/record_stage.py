"""The record_stage task's event: a stage the workflow records, or where a fresh execution goes on."""

from typing import Literal

from pydantic import Field

from .task import TaskEvent


class RecordStageEvent(TaskEvent):
    """Either a stage the workflow records on its own, or where a fresh execution continues."""

    stage: Literal["deferred", "closed", "lapsed"] | None = None
    continue_at: Literal["claim_development"] | None = None
    # The execution that asks to continue (Step Functions' $$.Execution.Name): names the new one.
    from_execution: str = Field(default="", max_length=80)
