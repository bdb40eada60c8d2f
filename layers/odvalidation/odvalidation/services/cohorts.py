"""Cohorts as academy leads set them up and change them (reading one is services/journeys.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from .. import clock
from ..dal import keys
from ..dal.store import to_item
from ..domain.academies import academy
from ..domain.access import (
    Caller,
    check_lead,
)
from ..domain.errors import Conflict, InvalidInput
from ..domain.frameworks import framework
from ..domain.models import (
    Cohort,
    Journey,
)
from .common import db
from .journeys import cohort


class NewCohort(BaseModel):
    model_config = ConfigDict(defer_build=True)

    academy_id: str
    name: str
    number: int
    framework_key: str
    workshop_date: date
    claim_window_months: int = 6
    panel_size: int = 3
    exclude_same_academy_panel: bool = False
    venue: str = ""
    places: int | None = None


class CohortChanges(BaseModel):
    """What a lead may change after creating a cohort: not its academy, number or framework (claims are
    pinned to the framework version, and the number is part of its id)."""

    model_config = ConfigDict(defer_build=True)

    name: str
    workshop_date: date
    claim_window_months: int
    panel_size: int
    exclude_same_academy_panel: bool = False
    venue: str = ""
    places: int | None = None


def _cohort_item(c: Cohort) -> dict[str, Any]:
    return to_item(
        c,
        keys.cohort(c.id),
        GSI1PK=f"ACADEMY#{c.academy_id}",
        GSI1SK=f"COHORT#{c.number:04d}",
        GSI2PK="COHORTS",
        GSI2SK=f"{c.academy_id}#{c.number:04d}",
    )


def update_cohort(caller: Caller, cohort_id: str, changes: CohortChanges) -> Cohort:
    """A lead changes the workshop's date, venue or places, or the cohort's claim window and panel size.
    Journeys already past a step keep what it gave them (a claim deadline set from the old window)."""
    c = cohort(cohort_id)
    check_lead(caller, c.academy_id)
    if changes.places is not None:
        taken = len(db().query_models(Journey, f"COHORT#{cohort_id}", index="GSI2", prefix="JOURNEY#"))
        if changes.places < taken:
            raise InvalidInput(
                f"{taken} practitioners have already joined: the cohort needs at least {taken} places."
            )
    changed = Cohort.model_validate(c.model_dump() | changes.model_dump())
    db().put(_cohort_item(changed))
    return changed


def create_cohort(caller: Caller, spec: NewCohort) -> Cohort:
    check_lead(caller, spec.academy_id)
    academy(spec.academy_id)
    framework(spec.framework_key)  # claims are pinned to an existing framework version
    c = Cohort(id=f"{spec.academy_id}-{spec.number}", created_at=clock.now(), **spec.model_dump())
    if not db().put(_cohort_item(c), only_if_new=True):
        raise Conflict(f"{academy(c.academy_id).name} already has a cohort {c.number}.")
    return c
