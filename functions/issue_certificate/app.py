"""Task: issue the signed credential and the PDF for a validated outcome, exactly once."""

from typing import Any

from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from odvalidation.events import TaskEvent
from odvalidation.observability import logger, metrics, tracer
from odvalidation.services import certificates


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
@event_parser(model=TaskEvent)
def handler(event: TaskEvent, context: LambdaContext) -> dict[str, Any]:
    return certificates.issue(event.journey_id)
