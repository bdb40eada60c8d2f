"""The reports service on moto's in-process DynamoDB: what each role sees, that the national report's
cost does not grow with the table, the suppressed CSV export, feedback, and the repair command."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from odvalidation.dal import clients, keys
from odvalidation.dal.store import Change, journey_index, store, to_item
from odvalidation.domain import reporting as r
from odvalidation.domain.access import Caller
from odvalidation.domain.errors import Forbidden, InvalidTransition, NotFound
from odvalidation.domain.journey import move
from odvalidation.domain.models import AuditEvent, Journey, Outcome, Readiness, Role, Stage
from odvalidation.services import cohorts, reports
from odvalidation.services import feedback as fb
from odvalidation.services import journeys as js
from odvalidation.services.counting import counter_changes
from odvalidation.settings import settings

S = Stage
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
NATIONAL = Caller(id="nat", roles=frozenset({Role.NATIONAL_LEAD}))
NW_LEAD = Caller(id="nwlead", roles=frozenset({Role.ACADEMY_LEAD}), academy_id="north-west")
LDN_LEAD = Caller(id="ldnlead", roles=frozenset({Role.ACADEMY_LEAD}), academy_id="london")
ROUTE = {Readiness.READY_NOW: S.CLAIM_DEVELOPMENT, Readiness.READY_LATER: S.DEFERRED}
ROUTE[Readiness.FURTHER_DEVELOPMENT] = S.CLOSED


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for k, v in {
        "AWS_DEFAULT_REGION": "eu-west-2",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "TABLE_NAME": "reports-test",
        "SUPPRESSION_THRESHOLD": "5",
    }.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    clients.reset()
    settings.cache_clear()
    store.cache_clear()
    with mock_aws():
        boto3.client("dynamodb").create_table(
            TableName="reports-test",
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[
                {"AttributeName": n, "AttributeType": "S"}
                for n in ("PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK")
            ],
            KeySchema=[
                {"AttributeName": "PK", "KeyType": "HASH"},
                {"AttributeName": "SK", "KeyType": "RANGE"},
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": ix,
                    "KeySchema": [
                        {"AttributeName": f"{ix}PK", "KeyType": "HASH"},
                        {"AttributeName": f"{ix}SK", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
                for ix in ("GSI1", "GSI2")
            ],
        )
        yield "reports-test"
    clients.reset()
    settings.cache_clear()
    store.cache_clear()


def cohort(
    academy: str, number: int, workshop: date = date(2026, 2, 1), fw: str = "global-practice@1.0"
) -> str:
    spec = cohorts.NewCohort(
        academy_id=academy,
        name=f"{academy} cohort {number}",
        number=number,
        framework_key=fw,
        workshop_date=workshop,
    )
    return cohorts.create_cohort(NATIONAL, spec).id


class Journeys:
    """Journeys written the way the services write them: one commit per change, counters included.

    With memory=True the changes are kept in memory and `flush` writes the journeys and the summed
    counter items in bulk: moto copies the whole table for each transaction, so hundreds of commits
    would make a test slow; the commit path itself is tested with real commits and end to end.
    """

    def __init__(self, *, memory: bool = False) -> None:
        self.n = 0
        self.memory = memory
        self.pending: dict[str, Journey] = {}
        self.counters: dict[str, dict[str, int]] = {}

    def commit(self, before: Journey | None, after: Journey, event: AuditEvent) -> Journey:
        if self.memory:
            for scope, deltas in r.scoped_deltas(before, after).items():
                self.counters[scope] = r.apply(self.counters.get(scope, {}), deltas)
            self.pending[after.id] = after
            return after
        return store().commit(
            Change(
                journey=after,
                expected_version=None if before is None else before.version,
                events=[event],
                counters=counter_changes(before, after, after.updated_at),
            )
        )

    def flush(self) -> None:
        db = store()
        items = [to_item(j, keys.journey(j.id), **journey_index(j)) for j in self.pending.values()]
        for start in range(0, len(items), 25):
            db.db.batch_write_item(
                RequestItems={db.table: [{"PutRequest": {"Item": i}} for i in items[start : start + 25]]}
            )
        stored = db.counters("ACADEMY#") | db.counters("COHORT#")
        db.replace_counters({s: r.combine([stored.get(s, {}), c]) for s, c in self.counters.items()})
        self.pending.clear()
        self.counters.clear()

    def new(self, cohort_id: str, academy: str, at: datetime) -> Journey:
        self.n += 1
        j = Journey(
            id=f"j{self.n}",
            practitioner_id=f"p{self.n}",
            cohort_id=cohort_id,
            academy_id=academy,
            framework_key="global-practice@1.0",
            stage=S.REFLECTION,
            created_at=at,
            updated_at=at,
            stage_entered_at=at,
        )
        ev = AuditEvent(journey_id=j.id, at=at, actor="p", action="expressed interest", to_stage=S.REFLECTION)
        return self.commit(None, j, ev)

    def go(self, j: Journey, to: Stage, at: datetime, **update: Any) -> Journey:
        after, ev = move(j, to, actor="x", at=at)
        return self.commit(j, after.model_copy(update=update), ev)

    def mark(self, j: Journey, at: datetime, **update: Any) -> Journey:
        after = j.model_copy(update={"updated_at": at, **update})
        return self.commit(j, after, AuditEvent(journey_id=j.id, at=at, actor="x", action="recorded"))

    def decided(self, cohort_id: str, academy: str, readiness: Readiness, at: datetime) -> Journey:
        j = self.new(cohort_id, academy, at)
        j = self.go(j, S.WORKSHOP, at + timedelta(days=7))
        j = self.mark(j, at + timedelta(days=8), workshop_attended=True)
        j = self.go(j, S.DECISION, at + timedelta(days=9))
        j = self.mark(j, at + timedelta(days=10), readiness=readiness)
        extra: dict[str, Any] = {}
        if readiness is Readiness.READY_LATER:
            extra["reengage_on"] = date(2027, 3, 1)
        return self.go(j, ROUTE[readiness], at + timedelta(days=11), **extra)

    def validated(self, cohort_id: str, academy: str, outcome: Outcome, at: datetime) -> Journey:
        j = self.decided(cohort_id, academy, Readiness.READY_NOW, at)
        j = j.model_copy(update={"claim_number": 1})
        for i, stage in enumerate((S.SUBMITTED, S.AWAITING_PANEL, S.PANEL_REVIEW, S.INTERVIEW)):
            j = self.go(j, stage, at + timedelta(days=100 + i * 10))
        final = S.NOT_YET_VALIDATED if outcome is Outcome.NOT_YET else S.VALIDATED
        return self.go(j, final, at + timedelta(days=150), outcome=outcome)


class Reads:
    """Every DynamoDB call the Store makes, with the items each returned."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int]] = []
        store().db.meta.events.register("after-call.dynamodb", self._seen)

    def _seen(self, model: Any, parsed: dict[str, Any], **_: Any) -> None:
        items = len(parsed.get("Items", []))
        items += (
            sum(len(v) for v in parsed.get("Responses", {}).values()) if model.name == "BatchGetItem" else 0
        )
        items += 1 if parsed.get("Item") else 0
        self.calls.append((model.name, items))

    def reset(self) -> None:
        self.calls.clear()

    @property
    def items(self) -> int:
        return sum(n for _, n in self.calls)

    @property
    def operations(self) -> set[str]:
        return {name for name, _ in self.calls}


def seed(journeys: Journeys, per_academy: int) -> None:
    readiness = list(Readiness)
    for a in ("north-west", "london", "south-west"):
        c = cohort(a, 1) if js.academy_cohorts(a) == [] else f"{a}-1"
        for i in range(per_academy):
            journeys.decided(c, a, readiness[i % 3], T0 + timedelta(hours=i))


def test_the_national_report_reads_the_same_items_whatever_the_number_of_journeys(table: str) -> None:
    journeys = Journeys(memory=True)
    seed(journeys, 4)
    journeys.flush()
    reads = Reads()
    small = reports.national(NATIONAL)
    at_small = (reads.items, len(reads.calls))
    seed(journeys, 200)
    journeys.flush()
    reads.reset()
    large = reports.national(NATIONAL)
    assert (reads.items, len(reads.calls)) == at_small
    assert "Scan" not in reads.operations
    assert reads.operations <= {"Query", "GetItem", "BatchGetItem"}
    assert small.national is not None
    assert large.national is not None
    assert small.national.expressions_of_interest == 12
    assert large.national.expressions_of_interest == 612
    by = {s.academy_id: s.report.expressions_of_interest for s in large.academies or []}
    assert by["north-west"] == 204
    assert by["kss"] == 0


def test_roles_exact_for_national_suppressed_for_an_academy_lead_refused_for_others(table: str) -> None:
    journeys = Journeys(memory=True)
    nw, ldn = cohort("north-west", 1), cohort("london", 1)
    for i in range(7):
        journeys.decided(nw, "north-west", Readiness.READY_NOW if i < 3 else Readiness.READY_LATER, T0)
    for i in range(6):
        journeys.decided(ldn, "london", Readiness.READY_NOW if i < 2 else Readiness.FURTHER_DEVELOPMENT, T0)
    journeys.flush()

    exact = reports.national(NATIONAL)
    assert exact.exact
    assert exact.threshold == 1
    readiness = exact.tables[1]
    assert readiness.suppressed_primary == 0
    nw_row = [a.academy_name for a in exact.academies or []].index("North West Leadership Academy")
    assert readiness.cells[nw_row] == [3, 4, 0]

    seen = reports.national(NW_LEAD)
    assert not seen.exact
    assert seen.national is None
    assert seen.academies is None
    assert seen.own_academy is not None
    assert seen.own_academy.report.readiness[0].count == 3
    shown = [v for row in seen.tables[1].cells for v in row if v is not None]
    assert all(v == 0 or v >= 5 for v in shown), shown
    # The lead's own academy is exact on its own page; another academy's is not theirs to see.
    assert reports.academy_report(NW_LEAD, "north-west").report.expressions_of_interest == 7
    # Another academy's page shows that lead what /reports shows them of it (issue 17.9), no more.
    other = reports.academy_report(NW_LEAD, "london")
    assert not other.exact
    assert other.report is None
    assert other.cohorts == []
    ldn_row = [a.academy_name for a in exact.academies or []].index("London Leadership Academy")
    for mine, national_table in zip(other.tables, seen.tables, strict=True):
        assert mine.cells == [national_table.cells[ldn_row]]
    with pytest.raises(Forbidden):
        reports.cohort_report(NW_LEAD, ldn)
    with pytest.raises(Forbidden):
        reports.national(Caller(id="p", roles=frozenset({Role.PRACTITIONER})))


def published_grid(section: list[list[str]]) -> tuple[list[list[int | None]], bool]:
    """A table section of the CSV as numbers (None for '*'), totals included; has it row totals?"""
    header = section[0]
    has_row_totals = header[-1] == "Total"
    n_cols = sum(1 for h in header[1:] if h != "Total" and "(% of row)" not in h)
    width = n_cols + (1 if has_row_totals else 0)
    grid = []
    for line in section[1:]:
        values = [line[1 + j] for j in range(n_cols)] + ([line[-1]] if has_row_totals else [])
        grid.append([None if v == r.SUPPRESSED else int(v) for v in values[:width]])
    return grid, has_row_totals


def sections(text: str) -> dict[str, list[list[str]]]:
    rows = list(csv.reader(io.StringIO(text)))
    out: dict[str, list[list[str]]] = {}
    i = 0
    while i < len(rows):
        if len(rows[i]) == 1 and i + 1 < len(rows) and rows[i + 1] and rows[i + 1][0] == "":
            title, body = rows[i][0], []
            i += 1
            while i < len(rows) and rows[i]:
                body.append(rows[i])
                i += 1
            out[title] = body
        i += 1
    return out


def can_differ(
    published: list[list[int | None]], truth: list[list[int]], target: tuple[int, int], rows_bound: bool
) -> bool:
    """Brute force: can the hidden `target` take another value than its true one, with every hidden count
    a non-negative integer and every published total still right? Each hidden count is tried within 2
    of its true value: a unit change around a cycle is all it takes (see test_reporting_suppression)."""
    n_r, width = len(published) - 1, len(published[0])
    n_c = width - (1 if rows_bound else 0)
    cons = [([(i, j) for i in range(n_r)], (n_r, j)) for j in range(width)]
    if rows_bound:
        cons += [([(i, j) for j in range(n_c)], (i, n_c)) for i in range(n_r + 1)]
    hidden = [(i, j) for i, row in enumerate(published) for j, v in enumerate(row) if v is None]
    assignment: dict[tuple[int, int], int] = {}

    def value(c: tuple[int, int]) -> int | None:
        v = published[c[0]][c[1]]
        return v if v is not None else assignment.get(c)

    def consistent() -> bool:
        for parts, total in cons:
            vals, t = [value(c) for c in parts], value(total)
            if t is not None and None not in vals and sum(v or 0 for v in vals) != t:
                return False
        return True

    def search(k: int) -> bool:
        if k == len(hidden):
            return True
        cell = hidden[k]
        true = truth[cell[0]][cell[1]]
        for v in range(max(0, true - 2), true + 3):
            if cell == target and v == true:
                continue
            assignment[cell] = v
            if consistent() and search(k + 1):
                return True
            del assignment[cell]
        return False

    return search(0)


def test_the_csv_export_is_suppressed_and_cannot_be_undone_from_its_totals(table: str) -> None:
    journeys = Journeys(memory=True)
    nw, ldn, sw = cohort("north-west", 1), cohort("london", 1), cohort("south-west", 1)
    plan = {
        (nw, "north-west"): [8, 6, 2],
        (ldn, "london"): [7, 1, 9],
        (sw, "south-west"): [5, 5, 6],
    }
    for (c, a), counts in plan.items():
        for readiness, n in zip(Readiness, counts, strict=True):
            for _ in range(n):
                journeys.decided(c, a, readiness, T0)
    journeys.flush()
    readiness_truth = {"North West Leadership Academy": [8, 6, 2], "London Leadership Academy": [7, 1, 9]}
    readiness_truth["South West Leadership Academy"] = [5, 5, 6]
    for lead in (NATIONAL, NW_LEAD):
        text = reports.export_csv(lead, "national")
        assert text.startswith("England: the OD talent pipeline by academy")
        rows = sections(text)["Readiness decisions"]
        grid, rows_bound = published_grid(rows)
        truth = [[*readiness_truth.get(row[0], [0, 0, 0])] for row in rows[1:-1]]
        truth = [[*t, sum(t)] for t in truth]
        truth.append([sum(col) for col in zip(*truth, strict=True)])
        small = [v for row in grid for v in row if v is not None and 0 < v < 5]
        assert small == [], f"a small count is published: {small}"
        assert all(v is None or v == truth[i][j] for i, row in enumerate(grid) for j, v in enumerate(row))
        if lead is NW_LEAD:
            # The North West lead knows their own academy exactly: the attacker has that row too.
            nw_row = [row[0] for row in rows[1:]].index("North West Leadership Academy")
            grid[nw_row] = list(truth[nw_row])
        hidden = [(i, j) for i, row in enumerate(grid) for j, v in enumerate(row) if v is None]
        assert hidden, "the 2 and the 1 must be hidden"
        for cell in hidden:
            assert can_differ(grid, truth, cell, rows_bound), f"{cell} can be worked out from the totals"


def test_an_academy_lead_cannot_undo_suppression_with_their_own_exact_counts() -> None:
    # North West (the reader's own row) 3 | 4, London 2 | 6: with the column totals published, knowing
    # North West's 3 would reveal London's 2 if only those two were hidden.
    t = r.CountTable(
        title="t",
        row_labels=["North West", "London", "South West"],
        column_labels=["a", "b"],
        cells=[[3, 9], [2, 6], [8, 7]],
    )
    plain = r.suppress(t, 5, one_row_known=False)
    safe = r.suppress(t, 5)
    m, sign = r.extended(t)

    def hidden_of(p: r.SuppressedTable, known: int) -> set[tuple[int, int]]:
        grid = [[*row, tot] for row, tot in zip(p.cells, p.row_totals or [], strict=True)]
        grid.append([*(p.column_totals or []), p.grand_total])
        return {(i, j) for i, row in enumerate(grid) for j, v in enumerate(row) if v is None and i != known}

    for known in range(3):
        assert r.pinned_cells(m, sign, hidden_of(safe, known), True, True) == []
    assert hidden_of(safe, -1) >= hidden_of(plain, -1)
    assert safe.cells[1][0] is None


def test_feedback_once_per_claim_after_the_outcome_summarised_per_cohort(table: str) -> None:
    journeys = Journeys()
    c = cohort("north-west", 2)
    done = journeys.validated(c, "north-west", Outcome.LEADER, T0)
    early = journeys.decided(c, "north-west", Readiness.READY_LATER, T0)
    owner = Caller(id=done.practitioner_id, roles=frozenset({Role.PRACTITIONER}))
    answers = fb.FeedbackIn(
        integrity=5, assurance=4, opened_doors=4, confidence=5, connections=3, comments="Opened doors."
    )
    record, created = fb.give(owner, done.id, answers)
    assert created
    assert record.claim_number == 1
    assert record.outcome == "system_od_leader"
    again, created_again = fb.give(owner, done.id, answers.model_copy(update={"integrity": 1}))
    assert not created_again
    assert again.integrity == 5
    with pytest.raises(InvalidTransition):
        fb.give(Caller(id=early.practitioner_id, roles=frozenset({Role.PRACTITIONER})), early.id, answers)
    with pytest.raises(NotFound):
        fb.give(NW_LEAD, done.id, answers)

    detail = reports.cohort_report(NW_LEAD, c)
    assert detail.feedback.responses == 1
    assert {q.key: q.average for q in detail.feedback.questions}["connections"] == 3.0
    # One respondent, below the threshold of 5: their words are not shown verbatim (issue 15.4).
    assert detail.feedback.comments is None
    assert detail.feedback.comments_withheld
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SUPPRESSION_THRESHOLD", "1")
        settings.cache_clear()
        assert reports.cohort_report(NW_LEAD, c).feedback.comments == ["Opened doors."]
    settings.cache_clear()
    export = reports.export_csv(NATIONAL, f"cohort:{c}")
    assert "Opened doors." not in export
    feedback_rows = export.split("Participant feedback")[1]
    assert "*" in feedback_rows
    assert "5.0" not in feedback_rows


def test_repair_counters_puts_right_a_corrupted_item_and_reports_what_it_fixed(table: str) -> None:
    journeys = Journeys()
    c = cohort("london", 3)
    for readiness in Readiness:
        journeys.decided(c, "london", readiness, T0)
    journeys.validated(c, "london", Outcome.PRACTITIONER, T0)
    assert reports.repair_counters().differences == []

    scope = r.academy_scope("london")
    store().db.update_item(
        TableName=table,
        Key={k: {"S": v} for k, v in keys.counters(scope).items()},
        UpdateExpression="ADD expressions_of_interest :n",
        ExpressionAttributeValues={":n": {"N": "40"}},
    )
    dry = reports.repair_counters(dry_run=True)
    assert [(d.scope, d.key, d.stored, d.rebuilt) for d in dry.differences] == [
        (scope, "expressions_of_interest", 44, 4)
    ]
    assert dry.written == []
    fixed = reports.repair_counters()
    assert fixed.written == [scope]
    assert reports.national(NATIONAL).national.expressions_of_interest == 4  # type: ignore[union-attr]
    assert reports.repair_counters().differences == []


def test_months_and_frameworks_are_shown_the_way_people_write_them(table: str) -> None:
    """Issue 17.9: "June 2027", not "2027-06"; a framework by its name, not its key."""
    assert reports.MonthCount(month="2027-06", count=3).label == "June 2027"
    assert reports.MonthCount(month=r.NO_DATE, count=1).label == "No date"
    journeys = Journeys()
    c = cohort("north-west", 3)
    journeys.decided(c, "north-west", Readiness.READY_LATER, T0)
    detail = reports.cohort_report(NW_LEAD, c)
    assert detail.framework_name == "Global practice style OD framework (version 1.0)"
    assert [m.label for m in detail.deferrals_due] == ["March 2027"]
    summary = reports.academy_report(NW_LEAD, "north-west").cohorts
    assert [s.framework_name for s in summary] == ["Global practice style OD framework (version 1.0)"]


def test_a_revoked_certificate_is_counted_apart_and_nothing_calls_it_validated(
    table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 15.5: after a revocation, the reports count the validation as revoked, the lead's cohort
    page and the practitioner's journey stop saying "validated", and a rebuild agrees."""
    from odvalidation.services import certificates, notifications
    from odvalidation.web import pages
    from odvalidation.web import site as _site  # noqa: F401 - the routes import through the site
    from tests.unit.test_web_certificates import record

    monkeypatch.setattr(notifications, "send_quietly", lambda *a, **k: [])
    journeys = Journeys()
    c = cohort("north-west", 5)
    j = journeys.validated(c, "north-west", Outcome.PRACTITIONER, T0)
    kept = journeys.validated(c, "north-west", Outcome.PRACTITIONER, T0)
    cert = record(id="cert-revoked", journey_id=j.id, practitioner_id=j.practitioner_id)
    j = journeys.mark(j, T0 + timedelta(days=151), certificate_id=cert.id)
    monkeypatch.setattr(certificates, "record_of", lambda cid: cert if cid == cert.id else None)
    before = reports.cohort_report(NW_LEAD, c).report
    assert (before.validated, before.revoked) == (2, 0)

    certificates.revoke(NW_LEAD, cert.id, "Evidence was not the practitioner's own work.")

    after = reports.cohort_report(NW_LEAD, c).report
    assert (after.validated, after.revoked) == (1, 1)
    shares = {o.key: o.count for o in after.outcomes}
    assert shares == {"system_od_leader": 0, "system_od_practitioner": 1, "revoked": 1, "not_yet": 0}
    assert [f.count for f in after.funnel if f.key == "validated"] == [1]
    national = reports.national(NATIONAL)
    assert national.national is not None
    assert national.national.revoked == 1
    revoked = store().journey(j.id)
    assert revoked.certificate_revoked
    assert not store().journey(kept.id).certificate_revoked
    assert pages.stage_name(revoked) == "Certificate revoked"
    assert pages.lead_stage_text(revoked, pages.STAGE_NAMES) == "Validated, certificate revoked"
    assert pages.stage_name(store().journey(kept.id)) == "Validated"
    # The stored counters still equal a rebuild from the journeys and their audit trails.
    assert reports.repair_counters(dry_run=True).differences == []
