"""Step 5: a claim's review panel and its seats."""

# No `from __future__ import annotations`: see models/__init__.py.

from datetime import date, datetime

from ..basics import Id, Model
from .enums import MemberKind


class PanelSeat(Model):
    member_id: Id
    kind: MemberKind
    chair: bool = False
    declared: bool = False  # declared no conflict: evidence opens only after this
    declared_at: datetime | None = None


class Panel(Model):
    journey_id: Id
    claim_number: int
    seats: list[PanelSeat]
    assigned_at: datetime
    override_reason: str | None = None
    review_due: date | None = None
    version: int = 0
