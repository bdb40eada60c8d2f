"""Task: send the journey's email. Failures raise so the state machine retries, then moves on."""

from odvalidation.startup import loaded

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from odvalidation.domain.models import EmailRecord, Journey, Person, build
from odvalidation.events import NotifyEvent
from odvalidation.observability import logger, metrics
from odvalidation.services import after_answer, alerts, notifications
from odvalidation.services.common import db

# Every invocation validates these, so they are built at start-up; other models wait for first use.
build(NotifyEvent, Journey, Person, EmailRecord)


@logger.inject_lambda_context
@metrics.log_metrics
def handler(raw: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    event = NotifyEvent.model_validate(raw)
    journey = db().journey(event.journey_id)
    if event.kind == "panel_attention":
        # No valid panel: an alert for the academy's leads, recorded and emailed once however often
        # the state machine retries this task.
        return {"sent": alerts.no_valid_panel(journey)}
    # After a person's answer (issue 19): what the request that closed the step set off.
    if event.kind == "reviews_in":
        return {"sent": after_answer.reviews_in(journey, event.flags)}
    if event.kind == "claim_submitted":
        return {"sent": after_answer.claim_submitted(journey)}
    if event.kind == "interview_invitation":
        return {"sent": after_answer.interview_invited(journey, event.since)}
    records = notifications.send(journey, event.kind)
    return {"sent": len(records)}


# Last: start-up is over (odvalidation/startup.py).
loaded()
