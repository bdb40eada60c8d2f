"""The tasks that record what the workflow does on its own: a stage it moves the journey to
(deferred, closed, lapsed), the fresh execution it continues in, and why a step failed.

A module of its own so that the record_stage and record_failure functions import only what these
need (the journey store and the workflow), not the use cases await_step and check_claim call into
(services/tasks.py).
"""

from __future__ import annotations

import hashlib
from typing import Any

from .. import clock
from ..dal import schedules as schedule_store
from ..dal import workflow
from ..domain.errors import Conflict
from ..domain.models import Failure, Stage
from ..observability import logger
from .common import db, moved, reapplied, record, updated

SYSTEM = "system:workflow"


@reapplied(task=True)
def record_stage(journey_id: str, stage: Stage) -> dict[str, Any]:
    """Moves the workflow makes on its own: deferred (with re-engagement scheduled), closed, lapsed."""
    store = db()
    journey = store.journey(journey_id)
    if journey.stage is stage:
        return {"stage": stage.value}  # a retried invocation
    reason = None
    if stage is Stage.DEFERRED and journey.reengage_on:
        reason = f"re-engage on {journey.reengage_on.isoformat()}"
    stored = store.commit(moved(journey, stage, actor=SYSTEM, reason=reason))
    if stage is Stage.DEFERRED and stored.reengage_on is not None:
        at = clock.now().replace(
            year=stored.reengage_on.year,
            month=stored.reengage_on.month,
            day=stored.reengage_on.day,
            hour=9,
            minute=0,
            second=0,
            microsecond=0,
        )
        schedule_store.put(journey_id, "reengage", at, {"kind": "reengage"})
    return {"stage": stage.value}


def continue_journey(journey_id: str, start_at: str, from_execution: str = "") -> dict[str, Any]:
    """Start the execution that carries the journey on (steps 4-6). Named after the execution that
    asks, so a retried task finds the execution it already started, even once that one has moved the
    journey on (the journey's version, used when no execution is named, would have changed by then)."""
    if from_execution:
        suffix = "after-" + hashlib.sha256(from_execution.encode()).hexdigest()[:16]
    else:
        suffix = f"v{db().journey(journey_id).version}"
    arn = workflow.start(journey_id, start_at, name_suffix=suffix)
    return {"continued_in": arn}


def record_failure(journey_id: str, error: str, cause: str, execution_arn: str) -> dict[str, Any]:
    store = db()
    for _ in range(3):
        journey = store.journey(journey_id)
        if execution_arn and journey.execution_arn and execution_arn != journey.execution_arn:
            # An execution the journey has moved on from (e.g. resumed in a new one) timed out at last:
            # note it, but do not mark the journey, which is healthy in its current execution.
            record(
                journey_id,
                actor=SYSTEM,
                action="superseded execution ended",
                reason=f"{error}: {execution_arn.rsplit(':', 1)[-1]}",
            )
            return {"recorded": False, "stale": True}
        failure = Failure(
            step=journey.waiting_step or journey.stage.value,
            error=error[:200],
            cause=cause[:2000],
            at=clock.now(),
        )
        try:
            store.commit(
                updated(
                    journey,
                    actor=SYSTEM,
                    action="step failed",
                    reason=f"{error}: {failure.message[:300]}",
                    update={"failure": failure, "task_token": None, "waiting_step": None},
                )
            )
            logger.error(
                "journey step failed",
                extra={"journey_id": journey_id, "error": error, "execution": execution_arn},
            )
            return {"recorded": True}
        except Conflict as exc:
            # Only a concurrent change is retried: anything else (an AccessDenied, say) fails the task
            # loudly, so the execution fails and raises the failed-journeys alarm.
            logger.warning("retrying failure record", extra={"error": str(exc)})
    return {"recorded": False}
