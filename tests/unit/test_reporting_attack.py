"""Issue 15.4, played by the attacker: the national CSV export plus one academy's exact figures (an
academy lead has them on their own page) must not reveal any other academy's suppressed count, by
differencing the row and column totals within a table or across the export's tables."""

from __future__ import annotations

from datetime import timedelta

from odvalidation.domain import reporting as r
from odvalidation.domain.models import Outcome, Readiness
from odvalidation.services import reports
from tests.unit.test_reports_service import (
    LDN_LEAD,
    NATIONAL,
    NW_LEAD,
    T0,
    Journeys,
    cohort,
    sections,
    table,
)

__all__ = ["table"]  # the moto-backed table fixture

Grid = dict[tuple[str, str], int | None]  # (row label, column label) -> count, None where suppressed


def parse(section: list[list[str]]) -> tuple[Grid, list[str], list[str], bool]:
    """A table section of the CSV: its counts by (row, column), rows, columns, and whether it has row
    totals. The "Total" row and column are kept under the label "Total"."""
    header = section[0]
    columns = [h for h in header[1:] if "(% of row)" not in h]
    grid: Grid = {}
    rows = []
    for line in section[1:]:
        rows.append(line[0])
        for col in columns:
            value = line[header.index(col)]
            grid[(line[0], col)] = None if value == r.SUPPRESSED else int(value)
    return grid, [x for x in rows if x != "Total"], [c for c in columns if c != "Total"], "Total" in columns


def recover(
    tables: dict[str, tuple[Grid, list[str], list[str], bool]], links: list[list[tuple[str, str, str]]]
) -> int:
    """Peel: any published line (a row or column with its total, or a link between tables: the same
    count published twice, or a count that is the sum of others) with exactly one unknown gives it
    away. Fill it in and go again. Returns how many counts were recovered."""
    equations: list[list[tuple[int, str, str, str]]] = []  # sum(sign * value) == 0
    for name, (_, rows, cols, row_totals) in tables.items():
        for c in cols:
            equations.append([*((1, name, x, c) for x in rows), (-1, name, "Total", c)])
        if row_totals:
            for x in [*rows, "Total"]:
                equations.append([*((1, name, x, c) for c in cols), (-1, name, x, "Total")])
    for link in links:
        (name, x, c), *parts = link
        equations.append([(-1, name, x, c), *((1, n, px, pc) for n, px, pc in parts)])
    recovered = 0
    progress = True
    while progress:
        progress = False
        for eq in equations:
            unknown = [(s, n, x, c) for s, n, x, c in eq if tables[n][0][(x, c)] is None]
            if len(unknown) != 1:
                continue
            s, n, x, c = unknown[0]
            rest = sum(
                sign * (tables[nn][0][(xx, cc)] or 0) for sign, nn, xx, cc in eq if (nn, xx, cc) != (n, x, c)
            )
            tables[n][0][(x, c)] = -rest * s
            recovered += 1
            progress = True
    return recovered


def test_the_national_export_and_one_academys_exact_figures_reveal_no_other_count(table: str) -> None:
    journeys = Journeys(memory=True)
    # Small counts scattered over a few academies, as early in the programme.
    plan = {
        "north-west": ([8, 6, 2], [Outcome.LEADER] * 2 + [Outcome.PRACTITIONER] * 6),
        "london": ([7, 1, 9], [Outcome.PRACTITIONER] * 3 + [Outcome.NOT_YET] * 5),
        "south-west": ([5, 3, 6], [Outcome.LEADER] * 6 + [Outcome.NOT_YET] * 2),
        "west-midlands": ([9, 7, 1], [Outcome.PRACTITIONER] * 7),
    }
    for academy, (readiness, outcomes) in plan.items():
        c = cohort(academy, 1)
        for decision, n in zip(Readiness, readiness, strict=True):
            for i in range(n):
                journeys.decided(c, academy, decision, T0 + timedelta(hours=i))
        for i, outcome in enumerate(outcomes):
            journeys.validated(c, academy, outcome, T0 + timedelta(hours=i))
    journeys.flush()

    for reader in (NATIONAL, NW_LEAD, LDN_LEAD):
        text = reports.export_csv(reader, "national")
        # The renewals by academy travel in the same file, under the same rule (issue 18.6).
        assert sections(text)["Renewals"][0][1:] == list(r.RENEWAL_LABELS.values())
        for known in ("north-west", "london", "south-west", "west-midlands"):
            exact = reports.academy_report(NATIONAL, known).report
            found = {title: parse(body) for title, body in sections(text).items()}
            funnel, readiness, outcomes = (
                found[t] for t in ("The pipeline", "Readiness decisions", "Validation outcomes")
            )
            # What the attacker knows exactly: every count of the known academy's row.
            known_row = [
                *(("The pipeline", s.label, s.count) for s in exact.funnel),
                *(("Readiness decisions", s.label, s.count) for s in exact.readiness),
                *(("Validation outcomes", s.label, s.count) for s in exact.outcomes),
            ]
            for name, col, v in known_row:
                if (exact.title, col) in found[name][0]:
                    found[name][0][(exact.title, col)] = v
            for tbl in (readiness, outcomes):
                tbl[0][(exact.title, "Total")] = sum(tbl[0][(exact.title, c)] or 0 for c in tbl[2])
            truth = {
                (a.academy_name, s.label): s.count
                for a in reports.national(NATIONAL).academies or []
                for s in [*a.report.funnel, *a.report.readiness, *a.report.outcomes]
            }
            hidden_before = {
                (name, key)
                for name, tbl in found.items()
                for key, v in tbl[0].items()
                if v is None and key[0] != "Total" and key[1] != "Total"
            }
            links: list[list[tuple[str, str, str]]] = []
            for academy in readiness[1]:
                now, decided, validated = (
                    r.READINESS_LABELS[Readiness.READY_NOW],
                    "Made a readiness decision",
                    "Validated",
                )
                if (academy, "Decided ready to claim now") in funnel[0]:
                    links.append(
                        [
                            ("The pipeline", academy, "Decided ready to claim now"),
                            ("Readiness decisions", academy, now),
                        ]
                    )
                if (academy, decided) in funnel[0]:
                    links.append(
                        [("The pipeline", academy, decided), ("Readiness decisions", academy, "Total")]
                    )
                if (academy, validated) in funnel[0]:
                    links.append(
                        [
                            ("The pipeline", academy, validated),
                            ("Validation outcomes", academy, r.OUTCOME_LABELS[Outcome.LEADER]),
                            ("Validation outcomes", academy, r.OUTCOME_LABELS[Outcome.PRACTITIONER]),
                        ]
                    )
            recover(found, links)
            revealed = sorted(
                (name, key, truth.get(key))
                for name, key in hidden_before
                if found[name][0][key] is not None and key[0] != exact.title
            )
            assert revealed == [], f"{reader.id}'s export with {known}'s figures reveals {revealed}"
