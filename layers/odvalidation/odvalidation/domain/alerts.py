"""Alerts for an academy's leads (issue 17 item 5): a claim with no valid panel, a panel seat left
vacant, all of a panel's reviews in, a deadline near.

An alert is one *event*, named by what happened and when (its occurrence), so a retried or repeated
trigger names the same alert and is recorded, shown and emailed once. It stays on the lead's home until
they dismiss it or what it is about is resolved (the rules below, read against the journey as it is now).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from .models import Id, Journey, Model, Stage


class AlertKind(StrEnum):
    NO_PANEL = "no_panel"
    SEAT_VACANT = "seat_vacant"
    REVIEWS_IN = "reviews_in"
    DEADLINE_NEAR = "deadline_near"


# What each kind is called on the lead's home, in the order the home lists them.
TITLES: dict[AlertKind, str] = {
    AlertKind.NO_PANEL: "Claims with no valid panel",
    AlertKind.SEAT_VACANT: "Panel seats left vacant",
    AlertKind.REVIEWS_IN: "Claims with all reviews in",
    AlertKind.DEADLINE_NEAR: "Deadlines near",
}

# The deadline an alert of DEADLINE_NEAR is about (the first part of its occurrence).
CLAIM_DUE, REVIEW_DUE = "claim", "review"
# How near a deadline must be for its alert: the week before, when the reminders already go out.
NEAR_DAYS = 7


class Alert(Model):
    id: str
    academy_id: Id
    journey_id: Id
    kind: AlertKind
    occurrence: str
    claim_number: int = 0
    raised_at: datetime
    reason: str = ""
    due: date | None = None  # the deadline, for DEADLINE_NEAR
    dismissed_at: datetime | None = None
    dismissed_by: Id | None = None


def alert_id(journey_id: str, kind: AlertKind, occurrence: str) -> str:
    """The same event always has the same id: the idempotency key of its record and its email. Safe in
    a URL path (the occurrence, a time with colons, is hashed); the occurrence itself is kept on it."""
    digest = hashlib.sha256(occurrence.encode()).hexdigest()[:16]
    return f"{journey_id}-{kind.value}-{digest}"


def no_panel_occurrence(journey: Journey) -> str:
    # Each time the claim enters "awaiting panel" is one event: a retried NotifyLeads task sees the same
    # entry time; a lead's retry that fails again moves the journey again (a new time, a new alert).
    return f"{journey.claim_number}#{journey.stage_entered_at.isoformat()}"


def seat_vacant_occurrence(journey: Journey, panel_version: int) -> str:
    return f"{journey.claim_number}#v{panel_version}"


def reviews_in_occurrence(journey: Journey) -> str:
    return str(journey.claim_number)


def deadline_occurrence(what: str, journey: Journey, due: date) -> str:
    # An extension moves the claim's deadline: a new date is a new event (and the old alert resolves).
    return f"{what}#{journey.claim_number}#{due.isoformat()}"


@dataclass(frozen=True)
class Facts:
    """What resolution needs beyond the journey: read by the service, judged here."""

    panel_version: int | None = None  # the current claim's panel, if it has one
    interview_arranged: bool = False
    review_due: date | None = None


def still_open(alert: Alert, journey: Journey, facts: Facts, today: date) -> bool:
    """Whether the alert still asks something of the lead (dismissed alerts are never shown)."""
    if alert.dismissed_at is not None or journey.failure is not None:
        return False
    if alert.claim_number != journey.claim_number:
        return False  # a later claim: this one is over
    if alert.kind is AlertKind.NO_PANEL:
        return journey.stage is Stage.AWAITING_PANEL and alert.occurrence == no_panel_occurrence(journey)
    if alert.kind is AlertKind.SEAT_VACANT:
        # Any later change to the panel (a seat filled) answers it.
        return (
            journey.stage is Stage.PANEL_REVIEW
            and facts.panel_version is not None
            and alert.occurrence == seat_vacant_occurrence(journey, facts.panel_version)
        )
    if alert.kind is AlertKind.REVIEWS_IN:
        # The lead's next act is the interview: arranging it answers the alert.
        return journey.stage in {Stage.PANEL_REVIEW, Stage.INTERVIEW} and not facts.interview_arranged
    if alert.kind is AlertKind.DEADLINE_NEAR:
        if alert.due is None or alert.due < today:
            return False
        if alert.occurrence.startswith(f"{CLAIM_DUE}#"):
            deadline = journey.claim_deadline.date() if journey.claim_deadline else None
            return journey.stage is Stage.CLAIM_DEVELOPMENT and deadline == alert.due
        return journey.stage is Stage.PANEL_REVIEW and facts.review_due == alert.due
    return False
