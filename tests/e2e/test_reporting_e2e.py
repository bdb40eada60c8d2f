"""Reporting on the local stack: the stored counters after real journeys equal a rebuild from the audit
trails, repair-counters puts a corrupted item right, the national roll-out's percentages come through the
API, exports are suppressed, feedback follows the outcome email, and the CLI reads a cohort over HTTP."""

from __future__ import annotations

import contextlib
import csv
import io
import secrets
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import requests

from local import scenario
from local.client import ApiClient
from local.stack import LocalStack
from odvalidation import clock
from odvalidation.__main__ import main as cli
from odvalidation.dal import keys
from odvalidation.dal.store import journey_index, store, to_item
from odvalidation.domain import reporting as r
from odvalidation.domain.journey import move
from odvalidation.domain.models import AuditEvent, Journey, Readiness, Stage
from odvalidation.services import reports

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]
S = Stage


def national_lead(stack: LocalStack) -> ApiClient:
    email = f"national.{uuid.uuid4().hex[:8]}@england.example.nhs.uk"
    stack.create_user(email, "Nadia Ferreira-Holt", ["national_lead"], scenario.PASSWORD)
    return ApiClient(stack.base_url, stack.token_for(email))


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli(argv)
    return code, capsys.readouterr().out


def test_stored_counters_equal_a_rebuild_and_repair_counters_fixes_a_corrupted_item(
    local_stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    c = scenario.cast(local_stack, academy="yorkshire-humber", tag=secrets.token_hex(3))
    stages = []
    for readiness in ("ready_12_18_months", "further_development", None):
        practitioner = scenario.person(
            local_stack,
            f"pat.{uuid.uuid4().hex[:8]}@example.nhs.uk",
            "Ines Carvalho-Moore",
            ["practitioner"],
            academy="yorkshire-humber",
            employer="Dales Trust",
        )
        each = scenario.Cast(lead=c.lead, practitioner=practitioner, panel=c.panel, cohort_id=c.cohort_id)
        each.framework_key = c.framework_key
        journey_id = scenario.register(each)
        if readiness:
            scenario.reflect(each, journey_id)
            scenario.attend_workshop(each, journey_id)
            # From the product clock, which other tests on this stack may have moved on.
            reengage_on = (clock.now() + timedelta(days=400)).date().isoformat()
            scenario.decide(each, journey_id, readiness, reengage_on=reengage_on)
        stages.append((practitioner.api, journey_id))
    for api, journey_id in stages[:2]:
        api.wait_for(journey_id, lambda j: j["stage"] in {"deferred", "closed"}, what="decision routed")

    # The counters kept in every journey transaction equal a rebuild from the journeys' audit trails.
    # (Only this test's scopes are asserted: other tests' workflows may still be moving on this stack.)
    number = int(c.cohort_id.rsplit("-", 1)[1])
    scope = r.cohort_scope("yorkshire-humber", c.cohort_id)
    ours = {scope, r.academy_scope("yorkshire-humber")}
    check = reports.repair_counters(dry_run=True)
    assert check.problems == []
    assert [d for d in check.differences if d.scope in ours] == []
    stored = store().counters(scope)[scope]
    assert stored["expressions_of_interest"] == 3
    assert stored[r.in_stage_key(S.DEFERRED)] == 1
    assert stored[f"deferred_due.{reengage_on[:7]}"] == 1

    # Corrupt the cohort's item, as a lost update or a bad manual edit would.
    store().db.update_item(
        TableName=store().table,
        Key={k: {"S": v} for k, v in keys.counters(scope).items()},
        UpdateExpression="ADD expressions_of_interest :n",
        ExpressionAttributeValues={":n": {"N": "7"}},
    )
    code, out = run_cli(["repair-counters"], capsys)
    assert code == 0
    assert f"{scope} expressions_of_interest: stored 10, rebuilt 3" in out
    assert "Fixed " in out
    assert store().counters(scope)[scope]["expressions_of_interest"] == 3
    code, out = run_cli(["repair-counters", "--dry-run"], capsys)
    assert code == 0
    assert scope not in out

    # The lead reads the cohort from the command line with their own token, over HTTP.
    token = c.lead.api.session.headers["Authorization"].removeprefix("Bearer ")
    argv = ["cohort-status", "--academy", "yorkshire-humber", "--cohort", str(number)]
    code, out = run_cli([*argv, "--base-url", local_stack.base_url, "--token", token], capsys)
    assert code == 0, out
    assert "Expressed interest" in out
    lines = {line[:44].strip(): line[44:].split() for line in out.splitlines() if len(line) > 44}
    assert lines["Expressed interest"] == ["3", "100%"]
    assert lines["Ready in 12 to 18 months"] == ["1", "50%"]
    month = date.fromisoformat(reengage_on).strftime("%B %Y")  # "January 2028", not "2028-01"
    assert f"Deferrals due to re-engage: {month}: 1" in out
    assert c.framework_key not in out  # the framework by its name
    # A practitioner's token is refused, and the CLI says so.
    code, _ = run_cli(
        [*argv, "--base-url", local_stack.base_url, "--token", stack_token(stages[0][0])], capsys
    )
    assert code == 1


def stack_token(api: ApiClient) -> str:
    return str(api.session.headers["Authorization"]).removeprefix("Bearer ")


# --- the national roll-out --------------------------------------------------------------------------------


def bulk_journeys(cohorts: list[dict[str, Any]], plan: list[tuple[int, bool, Readiness | None]]) -> None:
    """Journeys made with the domain's own moves and counted with its own deltas, written in bulk
    (journey items, audit trails, counter ADDs): the roll-out needs 78 journeys, and driving each
    through the HTTP API and the workflow would take minutes. The commit path itself is proved above."""
    db = store()
    t0 = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)
    route = {Readiness.READY_NOW: S.CLAIM_DEVELOPMENT, Readiness.READY_LATER: S.DEFERRED}
    route[Readiness.FURTHER_DEVELOPMENT] = S.CLOSED
    items: list[dict[str, Any]] = []
    counters: dict[str, dict[str, int]] = {}

    def keep(before: Journey | None, after: Journey, event: AuditEvent) -> Journey:
        for scope, deltas in r.scoped_deltas(before, after).items():
            counters[scope] = r.apply(counters.get(scope, {}), deltas)
        items.append(to_item(event, keys.journey_part(after.id, keys.audit_sk(event.at.isoformat(), "0"))))
        return after

    for n, (cohort_index, attended, readiness) in enumerate(plan):
        cohort = cohorts[cohort_index]
        at = t0 + timedelta(minutes=n)
        j = Journey(
            id=f"rollout{uuid.uuid4().hex[:12]}",
            practitioner_id=f"p{uuid.uuid4().hex[:12]}",
            cohort_id=cohort["id"],
            academy_id=cohort["academy_id"],
            framework_key=cohort["framework_key"],
            stage=S.REFLECTION,
            created_at=at,
            updated_at=at,
            stage_entered_at=at,
        )
        j = keep(
            None,
            j,
            AuditEvent(journey_id=j.id, at=at, actor="p", action="expressed interest", to_stage=j.stage),
        )
        after, ev = move(j, S.WORKSHOP, actor="p", at=at + timedelta(days=14))
        j = keep(j, after, ev)
        if attended:
            after = j.model_copy(update={"workshop_attended": True})
            j = keep(
                j,
                after,
                AuditEvent(journey_id=j.id, at=at + timedelta(days=15), actor="l", action="attended"),
            )
            after, ev = move(j, S.DECISION, actor="sys", at=at + timedelta(days=15, minutes=1))
            j = keep(j, after, ev)
            if readiness is not None:
                after = j.model_copy(update={"readiness": readiness})
                j = keep(
                    j,
                    after,
                    AuditEvent(journey_id=j.id, at=at + timedelta(days=20), actor="p", action="decided"),
                )
                after, ev = move(j, route[readiness], actor="sys", at=at + timedelta(days=20, minutes=1))
                j = keep(j, after, ev)
        items.append(to_item(j, keys.journey(j.id), **journey_index(j)))
    for start in range(0, len(items), 25):
        db.db.batch_write_item(
            RequestItems={db.table: [{"PutRequest": {"Item": i}} for i in items[start : start + 25]]}
        )
    for scope, deltas in counters.items():
        names = {f"#c{i}": k for i, k in enumerate(deltas)}
        db.db.update_item(
            TableName=db.table,
            Key={k: {"S": v} for k, v in keys.counters(scope).items()},
            UpdateExpression="ADD " + ", ".join(f"#c{i} :d{i}" for i in range(len(deltas))),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues={f":d{i}": {"N": str(v)} for i, v in enumerate(deltas.values())},
        )


def test_a_national_roll_out_reports_the_programmes_percentages_through_the_api(
    local_stack: LocalStack,
) -> None:
    """78 expressions of interest, 68 at the workshop, 67 decided 18 / 22 / 27: 27% / 33% / 40%."""
    nat = national_lead(local_stack)
    year = 2300 + secrets.randbelow(7000)  # a workshop year no other test uses: the report is ours alone
    academies = ["north-west", "london", "south-west", "kss", "east-midlands"]
    cohorts = [
        nat.post(
            "/api/cohorts",
            {
                "academy_id": a,
                "name": f"Roll-out {year} {a}",
                "number": 910 + secrets.randbelow(90),  # above the numbers scenario.cast picks
                "framework_key": "global-practice@1.0",
                "workshop_date": date(year, 3, 2 + i).isoformat(),
            },
        )
        for i, a in enumerate(academies)
    ]
    splits = [Readiness.READY_NOW] * 18 + [Readiness.READY_LATER] * 22 + [Readiness.FURTHER_DEVELOPMENT] * 27
    plan = [(n % 5, n < 68, splits[n] if n < 67 else None) for n in range(78)]
    bulk_journeys(cohorts, plan)

    query = f"?period_from={year}-01-01&period_to={year}-12-31"
    report = nat.get("/api/reports/national" + query)
    assert report["exact"] is True
    assert report["cohorts_included"] == 5
    national = report["national"]
    assert national["expressions_of_interest"] == 78
    assert national["workshop_attended"] == 68
    assert national["decided"] == 67
    assert [s["pct_of_decided"] for s in national["readiness"]] == [27.0, 33.0, 40.0]
    assert [s["count"] for s in national["readiness"]] == [18, 22, 27]
    funnel = {f["key"]: (f["count"], f["pct_of_interest"]) for f in national["funnel"]}
    assert funnel["workshop_attended"] == (68, 87.0)
    by_academy = {a["academy_id"]: a["report"]["expressions_of_interest"] for a in report["academies"]}
    assert by_academy["north-west"] == 16
    assert by_academy["kss"] == 15

    # Filtering by another framework finds none of these cohorts.
    other = nat.get(f"/api/reports/national{query}&framework_key=nw-cipd-combined@1.0")
    assert other["national"]["expressions_of_interest"] == 0

    # The export is suppressed even for a national lead: nothing from 1 to 4 appears in it.
    response = requests.get(
        f"{local_stack.base_url}/api/reports/export.csv{query}&scope=national",
        headers=nat.session.headers,
        timeout=30,
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    readiness_at = next(i for i, row in enumerate(rows) if row == ["Readiness decisions"])
    body = rows[readiness_at + 2 : readiness_at + 13]
    counts = [cell for row in body for cell in row[1:4]]
    assert all(cell in {r.SUPPRESSED, "0"} or int(cell) >= 5 for cell in counts), body
    total = next(row for row in body if row[0] == "Total")
    assert total[1:4] == ["18", "22", "27"]
    # North West: 16 journeys, 14 decided; whatever is shown agrees with the truth.
    assert any(r.SUPPRESSED in row for row in body)

    # The repair agrees with what was written (journeys and audit trails are all there).
    mine = {r.cohort_scope(c["academy_id"], c["id"]) for c in cohorts}
    assert [d for d in reports.repair_counters(dry_run=True).differences if d.scope in mine] == []


def test_feedback_after_the_outcome_is_summarised_for_the_cohort(local_stack: LocalStack) -> None:
    c = scenario.cast(local_stack, academy="thames-valley-wessex", tag=secrets.token_hex(3))
    journey_id = scenario.register(c)
    scenario.reflect(c, journey_id)
    scenario.attend_workshop(c, journey_id)
    scenario.decide(c, journey_id, "ready_now")
    scenario.build_claim(c, journey_id, "system_od_practitioner")
    with contextlib.suppress(Exception):
        for _ in range(50):
            if c.practitioner.api.journey(journey_id).get("completeness", {}).get("complete"):
                break
    scenario.submit(c, journey_id)
    scenario.review(c, journey_id, "system_od_practitioner")
    scenario.interview(c, journey_id, "system_od_practitioner")
    c.practitioner.api.wait_stage(journey_id, "validated")

    def invited() -> list[str]:
        # The invitation to give feedback is part of the outcome email, not an email of its own.
        return [
            m.body
            for m in local_stack.sent_emails()
            if c.practitioner.email in m.to and m.subject.startswith("You have been validated")
        ]

    deadline = time.monotonic() + 15  # the outcome email is sent by the workflow, after the move
    while not invited() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert invited(), "the practitioner was not told the outcome"
    assert "Tell us how the validation process was for you" in invited()[0]
    assert f"/journeys/{journey_id}/feedback" in invited()[0]

    answers = {"integrity": 5, "assurance": 5, "opened_doors": 4, "confidence": 4, "connections": 5}
    answers_with_text = {**answers, "comments": "Made valuable connections across the system."}
    given = c.practitioner.api.post(f"/api/journeys/{journey_id}/feedback", answers_with_text)
    assert given["claim_number"] == 1
    again = c.practitioner.api.post(f"/api/journeys/{journey_id}/feedback", {**answers, "integrity": 1})
    assert again["integrity"] == 5  # one response per claim: the first stands

    detail = c.lead.api.get(f"/api/reports/cohorts/{c.cohort_id}")
    assert detail["feedback"]["responses"] == 1
    # One respondent is fewer than the suppression threshold: their words are not shown verbatim.
    assert detail["feedback"]["comments"] is None
    assert detail["feedback"]["comments_withheld"] is True
    assert "@" not in detail["framework_name"]  # by name, not by key
    assert detail["report"]["outcomes"][1]["count"] == 1  # system OD practitioner
    c.practitioner.api.get(f"/api/reports/cohorts/{c.cohort_id}", expect=403)
    # Another academy, for this lead: what /reports shows them of it, suppressed, not a 403.
    other = c.lead.api.get("/api/reports/academies/london")
    assert other["exact"] is False
    assert other["report"] is None
    assert other["cohorts"] == []
    assert "Counts from 1 to" in other["rule"]
