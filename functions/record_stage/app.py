"""Task: record a move the workflow makes on its own (deferred, closed, lapsed), or continue the journey
in a fresh execution."""

from typing import Any

from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from odvalidation.domain.models import Stage
from odvalidation.events import RecordStageEvent
from odvalidation.observability import logger, tracer
from odvalidation.services import tasks


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@event_parser(model=RecordStageEvent)
def handler(event: RecordStageEvent, context: LambdaContext) -> dict[str, Any]:
    if event.continue_at:
        return tasks.continue_journey(event.journey_id, event.continue_at)
    if event.stage is None:
        raise ValueError("record_stage needs a stage or continue_at")
    return tasks.record_stage(event.journey_id, Stage(event.stage))
