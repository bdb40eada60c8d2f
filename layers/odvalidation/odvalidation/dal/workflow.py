"""Step Functions: start a journey's execution, and resume the callback task a journey waits on."""

from __future__ import annotations

import json
import re
from typing import Any

from botocore.exceptions import ClientError

from ..settings import settings
from .clients import client

# Tokens that Step Functions no longer accepts: the task already completed, or timed out.
_GONE = {"TaskDoesNotExist", "TaskTimedOut", "InvalidToken"}


def start(journey_id: str, start_at: str, *, name_suffix: str) -> str:
    """Start an execution; the name makes a retried start a no-op (ExecutionAlreadyExists)."""
    name = re.sub(r"[^A-Za-z0-9_-]", "-", f"{journey_id}-{start_at}-{name_suffix}")[:80]
    sfn = client("stepfunctions")
    try:
        out = sfn.start_execution(
            stateMachineArn=settings().state_machine_arn,
            name=name,
            input=json.dumps({"journey_id": journey_id, "start_at": start_at}),
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ExecutionAlreadyExists":
            arn = settings().state_machine_arn.replace(":stateMachine:", ":execution:")
            return f"{arn}:{name}"
        raise
    return str(out["executionArn"])


def resume(task_token: str, output: dict[str, Any]) -> bool:
    """Send the step's result. Returns False when the token was already used (a double submit)."""
    try:
        client("stepfunctions").send_task_success(taskToken=task_token, output=json.dumps(output))
    except ClientError as exc:
        if exc.response["Error"]["Code"] in _GONE:
            return False
        raise
    return True


def fail(task_token: str, error: str, cause: str) -> bool:
    try:
        client("stepfunctions").send_task_failure(taskToken=task_token, error=error, cause=cause[:32_000])
    except ClientError as exc:
        if exc.response["Error"]["Code"] in _GONE:
            return False
        raise
    return True
