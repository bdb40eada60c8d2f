"""Reporting counters kept current in the same transaction as each journey change."""

from __future__ import annotations

from datetime import datetime

from ..domain.models import Journey


def scopes(journey: Journey) -> list[str]:
    return [f"ACADEMY#{journey.academy_id}", f"COHORT#{journey.academy_id}#{journey.cohort_id}"]


def counter_changes(before: Journey | None, after: Journey, at: datetime) -> dict[str, dict[str, int]]:
    deltas: dict[str, int] = {}
    if before is None:
        deltas["expressions_of_interest"] = 1
    if before is None or before.stage != after.stage:
        deltas[f"in_stage.{after.stage.value}"] = deltas.get(f"in_stage.{after.stage.value}", 0) + 1
        if before is not None:
            deltas[f"in_stage.{before.stage.value}"] = deltas.get(f"in_stage.{before.stage.value}", 0) - 1
    return {scope: dict(deltas) for scope in scopes(after)} if deltas else {}
