"""Raising alerts for an academy's leads, once per event (issue 17 item 5).

Each trigger (the workflow's NotifyLeads task, a conflict that leaves a seat vacant, the last review
in, the scheduler's reminders) names its event (domain.alerts); the alert's record is written only if
it is new, and only the writer that created it emails the leads. So a retried task, a repeated
scheduler invocation or two reviewers finishing at once record, show and send it once. The cost of that
order: if the email fails after the record is written, the alert still shows on the lead's home and the
failure is kept with the journey's email (notifications records it), but it is not sent again.

Reading, dismissing and resolving alerts is services.alert_board (it reads panels; this module is
imported by panels, so it must not).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps

from .. import clock
from ..dal import keys
from ..dal.store import to_item
from ..domain.alerts import (
    CLAIM_DUE,
    REVIEW_DUE,
    Alert,
    AlertKind,
    alert_id,
    deadline_occurrence,
    no_panel_occurrence,
    reviews_in_occurrence,
    seat_vacant_occurrence,
)
from ..domain.models import AuditEvent, Journey
from ..observability import logger, metrics
from . import notifications
from .common import db


def _never_fails[**P](step: Callable[P, None]) -> Callable[P, None]:
    """An alert is raised after the step's own work is done, and never fails that step: a failure is
    logged and counted (the EmailFailed alarm), like a failed email."""

    @wraps(step)
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            step(*args, **kwargs)
        except Exception:
            logger.exception("lead alert failed", extra={"alert": step.__name__})
            metrics.add_metric(name="EmailFailed", unit="Count", value=1)

    return run


def _raise(
    journey: Journey, kind: AlertKind, occurrence: str, *, reason: str = "", due: date | None = None
) -> bool:
    """Record the alert if it is new; True when this call created it (and so must tell the leads)."""
    at = clock.now()
    ident = alert_id(journey.id, kind, occurrence)
    alert = Alert(
        id=ident,
        academy_id=journey.academy_id,
        journey_id=journey.id,
        kind=kind,
        occurrence=occurrence,
        claim_number=journey.claim_number,
        raised_at=at,
        reason=reason[:2000],
        due=due,
    )
    created = db().put(to_item(alert, keys.alert(journey.academy_id, ident)), only_if_new=True)
    if created:
        metrics.add_metric(name="LeadAlertRaised", unit="Count", value=1)
        logger.info("lead alert raised", extra={"journey_id": journey.id, "alert": kind.value})
    return created


def _last_no_panel_reason(journey: Journey) -> str:
    trail: list[AuditEvent] = db().audit_trail(journey.id)
    return next(
        (e.reason for e in reversed(trail) if e.action == "no valid panel" and e.reason),
        "No valid panel could be formed.",
    )


def no_valid_panel(journey: Journey) -> int:
    """The workflow's NotifyLeads task: the claim waits for its leads. Returns the emails sent."""
    reason = _last_no_panel_reason(journey)
    if not _raise(journey, AlertKind.NO_PANEL, no_panel_occurrence(journey), reason=reason):
        return 0
    return len(notifications.alert_academy_leads(journey, "no_valid_panel", reason))


@_never_fails
def seat_vacant(journey: Journey, panel_version: int, reason: str, seats: int) -> None:
    occurrence = seat_vacant_occurrence(journey, panel_version)
    if _raise(journey, AlertKind.SEAT_VACANT, occurrence, reason=reason):
        notifications.alert_academy_leads(journey, "seat_vacant", reason, seats=seats)


@_never_fails
def reviews_in(journey: Journey, flags: int) -> None:
    """Every seat's review is in: the lead arranges the interview (and moderates any disagreement)."""
    reason = f"{flags} disagreement(s) flagged for moderation" if flags else "The reviewers agree."
    if _raise(journey, AlertKind.REVIEWS_IN, reviews_in_occurrence(journey), reason=reason):
        notifications.alert_academy_leads(
            journey,
            "reviews_in",
            reason,
            template="lead_alert",
            link_path=f"/lead/journeys/{journey.id}",
        )


@_never_fails
def deadline_near(journey: Journey, what: str, due: date) -> None:
    """A claim (or a panel's review) is due within the week: from the scheduler's reminders."""
    if what not in {CLAIM_DUE, REVIEW_DUE}:
        raise ValueError(f"unknown deadline {what!r}")
    occurrence = deadline_occurrence(what, journey, due)
    text = "The claim is due" if what == CLAIM_DUE else "The panel's reviews are due"
    reason = f"{text} on {due:%-d %B %Y}."
    if _raise(journey, AlertKind.DEADLINE_NEAR, occurrence, reason=reason, due=due):
        notifications.alert_academy_leads(
            journey,
            "deadline_near",
            reason,
            template="lead_alert",
            link_path=f"/lead/journeys/{journey.id}",
        )
