"""The web function: server-rendered pages (NHS.UK frontend), signing people in with a session cookie.

Thin on purpose: the routes live in odvalidation.web.site, which the layer carries to the function.
"""

from __future__ import annotations

from odvalidation.startup import loaded

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from odvalidation.domain.models import build
from odvalidation.observability import logger
from odvalidation.web.security import Caller
from odvalidation.web.site import app as app
from odvalidation.web.site import handle

# The resolver (`app`) includes each page module on its first request; every signed-in request builds its
# Caller from the session, and each page's forms and models are built on their first use.
build(Caller)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle(event, context)


# Last: start-up is over (odvalidation/startup.py).
loaded()
