"""Cognito post-confirmation trigger: a person who confirmed their own sign-up becomes a practitioner."""

from odvalidation.startup import loaded

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from odvalidation.domain.basics import build
from odvalidation.events import CognitoTrigger
from odvalidation.observability import logger
from odvalidation.services import registration

# Every invocation validates its event, so the model is built at start-up.
build(CognitoTrigger)


@logger.inject_lambda_context
def handler(raw: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    event = CognitoTrigger.model_validate(raw)
    added = registration.on_confirmed(
        user_pool_id=event.user_pool_id, username=event.user_name, trigger_source=event.trigger_source
    )
    logger.info("confirmed", extra={"trigger_source": event.trigger_source, "practitioner": added})
    # Cognito requires the event back; a post-confirmation trigger has nothing to put in its response.
    return raw


# Last: start-up is over (odvalidation/startup.py).
loaded()
