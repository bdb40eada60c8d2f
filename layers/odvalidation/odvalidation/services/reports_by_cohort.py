"""The national table by cohort (issue 17.8): one row per cohort, filterable, and its CSV as one tidy
table named after its filter. Read from the chosen cohorts' counter items (one BatchGetItem)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from .. import clock
from ..domain import reporting as r
from ..domain.academies import ACADEMIES, academy
from ..domain.access import Caller
from ..domain.models import Role
from ..settings import settings
from . import journey_parts as js
from .reports import RULE_EXACT, Filters, cohort_counters, framework_name, require_lead


class CohortTable(BaseModel):
    """The national table by cohort (issue 17.8): exact for national leads on screen, suppressed for
    everyone else and in the CSV whoever downloads it."""

    model_config = ConfigDict(defer_build=True)

    title: str
    as_of: date
    exact: bool
    rule: str
    filters: Filters
    academy_id: str | None = None
    columns: list[str] = Field(description="the count columns' headings, in order (keys in rows' counts)")
    rows: list[r.CohortRow]


def cohort_table_title(filters: Filters, academy_id: str | None = None) -> str:
    """The table named after its filter: "Cohorts: Global practice ... (version 1.0), 2026"."""
    parts = [academy(academy_id).name] if academy_id else []
    parts += [framework_name(filters.framework_key)] if filters.framework_key else []
    if filters.period_from or filters.period_to:
        lo, hi = filters.period_from, filters.period_to
        if lo and hi and (lo.month, lo.day, hi.month, hi.day) == (1, 1, 12, 31) and lo.year == hi.year:
            parts.append(str(lo.year))
        else:
            parts.append(f"workshops {lo.isoformat() if lo else '...'} to {hi.isoformat() if hi else '...'}")
    return "Cohorts: " + (", ".join(parts) if parts else "all academies, all frameworks, all years")


def cohort_table(
    caller: Caller,
    filters: Filters | None = None,
    *,
    academy_id: str | None = None,
    export: bool = False,
    as_of: date | None = None,
) -> CohortTable:
    """Every chosen cohort's figures, one row each (a BatchGetItem of their counter items)."""
    require_lead(caller)
    filters = filters or Filters()
    if academy_id:
        academy(academy_id)  # NotFound for an academy we do not know
    when = as_of or clock.now().date()
    chosen = [
        c
        for c in js.all_cohorts()
        if filters.admits(c) and (academy_id is None or c.academy_id == academy_id)
    ]
    order = {a.id: i for i, a in enumerate(ACADEMIES)}
    chosen.sort(key=lambda c: (order.get(c.academy_id, len(order)), c.workshop_date, c.number))
    counters = cohort_counters(chosen)
    exact = caller.has(Role.NATIONAL_LEAD) and not export
    threshold = 1 if exact else max(1, settings().suppression_threshold)
    entries = [
        (
            c.academy_id,
            academy(c.academy_id).name,
            framework_name(c.framework_key),
            r.build_cohort_report(c, counters[c.id], as_of=when),
        )
        for c in chosen
    ]
    return CohortTable(
        title=cohort_table_title(filters, academy_id),
        as_of=when,
        exact=exact,
        rule=RULE_EXACT if exact else r.suppression_note(threshold),
        filters=filters,
        academy_id=academy_id,
        columns=[h for _, h in r.COHORT_COLUMNS],
        rows=r.cohort_rows(entries, threshold),
    )


def cohort_table_csv(caller: Caller, filters: Filters | None = None, *, academy_id: str | None = None) -> str:
    """The table by cohort as one tidy CSV table: one header row, one row per cohort, always
    suppressed (the file travels). What it covers is in its file name, not in extra rows."""
    table = cohort_table(caller, filters, academy_id=academy_id, export=True)
    return r.to_csv(r.cohort_csv_rows(table.rows))


def cohort_table_filename(filters: Filters | None = None, academy_id: str | None = None) -> str:
    """The CSV's name says its filter: od-cohorts_<academy>_<framework>_<period>_<date>.csv."""
    f = filters or Filters()
    parts = [academy_id or "all-academies", f.framework_key or "all-frameworks"]
    if f.period_from or f.period_to:
        parts.append(f"{f.period_from or ''}-to-{f.period_to or ''}".strip("-"))
    else:
        parts.append("all-years")
    safe = "_".join("".join(ch if ch.isalnum() or ch in "-." else "-" for ch in p) for p in parts)
    return f"od-cohorts_{safe}_{clock.now().date().isoformat()}.csv"
