"""The state machine's Lambda tasks: each is idempotent, because Step Functions may run a task twice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from .. import clock
from ..dal import workflow
from ..domain import journey as rules
from ..domain.alerts import CLAIM_DUE, NEAR_DAYS, REVIEW_DUE
from ..domain.errors import InvalidTransition
from ..domain.models import Journey, Stage
from . import agreed_adjustments, seats
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


@reapplied(task=True)
def scheduled(event: dict[str, Any]) -> dict[str, Any]:
    """Target of EventBridge Scheduler."""
    # Email (jinja2) and certificates are imported where they are used: the workflow's task functions
    # share this module and start faster without them. No cycle: nothing imports tasks.
    from . import notifications

    kind = event.get("kind")
    journey_id = str(event["journey_id"])
    store = db()
    journey = store.journey(journey_id)
    if kind == "claim_reminder":
        if journey.stage is Stage.CLAIM_DEVELOPMENT:
            days_left = int(event.get("days_left", 0))
            notifications.send_quietly(journey, "claim_reminder", days_left=days_left)
            _deadline_alert(journey, days_left)
        return {"done": kind}
    if kind == "claim_deadline":
        if (
            journey.stage is Stage.CLAIM_DEVELOPMENT
            and journey.claim_deadline is not None
            and clock.now() >= journey.claim_deadline
            and journey.task_token
        ):
            token = journey.task_token
            store.commit(
                updated(
                    journey,
                    actor="system:scheduler",
                    action="claim deadline passed",
                    update={"task_token": None, "resume_token": token, "waiting_step": None},
                )
            )
            workflow.resume(token, {"event": "lapsed"})
            return {"done": "lapsed"}
        return {"done": "nothing due"}
    if kind == "reengage":
        if journey.stage is Stage.DEFERRED:
            workflow.start(journey_id, "decision", name_suffix=f"reengage{journey.version}")
            notifications.send_quietly(journey, "reengagement")
        return {"done": kind}
    if kind == "certificate_expiry":
        from .certificates import record_of

        record = record_of(str(event.get("certificate_id", "")))
        # Only a certificate still in force is worth renewing; a renewed or revoked one says nothing.
        if record is not None and record.revoked_at is None and record.superseded_by is None:
            notifications.send_quietly(
                journey,
                "certificate_expiry",
                days_left=int(event.get("days_left", 0)),
                valid_until=record.valid_until.strftime("%-d %B %Y"),
                certificate_id=record.id,
            )
        return {"done": kind}
    if kind == "review_reminder":
        if journey.stage is Stage.PANEL_REVIEW:
            notifications.send_quietly(journey, "review_reminder")
            _review_deadline_alert(journey)
        return {"done": kind}
    raise InvalidTransition(f"Unknown scheduled event '{kind}'.")


def _deadline_alert(journey: Journey, days_left: int) -> None:
    """The week's reminder before a claim is due also tells the academy's leads (once per deadline)."""
    from . import alerts  # sends email: imported where used, as notifications above

    if journey.claim_deadline is not None and days_left <= NEAR_DAYS:
        alerts.deadline_near(journey, CLAIM_DUE, journey.claim_deadline.date())


def _review_deadline_alert(journey: Journey) -> None:
    """The reviewers' reminder a week before their reviews are due tells the leads too; the one after
    the due day (overdue) adds nothing new for them."""
    from . import alerts  # sends email: imported where used, as notifications above

    due = seats.current_panel(journey.id).review_due
    if due is not None and 0 <= (due - clock.now().date()).days <= NEAR_DAYS:
        alerts.deadline_near(journey, REVIEW_DUE, due)


def ensure_stage(journey: Journey, stage: Stage) -> None:
    if journey.stage is not stage:
        raise InvalidTransition(f"The journey is at '{journey.stage.value}', not '{stage.value}'.")
