"""One national table by cohort (issue 17.8): a row per cohort, tidy (one header row, one row per
cohort, a column saying what is suppressed), under the same suppression rule as every other
publication.

Why suppress by academy: the national tables publish each academy's figures, and an academy's cohorts
add up to them. So each academy's block of cohorts is suppressed as a table whose column totals are
taken as known (whether or not they are published), and no hidden cohort count can be worked out from
them.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..models import Model, Outcome, Readiness
from .reports import CohortReport
from .tables import SUPPRESSED, CountTable, suppress

# (key, column heading): the counts, in the order the programme reads them.
COHORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("interest", "Expressed interest"),
    ("attended", "Attended the workshop"),
    ("ready_now", "Ready now"),
    ("ready_later", "Ready in 12 to 18 months"),
    ("further_development", "Further development"),
    ("in_review", "In review"),
    ("leader", "System OD leader"),
    ("practitioner", "System OD practitioner"),
    ("not_yet", "Not yet validated"),
)


class CohortRow(Model):
    academy_id: str
    academy: str
    cohort_id: str
    cohort: str
    framework: str  # the framework's name, not its key
    counts: dict[str, int | None]  # column key -> count, None where suppressed
    suppressed: list[str]  # the headings of the suppressed counts

    @property
    def suppressed_text(self) -> str:
        return "; ".join(self.suppressed) if self.suppressed else "None"


def cohort_counts(report: CohortReport) -> dict[str, int]:
    readiness = {s.key: s.count for s in report.readiness}
    outcomes = {s.key: s.count for s in report.outcomes}
    return {
        "interest": report.expressions_of_interest,
        "attended": report.workshop_attended,
        "ready_now": readiness[Readiness.READY_NOW.value],
        "ready_later": readiness[Readiness.READY_LATER.value],
        "further_development": readiness[Readiness.FURTHER_DEVELOPMENT.value],
        "in_review": report.under_review,
        "leader": outcomes[Outcome.LEADER.value],
        "practitioner": outcomes[Outcome.PRACTITIONER.value],
        "not_yet": outcomes[Outcome.NOT_YET.value],
    }


def cohort_rows(entries: Sequence[tuple[str, str, str, CohortReport]], threshold: int) -> list[CohortRow]:
    """Rows for (academy id, academy name, framework name, report) in the order given; suppressed
    by academy block when threshold > 1."""
    keys = [k for k, _ in COHORT_COLUMNS]
    labels = dict(COHORT_COLUMNS)
    shown: dict[str, dict[str, int | None]] = {}
    for academy_id in dict.fromkeys(a for a, _, _, _ in entries):
        block = [e for e in entries if e[0] == academy_id]
        cells = [[cohort_counts(rep)[k] for k in keys] for _, _, _, rep in block]
        if threshold <= 1:
            published: list[list[int | None]] = [list(row) for row in cells]
        else:
            table = CountTable(
                title=academy_id,
                row_labels=[rep.cohort_id for _, _, _, rep in block],
                column_labels=keys,
                cells=cells,
                row_totals=False,
                column_totals=True,
            )
            # Not one_row_known: one cohort's exact figures are known only to its academy's leads,
            # who know all its cohorts' (and with two cohorts, one row and the totals are the other).
            published = suppress(table, threshold, totals_known=True, one_row_known=False).cells
        for (_, _, _, rep), row in zip(block, published, strict=True):
            shown[rep.cohort_id] = dict(zip(keys, row, strict=True))
    return [
        CohortRow(
            academy_id=academy_id,
            academy=academy,
            cohort_id=rep.cohort_id,
            cohort=rep.cohort_name,
            framework=framework,
            counts=shown[rep.cohort_id],
            suppressed=[labels[k] for k in keys if shown[rep.cohort_id][k] is None],
        )
        for academy_id, academy, framework, rep in entries
    ]


def cohort_csv_rows(rows: Sequence[CohortRow]) -> list[list[object]]:
    """One header row, then one row per cohort: a tidy table (suppressed counts as '*')."""
    header: list[object] = ["Academy", "Cohort", "Framework", *(h for _, h in COHORT_COLUMNS), "Suppressed"]
    body: list[list[object]] = [
        [
            row.academy,
            row.cohort,
            row.framework,
            *(SUPPRESSED if row.counts[k] is None else row.counts[k] for k, _ in COHORT_COLUMNS),
            row.suppressed_text,
        ]
        for row in rows
    ]
    return [header, *body]
