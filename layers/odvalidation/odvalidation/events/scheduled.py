"""The scheduled function's event, from EventBridge Scheduler."""

from typing import Literal

from pydantic import ConfigDict

from .task import TaskEvent


class ScheduledEvent(TaskEvent):
    model_config = ConfigDict(extra="allow")
    kind: Literal["claim_reminder", "claim_deadline", "reengage", "review_reminder", "certificate_expiry"]
