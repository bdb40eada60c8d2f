"""Readiness over time (issue 17.11): the readiness decisions of each workshop quarter's cohorts, from
the cohorts' counters alone. A cohort belongs to the quarter of its workshop day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from ..models import Readiness
from .reports import CohortReport
from .tables import CountTable

# The programme's short names for the three decisions (the national table by cohort uses the same).
READINESS_SHORT: dict[Readiness, str] = {
    Readiness.READY_NOW: "Ready now",
    Readiness.READY_LATER: "Ready in 12 to 18 months",
    Readiness.FURTHER_DEVELOPMENT: "Further development",
}
_MONTHS = ("January", "April", "July", "October")
_ENDS = ("March", "June", "September", "December")


def quarter_of(day: date) -> tuple[int, int]:
    """(year, quarter 1 to 4) of a day: calendar quarters, as the workshop plan is written."""
    return day.year, (day.month - 1) // 3 + 1


def quarter_label(year: int, quarter: int) -> str:
    """'January to March 2027': a quarter as people say it, not 'Q1' or '2027-Q1'."""
    return f"{_MONTHS[quarter - 1]} to {_ENDS[quarter - 1]} {year}"


def _quarters_between(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    out, (year, q) = [], first
    while (year, q) <= last:
        out.append((year, q))
        year, q = (year + 1, 1) if q == 4 else (year, q + 1)
    return out


def readiness_by_quarter(
    reports: Sequence[CohortReport], title: str = "Readiness by workshop quarter"
) -> CountTable:
    """A row per quarter from the first workshop to the last (a quarter without cohorts shows zeros,
    so the time axis is not squeezed), a column per decision; rows add up to those who decided."""
    sums: dict[tuple[int, int], list[int]] = {}
    for rep in reports:
        row = sums.setdefault(quarter_of(rep.workshop_date), [0] * len(Readiness))
        for i, share in enumerate(rep.readiness):
            row[i] += share.count
    quarters = _quarters_between(min(sums), max(sums)) if sums else []
    return CountTable(
        title=title,
        row_labels=[quarter_label(*q) for q in quarters],
        column_labels=[READINESS_SHORT[r] for r in Readiness],
        cells=[sums.get(q, [0] * len(Readiness)) for q in quarters],
    )
