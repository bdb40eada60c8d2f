"""Which step may follow which: the one place that says so.

The API checks every change against `ALLOWED`, the state machine's Lambda tasks call `move`, and a
test walks every path of statemachine/journey.asl.json to prove that the workflow never takes a
step this table forbids.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime

from .errors import InvalidTransition
from .models import AuditEvent, Journey, Stage

S = Stage

ALLOWED: dict[Stage, frozenset[Stage]] = {
    S.REFLECTION: frozenset({S.WORKSHOP, S.WITHDRAWN}),
    S.WORKSHOP: frozenset({S.DECISION, S.WITHDRAWN}),
    S.DECISION: frozenset({S.CLAIM_DEVELOPMENT, S.DEFERRED, S.CLOSED, S.WITHDRAWN}),
    # Ready in 12-18 months: the re-engagement brings the practitioner back to the decision.
    S.DEFERRED: frozenset({S.DECISION, S.WITHDRAWN}),
    # Considering further development: no claim is open, but the route back stays open. When ready, the
    # practitioner decides again (a fresh execution starts at the decision: journeys.decide_again).
    S.CLOSED: frozenset({S.DECISION, S.WITHDRAWN}),
    S.CLAIM_DEVELOPMENT: frozenset({S.SUBMITTED, S.LAPSED, S.WITHDRAWN}),
    # The completeness check can send a claim back to development.
    S.SUBMITTED: frozenset({S.PANEL_REVIEW, S.AWAITING_PANEL, S.CLAIM_DEVELOPMENT, S.WITHDRAWN}),
    S.AWAITING_PANEL: frozenset({S.PANEL_REVIEW, S.WITHDRAWN}),
    S.PANEL_REVIEW: frozenset({S.INTERVIEW, S.AWAITING_PANEL, S.WITHDRAWN}),
    S.INTERVIEW: frozenset({S.VALIDATED, S.NOT_YET_VALIDATED, S.WITHDRAWN}),
    # Renewal: a validated practitioner revalidates through a lighter claim.
    S.VALIDATED: frozenset({S.CLAIM_DEVELOPMENT}),
    # There is no fail: "not yet" brings feedback and a route back to a new claim.
    S.NOT_YET_VALIDATED: frozenset({S.CLAIM_DEVELOPMENT}),
    S.LAPSED: frozenset({S.DECISION, S.CLAIM_DEVELOPMENT}),
    S.WITHDRAWN: frozenset(),
}

# Stages at which a journey has stopped moving unless a person starts it again.
RESTING: frozenset[Stage] = frozenset(s for s, nxt in ALLOWED.items() if not nxt) | {
    S.CLOSED,
    S.DEFERRED,
    S.NOT_YET_VALIDATED,
    S.VALIDATED,
    S.LAPSED,
}

# The six steps of the programme, for pages that show where a practitioner is.
SIX_STEPS: list[tuple[int, str, frozenset[Stage]]] = [
    (1, "Reflection", frozenset({S.REFLECTION})),
    (2, "Workshop", frozenset({S.WORKSHOP})),
    (3, "Decision", frozenset({S.DECISION, S.DEFERRED, S.CLOSED})),
    (4, "Claim development", frozenset({S.CLAIM_DEVELOPMENT, S.LAPSED, S.NOT_YET_VALIDATED})),
    (5, "Submission and panel review", frozenset({S.SUBMITTED, S.AWAITING_PANEL, S.PANEL_REVIEW})),
    (6, "Validation interview", frozenset({S.INTERVIEW, S.VALIDATED})),
]


def step_number(stage: Stage) -> int | None:
    return next((n for n, _, stages in SIX_STEPS if stage in stages), None)


def can_move(from_stage: Stage, to_stage: Stage) -> bool:
    return to_stage in ALLOWED[from_stage]


def move(
    journey: Journey,
    to_stage: Stage,
    *,
    actor: str,
    at: datetime,
    reason: str | None = None,
    action: str | None = None,
) -> tuple[Journey, AuditEvent]:
    """Return the journey at its new stage and the audit event that records the move.

    The caller persists both in one conditional write (the journey's `version` as it was read).
    """
    if not can_move(journey.stage, to_stage):
        raise InvalidTransition(
            f"This journey is at '{journey.stage.value.replace('_', ' ')}' and cannot move to "
            f"'{to_stage.value.replace('_', ' ')}'."
        )
    moved = journey.model_copy(
        update={
            "stage": to_stage,
            "updated_at": at,
            "stage_entered_at": at,
            "task_token": None,
            "resume_token": journey.task_token or journey.resume_token,
            "waiting_step": None,
            "failure": None,
        }
    )
    event = AuditEvent(
        journey_id=journey.id,
        at=at,
        actor=actor,
        action=action or f"moved to {to_stage.value}",
        from_stage=journey.stage,
        to_stage=to_stage,
        reason=reason,
    )
    return moved, event


def months_after(day: date, months: int) -> date:
    """The same day of the month `months` later (the month's last day when it has no such day)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def ready_later_window(today: date) -> tuple[date, date]:
    """ "Ready in 12 to 18 months": the practitioner is asked again on a date in that window."""
    return months_after(today, 12), months_after(today, 18)
