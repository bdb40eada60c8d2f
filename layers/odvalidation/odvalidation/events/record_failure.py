"""The record_failure task's event: the error a step of the workflow stopped on."""

from .task import TaskEvent


class RecordFailureEvent(TaskEvent):
    error: str = "Unknown"
    cause: str = ""
    execution_arn: str = ""
