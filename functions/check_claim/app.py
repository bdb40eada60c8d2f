"""Task: the completeness check of a submitted claim."""

from odvalidation.startup import loaded

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from odvalidation.domain.claims import Completeness
from odvalidation.domain.models import AuditEvent, Claim, EvidenceItem, Framework, Journey, build
from odvalidation.events import TaskEvent
from odvalidation.observability import logger
from odvalidation.services import tasks

# Every invocation validates these, so they are built at start-up; other models wait for first use.
build(TaskEvent, Journey, AuditEvent, Claim, EvidenceItem, Framework, Completeness)


@logger.inject_lambda_context
def handler(raw: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    event = TaskEvent.model_validate(raw)
    return tasks.check_claim(event.journey_id)


# Last: start-up is over (odvalidation/startup.py).
loaded()
