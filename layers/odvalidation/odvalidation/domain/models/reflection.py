"""Steps 1 and 3: the self-assessment and the decision on readiness."""

# No `from __future__ import annotations`: see models/__init__.py.

from datetime import date, datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from ..basics import Id, Model
from .enums import Readiness


class ElementRating(Model):
    element_id: str
    rating: int = Field(ge=1, le=5)
    note: Annotated[str, StringConstraints(max_length=4000)] = ""


class Reflection(Model):
    journey_id: Id
    ratings: list[ElementRating]
    career_note: Annotated[str, StringConstraints(max_length=8000)] = ""
    submitted: bool = False
    updated_at: datetime


class Decision(Model):
    journey_id: Id
    readiness: Readiness
    reengage_on: date | None = None
    note: Annotated[str, StringConstraints(max_length=4000)] = ""
    decided_at: datetime
