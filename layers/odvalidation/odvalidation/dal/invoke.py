"""Asynchronous Lambda invocation: hand work to another function and do not wait for it.

`invoke_async` is Invoke with `InvocationType=Event`: Lambda answers 202 once the event is queued,
then runs the function under its own role, retries an error up to the function's
`EventInvokeConfig.MaximumRetryAttempts`, and sends what failed every try to the function's on-failure
destination (the template's DeadLetterQueue, watched by DeadLetterAlarm). Delivery is at least once:
the function must be safe to run twice with the same event. Nothing polls in between, so an idle month
costs nothing (an SQS event source is polled all month). The local stack plays it faithfully
(local/async_invokes.py). The caller's role needs `lambda:InvokeFunction` on the function's ARN.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from .clients import client

# Lambda refuses a larger asynchronous event (1 MB since 2025; 256 KB before): send ids, not data.
MAX_EVENT_BYTES = 256 * 1024


class NotQueuedError(RuntimeError):
    """Lambda did not accept the event (the caller should say so rather than claim it is under way)."""


def invoke_async(function: str, payload: BaseModel | Mapping[str, Any]) -> None:
    """Queue `payload` (a pydantic model, or a JSON-able mapping) for `function` (its name or ARN)."""
    body = payload.model_dump_json() if isinstance(payload, BaseModel) else json.dumps(payload, default=str)
    data = body.encode()
    if len(data) > MAX_EVENT_BYTES:
        raise ValueError(f"an asynchronous event of {len(data)} bytes is over {MAX_EVENT_BYTES}: send ids")
    answer = client("lambda").invoke(FunctionName=function, InvocationType="Event", Payload=data)
    if answer.get("StatusCode") != 202:
        raise NotQueuedError(
            f"Lambda answered {answer.get('StatusCode')} to an asynchronous invoke of {function}"
        )
