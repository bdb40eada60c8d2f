"""Server-rendered SVG charts for the reporting dashboard: no JavaScript, accessible, escaped.

Every chart comes with the same numbers as rows for an HTML table beside it (the table is the
accessible version; the SVG is role="img" with a <title> and <desc> that carry the numbers too).
Labels are escaped here, because the SVG is placed in the page as markup.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from xml.sax.saxutils import escape  # nosec B406 - escape() writes XML, nothing is parsed

from .models import Model
from .reporting.reports import FunnelStep, PipelineReport
from .reporting.tables import SUPPRESSED

# NHS identity colours that reach WCAG 2.2 non-text contrast (3:1) against white; tests check it.
NHS_BLUE = "#005EB8"
NHS_DARK_BLUE = "#003087"
NHS_DARK_GREEN = "#006747"
NHS_PURPLE = "#330072"
NHS_DARK_PINK = "#7C2855"
NHS_DARK_GREY = "#425563"
NHS_TEXT = "#212B32"
PALETTE: tuple[str, ...] = (NHS_BLUE, NHS_DARK_GREEN, NHS_PURPLE, NHS_DARK_PINK, NHS_DARK_BLUE, NHS_DARK_GREY)

WIDTH = 720
LABEL_WIDTH = 300  # the label column; bars start after it
VALUE_ROOM = 110  # room after the longest bar for its number
ROW_HEIGHT = 40
BAR_HEIGHT = 24
FONT = "Frutiger W01, Arial, sans-serif"


class ChartRow(Model):
    label: str
    count: int | None  # None: suppressed
    percent: float | None = None


class Chart(Model):
    """An SVG and the rows of its accessible table; `svg` is escaped markup, safe to insert as is."""

    id: str
    title: str
    description: str
    svg: str
    headers: list[str]
    rows: list[ChartRow]

    def table_rows(self) -> list[list[str]]:
        """The table body as the page shows it (the same text the SVG labels show)."""
        return [[r.label, _count_text(r.count), _pct_text(r.percent)] for r in self.rows]


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "chart"


def _count_text(count: int | None) -> str:
    return SUPPRESSED if count is None else f"{count:,}"


def _pct_text(pct: float | None) -> str:
    return "" if pct is None else f"{pct:g}%"


def _value_text(row: ChartRow) -> str:
    text = _count_text(row.count)
    return f"{text} ({_pct_text(row.percent)})" if row.percent is not None else text


def relative_luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    channels = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast_ratio(a: str, b: str = "#FFFFFF") -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def bar_svg(
    rows: Sequence[ChartRow],
    *,
    chart_id: str,
    title: str,
    description: str | None = None,
    colours: Sequence[str] = PALETTE,
    headers: Sequence[str] = ("Group", "Number", "Percentage"),
) -> Chart:
    """Horizontal bars, one per row, each labelled with its name and number (and percentage)."""
    cid = _slug(chart_id)
    desc = description or "; ".join(f"{r.label}: {_value_text(r)}" for r in rows) or "No data yet."
    known = [r.count for r in rows if r.count is not None]
    top = max(known, default=0)
    bar_room = WIDTH - LABEL_WIDTH - VALUE_ROOM
    height = max(1, len(rows)) * ROW_HEIGHT + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-labelledby="{cid}-title {cid}-desc" '
        f'font-family="{FONT}" font-size="16">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(desc)}</desc>',
    ]
    for i, row in enumerate(rows):
        y = 4 + i * ROW_HEIGHT
        mid = y + ROW_HEIGHT / 2
        colour = colours[i % len(colours)]
        width = 0.0 if not row.count or not top else max(2.0, bar_room * row.count / top)
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{mid:g}" text-anchor="end" dominant-baseline="middle" '
            f'fill="{NHS_TEXT}">{escape(row.label)}</text>'
        )
        if width:
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y + (ROW_HEIGHT - BAR_HEIGHT) / 2:g}" width="{width:.1f}" '
                f'height="{BAR_HEIGHT}" fill="{colour}"/>'
            )
        parts.append(
            f'<text x="{LABEL_WIDTH + width + 8:.1f}" y="{mid:g}" dominant-baseline="middle" '
            f'fill="{NHS_TEXT}" class="app-chart__value">{escape(_value_text(row))}</text>'
        )
    parts.append("</svg>")
    return Chart(
        id=cid, title=title, description=desc, svg="".join(parts), headers=list(headers), rows=list(rows)
    )


def funnel_svg(
    steps: Sequence[FunnelStep] | Sequence[ChartRow],
    *,
    chart_id: str,
    title: str,
    description: str | None = None,
) -> Chart:
    """The pipeline as a funnel: one bar per step in NHS blue, each with its number and share of interest."""
    rows = [
        s if isinstance(s, ChartRow) else ChartRow(label=s.label, count=s.count, percent=s.pct_of_interest)
        for s in steps
    ]
    return bar_svg(
        rows,
        chart_id=chart_id,
        title=title,
        description=description,
        colours=(NHS_BLUE,),
        headers=("Step", "Number", "Percentage of expressions of interest"),
    )


def readiness_chart(report: PipelineReport, chart_id: str = "readiness") -> Chart:
    rows = [ChartRow(label=s.label, count=s.count, percent=s.pct_of_decided) for s in report.readiness]
    return bar_svg(
        rows,
        chart_id=f"{chart_id}-{report.scope}",
        title=f"Readiness decisions: {report.title}",
        headers=("Decision", "Number", "Percentage of those who decided"),
    )


def outcomes_chart(report: PipelineReport, chart_id: str = "outcomes") -> Chart:
    rows = [ChartRow(label=s.label, count=s.count, percent=s.pct_of_interviewed) for s in report.outcomes]
    return bar_svg(
        rows,
        chart_id=f"{chart_id}-{report.scope}",
        title=f"Validation outcomes: {report.title}",
        headers=("Outcome", "Number", "Percentage of claims interviewed"),
    )


def funnel_chart(report: PipelineReport, chart_id: str = "funnel") -> Chart:
    return funnel_svg(
        report.funnel, chart_id=f"{chart_id}-{report.scope}", title=f"The pipeline: {report.title}"
    )


def pipeline_charts(report: PipelineReport) -> list[Chart]:
    """The three charts every pipeline page shows, in its order: the funnel, readiness, outcomes."""
    return [funnel_chart(report), readiness_chart(report), outcomes_chart(report)]
