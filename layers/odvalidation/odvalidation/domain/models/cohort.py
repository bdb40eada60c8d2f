"""A cohort: an academy's group of practitioners who start the pathway together."""

# No `from __future__ import annotations`: see models/__init__.py.

from datetime import date, datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from ..basics import Id, Model, ShortText


class Cohort(Model):
    id: Id
    academy_id: Id
    name: ShortText
    number: int = Field(ge=1)
    framework_key: str  # "<framework id>@<version>": claims stay pinned to it
    workshop_date: date
    claim_window_months: int = Field(default=6, ge=1, le=9)
    panel_size: int = Field(default=3, ge=2, le=5)
    exclude_same_academy_panel: bool = False
    created_at: datetime
    # Where the workshop is held, and how many places it has (None: as many as register). Both may
    # change after the cohort is created.
    venue: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    places: int | None = Field(default=None, ge=1, le=500)
