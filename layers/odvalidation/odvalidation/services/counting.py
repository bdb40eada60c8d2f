"""Reporting counters kept current in the same transaction as each journey change."""

from __future__ import annotations

from datetime import datetime

from ..domain.models import Journey
from ..domain.reporting import scoped_deltas


def counter_changes(before: Journey | None, after: Journey, at: datetime) -> dict[str, dict[str, int]]:
    """The increments to the cohort and academy counter items (see domain/reporting/counters.py for the keys).
    `at` is implied by the journey's stage_entered_at, which journey.move sets."""
    del at
    return {str(scope): deltas for scope, deltas in scoped_deltas(before, after).items()}
