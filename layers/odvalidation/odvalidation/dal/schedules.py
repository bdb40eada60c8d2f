"""EventBridge Scheduler: one-off schedules (reminders, deadlines, re-engagement) that invoke the
`scheduled` function with a small JSON payload."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from ..settings import settings
from .clients import client


def schedule_name(journey_id: str, purpose: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "-", f"{purpose}-{journey_id}")[:64]


def put(journey_id: str, purpose: str, at: datetime, payload: dict[str, Any]) -> str:
    """Create or move the schedule `purpose` of a journey (idempotent by name)."""
    s = settings()
    name = schedule_name(journey_id, purpose)
    args: dict[str, Any] = {
        "Name": name,
        "GroupName": s.scheduler_group,
        "ScheduleExpression": f"at({at.strftime('%Y-%m-%dT%H:%M:%S')})",
        "ScheduleExpressionTimezone": "UTC",
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "ActionAfterCompletion": "DELETE",
        "Target": {
            "Arn": s.scheduled_function_arn,
            "RoleArn": s.scheduler_role_arn,
            "Input": json.dumps({"journey_id": journey_id, **payload}),
            "RetryPolicy": {"MaximumRetryAttempts": 10, "MaximumEventAgeInSeconds": 86_400},
        },
    }
    scheduler = client("scheduler")
    try:
        scheduler.create_schedule(**args)
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ConflictException":
            raise
        scheduler.update_schedule(**args)
    return name


def cancel(journey_id: str, purpose: str) -> None:
    try:
        client("scheduler").delete_schedule(
            Name=schedule_name(journey_id, purpose), GroupName=settings().scheduler_group
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
