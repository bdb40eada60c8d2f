"""Serves the signed Bitstring Status List credentials (GET /api/public/status-lists/{list_id}).

A function of its own so that signing with the certificate key stays out of the API and web functions:
this one reads a list's item, signs it, and keeps the signed copy (template.yaml grants no more).
"""

from odvalidation.startup import loaded

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.utilities.typing import LambdaContext

from odvalidation.api import errors, routes_status_lists
from odvalidation.observability import logger, metrics

app = APIGatewayRestResolver(enable_validation=True)
errors.register(app)
app.include_router(routes_status_lists.router)


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId")
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)


# Last: start-up is over (odvalidation/startup.py).
loaded()
