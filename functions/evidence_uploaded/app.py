"""S3 event: check each uploaded evidence file for real, then mark it verified or quarantine it."""

from odvalidation.startup import loaded

from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.typing import LambdaContext

from odvalidation.domain.models import AuditEvent, EvidenceItem, Journey, build
from odvalidation.events import S3Notification
from odvalidation.observability import logger
from odvalidation.services import evidence_checks

# Every invocation validates these, so they are built at start-up; other models wait for first use.
build(S3Notification, EvidenceItem, Journey, AuditEvent)


@logger.inject_lambda_context
def handler(raw: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    event = S3Notification.model_validate(raw)
    # Keys in S3 event records are URL-encoded.
    results = [evidence_checks.check_landed(unquote_plus(r.s3.object.key)) for r in event.records]
    return {"checked": len(results), "verified": sum(1 for r in results if r == "verified")}


# Last: start-up is over (odvalidation/startup.py).
loaded()
