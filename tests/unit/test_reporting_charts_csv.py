"""Charts (accessible, escaped, the same numbers as their tables) and Excel-safe CSV."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import jinja2

from odvalidation.domain import charts as c
from odvalidation.domain import reporting as r

SVG = "{http://www.w3.org/2000/svg}"
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


def test_charts_are_labelled_images_with_the_tables_numbers() -> None:
    rep = report()
    for chart in (c.funnel_chart(rep), c.readiness_chart(rep), c.outcomes_chart(rep)):
        root = ET.fromstring(chart.svg)  # well-formed XML
        assert root.get("role") == "img"
        ids = root.get("aria-labelledby", "").split()
        title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
        assert title is not None
        assert desc is not None
        assert ids == [title.get("id"), desc.get("id")]
        assert title.text == chart.title
        values = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "app-chart__value"]
        table = chart.table_rows()
        # Each bar's label carries the same number and percentage as the table row beside it.
        assert values == [f"{row[1]} ({row[2]})" if row[2] else row[1] for row in table]
        for row in table:
            assert f"{row[0]}: {row[1]}" in (desc.text or "")
    readiness = c.readiness_chart(rep)
    assert readiness.table_rows() == [
        ["Ready to make a claim now", "18", "27%"],
        ["Ready in 12 to 18 months", "22", "33%"],
        ["Considering further development", "27", "40%"],
    ]


def test_bar_lengths_follow_the_counts() -> None:
    chart = c.bar_svg(
        [c.ChartRow(label="a", count=10), c.ChartRow(label="b", count=5), c.ChartRow(label="c", count=0)],
        chart_id="x",
        title="t",
    )
    widths = [float(rect.get("width", 0)) for rect in ET.fromstring(chart.svg).iter(f"{SVG}rect")]
    assert len(widths) == 2  # no bar for 0
    assert abs(widths[0] - 2 * widths[1]) < 0.2


def test_every_label_is_escaped() -> None:
    chart = c.bar_svg([c.ChartRow(label=EVIL, count=3)], chart_id=EVIL, title=EVIL, description=EVIL)
    assert "<script" not in chart.svg
    root = ET.fromstring(chart.svg)
    assert root.find(f"{SVG}title").text == EVIL  # type: ignore[union-attr]
    assert next(t.text for t in root.iter(f"{SVG}text")) == EVIL
    assert re.fullmatch(r"[a-z0-9-]+", chart.id)
    # And in the page: the template's table and heading are autoescaped.
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    html = env.from_string(
        '{% from "reporting/chart.html" import chart_with_table %}{{ chart_with_table(c) }}'
    ).render(c=chart)
    assert "<script" not in html
    assert html.count("&lt;script&gt;") >= 3  # heading, caption and the table's row header


def test_the_page_partial_puts_the_numbers_beside_the_chart() -> None:
    chart = c.readiness_chart(report())
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    html = env.from_string(
        '{% from "reporting/chart.html" import chart_with_table %}{{ chart_with_table(c) }}'
    ).render(c=chart)
    cells = re.findall(r'<td class="nhsuk-table__cell nhsuk-table__cell--numeric">([^<]*)</td>', html)
    assert cells == ["18", "27%", "22", "33%", "27", "40%"]
    assert 'role="img"' in html


def test_chart_colours_meet_non_text_contrast_and_text_is_readable() -> None:
    rep = report()
    for chart in (c.funnel_chart(rep), c.readiness_chart(rep), c.outcomes_chart(rep)):
        root = ET.fromstring(chart.svg)
        for rect in root.iter(f"{SVG}rect"):
            assert c.contrast_ratio(rect.get("fill", "")) >= 3.0
        for text in root.iter(f"{SVG}text"):
            assert c.contrast_ratio(text.get("fill", "")) >= 4.5
    assert all(c.contrast_ratio(colour) >= 3.0 for colour in c.PALETTE)
    assert c.contrast_ratio("#FFB81C") < 3.0  # NHS warm yellow would fail: the check can say no


def test_a_suppressed_count_shows_the_marker_and_no_bar() -> None:
    chart = c.bar_svg(
        [c.ChartRow(label="London", count=None), c.ChartRow(label="North West", count=12)],
        chart_id="s",
        title="t",
    )
    assert chart.table_rows()[0] == ["London", r.SUPPRESSED, ""]
    assert len(list(ET.fromstring(chart.svg).iter(f"{SVG}rect"))) == 1


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
