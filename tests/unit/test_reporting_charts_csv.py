"""Charts (accessible, escaped, the same numbers as their tables) and Excel-safe CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

import jinja2

from odvalidation.domain import charts as c
from odvalidation.domain import reporting as r

TEMPLATES = Path(r.__file__).resolve().parents[2] / "web" / "templates"
EVIL = '<script>alert("x")</script> & "quotes"'


def report() -> r.PipelineReport:
    counters = {
        "expressions_of_interest": 78,
        "reflection_done": 74,
        "workshop_attended": 68,
        "readiness.ready_now": 18,
        "readiness.ready_12_18_months": 22,
        "readiness.further_development": 27,
        "claims_submitted": 6,
        "interviewed": 6,
        "outcome.system_od_leader": 3,
        "outcome.system_od_practitioner": 2,
        "outcome.not_yet": 1,
    }
    return r.build_report("national", counters, as_of=date(2025, 6, 1), title="England")


def render(chart: c.Chart) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    return env.from_string(
        '{% from "reporting/chart.html" import chart_with_table %}{{ chart_with_table(c) }}'
    ).render(c=chart)


def drawing(html: str) -> str:
    """The chart's drawing (aria-hidden), without its table."""
    return html.split('<div class="app-chart" aria-hidden="true">', 1)[1].split(
        'class="app-table-region"', 1
    )[0]


def test_each_bar_carries_the_same_numbers_as_its_table_row() -> None:
    rep = report()
    for chart in (c.funnel_chart(rep), c.readiness_chart(rep), c.outcomes_chart(rep)):
        html = render(chart)
        values = re.findall(r'<span class="app-chart__value">([^<]*)</span>', drawing(html))
        # Each bar's label carries the same number and percentage as the table row beside it.
        assert values == [f"{row[1]} ({row[2]})" if row[2] else row[1] for row in chart.table_rows()]
        labels = re.findall(r'<span class="app-chart__label">([^<]*)</span>', drawing(html))
        assert labels == [row[0] for row in chart.table_rows()]
    readiness = c.readiness_chart(rep)
    assert readiness.table_rows() == [
        ["Ready to make a claim now", "18", "27%"],
        ["Ready in 12 to 18 months", "22", "33%"],
        ["Considering further development", "27", "40%"],
    ]


def test_the_drawing_is_hidden_from_screen_readers_and_its_text_is_html_not_svg() -> None:
    html = render(c.readiness_chart(report()))
    assert '<div class="app-chart" aria-hidden="true">' in html
    # No SVG text: a scaled-down SVG shrinks its text (to ~5 px at 375 px); HTML text keeps its size.
    assert "<text" not in html
    # The table is the accessible version, in its own labelled, focusable scroll region.
    assert 'role="region" aria-label="Readiness decisions: England: the numbers" tabindex="0"' in html


def test_bar_lengths_follow_the_counts() -> None:
    chart = c.bar_chart(
        [c.ChartRow(label="a", count=10), c.ChartRow(label="b", count=5), c.ChartRow(label="c", count=0)],
        chart_id="x",
        title="t",
    )
    widths = re.findall(r'<svg class="app-chart__bar" width="([0-9.]+)%"', render(chart))
    assert widths == ["100", "50"]  # no bar for 0


def test_every_label_is_escaped() -> None:
    chart = c.bar_chart([c.ChartRow(label=EVIL, count=3)], chart_id=EVIL, title=EVIL)
    assert re.fullmatch(r"[a-z0-9-]+", chart.id)
    html = render(chart)
    assert "<script" not in html
    assert html.count("&lt;script&gt;") >= 4  # heading, bar label, caption and the table's row header


def test_the_page_partial_puts_the_numbers_beside_the_chart() -> None:
    html = render(c.readiness_chart(report()))
    cells = re.findall(r'<td class="nhsuk-table__cell nhsuk-table__cell--numeric">([^<]*)</td>', html)
    assert cells == ["18", "27%", "22", "33%", "27", "40%"]


def test_chart_colours_meet_non_text_contrast() -> None:
    rep = report()
    for chart in (c.funnel_chart(rep), c.readiness_chart(rep), c.outcomes_chart(rep)):
        for fill in re.findall(r'<rect width="100%" height="100%" fill="(#[0-9A-Fa-f]{6})"', render(chart)):
            assert c.contrast_ratio(fill) >= 3.0
    assert all(c.contrast_ratio(colour) >= 3.0 for colour in c.PALETTE)
    assert c.contrast_ratio(c.NHS_TEXT) >= 4.5
    assert c.contrast_ratio("#FFB81C") < 3.0  # NHS warm yellow would fail: the check can say no


def test_a_suppressed_count_shows_the_marker_and_no_bar() -> None:
    chart = c.bar_chart(
        [c.ChartRow(label="London", count=None), c.ChartRow(label="North West", count=12)],
        chart_id="s",
        title="t",
    )
    assert chart.table_rows()[0] == ["London", r.SUPPRESSED, ""]
    html = render(chart)
    assert drawing(html).count('class="app-chart__bar"') == 1
    # The table says it in words, as every suppressed table does.
    assert '<span aria-hidden="true">*</span><span class="nhsuk-u-visually-hidden">suppressed</span>' in html


def test_csv_neutralises_formulas_and_round_trips() -> None:
    rows = [
        ["Name", "Note", "Count"],
        ['=HYPERLINK("http://x","y")', "+1", 5],
        ["-2", "@SUM(A1)", -3],
        ["\tTab", "a, b\nc", None],
        ["plain", "12%", 0],
    ]
    text = r.to_csv(rows)
    back = list(csv.reader(io.StringIO(text)))
    assert back[1] == ['\'=HYPERLINK("http://x","y")', "'+1", "5"]
    assert back[2] == ["'-2", "'@SUM(A1)", "-3"]  # numbers stay numbers
    assert back[3] == ["'\tTab", "a, b\nc", ""]
    assert back[4] == ["plain", "12%", "0"]
    assert text.endswith("\r\n")


def test_a_suppressed_export_as_csv() -> None:
    table = r.CountTable(
        title="Readiness",
        row_labels=["=North West", "London"],
        column_labels=["Now", "Later"],
        cells=[[12, 15], [3, 9]],
    )
    back = list(csv.reader(io.StringIO(r.to_csv(r.suppress(table).rows()))))
    assert back[1][0] == "'=North West"
    assert back[2][1] == r.SUPPRESSED
    assert "3" not in back[2][1:]
