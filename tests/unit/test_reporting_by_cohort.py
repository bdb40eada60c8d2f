"""Issue 17.8: one national table by cohort, filterable; its CSV one tidy table named after its filter;
suppressed so that no cohort's hidden count can be worked out from its academy's published figures."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from odvalidation.domain import reporting as r
from odvalidation.domain.models import Outcome, Readiness
from odvalidation.services import reports
from odvalidation.services import reports_by_cohort as rbc
from tests.unit.test_reports_service import NATIONAL, NW_LEAD, T0, Journeys, cohort, table

__all__ = ["table"]  # the moto-backed table fixture


def test_one_table_by_cohort_exact_for_national_leads_tidy_and_suppressed_in_its_csv(table: str) -> None:
    journeys = Journeys(memory=True)
    plan = {
        ("north-west", 1): ([6, 2, 7], [Outcome.LEADER] * 5),
        ("north-west", 2): ([9, 6, 1], [Outcome.PRACTITIONER] * 3),
        ("london", 1): ([8, 8, 8], [Outcome.NOT_YET] * 6),
    }
    ids = {}
    for (academy, number), (readiness, outcomes) in plan.items():
        c = ids[(academy, number)] = cohort(academy, number, workshop=date(2026, 2, number))
        for decision, n in zip(Readiness, readiness, strict=True):
            for i in range(n):
                journeys.decided(c, academy, decision, T0 + timedelta(hours=i))
        for i, outcome in enumerate(outcomes):
            journeys.validated(c, academy, outcome, T0 + timedelta(hours=i))
    journeys.flush()

    exact = rbc.cohort_table(NATIONAL)
    assert exact.exact
    assert [(row.academy, row.cohort) for row in exact.rows] == [
        ("North West Leadership Academy", "north-west cohort 1"),
        ("North West Leadership Academy", "north-west cohort 2"),
        ("London Leadership Academy", "london cohort 1"),
    ]
    first = exact.rows[0]
    assert first.framework == "Global practice style OD framework (version 1.0)"
    assert first.counts["ready_now"] == 6 + 5  # the validated ones decided "ready now" first
    assert first.counts["ready_later"] == 2
    assert first.counts["leader"] == 5
    assert first.suppressed == []

    # Filterable, and named after the filter.
    london = rbc.cohort_table(NATIONAL, academy_id="london")
    assert [row.cohort for row in london.rows] == ["london cohort 1"]
    assert london.title == "Cohorts: London Leadership Academy"
    filters = reports.Filters(
        framework_key="global-practice@1.0", period_from=date(2026, 1, 1), period_to=date(2026, 12, 31)
    )
    assert (
        rbc.cohort_table_title(filters) == "Cohorts: Global practice style OD framework (version 1.0), 2026"
    )
    name = rbc.cohort_table_filename(filters, "london")
    assert name.startswith("od-cohorts_london_global-practice-1.0_2026-01-01-to-2026-12-31_")
    assert rbc.cohort_table_filename().startswith("od-cohorts_all-academies_all-frameworks_all-years_")

    # The CSV: one header row, one row per cohort, a column saying what is suppressed.
    rows = list(csv.reader(io.StringIO(rbc.cohort_table_csv(NATIONAL))))
    header, body = rows[0], rows[1:]
    assert header == ["Academy", "Cohort", "Framework", *(h for _, h in r.COHORT_COLUMNS), "Suppressed"]
    assert len(body) == 3
    counts = [cell for row in body for cell in row[3:-1]]
    assert all(cell in {r.SUPPRESSED, "0"} or int(cell) >= 5 for cell in counts), body
    for row in body:
        hidden = [h for h, v in zip(header[3:-1], row[3:-1], strict=True) if v == r.SUPPRESSED]
        assert row[-1] == ("; ".join(hidden) if hidden else "None")
    # North West's cohort 2 has 1 "further development": hidden, and a partner with it, because
    # North West's figures are published by academy (cohorts add up to them).
    nw = [row for row in body if row[0] == "North West Leadership Academy"]
    column = header.index("Further development")
    assert [row[column] for row in nw] == [r.SUPPRESSED, r.SUPPRESSED]
    # Whoever knows North West's academy figures (a column total per count) cannot work out a cohort.
    exact_nw = [[row.counts[k] or 0 for k, _ in r.COHORT_COLUMNS] for row in exact.rows[:2]]
    t = r.CountTable(
        title="nw",
        row_labels=["1", "2"],
        column_labels=[k for k, _ in r.COHORT_COLUMNS],
        cells=exact_nw,
        row_totals=False,
    )
    m, sign = r.extended(t)
    hidden_cells = {(i, j) for i, row in enumerate(nw) for j, v in enumerate(row[3:-1]) if v == r.SUPPRESSED}
    assert r.pinned_cells(m, sign, hidden_cells, False, True) == []

    # An academy lead sees the suppressed table on screen, the same as the CSV.
    seen = rbc.cohort_table(NW_LEAD)
    assert not seen.exact
    assert "Counts from 1 to 4" in seen.rule
    assert [row.counts for row in seen.rows] == [
        row.counts for row in rbc.cohort_table(NATIONAL, export=True).rows
    ]
