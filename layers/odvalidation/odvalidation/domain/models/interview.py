"""Step 6: the interview."""

# No `from __future__ import annotations`: see models/__init__.py.

from datetime import datetime

from pydantic import Field

from ..basics import Id, Model, ShortText


class Interview(Model):
    journey_id: Id
    claim_number: int
    at: datetime
    location: ShortText
    duration_minutes: int = Field(default=60, ge=15, le=240)
    # Set when the academy lead records that the interview took place (perhaps earlier than arranged).
    held_at: datetime | None = None
    held_recorded_by: Id | None = None

    def has_taken_place(self, now: datetime) -> bool:
        """Step 6 happened: its arranged time has passed on the product clock, or the lead said so."""
        return self.held_at is not None or self.at <= now
