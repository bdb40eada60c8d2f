"""Assigning a panel to a submitted claim, the workflow's task. The lead's retry after changing the pool
(services/panels.py `resolve_blocked`) uses the same claim and review reminders. Apart from the pool's
management, conflict declarations, panel email and the leads' alerts, so that the assign_panel function
loads only what a choice of panel reads and writes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from .. import clock
from ..dal import schedules as schedule_store
from ..domain import panels as solver
from ..domain.errors import InvalidTransition
from ..domain.models import Journey, Panel, Stage
from . import journey_parts as js
from .common import db, moved, reapplied
from .panel_pool import pool
from .people import person
from .seats import REVIEW_DAYS, _seat_change, current_panel

SYSTEM = "system:panel-assignment"


def claim_to_assign(journey: Journey) -> solver.ClaimToAssign:
    practitioner = person(journey.practitioner_id)
    cohort = js.cohort(journey.cohort_id)
    today = clock.now().date()
    previous = [
        {s.member_id for s in p.seats}
        for p in db().query_models(Panel, f"JOURNEY#{journey.id}", prefix="PANEL#")
        if p.claim_number != journey.claim_number
    ]
    return solver.ClaimToAssign(
        journey_id=journey.id,
        practitioner_id=journey.practitioner_id,
        employer=(practitioner.employer if practitioner and practitioner.employer else "unknown employer"),
        academy_id=journey.academy_id,
        line_managers=practitioner.line_managers if practitioner else [],
        supporter_id=journey.supporter_id,
        exclude_same_academy=cohort.exclude_same_academy_panel,
        panel_size=cohort.panel_size,
        review_starts=today,
        needed_by=today + timedelta(days=REVIEW_DAYS),
        previous_panels=previous,
    )


@reapplied(task=True)
def assign_for_journey(journey_id: str) -> dict[str, Any]:
    """State machine task: a panel for a submitted claim, or the reason there is none (the journey
    then waits for the lead; it does not fail)."""
    store = db()
    journey = store.journey(journey_id)
    if journey.stage is Stage.PANEL_REVIEW:
        return {"assigned": True}  # a retried task
    if journey.stage is Stage.AWAITING_PANEL:
        return {"assigned": False, "reason": _last_reason(journey)}
    if journey.stage is not Stage.SUBMITTED:
        raise InvalidTransition(f"Journey {journey_id} is at {journey.stage.value}; no panel to assign.")
    claim = js.claim(journey)
    if claim is not None and claim.revalidation:
        result: solver.Assignment | solver.NoValidPanel = solver.assign_reviewer(
            claim_to_assign(journey), pool()
        )
    else:
        result = solver.assign_panel(claim_to_assign(journey), pool())
    if isinstance(result, solver.NoValidPanel):
        # The workflow then emails the academy's leads (NotifyLeads) and waits for them.
        store.commit(
            moved(journey, Stage.AWAITING_PANEL, actor=SYSTEM, action="no valid panel", reason=result.reason)
        )
        return {"assigned": False, "reason": result.reason}
    store.commit(
        _seat_change(
            journey,
            result,
            moved(
                journey,
                Stage.PANEL_REVIEW,
                actor=SYSTEM,
                action="panel assigned",
                reason=", ".join(result.member_ids),
            ),
        )
    )
    schedule_review_reminders(journey_id)
    return {"assigned": True, "members": result.member_ids}


def _last_reason(journey: Journey) -> str:
    for event in reversed(js.history(journey.id)):
        if event.action == "no valid panel" and event.reason:
            return event.reason
    return "No valid panel."


def schedule_review_reminders(journey_id: str) -> None:
    """A reminder a week before the review is due, and another the day after it if still not done (the
    scheduled function emails only the members who have not reviewed)."""
    panel = current_panel(journey_id)
    if panel.review_due:
        due = datetime.combine(panel.review_due, datetime.min.time(), tzinfo=UTC)
        schedule_store.put(
            journey_id, "review-reminder", due - timedelta(days=7), {"kind": "review_reminder"}
        )
        schedule_store.put(journey_id, "review-overdue", due + timedelta(days=1), {"kind": "review_reminder"})
