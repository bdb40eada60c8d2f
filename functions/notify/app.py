"""Task: send the journey's email. Failures raise so the state machine retries, then moves on."""

from typing import Any

from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from odvalidation.events import NotifyEvent
from odvalidation.observability import logger, metrics, tracer
from odvalidation.services import notifications
from odvalidation.services.common import db


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
@event_parser(model=NotifyEvent)
def handler(event: NotifyEvent, context: LambdaContext) -> dict[str, Any]:
    journey = db().journey(event.journey_id)
    records = notifications.send(journey, event.kind)
    return {"sent": len(records)}
