"""Task: record on the journey why a step failed, so that a lead can resume it from there."""

from odvalidation.startup import loaded

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from odvalidation.domain.models import AuditEvent, Failure, Journey, build
from odvalidation.events import RecordFailureEvent
from odvalidation.observability import logger
from odvalidation.services import stage_tasks

# Every invocation validates these, so they are built at start-up; other models wait for first use.
build(RecordFailureEvent, Journey, AuditEvent, Failure)


@logger.inject_lambda_context
def handler(raw: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    event = RecordFailureEvent.model_validate(raw)
    return stage_tasks.record_failure(event.journey_id, event.error, event.cause, event.execution_arn)


# Last: start-up is over (odvalidation/startup.py).
loaded()
