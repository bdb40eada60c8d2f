"""The JSON API (Powertools REST resolver, validated with pydantic, OpenAPI generated from the code)."""

from odvalidation.startup import loaded

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from odvalidation.api.app import resolver
from odvalidation.dal import read_cache
from odvalidation.domain.access import Caller
from odvalidation.domain.models import Journey, build
from odvalidation.observability import logger, metrics

app = resolver()
# Every signed-in request builds its Caller and nearly every one reads a journey; each route's own
# request and response models are built on its first use.
build(Caller, Journey)


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId")
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # A GET keeps each item it reads for the rest of the request (dal/read_cache.py).
    with read_cache.for_request(event):
        return app.resolve(event, context)


# Last: start-up is over (odvalidation/startup.py).
loaded()
