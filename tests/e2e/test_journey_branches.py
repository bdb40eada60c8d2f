"""One end-to-end test per branch of the journey, on the local stack, through the HTTP API.

Each asserts the journey's final state, its audit trail, the emails sent and the objects in S3.
Long waits (six months, a year) are moved forward on the product clock, never slept.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest

from local import scenario
from local.stack import LocalStack
from odvalidation import clock
from odvalidation.domain.models import EmailRecord
from odvalidation.services import notifications

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]


def actions(status: dict[str, Any]) -> list[str]:
    return [e["action"] for e in status["history"]]


def emails_to(stack: LocalStack, email: str) -> list[str]:
    return [m.subject for m in stack.sent_emails() if email in m.to]


def objects(stack: LocalStack, bucket: str, prefix: str) -> list[str]:
    out = stack.client("s3").list_objects_v2(Bucket=bucket, Prefix=prefix)
    return [o["Key"] for o in out.get("Contents", [])]


def claim_and_review(c: scenario.Cast, journey_id: str, level: str, recommendation: str) -> None:
    scenario.build_claim(c, journey_id, level)
    scenario.wait_claim_complete(c, journey_id)
    scenario.submit(c, journey_id)
    scenario.review(c, journey_id, recommendation)


def assert_validated(stack: LocalStack, c: scenario.Cast, journey_id: str, level: str) -> dict[str, Any]:
    final = c.practitioner.api.wait_for(journey_id, lambda j: bool(j["certificate_id"]), what="certificate")
    j = final["journey"]
    assert j["stage"] == "validated"
    assert j["outcome"] == level
    cert = j["certificate_id"]
    status = c.practitioner.api.get(f"/api/public/certificates/{cert}/status")
    assert status["status"] == "valid"
    assert objects(stack, stack.deployed.physical_ids["CertificateBucket"], f"certificates/{cert}/") == [
        f"certificates/{cert}/badge.png",
        f"certificates/{cert}/certificate.pdf",
        f"certificates/{cert}/credential.jwt",
    ]
    trail = actions(final)
    for expected in (
        "expressed interest",
        "submitted reflection",
        "attended workshop",
        "submitted claim",
        "panel assigned",
        "submitted review",
        "all reviews in",
        "interview arranged",
        "certificate issued",
    ):
        assert expected in trail, f"{expected!r} missing from the audit trail: {trail}"
    assert all(e["actor"] and e["at"] for e in final["history"])
    # The outcome email follows the certificate.
    subjects = stack.wait_for_email(c.practitioner.email, "validated as a")
    assert any(s.startswith("Validation interview") for s in subjects), subjects
    panel = c.lead.api.get(f"/api/journeys/{journey_id}/panel")
    for seat in panel["seats"]:
        member = scenario.PANEL[seat["member_id"]]
        assert any("asked to review a claim" in s for s in emails_to(stack, member.email))
    claim_prefix = f"journeys/{journey_id}/claim-{j['claim_number']}/"
    evidence_keys = objects(stack, stack.deployed.physical_ids["EvidenceBucket"], claim_prefix)
    assert len(evidence_keys) == len(final["evidence"]) > 0
    return final


# Every email of one complete, single-claim journey: SES bills each recipient, so this pins the count
# (docs/performance.md, cost per journey). The panel's three members are told of their assignment; the
# interview invitation (with its .ics) goes to each of them and to the practitioner; the outcome email
# carries the request for feedback. The practitioner is told their claim arrived and their panel is
# ready (the confirmation page promises both), once each.
EMAILS_PER_VALIDATED_CLAIM = {
    "claim_submitted": 1,
    "panel_assigned": 3,
    "panel_ready": 1,
    "interview_invitation": 4,
    "outcome": 1,
}


def journey_emails(journey_id: str, until_kind: str) -> list[EmailRecord]:
    """The journey's email records, once one of `until_kind` is among them (the workflow sends the
    outcome email after the certificate is issued)."""
    deadline = time.monotonic() + 15
    while True:
        records = notifications.emails(journey_id)
        if any(r.kind == until_kind for r in records) or time.monotonic() > deadline:
            return records
        time.sleep(0.2)


def test_validated_as_leader(local_stack: LocalStack) -> None:
    c = scenario.cast(local_stack)
    journey_id = scenario.to_claim_development(c)
    claim_and_review(c, journey_id, "system_od_leader", "system_od_leader")
    scenario.interview(c, journey_id, "system_od_leader")
    assert_validated(local_stack, c, journey_id, "system_od_leader")

    everything = journey_emails(journey_id, "outcome")
    # The academy's leads are alerted once that all reviews are in (issue 17): one email each, to however
    # many leads the shared stack's academy has; the rest is the claim's own, pinned below.
    alerts = [r for r in everything if r.kind == "lead_alert"]
    alerted = [a for r in alerts for a in r.to]
    assert c.lead.email in alerted
    assert len(alerted) == len(set(alerted))
    records = [r for r in everything if r.kind != "lead_alert"]
    assert Counter(r.kind for r in records) == EMAILS_PER_VALIDATED_CLAIM
    assert all(r.error is None and r.message_id for r in records)
    assert sum(len(r.to) for r in records) == sum(EMAILS_PER_VALIDATED_CLAIM.values())  # one recipient each
    seats = {s["member_id"] for s in c.lead.api.get(f"/api/journeys/{journey_id}/panel")["seats"]}
    panel_emails = {scenario.PANEL[m].email for m in seats}
    for kind in ("panel_assigned", "interview_invitation"):
        assert {a for r in records if r.kind == kind for a in r.to} >= panel_emails
    # What reached the practitioner's (unique) mailbox: the claim's receipt, the panel ready, the
    # interview and the outcome, nothing else.
    subjects = emails_to(local_stack, c.practitioner.email)
    assert len(subjects) == 4, subjects
    assert subjects[0] == "We have received your claim of system OD practice"
    assert subjects[1] == "Your panel is ready"
    assert subjects[2].startswith("Validation interview")
    assert "validated as a" in subjects[3]


def test_validated_as_practitioner(local_stack: LocalStack) -> None:
    c = scenario.cast(local_stack)
    journey_id = scenario.to_claim_development(c)
    claim_and_review(c, journey_id, "system_od_practitioner", "system_od_practitioner")
    scenario.interview(c, journey_id, "system_od_practitioner")
    final = assert_validated(local_stack, c, journey_id, "system_od_practitioner")
    # A practitioner-level claim is evidenced against the elements expected of practitioners only.
    assert final["claim"]["level"] == "system_od_practitioner"


def test_not_yet_then_second_claim_validated(local_stack: LocalStack) -> None:
    c = scenario.cast(local_stack)
    journey_id = scenario.to_claim_development(c)
    claim_and_review(c, journey_id, "system_od_leader", "not_yet")
    scenario.interview(c, journey_id, "not_yet")
    first = c.practitioner.api.wait_stage(journey_id, "not_yet_validated")
    assert first["journey"]["certificate_id"] is None
    local_stack.wait_for_email(c.practitioner.email, "developmental feedback")
    c.practitioner.api.post(f"/api/journeys/{journey_id}/new-claim")
    second = c.practitioner.api.wait_step(journey_id, "claim_development")
    assert second["journey"]["claim_number"] == 2
    assert second["evidence"] == []  # a new claim starts clean; the first claim's evidence is kept
    claim_and_review(c, journey_id, "system_od_leader", "system_od_leader")
    scenario.interview(c, journey_id, "system_od_leader")
    final = assert_validated(local_stack, c, journey_id, "system_od_leader")
    assert "outcome: not yet" in actions(final)


def test_deferred_then_reengaged_and_validated(local_stack: LocalStack) -> None:
    c = scenario.cast(local_stack)
    journey_id = scenario.register(c)
    scenario.reflect(c, journey_id)
    scenario.attend_workshop(c, journey_id)
    reengage_on = (clock.now() + timedelta(days=400)).date().isoformat()
    scenario.decide(c, journey_id, "ready_12_18_months", reengage_on)
    deferred = c.practitioner.api.wait_stage(journey_id, "deferred")
    assert deferred["journey"]["reengage_on"] == reengage_on
    local_stack.advance_clock(days=401)
    c.practitioner.api.wait_step(journey_id, "decision")
    local_stack.wait_for_email(c.practitioner.email, "decide again")
    # The re-engagement schedule fired again (a retry) starts no second execution.
    local_stack.client("lambda").invoke(
        FunctionName="od-validation-scheduled",
        Payload=json.dumps({"journey_id": journey_id, "kind": "reengage"}),
    )
    machine = local_stack.deployed.global_environment["STATE_MACHINE_ARN"]
    executions = local_stack.client("stepfunctions").list_executions(stateMachineArn=machine)["executions"]
    assert len([e for e in executions if e["name"].startswith(f"{journey_id}-decision-")]) == 1
    scenario.decide(c, journey_id, "ready_now")
    claim_and_review(c, journey_id, "system_od_leader", "system_od_leader")
    scenario.interview(c, journey_id, "system_od_leader")
    final = assert_validated(local_stack, c, journey_id, "system_od_leader")
    assert "moved to deferred" in actions(final)


def test_further_development_closes_with_signposting(local_stack: LocalStack) -> None:
    c = scenario.cast(local_stack)
    journey_id = scenario.register(c)
    scenario.reflect(c, journey_id)
    scenario.attend_workshop(c, journey_id)
    scenario.decide(c, journey_id, "further_development")
    final = c.practitioner.api.wait_stage(journey_id, "closed")
    assert final["journey"]["readiness"] == "further_development"
    assert "moved to closed" in actions(final)
    local_stack.wait_for_email(c.practitioner.email, "considering a claim")
    assert (
        objects(local_stack, local_stack.deployed.physical_ids["EvidenceBucket"], f"journeys/{journey_id}/")
        == []
    )


def test_after_further_development_the_practitioner_decides_again_and_claims(local_stack: LocalStack) -> None:
    # The route back: closed is not the end. Deciding again opens step 3 in a new execution.
    c = scenario.cast(local_stack)
    journey_id = scenario.register(c)
    scenario.reflect(c, journey_id)
    scenario.attend_workshop(c, journey_id)
    scenario.decide(c, journey_id, "further_development")
    c.practitioner.api.wait_stage(journey_id, "closed")
    c.practitioner.api.post(f"/api/journeys/{journey_id}/decide-again")
    scenario.decide(c, journey_id, "ready_now")
    final = c.practitioner.api.wait_step(journey_id, "claim_development")
    assert final["journey"]["claim_number"] == 1
    assert final["journey"]["stage"] == "claim_development"
    assert "moved to closed" in actions(final)


def test_deadline_missed_after_reminders(local_stack: LocalStack) -> None:
    c = scenario.cast(local_stack)
    journey_id = scenario.to_claim_development(c)
    status = c.practitioner.api.wait_step(journey_id, "claim_development")
    assert status["journey"]["claim_deadline"]
    c.practitioner.api.put(f"/api/journeys/{journey_id}/claim", {"narratives": {"1.1": "A start."}})
    local_stack.advance_clock(days=200)
    final = c.practitioner.api.wait_stage(journey_id, "lapsed")
    # The lapse is recorded, then the practitioner told.
    subjects = local_stack.wait_for_email(c.practitioner.email, "claim window has closed")
    assert sum("is due in" in s for s in subjects) == 2, subjects  # 30 and 7 days before
    assert "claim deadline passed" in actions(final)
    assert final["claim"]["narratives"]["1.1"] == "A start."  # nothing typed is lost


def test_extension_granted(local_stack: LocalStack) -> None:
    c = scenario.cast(local_stack)
    journey_id = scenario.to_claim_development(c)
    before = c.practitioner.api.wait_step(journey_id, "claim_development")["journey"]["claim_deadline"]
    c.lead.api.post(
        f"/api/journeys/{journey_id}/extension", {"weeks": 6, "reason": "Caring responsibilities"}
    )
    again = c.lead.api.post(
        f"/api/journeys/{journey_id}/extension", {"weeks": 2, "reason": "More"}, expect=409
    )
    assert "already had its one extension" in again["message"]
    local_stack.advance_clock(days=190)  # past the first deadline, before the extended one
    status = c.practitioner.api.journey(journey_id)
    assert status["journey"]["stage"] == "claim_development"
    assert status["journey"]["claim_deadline"] > before
    assert "granted extension" in actions(status)
    claim_and_review(c, journey_id, "system_od_leader", "system_od_leader")
    scenario.interview(c, journey_id, "system_od_leader")
    assert_validated(local_stack, c, journey_id, "system_od_leader")
