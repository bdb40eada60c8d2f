"""Target of EventBridge Scheduler: reminders, the claim deadline, re-engagement, certificate expiry."""

from odvalidation.startup import loaded

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from odvalidation.domain.models import AuditEvent, Journey, build
from odvalidation.events import ScheduledEvent
from odvalidation.observability import logger, metrics
from odvalidation.services import scheduled_tasks

# Every invocation validates these, so they are built at start-up; other models wait for first use.
build(ScheduledEvent, Journey, AuditEvent)


@logger.inject_lambda_context
@metrics.log_metrics
def handler(raw: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    event = ScheduledEvent.model_validate(raw)
    return scheduled_tasks.scheduled(event.model_dump())


# Last: start-up is over (odvalidation/startup.py).
loaded()
