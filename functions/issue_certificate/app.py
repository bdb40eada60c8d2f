"""Task: issue the signed credential and the PDF for a validated outcome, exactly once."""

from odvalidation.startup import loaded

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from odvalidation.domain.models import (
    AuditEvent,
    CertificateRecord,
    Claim,
    EmailRecord,
    Framework,
    Journey,
    Person,
    build,
)
from odvalidation.events import TaskEvent
from odvalidation.observability import logger, metrics
from odvalidation.services import certificates

# Every invocation validates these, so they are built at start-up; other models wait for first use.
build(TaskEvent, Journey, AuditEvent, Person, Claim, Framework, CertificateRecord, EmailRecord)


@logger.inject_lambda_context
@metrics.log_metrics
def handler(raw: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    event = TaskEvent.model_validate(raw)
    return certificates.issue(event.journey_id)


# Last: start-up is over (odvalidation/startup.py).
loaded()
