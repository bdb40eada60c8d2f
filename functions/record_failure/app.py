"""Task: record on the journey why a step failed, so that a lead can resume it from there."""

from typing import Any

from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from odvalidation.events import RecordFailureEvent
from odvalidation.observability import logger, tracer
from odvalidation.services import tasks


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@event_parser(model=RecordFailureEvent)
def handler(event: RecordFailureEvent, context: LambdaContext) -> dict[str, Any]:
    return tasks.record_failure(event.journey_id, event.error, event.cause, event.execution_arn)
