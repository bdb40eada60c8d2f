"""SQS: make a person's whole record into a zip (services/record_archive.make), one request per message.

Powertools' BatchProcessor reports each failed message (ReportBatchItemFailures), so SQS offers only
that one again, up to the queue's maxReceiveCount, then moves it to the dead-letter queue.
"""

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict

from odvalidation.observability import logger
from odvalidation.services import record_archive

processor = BatchProcessor(event_type=EventType.SQS)


class ArchiveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_id: str
    scope: str
    request_id: str


def _one(record: SQSRecord) -> None:
    request = ArchiveRequest.model_validate_json(record.body)
    attempt = int(record.attributes.approximate_receive_count or 1)
    made = record_archive.make(request.person_id, request.scope, request.request_id, attempt=attempt)
    logger.info("record archive", extra={"request_id": request.request_id, "made": made is not None})


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(
        process_partial_response(event=event, record_handler=_one, processor=processor, context=context)
    )
