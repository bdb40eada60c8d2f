"""Tables for export: counts laid out by scope, small-number suppression, and CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from pydantic import Field, model_validator

from ..models import Model, Readiness
from .reports import PERCENT_PLACES, READINESS_LABELS, PipelineReport, percent

# --- tables for export, and small-number suppression ------------------------------------------------

SUPPRESSED = "*"  # the marker NHS statistical publications use for a suppressed count
DEFAULT_THRESHOLD = 5


class CountTable(Model):
    """A table of counts with the totals a reader would be given.

    `row_totals`: each row's cells add up to a meaningful total (a partition, e.g. readiness split).
    `column_totals`: each column's cells add up (e.g. academies add up to national). A funnel's steps
    are not a partition, so a funnel table has column totals only.
    """

    title: str
    row_labels: list[str]
    column_labels: list[str]
    cells: list[list[int]]
    row_totals: bool = True
    column_totals: bool = True

    @model_validator(mode="after")
    def _shape(self) -> CountTable:
        if len(self.cells) != len(self.row_labels) or any(
            len(r) != len(self.column_labels) for r in self.cells
        ):
            raise ValueError("cells must have one row per row label and one cell per column label")
        if any(v < 0 for r in self.cells for v in r):
            raise ValueError("counts cannot be negative")
        return self


class SuppressedTable(Model):
    """A CountTable as published: None where a count is suppressed."""

    title: str
    row_labels: list[str]
    column_labels: list[str]
    cells: list[list[int | None]]
    row_totals: list[int | None] | None  # None: the table has no row totals
    column_totals: list[int | None] | None
    grand_total: int | None = None  # only when the table has both kinds of total
    threshold: int
    suppressed_primary: int = Field(description="cells suppressed because they are small")
    suppressed_secondary: int = Field(description="cells suppressed so the small ones cannot be worked out")

    def row_percent(self, row: int, column: int, places: int = PERCENT_PLACES) -> float | None:
        """A cell as a percentage of its row total; None if either is suppressed (or no row totals)."""
        cell = self.cells[row][column]
        total = None if self.row_totals is None else self.row_totals[row]
        return None if cell is None or total is None else percent(cell, total, places)

    def rows(self, *, with_percent: bool = False) -> list[list[str | int]]:
        """Header + body (+ total row) ready for to_csv; suppressed cells show SUPPRESSED."""

        def show(v: int | None) -> str | int:
            return SUPPRESSED if v is None else v

        header: list[str | int] = ["", *self.column_labels]
        if with_percent and self.row_totals is not None:
            header += [f"{c} (% of row)" for c in self.column_labels]
        if self.row_totals is not None:
            header.append("Total")
        out: list[list[str | int]] = [header]
        for i, label in enumerate(self.row_labels):
            line: list[str | int] = [label, *(show(v) for v in self.cells[i])]
            if with_percent and self.row_totals is not None:
                if self.row_totals[i] == 0:
                    # A row of zeros has no percentages; it is not suppressed, so it shows no "*".
                    line += ["" for _ in self.column_labels]
                else:
                    pcts = (self.row_percent(i, j) for j in range(len(self.column_labels)))
                    line += [SUPPRESSED if p is None else _fmt_pct(p) for p in pcts]
            if self.row_totals is not None:
                line.append(show(self.row_totals[i]))
            out.append(line)
        if self.column_totals is not None:
            line = ["Total", *(show(v) for v in self.column_totals)]
            if with_percent and self.row_totals is not None:
                line += [
                    SUPPRESSED
                    if v is None or self.grand_total is None
                    else _fmt_pct(percent(v, self.grand_total))
                    for v in self.column_totals
                ]
            if self.row_totals is not None:
                line.append(show(self.grand_total))
            out.append(line)
        return out


def _fmt_pct(p: float | None) -> str:
    if p is None:
        return ""
    return f"{p:.{PERCENT_PLACES}f}%"


def extended(table: CountTable) -> tuple[list[list[int]], list[list[int]]]:
    """The table with its totals as one matrix, and the sign that makes every line sum to zero.

    Rows 0..R-1 and columns 0..C-1 are cells; column C holds row totals, row R column totals and
    [R][C] the grand total (when the table has them). Cell values minus their totals sum to zero on
    every constrained line: that is all an attacker knows.
    """
    r, c = len(table.row_labels), len(table.column_labels)
    rows = r + (1 if table.column_totals else 0)
    cols = c + (1 if table.row_totals else 0)
    m = [[0] * cols for _ in range(rows)]
    sign = [[1] * cols for _ in range(rows)]
    for i in range(r):
        for j in range(c):
            m[i][j] = table.cells[i][j]
    if table.row_totals:
        for i in range(r):
            m[i][c] = sum(table.cells[i])
            sign[i][c] = -1
    if table.column_totals:
        for j in range(c):
            m[r][j] = sum(table.cells[i][j] for i in range(r))
            sign[r][j] = -1
    if table.row_totals and table.column_totals:
        m[r][c] = sum(map(sum, table.cells))
    return m, sign


def pinned_cells(
    values: list[list[int]],
    sign: list[list[int]],
    hidden: set[tuple[int, int]],
    rows_bound: bool,
    cols_bound: bool,
) -> list[tuple[int, int]]:
    """Hidden cells whose value an attacker can work out exactly from the published ones.

    The published lines say: for each constrained line, sum(sign * value) = 0. A hidden cell is NOT
    pinned iff some other solution with non-negative values differs in it, and (the constraints form a
    network matrix) that holds iff a unit change of the cell lies on a cycle of unit changes to other
    hidden cells that keeps every line balanced and every value >= 0. Such a cycle is a directed
    cycle in the residual graph below. Lines without a constraint (a table without row totals) are
    merged into one free node, where nothing needs to balance.
    """
    free = "free"

    def row_node(i: int) -> str:
        return f"r{i}" if rows_bound else free

    def col_node(j: int) -> str:
        return f"c{j}" if cols_bound else free

    # Edge row->col: sign*value goes up by 1; col->row: it goes down by 1 (a value goes down when its
    # sign and the change differ; that needs the value to be at least 1).
    edges: dict[str, list[tuple[str, tuple[int, int]]]] = {}
    for i, j in hidden:
        v, s = values[i][j], sign[i][j]
        if s > 0 or v >= 1:
            edges.setdefault(row_node(i), []).append((col_node(j), (i, j)))
        if s < 0 or v >= 1:
            edges.setdefault(col_node(j), []).append((row_node(i), (i, j)))

    def reachable(start: str, goal: str, banned: tuple[int, int]) -> bool:
        if start == goal:
            return True
        seen, stack = {start}, [start]
        while stack:
            node = stack.pop()
            for nxt, cell in edges.get(node, []):
                if cell == banned or nxt in seen:
                    continue
                if nxt == goal:
                    return True
                seen.add(nxt)
                stack.append(nxt)
        return False

    pinned = []
    for i, j in sorted(hidden):
        v, s = values[i][j], sign[i][j]
        a, b = row_node(i), col_node(j)
        up = (s > 0 or v >= 1) and reachable(b, a, (i, j))  # row->col edge closed by a path col ~> row
        down = (s < 0 or v >= 1) and reachable(a, b, (i, j))
        if not (up or down):
            pinned.append((i, j))
    return pinned


def suppression_note(threshold: int) -> str:
    """What a suppressed publication says about itself (the page and the CSV say the same)."""
    return (
        f"Counts from 1 to {threshold - 1}, and counts that would reveal them, are shown as {SUPPRESSED} (suppressed): "
        "no hidden count can be worked out from the totals, even by someone who knows one row's exact "
        "figures (an academy lead knows their own academy's). A row that is all zeros is shown as zeros."
    )


def suppress(
    table: CountTable,
    threshold: int = DEFAULT_THRESHOLD,
    *,
    suppress_zero: bool = False,
    one_row_known: bool = True,
    totals_known: bool = False,
) -> SuppressedTable:
    """Disclosure control for exports and any view shared beyond the national team.

    Primary: every count (cell or total) from 1 to threshold-1 is suppressed. Zeros are shown by
    default (a zero discloses no one; NHS publications usually show them) unless `suppress_zero`; a row
    that is all zeros is always shown (hiding it protects no one and only looks like a small count).
    Secondary: with totals both ways, each small count is hidden with the cheapest rectangle of
    counts through it (smallest values; zeros and totals only if nothing else will do). Then, while any
    suppressed count could still be worked out exactly from what is published (pinned_cells: covers
    "a line with one suppressed cell" and every subtler pattern), the cheapest published count on a
    line that needs a partner is hidden too. With `one_row_known` (the default: a published table
    travels, and every academy lead knows their own academy exactly), "what is published" includes
    any ONE row's exact counts: no hidden count of another row can be worked out with its help.
    `totals_known`: the totals are published elsewhere (an academy's cohorts add up to its row of
    the national tables), so they are never hidden here and the cells alone must protect each other.
    threshold 1 turns suppression off.
    """
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    m, sign = extended(table)
    n_rows, n_cols = len(m), len(m[0]) if m else 0
    r, c = len(table.row_labels), len(table.column_labels)
    lo = 0 if suppress_zero else 1
    # Rows of zeros are published as they are: never hidden, never a partner.
    zero_rows = {i for i in range(r) if not any(table.cells[i])}
    if len(zero_rows) == r:
        zero_rows.add(r)  # all zeros: so are the totals

    def is_total(cell: tuple[int, int]) -> bool:
        return cell[0] >= r or cell[1] >= c

    if totals_known:
        zero_rows.add(r)  # the totals row, and below each row's total, are never hidden
    hidden = {
        (i, j)
        for i in range(n_rows)
        for j in range(n_cols)
        if lo <= m[i][j] < threshold and i not in zero_rows and not (totals_known and is_total((i, j)))
    }
    primary = len(hidden)
    rows_bound, cols_bound = table.row_totals, table.column_totals
    known_rows: list[int | None] = [None]
    counted = [i for i in range(r) if i not in zero_rows]
    if one_row_known and threshold > 1 and len(counted) > 1:
        # (With one row of counts, knowing it is knowing the whole table: no one else to protect.)
        known_rows += counted

    def cost(cell: tuple[int, int]) -> int:
        # Hide as little as possible: small counts first, totals and zeros (which protect little)
        # only when nothing else will do.
        v = m[cell[0]][cell[1]]
        return v + (10**6 if v == 0 else 0) + (10**3 if cell[0] >= r or cell[1] >= c else 0)

    def exposed() -> tuple[list[tuple[int, int]], int | None]:
        """Hidden counts someone could work out, and the row they would need to know (None: none)."""
        for known in known_rows:
            unknown = {cell for cell in hidden if cell[0] != known}
            pinned = pinned_cells(m, sign, unknown, rows_bound, cols_bound)
            if pinned:
                return pinned, known
        return [], None

    if rows_bound and cols_bound:
        # With totals both ways, the cheapest rectangle through a small count hides it: the four
        # counts can trade one unit around the rectangle without changing any published total.
        for i, j in sorted(hidden, key=lambda cell: (m[cell[0]][cell[1]], cell)):
            if (i, j) not in pinned_cells(m, sign, hidden, rows_bound, cols_bound):
                continue
            rectangles = [
                [(i, j2), (i2, j), (i2, j2)]
                for i2 in range(n_rows)
                for j2 in range(n_cols)
                if i2 != i and j2 != j and i2 not in zero_rows and not (totals_known and j2 >= c)
            ]
            if rectangles:
                best = min(rectangles, key=lambda rect: sum(cost(x) for x in rect if x not in hidden))
                hidden.update(best)
    # Then, whatever is still pinned (a subtler pattern, a table with totals one way only, or a
    # count that one row's exact figures would give away).
    while hidden:
        pinned, known = exposed()
        if not pinned:
            break

        # Only a constrained line can hide a cell (in a funnel table, its column). Lines where a
        # pinned count is the only one hidden need a partner first; fixing them often frees the rest.
        def open_cell(cell: tuple[int, int], known: int | None = known) -> bool:
            return (
                cell not in hidden
                and cell[0] != known
                and cell[0] not in zero_rows
                and not (totals_known and is_total(cell))
            )

        lines = [
            line
            for i, j in pinned
            for line in (
                [(i, k) for k in range(n_cols)] if rows_bound else [],
                [(k, j) for k in range(n_rows)] if cols_bound else [],
            )
            if line
        ]
        lonely = [line for line in lines if sum(cell in hidden and cell[0] != known for cell in line) == 1]
        candidates = [cell for line in (lonely or lines) for cell in line if open_cell(cell)]
        if not candidates:
            candidates = [(i, j) for i in range(n_rows) for j in range(n_cols) if open_cell((i, j))]
            if not candidates:  # pragma: no cover - defensive: everything that can be hidden is
                break
        hidden.add(min(candidates, key=lambda cell: (cost(cell), cell)))

    def shown(i: int, j: int) -> int | None:
        return None if (i, j) in hidden else m[i][j]

    return SuppressedTable(
        title=table.title,
        row_labels=table.row_labels,
        column_labels=table.column_labels,
        cells=[[shown(i, j) for j in range(c)] for i in range(r)],
        row_totals=[shown(i, c) for i in range(r)] if table.row_totals else None,
        column_totals=[shown(r, j) for j in range(c)] if table.column_totals else None,
        grand_total=shown(r, c) if table.row_totals and table.column_totals else None,
        threshold=threshold,
        suppressed_primary=primary,
        suppressed_secondary=len(hidden) - primary,
    )


def readiness_table(reports: Sequence[PipelineReport], title: str = "Readiness decisions") -> CountTable:
    return CountTable(
        title=title,
        row_labels=[rep.title for rep in reports],
        column_labels=[READINESS_LABELS[r] for r in Readiness],
        cells=[[s.count for s in rep.readiness] for rep in reports],
    )


def outcomes_table(reports: Sequence[PipelineReport], title: str = "Validation outcomes") -> CountTable:
    """Outcomes by level, with validations whose certificate was revoked counted apart."""
    return CountTable(
        title=title,
        row_labels=[rep.title for rep in reports],
        column_labels=[s.label for s in reports[0].outcomes] if reports else [],
        cells=[[s.count for s in rep.outcomes] for rep in reports],
    )


def renewals_table(reports: Sequence[PipelineReport], title: str = "Renewals") -> CountTable:
    """Renewals started, and how they ended so far (issue 18.6). Not a partition (some are still in
    progress or were withdrawn), so column totals only."""
    return CountTable(
        title=title,
        row_labels=[rep.title for rep in reports],
        column_labels=list(RENEWAL_LABELS.values()),
        cells=[[int(getattr(rep, k)) for k in RENEWAL_LABELS] for rep in reports],
        row_totals=False,
    )


RENEWAL_LABELS = {
    "revalidations_started": "Renewals started",
    "renewed": "Renewed",
    "revalidations_not_yet": "Renewal not yet validated",
    "revalidations_lapsed": "Renewal window lapsed",
}


# Funnel steps the readiness and outcomes tables already publish (decided is a readiness row total,
# ready now a readiness cell, validated two outcome cells): published twice, a count suppressed in one
# table could be read from the other, or worked out across them (issue 15.4).
PUBLISHED_ELSEWHERE = frozenset({"decided", "ready_now", "validated"})


def funnel_table(reports: Sequence[PipelineReport], title: str = "The pipeline") -> CountTable:
    """Rows are scopes (academies), columns funnel steps; steps overlap, so no row totals. Steps
    another table publishes are left out (PUBLISHED_ELSEWHERE)."""
    steps = [s for s in reports[0].funnel if s.key not in PUBLISHED_ELSEWHERE] if reports else []
    keys = [s.key for s in steps]

    def counts(rep: PipelineReport) -> list[int]:
        by_key = {s.key: s.count for s in rep.funnel}
        return [by_key[k] for k in keys]

    return CountTable(
        title=title,
        row_labels=[rep.title for rep in reports],
        column_labels=[s.label for s in steps],
        cells=[counts(rep) for rep in reports],
        row_totals=False,
    )


# --- CSV --------------------------------------------------------------------------------------------

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def excel_safe(value: object) -> str | int | float:
    """A cell Excel and LibreOffice will not run as a formula (CSV injection): text that starts with
    = + - @ (or a tab or carriage return) gets a leading apostrophe. Numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def to_csv(rows: Iterable[Sequence[object]]) -> str:
    """RFC 4180 CSV (CRLF line ends, quoted where needed) with every text cell made Excel-safe."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for row in rows:
        writer.writerow([excel_safe(v) for v in row])
    return buf.getvalue()
