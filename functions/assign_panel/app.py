"""Task: choose a panel for a submitted claim, or tell the academy lead why none is possible."""

from odvalidation.startup import loaded

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from odvalidation.domain.models import AuditEvent, Claim, Journey, Panel, build
from odvalidation.domain.panels import Assignment, ClaimToAssign, PanelMember
from odvalidation.events import TaskEvent
from odvalidation.observability import logger
from odvalidation.services import panel_assignment

# Every invocation validates these, so they are built at start-up; other models wait for first use.
build(TaskEvent, Journey, AuditEvent, Claim, Panel, ClaimToAssign, PanelMember, Assignment)


@logger.inject_lambda_context
def handler(raw: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    event = TaskEvent.model_validate(raw)
    return panel_assignment.assign_for_journey(event.journey_id)


# Last: start-up is over (odvalidation/startup.py).
loaded()
