"""Callback task: a person's step is open; keep the task token with the journey until they finish."""

from odvalidation.startup import loaded

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from odvalidation.domain.models import AuditEvent, Journey, build
from odvalidation.events import AwaitStepEvent
from odvalidation.observability import logger
from odvalidation.services import tasks

# Every invocation validates these, so they are built at start-up; other models wait for first use.
build(AwaitStepEvent, Journey, AuditEvent)


@logger.inject_lambda_context
def handler(raw: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    event = AwaitStepEvent.model_validate(raw)
    return tasks.await_step(event.journey_id, event.step, event.task_token, event.execution_arn)


# Last: start-up is over (odvalidation/startup.py).
loaded()
