"""Target of EventBridge Scheduler: reminders, the claim deadline, re-engagement, certificate expiry."""

from typing import Any

from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from odvalidation.events import ScheduledEvent
from odvalidation.observability import logger, metrics, tracer
from odvalidation.services import tasks


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
@event_parser(model=ScheduledEvent)
def handler(event: ScheduledEvent, context: LambdaContext) -> dict[str, Any]:
    return tasks.scheduled(event.model_dump())
