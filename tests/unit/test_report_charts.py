"""The pictures on the report pages (issue 17.11): the pipeline by academy and readiness by workshop
quarter. Their numbers are the ones a lead would check against the tables, and a chart publishes no
more than its table: a suppressed count is drawn as "*" with no bar."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from odvalidation.domain import charts as c
from odvalidation.domain import reporting as r
from odvalidation.domain.charts import PIPELINE_STEPS, pipeline_by_academy, quarters_chart
from odvalidation.domain.models import Cohort, Readiness
from odvalidation.services import report_charts, reports
from tests.browser.harness import in_process_web
from tests.unit.test_reports_service import (  # noqa: F401 - `table` is the moto table fixture
    NATIONAL,
    NW_LEAD,
    T0,
    Journeys,
    Reads,
    cohort,
    table,
)

RN, RL, FD = Readiness.READY_NOW, Readiness.READY_LATER, Readiness.FURTHER_DEVELOPMENT


def cohort_report(number: int, workshop: date, ready_now: int, later: int, further: int) -> r.CohortReport:
    c_ = Cohort(
        id=f"north-west-{number}",
        academy_id="north-west",
        name=f"Cohort {number}",
        number=number,
        framework_key="global-practice@1.0",
        workshop_date=workshop,
        created_at=T0,
    )
    counters = {
        r.readiness_key(RN): ready_now,
        r.readiness_key(RL): later,
        r.readiness_key(FD): further,
    }
    return r.build_cohort_report(c_, counters, as_of=date(2027, 1, 1))


def test_quarters_are_named_as_people_say_them() -> None:
    assert r.quarter_of(date(2026, 1, 1)) == (2026, 1)
    assert r.quarter_of(date(2026, 3, 31)) == (2026, 1)
    assert r.quarter_of(date(2026, 4, 1)) == (2026, 2)
    assert r.quarter_of(date(2026, 12, 31)) == (2026, 4)
    assert r.quarter_label(2026, 1) == "January to March 2026"
    assert r.quarter_label(2027, 4) == "October to December 2027"


def test_readiness_adds_up_by_workshop_quarter_with_empty_quarters_kept() -> None:
    counts = r.readiness_by_quarter(
        [
            cohort_report(1, date(2026, 2, 10), 3, 2, 1),
            cohort_report(2, date(2026, 3, 20), 1, 0, 4),  # same quarter: added to cohort 1
            cohort_report(3, date(2026, 11, 5), 6, 1, 0),  # two quarters later
        ]
    )
    assert counts.column_labels == ["Ready now", "Ready in 12 to 18 months", "Further development"]
    assert counts.row_labels == [
        "January to March 2026",
        "April to June 2026",
        "July to September 2026",
        "October to December 2026",
    ]
    assert counts.cells == [[4, 2, 5], [0, 0, 0], [0, 0, 0], [6, 1, 0]]
    chart = quarters_chart(r.suppress(counts, 1), "q")
    assert chart is not None
    assert chart.headers == [
        "Workshop quarter",
        "Ready now",
        "Ready in 12 to 18 months",
        "Further development",
    ]
    assert chart.rows[0] == ["January to March 2026", "4", "2", "5"]
    # Three series, each with its own colour and pattern: colour is not the only cue.
    assert len({s.colour for s in chart.series}) == 3
    assert [s.pattern for s in chart.series] == ["solid", "stripes", "dots"]
    # Against white and against NHS.UK's page background (#f0f4f5), where the bars are drawn.
    assert all(c.contrast_ratio(s.colour) >= 3.0 for s in chart.series)
    assert all(c.contrast_ratio(s.colour, "#F0F4F5") >= 3.0 for s in chart.series)
    # Bars against the longest of the whole chart (6), each labelled with its decision.
    first = chart.groups[0].bars
    assert [(b.label, b.count, b.width) for b in first] == [
        ("Ready now", 4, "66.7%"),
        ("Ready in 12 to 18 months", 2, "33.3%"),
        ("Further development", 5, "83.3%"),
    ]
    assert quarters_chart(r.suppress(r.readiness_by_quarter([]), 1), "none") is None  # no cohorts, no chart


def test_a_chart_of_a_suppressed_table_hides_what_the_table_hides() -> None:
    published = r.SuppressedTable(
        title="The pipeline",
        row_labels=["London", "North West"],
        column_labels=[*PIPELINE_STEPS, "Completed the reflection"],
        cells=[[12, None, 7, 6, 11], [30, 25, None, None, 28]],
        row_totals=None,
        column_totals=[42, None, None, None, 39],
        threshold=5,
        suppressed_primary=2,
        suppressed_secondary=2,
    )
    chart = pipeline_by_academy(published)
    assert chart.headers == ["Academy", *PIPELINE_STEPS]
    assert chart.rows == [["London", "12", "*", "7", "6"], ["North West", "30", "25", "*", "*"]]
    london = chart.groups[0].bars
    assert [(b.count, b.text, b.width) for b in london] == [
        (12, "12", "40%"),
        (None, "*", "0%"),
        (7, "7", "23.3%"),
        (6, "6", "20%"),
    ]


def test_the_pages_charts_come_from_the_counters(table: str) -> None:  # noqa: F811
    winter, summer = cohort("north-west", 1, date(2026, 2, 1)), cohort("north-west", 2, date(2026, 8, 1))
    london = cohort("london", 1, date(2026, 2, 20))
    j = Journeys()
    for cohort_id, academy, decisions in (
        (winter, "north-west", [RN, RN, RL, FD]),
        (summer, "north-west", [RN, RL, RL]),
        (london, "london", [FD]),
    ):
        for i, readiness in enumerate(decisions):
            j.decided(cohort_id, academy, readiness, T0 + timedelta(hours=i))
    reads = Reads()
    quarters = report_charts.national_readiness_by_quarter(NATIONAL)
    # Two Queries whatever the number of journeys: the cohorts, and their counter items.
    assert [name for name, _ in reads.calls] == ["Query", "Query"]
    assert quarters is not None
    assert quarters.row_labels == ["January to March 2026", "April to June 2026", "July to September 2026"]
    assert quarters.cells == [[2, 1, 2], [0, 0, 0], [1, 2, 0]]
    # An academy lead's national view is suppressed: no quarterly chart there (see report_charts).
    assert report_charts.national_readiness_by_quarter(NW_LEAD) is None
    # The academy's own page draws its quarters from its cohorts.
    own = reports.academy_report(NW_LEAD, "north-west")
    mine = report_charts.academy_readiness_by_quarter(own.academy_name, own.cohorts)
    assert mine.cells == [[2, 1, 1], [0, 0, 0], [1, 2, 0]]

    # The pipeline by academy: the funnel table's cells as the page publishes them to each reader.
    for caller in (NATIONAL, NW_LEAD):
        funnel = reports.national(caller).tables[0]
        chart = pipeline_by_academy(funnel)
        wanted = [funnel.column_labels.index(step) for step in PIPELINE_STEPS]
        for row, group in enumerate(chart.groups):
            assert group.label == funnel.row_labels[row]
            assert [b.count for b in group.bars] == [funnel.cells[row][k] for k in wanted]
    exact = pipeline_by_academy(reports.national(NATIONAL).tables[0])
    north_west = next(g for g in exact.groups if g.label == "North West Leadership Academy")
    assert [b.count for b in north_west.bars] == [7, 7, 0, 0]  # interest, attended, submitted, interviewed
    suppressed = pipeline_by_academy(reports.national(NW_LEAD).tables[0])
    north_west = next(g for g in suppressed.groups if g.label == "North West Leadership Academy")
    assert north_west.bars[0].count is None  # suppressed in the table (secondary), so in the chart


def test_the_services_own_stylesheet_is_served_and_every_page_links_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from odvalidation.web import static

    with in_process_web(monkeypatch) as env:
        home = env["client"].get("/")
        css = env["client"].get("/static/app.css")
    assert css.status == 200
    assert css.header("Content-Type") == "text/css; charset=utf-8"
    # It is in git, not in the built static/ folder, and its URL changes with it (never served stale).
    assert not (static.STATIC_ROOT / "app.css").exists()
    assert f"/static/app.css?v={static.app_css_version()}" in home.body
    # The CSS-only conditional reveal and the table regions are in it.
    assert (
        ".nhsuk-radios__item:has(> .nhsuk-radios__input:not(:checked)) + .nhsuk-radios__conditional"
        in css.body
    )
    assert ".app-table-region" in css.body
