"""An email the service sent, or tried to send, about a journey."""

# No `from __future__ import annotations`: see models/__init__.py.

from datetime import datetime

from ..basics import Id, Model


class EmailRecord(Model):
    journey_id: Id
    kind: str
    to: list[str]
    subject: str
    message_id: str | None = None
    sent_at: datetime
    error: str | None = None
