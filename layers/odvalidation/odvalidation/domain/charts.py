"""Charts for the reporting pages: bar charts drawn with HTML and CSS, no JavaScript (issue 17.10-11).

Why not one SVG: an SVG scaled to a 375 px phone shrinks its text with it (to about 5 px). Here the
labels and numbers are HTML text at the page's font size, and only each bar is a small SVG whose
width is a percentage attribute (the Content-Security-Policy allows no inline style). The template
(web/templates/reporting/chart.html) lays them out; this module decides what is drawn.

Every chart comes with its numbers as the rows of a table beside it: the table is the accessible
version (the drawing is aria-hidden). A suppressed count (None) is drawn as no bar and the marker
"*", exactly as its table shows it. Colour is never the only cue: every bar carries its label, and
the series of a grouped chart have patterns as well as colours (a legend shows both).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .models import Model
from .reporting.reports import FunnelStep, PipelineReport
from .reporting.tables import SUPPRESSED, SuppressedTable

# NHS identity colours that reach WCAG 2.2 non-text contrast (3:1) against white; tests check it.
NHS_BLUE = "#005EB8"
NHS_DARK_BLUE = "#003087"
NHS_DARK_GREEN = "#006747"
NHS_PURPLE = "#330072"
NHS_DARK_PINK = "#7C2855"
NHS_DARK_GREY = "#425563"
NHS_TEXT = "#212B32"
PALETTE: tuple[str, ...] = (NHS_BLUE, NHS_DARK_GREEN, NHS_DARK_PINK, NHS_PURPLE, NHS_DARK_BLUE, NHS_DARK_GREY)
# A second cue beside colour, one per series: solid, diagonal stripes, dots, cross-hatch...
PATTERNS: tuple[str, ...] = ("solid", "stripes", "dots", "hatch")


class Series(Model):
    """One kind of bar in a chart (a funnel step, a readiness decision), as its legend shows it."""

    label: str
    colour: str
    pattern: str = "solid"


class Bar(Model):
    series: int  # index into Chart.series
    label: str
    count: int | None  # None: suppressed
    percent: float | None = None
    share: float = 0.0  # the bar's length as a fraction of the chart's longest bar (0 to 1)

    @property
    def width(self) -> str:
        """The bar's width attribute: a percentage, never below a sliver for a count above 0."""
        if not self.count:
            return "0%"
        return f"{max(0.5, round(self.share * 100, 1)):g}%"

    @property
    def text(self) -> str:
        """The number beside the bar, as its table writes it: '12 (50%)', '12' or '*'."""
        count = count_text(self.count)
        return (
            f"{count} ({pct_text(self.percent)})"
            if self.percent is not None and self.count is not None
            else count
        )


class Group(Model):
    """Bars read together: one per series (an academy's steps, a quarter's decisions); label None
    for a chart of one group."""

    label: str | None
    bars: list[Bar]


class Chart(Model):
    id: str
    title: str
    series: list[Series]
    groups: list[Group]
    headers: list[str]  # the table's column headings
    rows: list[list[str]]  # the table's rows, as text: the row heading, then the numbers

    @property
    def grouped(self) -> bool:
        return any(g.label is not None for g in self.groups)

    def table_rows(self) -> list[list[str]]:
        return self.rows


def slug(text: str) -> str:
    found = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return found or "chart"


def count_text(count: int | None) -> str:
    return SUPPRESSED if count is None else f"{count:,}"


def pct_text(pct: float | None) -> str:
    return "" if pct is None else f"{pct:g}%"


def relative_luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    channels = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast_ratio(a: str, b: str = "#FFFFFF") -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _scaled(groups: list[Group]) -> list[Group]:
    """Every bar's length against the longest known count of the whole chart (suppressed: none)."""
    top = max((b.count for g in groups for b in g.bars if b.count is not None), default=0)
    return [
        g.model_copy(
            update={
                "bars": [b.model_copy(update={"share": (b.count or 0) / top if top else 0.0}) for b in g.bars]
            }
        )
        for g in groups
    ]


class ChartRow(Model):
    label: str
    count: int | None  # None: suppressed
    percent: float | None = None


def bar_chart(
    rows: Sequence[ChartRow],
    *,
    chart_id: str,
    title: str,
    headers: Sequence[str] = ("Group", "Number", "Percentage"),
    colour: str = NHS_BLUE,
) -> Chart:
    """One bar per row, each labelled with its name and number (and percentage): a table of three
    columns beside it."""
    bars = [Bar(series=0, label=r.label, count=r.count, percent=r.percent) for r in rows]
    return Chart(
        id=slug(chart_id),
        title=title,
        series=[Series(label=headers[1], colour=colour)],
        groups=_scaled([Group(label=None, bars=bars)]),
        headers=list(headers),
        rows=[[r.label, count_text(r.count), pct_text(r.percent)] for r in rows],
    )


def grouped_chart(
    groups: Sequence[tuple[str, Sequence[int | None]]],
    series: Sequence[str],
    *,
    chart_id: str,
    title: str,
    group_heading: str,
) -> Chart:
    """Groups of bars, one bar per series in each (colour and pattern by series, every bar labelled):
    the table beside it has a row per group and a column per series."""
    keyed = [
        Series(label=label, colour=PALETTE[i % len(PALETTE)], pattern=PATTERNS[i % len(PATTERNS)])
        for i, label in enumerate(series)
    ]
    drawn = [
        Group(
            label=name,
            bars=[Bar(series=i, label=series[i], count=v) for i, v in enumerate(values)],
        )
        for name, values in groups
    ]
    return Chart(
        id=slug(chart_id),
        title=title,
        series=keyed,
        groups=_scaled(drawn),
        headers=[group_heading, *series],
        rows=[[name, *(count_text(v) for v in values)] for name, values in groups],
    )


def table_chart(
    table: SuppressedTable, columns: Sequence[str], *, chart_id: str, title: str, group_heading: str
) -> Chart:
    """A published table's rows as groups of bars, the chosen columns as series: the same cells,
    suppressed where the table suppresses them (a chart publishes no more than its table)."""
    index = [table.column_labels.index(c) for c in columns]
    groups = [(label, [table.cells[i][j] for j in index]) for i, label in enumerate(table.row_labels)]
    return grouped_chart(groups, list(columns), chart_id=chart_id, title=title, group_heading=group_heading)


def funnel_bars(steps: Sequence[FunnelStep] | Sequence[ChartRow], *, chart_id: str, title: str) -> Chart:
    """The pipeline as a funnel: one bar per step in NHS blue, each with its number and share of interest."""
    rows = [
        s if isinstance(s, ChartRow) else ChartRow(label=s.label, count=s.count, percent=s.pct_of_interest)
        for s in steps
    ]
    return bar_chart(
        rows,
        chart_id=chart_id,
        title=title,
        headers=("Step", "Number", "Percentage of expressions of interest"),
    )


def readiness_chart(report: PipelineReport, chart_id: str = "readiness") -> Chart:
    rows = [ChartRow(label=s.label, count=s.count, percent=s.pct_of_decided) for s in report.readiness]
    return bar_chart(
        rows,
        chart_id=f"{chart_id}-{report.scope}",
        title=f"Readiness decisions: {report.title}",
        headers=("Decision", "Number", "Percentage of those who decided"),
        colour=NHS_DARK_GREEN,
    )


def outcomes_chart(report: PipelineReport, chart_id: str = "outcomes") -> Chart:
    rows = [ChartRow(label=s.label, count=s.count, percent=s.pct_of_interviewed) for s in report.outcomes]
    return bar_chart(
        rows,
        chart_id=f"{chart_id}-{report.scope}",
        title=f"Validation outcomes: {report.title}",
        headers=("Outcome", "Number", "Percentage of claims interviewed"),
        colour=NHS_PURPLE,
    )


def funnel_chart(report: PipelineReport, chart_id: str = "funnel") -> Chart:
    return funnel_bars(
        report.funnel, chart_id=f"{chart_id}-{report.scope}", title=f"The pipeline: {report.title}"
    )


def pipeline_charts(report: PipelineReport) -> list[Chart]:
    """The three charts every pipeline page shows, in its order: the funnel, readiness, outcomes."""
    return [funnel_chart(report), readiness_chart(report), outcomes_chart(report)]


# The steps the pipeline-by-academy chart draws: columns of the funnel table (as published, so
# suppressed where it is), less the two a reader does not compare across academies.
PIPELINE_STEPS = (
    "Expressed interest",
    "Attended the workshop",
    "Claims submitted for panel review",
    "Claims taken to interview",
)


def pipeline_by_academy(funnel: SuppressedTable) -> Chart:
    """The pipeline by academy as one chart, from the funnel table the page publishes beside it."""
    return table_chart(
        funnel,
        PIPELINE_STEPS,
        chart_id="pipeline-by-academy",
        title="The pipeline by academy",
        group_heading="Academy",
    )


def quarters_chart(table: SuppressedTable | None, chart_id: str) -> Chart | None:
    """Readiness by workshop quarter (reporting.readiness_by_quarter, published); None with no cohorts."""
    if table is None or not table.row_labels:
        return None
    return table_chart(
        table, table.column_labels, chart_id=chart_id, title=table.title, group_heading="Workshop quarter"
    )
