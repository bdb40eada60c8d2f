"""Callback task: a person's step is open; keep the task token with the journey until they finish."""

from typing import Any

from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from odvalidation.events import AwaitStepEvent
from odvalidation.observability import logger, tracer
from odvalidation.services import tasks


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@event_parser(model=AwaitStepEvent)
def handler(event: AwaitStepEvent, context: LambdaContext) -> dict[str, Any]:
    return tasks.await_step(event.journey_id, event.step, event.task_token, event.execution_arn)
