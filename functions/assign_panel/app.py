"""Task: choose a panel for a submitted claim, or tell the academy lead why none is possible."""

from typing import Any

from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from odvalidation.events import TaskEvent
from odvalidation.observability import logger, tracer
from odvalidation.services import panels


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@event_parser(model=TaskEvent)
def handler(event: TaskEvent, context: LambdaContext) -> dict[str, Any]:
    return panels.assign_for_journey(event.journey_id)
