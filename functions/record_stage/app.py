"""Task: record a move the workflow makes on its own (deferred, closed, lapsed), or continue the journey
in a fresh execution."""

from odvalidation.startup import loaded

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from odvalidation.domain.models import AuditEvent, Journey, Stage, build
from odvalidation.events import RecordStageEvent
from odvalidation.observability import logger
from odvalidation.services import stage_tasks

# Every invocation validates these, so they are built at start-up; other models wait for first use.
build(RecordStageEvent, Journey, AuditEvent)


@logger.inject_lambda_context
def handler(raw: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    event = RecordStageEvent.model_validate(raw)
    if event.continue_at:
        return stage_tasks.continue_journey(event.journey_id, event.continue_at, event.from_execution)
    if event.stage is None:
        raise ValueError("record_stage needs a stage or continue_at")
    return stage_tasks.record_stage(event.journey_id, Stage(event.stage))


# Last: start-up is over (odvalidation/startup.py).
loaded()
