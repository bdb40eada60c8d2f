"""S3 event: check each uploaded evidence file for real, then mark it verified or quarantine it."""

from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.data_classes import S3Event, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext

from odvalidation.observability import logger, tracer
from odvalidation.services import evidence_checks


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@event_source(data_class=S3Event)
def handler(event: S3Event, context: LambdaContext) -> dict[str, Any]:
    # Keys in S3 event records are URL-encoded.
    results = [evidence_checks.check_landed(unquote_plus(r.s3.get_object.key)) for r in event.records]
    return {"checked": len(results), "verified": sum(1 for r in results if r == "verified")}
