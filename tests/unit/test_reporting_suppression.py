"""Small-number suppression: no small count is published, and none can be worked out from the rest."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from odvalidation.domain import reporting as r

Cell = tuple[int, int]


def published_grid(t: r.SuppressedTable) -> list[list[int | None]]:
    """The table as an attacker sees it, with totals as an extra column and row."""
    grid = [list(row) for row in t.cells]
    if t.row_totals is not None:
        for row, total in zip(grid, t.row_totals, strict=True):
            row.append(total)
    if t.column_totals is not None:
        last = list(t.column_totals)
        if t.row_totals is not None:
            last.append(t.grand_total)
        grid.append(last)
    return grid


def true_grid(table: r.CountTable) -> list[list[int]]:
    grid = [list(row) for row in table.cells]
    if table.row_totals:
        for row in grid:
            row.append(sum(row))
    if table.column_totals:
        last = [sum(col) for col in zip(*table.cells, strict=True)]
        if table.row_totals:
            last.append(sum(last))
        grid.append(last)
    return grid


def lines(table: r.CountTable) -> list[tuple[list[Cell], Cell]]:
    """Each published constraint as (parts, total)."""
    n_r, n_c = len(table.row_labels), len(table.column_labels)
    out = []
    if table.row_totals:
        out += [([(i, j) for j in range(n_c)], (i, n_c)) for i in range(n_r)]
    if table.column_totals:
        out += [([(i, j) for i in range(n_r)], (n_r, j)) for j in range(n_c)]
    if table.row_totals and table.column_totals:
        out.append(([(i, n_c) for i in range(n_r)], (n_r, n_c)))
        out.append(([(n_r, j) for j in range(n_c)], (n_r, n_c)))
    return out


def attacker_alternatives(
    table: r.CountTable, published: list[list[int | None]], target: Cell, true: int
) -> bool:
    """Brute force: is there any assignment of the suppressed counts, non-negative integers, that
    satisfies every published total and gives `target` a value other than `true`?

    The search tries each suppressed count within 2 of its true value. That is enough to be sure: if
    the target could take another value at all, it could do so by moving counts by 1 around a cycle,
    and a box can only hide solutions, never invent them, so a "yes" here is a proof.
    """
    truth = true_grid(table)
    hidden = [(i, j) for i, row in enumerate(published) for j, v in enumerate(row) if v is None]
    domains = {c: range(max(0, truth[c[0]][c[1]] - 2), truth[c[0]][c[1]] + 3) for c in hidden}
    cons = lines(table)
    assignment: dict[Cell, int] = {}

    def value(c: Cell) -> int | None:
        v = published[c[0]][c[1]]
        return v if v is not None else assignment.get(c)

    def consistent() -> bool:
        for parts, total in cons:
            vals = [value(c) for c in parts]
            t = value(total)
            if t is not None and None not in vals and sum(vals) != t:  # type: ignore[arg-type]
                return False
        return True

    def search(k: int) -> bool:
        if k == len(hidden):
            return True
        cell = hidden[k]
        for v in domains[cell]:
            if cell == target and v == true:
                continue
            assignment[cell] = v
            if consistent() and search(k + 1):
                return True
            del assignment[cell]
        return False

    return search(0)


tables = st.integers(1, 3).flatmap(
    lambda n_r: st.integers(1, 3).flatmap(
        lambda n_c: st.builds(
            lambda cells, rt, ct: r.CountTable(
                title="t",
                row_labels=[f"r{i}" for i in range(n_r)],
                column_labels=[f"c{j}" for j in range(n_c)],
                cells=cells,
                row_totals=rt,
                column_totals=ct,
            ),
            st.lists(
                st.lists(st.integers(0, 4) | st.integers(5, 30), min_size=n_c, max_size=n_c),
                min_size=n_r,
                max_size=n_r,
            ),
            st.booleans(),
            st.booleans(),
        )
    )
)


@settings(max_examples=250, deadline=None)
@given(tables, st.integers(2, 8), st.booleans())
def test_suppression_cannot_be_undone_from_the_totals(
    table: r.CountTable, threshold: int, zeros: bool
) -> None:
    out = r.suppress(table, threshold, suppress_zero=zeros)
    published = published_grid(out)
    truth = true_grid(table)
    low = 0 if zeros else 1
    zero_rows = {i for i, row in enumerate(table.cells) if not any(row)}
    if len(zero_rows) == len(table.cells):
        zero_rows.add(len(table.cells))  # all zeros: so are the totals
    for i, row in enumerate(published):
        for j, v in enumerate(row):
            # What is published is true, and nothing small is published (a row of zeros is shown).
            assert v is None or v == truth[i][j]
            assert v is None or not low <= v < threshold or i in zero_rows
    for i in zero_rows:
        if i < len(published):
            assert all(v == 0 for v in published[i]), "a row of zeros is shown as zeros"
    # Every published line hides either nothing or at least two counts.
    for parts, total in lines(table):
        hidden = sum(published[c[0]][c[1]] is None for c in [*parts, total])
        assert hidden != 1, (parts, total)
    # And a brute-force attacker cannot pin any suppressed count to one value, even one who knows
    # one row's exact counts (an academy lead knows their own academy's).
    # (With one row of counts, knowing it is knowing the whole table: no one else to protect.)
    counted = [i for i in range(len(table.row_labels)) if i not in zero_rows]
    for known in [None, *(counted if len(counted) > 1 else [])]:
        seen = [list(truth[i]) if i == known else row for i, row in enumerate(published)]
        for i, row in enumerate(seen):
            for j, v in enumerate(row):
                if v is None:
                    assert attacker_alternatives(table, seen, (i, j), truth[i][j]), (known, i, j, truth)


def test_the_attacker_does_undo_primary_suppression_alone() -> None:
    """The check above has teeth: hiding only the small count lets the attacker work it out."""
    table = r.CountTable(title="t", row_labels=["a", "b"], column_labels=["x", "y"], cells=[[2, 10], [8, 9]])
    naive = published_grid(r.suppress(table, 1))  # threshold 1: nothing suppressed
    naive[0][0] = None
    assert not attacker_alternatives(table, naive, (0, 0), 2)
    protected = r.suppress(table, 5, one_row_known=False)
    # The least that hides a count when both totals are published is a rectangle of four.
    assert protected.cells == [[None, None], [None, None]]
    assert (protected.row_totals, protected.column_totals, protected.grand_total) == ([12, 17], [10, 19], 29)
    assert (protected.suppressed_primary, protected.suppressed_secondary) == (1, 3)
    grid = published_grid(protected)
    for i in range(2):
        for j in range(2):
            assert attacker_alternatives(table, grid, (i, j), table.cells[i][j])
    # But whoever knows row b exactly (their own academy) reads row a off the column totals: by
    # default those are hidden too (issue 15.4).
    grid[1] = [8, 9, 17]
    assert not attacker_alternatives(table, grid, (0, 0), 2)
    safe = r.suppress(table, 5)
    assert safe.column_totals == [None, None]
    grid = published_grid(safe)
    grid[1] = [8, 9, 17]
    assert attacker_alternatives(table, grid, (0, 0), 2)


def test_a_readiness_table_by_academy() -> None:
    table = r.CountTable(
        title="Readiness",
        row_labels=["North West", "London", "South West"],
        column_labels=["Now", "Later", "Further"],
        cells=[[12, 15, 20], [3, 9, 14], [8, 11, 6]],
    )
    within = r.suppress(table, one_row_known=False)
    # London's 3 is hidden with the cheapest rectangle: London's 9 and South West's 8 and 11.
    assert within.cells == [[12, 15, 20], [None, None, 14], [None, None, 6]]
    # But South West's lead, knowing their 8 and 11, would read London's 3 and 9 off the column
    # totals; so by default North West's counts in those columns are hidden too.
    out = r.suppress(table)
    assert out.cells == [[None, None, 20], [None, None, 14], [None, None, 6]]
    assert out.grand_total == 98  # totals stay published where the cells can hide each other
    assert out.row_totals == [47, 26, 25]
    rows = out.rows(with_percent=True)
    london = rows[2]
    assert london[0] == "London"
    # Percentages of a suppressed count are suppressed too.
    assert london[1] == r.SUPPRESSED
    assert london[4:7] == [r.SUPPRESSED, r.SUPPRESSED, "54%"]
    assert rows[-1] == ["Total", 23, 35, 40, "23%", "36%", "41%", 98]


def test_a_row_of_zeros_is_shown_as_zeros() -> None:
    table = r.CountTable(
        title="t", row_labels=["a", "b", "c"], column_labels=["x", "y"], cells=[[2, 9], [0, 0], [7, 8]]
    )
    out = r.suppress(table, 5)
    assert out.cells[1] == [0, 0]
    # Its percentages are blank, not "*": nothing in it is suppressed.
    assert out.rows(with_percent=True)[2] == ["b", 0, 0, "", "", 0]
    assert out.row_totals is not None
    assert out.row_totals[1] == 0
    assert out.cells[0][0] is None


def test_zeros_are_shown_unless_asked_and_the_threshold_is_configurable() -> None:
    table = r.CountTable(title="t", row_labels=["a"], column_labels=["x", "y", "z"], cells=[[0, 6, 40]])
    assert r.suppress(table, 5).cells == [[0, 6, 40]]
    assert r.suppress(table, 10).cells == [[0, None, None]]
    zeros_hidden = r.suppress(table, 5, suppress_zero=True)
    assert zeros_hidden.cells[0][0] is None
    assert sum(v is None for v in zeros_hidden.cells[0]) >= 2


def test_a_funnel_table_has_only_column_totals() -> None:
    table = r.CountTable(
        title="Funnel",
        row_labels=["North West", "London"],
        column_labels=["Interest", "Workshop"],
        cells=[[40, 3], [38, 30]],
        row_totals=False,
    )
    out = r.suppress(table)
    assert out.row_totals is None
    assert out.cells[0][0] == 40  # the other step's column cannot reveal the 3
    assert out.cells[0][1] is None
    assert out.cells[1][1] is None or (out.column_totals is not None and out.column_totals[1] is None)
    assert out.column_totals is not None
    assert out.column_totals[0] == 78
