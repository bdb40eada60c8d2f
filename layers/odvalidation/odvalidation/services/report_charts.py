"""What the report pages draw beyond one scope's pipeline (issue 17.11): readiness over time, by the
quarter of each cohort's workshop. Read from the cohorts' counter items only (one Query), like every
report.

Who sees it: national leads, nationally. By quarter, small national counts could be worked out from
the suppressed tables an academy lead sees (the quarters add up to the same national totals), so a
suppressed view gets no quarterly chart; an academy's own page (exact) draws its own from its cohorts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from .. import clock
from ..domain import reporting as r
from ..domain.access import Caller
from ..domain.models import Cohort, Role
from . import journeys as js
from .common import db
from .reports import CohortSummary, Filters, require_lead


def quarters_table(reports: Sequence[r.CohortReport], title: str) -> r.SuppressedTable:
    """The readiness-by-quarter table of exact views (threshold 1: nothing hidden)."""
    return r.suppress(r.readiness_by_quarter(reports, title=title), 1)


def national_readiness_by_quarter(
    caller: Caller,
    filters: Filters | None = None,
    cohorts: Sequence[Cohort] | None = None,
    *,
    as_of: date | None = None,
) -> r.SuppressedTable | None:
    """England's readiness by workshop quarter, of the cohorts the filters choose; None for anyone
    but a national lead (see the module's note). `cohorts`: every cohort, if the caller has read them."""
    require_lead(caller)
    if not caller.has(Role.NATIONAL_LEAD):
        return None
    filters = filters or Filters()
    when = as_of or clock.now().date()
    cohorts = [c for c in js.all_cohorts() if filters.admits(c)]
    stored = db().counters("COHORT#")
    reports = [
        r.build_cohort_report(c, stored.get(r.cohort_scope(c.academy_id, c.id), {}), as_of=when)
        for c in cohorts
    ]
    return quarters_table(reports, "Readiness by workshop quarter: England")


def academy_readiness_by_quarter(name: str, cohorts: Sequence[CohortSummary]) -> r.SuppressedTable:
    """An academy's readiness by workshop quarter, from the cohort reports its (exact) page already has."""
    return quarters_table([c.report for c in cohorts], f"Readiness by workshop quarter: {name}")
