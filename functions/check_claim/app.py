"""Task: the completeness check of a submitted claim."""

from typing import Any

from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from odvalidation.events import TaskEvent
from odvalidation.observability import logger, tracer
from odvalidation.services import tasks


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@event_parser(model=TaskEvent)
def handler(event: TaskEvent, context: LambdaContext) -> dict[str, Any]:
    return tasks.check_claim(event.journey_id)
