"""The outcome the academy lead records after the interview."""

# No `from __future__ import annotations`: see models/__init__.py.

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from ..basics import Id, Model
from .enums import Outcome


class OutcomeRecord(Model):
    journey_id: Id
    claim_number: int
    outcome: Outcome
    feedback: dict[str, Annotated[str, StringConstraints(max_length=4000)]] = Field(default_factory=dict)
    development_plan: Annotated[str, StringConstraints(max_length=8000)] = ""
    recorded_by: Id
    recorded_at: datetime
