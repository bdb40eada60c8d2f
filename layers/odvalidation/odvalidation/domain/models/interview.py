"""Step 6: the interview."""

# No `from __future__ import annotations`: see models/__init__.py.

from datetime import datetime, timedelta

from pydantic import Field

from ..basics import Id, Model, ShortText

# How far ahead an interview may be arranged. It follows the panel's review (step 5, due weeks after
# submission) within weeks; a year leaves room for a rearrangement around leave or an agreed adjustment
# while keeping out dates nobody means (year 9999 was accepted once, and the invitation's calendar file
# could not be written). A claim that has waited longer than this should be looked at again, not parked.
FURTHEST_AHEAD = timedelta(days=365)


def latest_start(now: datetime) -> datetime:
    """The latest date and time an interview arranged now may start."""
    return now + FURTHEST_AHEAD


class Interview(Model):
    journey_id: Id
    claim_number: int
    at: datetime
    location: ShortText
    duration_minutes: int = Field(default=60, ge=15, le=240)
    # Set when the academy lead records that the interview took place (on or after its arranged start).
    held_at: datetime | None = None
    held_recorded_by: Id | None = None

    @property
    def ends_at(self) -> datetime:
        """When it ends; never past the calendar's last moment, so no stored date can make the calendar
        file (or a page) fail with an overflow."""
        last = datetime.max.replace(tzinfo=self.at.tzinfo)
        return self.at + min(timedelta(minutes=self.duration_minutes), last - self.at)

    def has_started(self, now: datetime) -> bool:
        """Its arranged start time has come on the product clock."""
        return self.at <= now

    def has_taken_place(self, now: datetime) -> bool:
        """Step 6 happened: its arranged time has passed on the product clock, or the lead said so."""
        return self.held_at is not None or self.at <= now
