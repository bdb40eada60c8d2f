"""The state machine's Lambda tasks: each is idempotent, because Step Functions may run a task twice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from .. import clock
from ..dal import workflow
from ..domain import journey as rules
from ..domain.errors import InvalidTransition
from ..domain.models import Journey, Stage
from . import agreed_adjustments
from . import journey_parts as parts
from .common import db, moved, reapplied, updated
from .stage_tasks import SYSTEM

STEP_STAGE: dict[str, Stage] = {
    "reflection": Stage.REFLECTION,
    "workshop": Stage.WORKSHOP,
    "decision": Stage.DECISION,
    "claim_development": Stage.CLAIM_DEVELOPMENT,
    "awaiting_panel": Stage.AWAITING_PANEL,
    "panel_review": Stage.PANEL_REVIEW,
    "interview": Stage.INTERVIEW,
}


class StepNotOpen(Exception):
    """The journey cannot wait at this step (its stage forbids it). Caught into RecordFailure."""


@reapplied(task=True)
def await_step(journey_id: str, step: str, task_token: str, execution_arn: str) -> dict[str, Any]:
    """A person's step is open: move the journey there (if it is not already) and keep the token."""
    store = db()
    journey = store.journey(journey_id)
    target = STEP_STAGE[step]
    if journey.task_token == task_token:
        # A retried invocation (by Step Functions, or re-applied after a stale read): done, unless it
        # stopped between opening the workshop step and completing it for an attendance recorded early.
        if not (target is Stage.WORKSHOP and journey.stage is Stage.WORKSHOP and journey.workshop_attended):
            return {"waiting": step}
        store.commit(moved(journey, Stage.DECISION, actor=SYSTEM, action="workshop already attended"))
        workflow.resume(task_token, {"attended": True})
        return {"waiting": step}
    if journey.stage is Stage.WITHDRAWN:
        workflow.fail(task_token, "Withdrawn", "The practitioner withdrew.")
        return {"waiting": None}
    update: dict[str, Any] = {
        "task_token": task_token,
        "waiting_step": step,
        "execution_arn": execution_arn,
        "resume_token": None,
    }
    if journey.stage is not target:
        if not rules.can_move(journey.stage, target):
            raise StepNotOpen(f"journey {journey_id} is at {journey.stage.value}; cannot open {step}")
        puts: list[dict[str, Any]] = []
        if target is Stage.CLAIM_DEVELOPMENT and journey.stage is not Stage.SUBMITTED:
            c = parts.cohort(journey.cohort_id)
            # An agreed reasonable adjustment of more time lengthens every claim window it applies to.
            weeks, puts = agreed_adjustments.claim_opening(journey, journey.claim_number + 1)
            update |= {
                "claim_number": journey.claim_number + 1,
                "claim_deadline": clock.now()
                + timedelta(days=round(c.claim_window_months * 30.44), weeks=weeks),
                "extension_granted": False,
                # A renewal keeps the validated outcome (and its level) until the new one is recorded.
                "outcome": journey.outcome if journey.revalidation else None,
            }
        change = moved(
            journey, target, actor=SYSTEM, action=f"{step.replace('_', ' ')} opened", update=update, puts=puts
        )
    else:
        change = updated(journey, actor=SYSTEM, action=f"{step.replace('_', ' ')} opened", update=update)
    stored = store.commit(change)
    if target is Stage.CLAIM_DEVELOPMENT and stored.claim_deadline is not None:
        parts.schedule_claim_deadline(stored)
    if target is Stage.WORKSHOP and stored.workshop_attended:
        # Attendance was recorded before the reflection was finished: the step is already done.
        store.commit(moved(stored, Stage.DECISION, actor=SYSTEM, action="workshop already attended"))
        workflow.resume(task_token, {"attended": True})
    return {"waiting": step}


@reapplied(task=True)
def check_claim(journey_id: str) -> dict[str, Any]:
    store = db()
    journey = store.journey(journey_id)
    if journey.stage is not Stage.SUBMITTED:
        # Retried after it already moved on: report what was decided then.
        return {"complete": journey.stage is not Stage.CLAIM_DEVELOPMENT, "missing": []}
    result = parts.claim_completeness(journey)
    if not result.complete:
        store.commit(
            moved(
                journey,
                Stage.CLAIM_DEVELOPMENT,
                actor=SYSTEM,
                action="returned to claim development",
                reason="; ".join(result.missing[:5]),
            )
        )
    return {"complete": result.complete, "missing": result.missing, "summary": result.summary}


def ensure_stage(journey: Journey, stage: Stage) -> None:
    if journey.stage is not stage:
        raise InvalidTransition(f"The journey is at '{journey.stage.value}', not '{stage.value}'.")
