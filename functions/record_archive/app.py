"""Asynchronous invoke: make a person's whole record into a zip (services/record_archive.make).

The event is the request's ids, as `dal/exports.queue_request` sends them. An error is raised to
Lambda, which tries the event again (EventInvokeConfig MaximumRetryAttempts) and then sends it to the
dead-letter queue; the request counts its failed tries, so the last one marks it failed.
"""

from odvalidation.startup import loaded

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict

from odvalidation.observability import logger
from odvalidation.services import record_archive


class ArchiveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_id: str
    scope: str
    request_id: str


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = ArchiveRequest.model_validate(event)
    made = record_archive.make(request.person_id, request.scope, request.request_id)
    logger.info("record archive", extra={"request_id": request.request_id, "made": made is not None})
    return {"made": made is not None}


# Last: start-up is over (odvalidation/startup.py).
loaded()
