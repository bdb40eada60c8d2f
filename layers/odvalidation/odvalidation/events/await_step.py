"""The await_step task's event: the step a journey waits at, and the callback token."""

from typing import Literal

from pydantic import Field

from .task import TaskEvent


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
