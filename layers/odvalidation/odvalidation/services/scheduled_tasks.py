"""The target of EventBridge Scheduler: reminders, the claim deadline, re-engagement and certificate
expiry, each idempotent (a schedule may fire twice). Apart from the workflow's own tasks
(services/tasks.py), which so start without the panel's seats and the leads' alerts."""

from __future__ import annotations

from typing import Any

from .. import clock
from ..dal import workflow
from ..domain.alerts import CLAIM_DUE, NEAR_DAYS, REVIEW_DUE
from ..domain.errors import InvalidTransition
from ..domain.models import Journey, Stage
from . import seats
from .common import db, reapplied, updated


@reapplied(task=True)
def scheduled(event: dict[str, Any]) -> dict[str, Any]:
    """Target of EventBridge Scheduler."""
    # Email (jinja2) and certificates are imported where they are used: a reminder with nothing left to
    # remind of sends none. No cycle: nothing imports this module.
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
