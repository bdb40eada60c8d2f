"""Audit and retention on the local stack: a complete journey replayed through the API leaves an audit
trail of exactly the expected actions, each with its actor and a time in order, with every opening of a
piece of evidence in it; recording the outcome tags every piece of evidence for the retention rule.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
import requests

from local import scenario
from local.stack import LocalStack
from tests.e2e.security_support import record

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]

WORKFLOW, EVIDENCE_CHECK = "system:workflow", "system:evidence-check"
ASSIGNMENT, CERTIFICATES = "system:panel-assignment", "system:certificates"


@dataclass
class Replay:
    cast: scenario.Cast
    id: str
    history: list[dict[str, Any]]
    evidence: list[dict[str, Any]]
    openings: list[tuple[str, str]]  # (member id, evidence id), each followed to S3


@pytest.fixture(scope="module")
def replay(local_stack: LocalStack) -> Replay:
    c = scenario.cast(local_stack)
    journey_id = scenario.to_claim_development(c)
    scenario.build_claim(c, journey_id)
    scenario.wait_claim_complete(c, journey_id)
    scenario.submit(c, journey_id)
    c.practitioner.api.wait_step(journey_id, "panel_review")
    panel = c.lead.api.get(f"/api/journeys/{journey_id}/panel")
    by_id = {**scenario.PANEL, **{m.id: m for m in c.panel}}
    evidence = c.practitioner.api.journey(journey_id)["evidence"]
    openings = []
    # Each member declares, then opens two pieces of evidence and downloads them.
    for seat in panel["seats"]:
        member = by_id[seat["member_id"]]
        member.api.post(f"/api/journeys/{journey_id}/panel/declaration", {"conflict": False})
        for item in evidence[:2]:
            link = member.api.get(f"/api/journeys/{journey_id}/evidence/{item['id']}/link")
            assert requests.get(link["url"], timeout=30).content.startswith(b"%PDF-")
            openings.append((member.id, item["id"]))
    scenario.review(c, journey_id)
    scenario.interview(c, journey_id, "system_od_leader")
    status = c.practitioner.api.wait_for(
        journey_id, lambda j: bool(j.get("certificate_id")), what="a certificate"
    )
    return Replay(cast=c, id=journey_id, history=status["history"], evidence=evidence, openings=openings)


def _expected(r: Replay, seats: list[str], chair: str) -> list[tuple[str, str]]:
    p, lead = r.cast.practitioner.id, r.cast.lead.id
    out = [
        (p, "expressed interest"),
        (WORKFLOW, "reflection opened"),
        (p, "submitted reflection"),
        (WORKFLOW, "workshop opened"),
        (lead, "attended workshop"),
        (WORKFLOW, "decision opened"),
        (p, "decided: ready now"),
        (WORKFLOW, "claim development opened"),
    ]
    out += [(EVIDENCE_CHECK, "evidence verified")] * len(r.evidence)
    out += [(p, "submitted claim"), (ASSIGNMENT, "panel assigned"), (WORKFLOW, "panel review opened")]
    for member in seats:
        out += [
            (member, "declared no conflict of interest"),
            (member, "opened evidence"),
            (member, "opened evidence"),
        ]
    out += [(member, "submitted review") for member in seats]
    out += [
        (ASSIGNMENT, "all reviews in"),
        (WORKFLOW, "interview opened"),
        (lead, "interview arranged"),
        (lead, "interview held"),
        (chair, "outcome: system od leader"),
        (CERTIFICATES, "certificate issued"),
    ]
    return out


def test_a_replayed_journey_leaves_exactly_the_expected_audit_trail(replay: Replay) -> None:
    panel = replay.cast.lead.api.get(f"/api/journeys/{replay.id}/panel")
    seats = [s["member_id"] for s in panel["seats"]]
    chair = next(s["member_id"] for s in panel["seats"] if s["chair"])
    got = [(e["actor"], e["action"]) for e in replay.history]
    expected = _expected(replay, seats, chair)
    assert got == expected
    times = [datetime.fromisoformat(e["at"]) for e in replay.history]
    assert times == sorted(times), "the trail is in the order things happened"
    assert all(e["actor"] for e in replay.history)
    record("audit", {"journeys": 1, "events": len(got), "unexpected": 0, "missing": 0})


def test_every_evidence_opening_is_in_the_trail_with_its_actor(replay: Replay) -> None:
    names = {e["id"]: f"element {e['element_id']}: {e['display_name']}" for e in replay.evidence}
    opened = Counter((e["actor"], e["reason"]) for e in replay.history if e["action"] == "opened evidence")
    expected = Counter((member, names[evidence_id]) for member, evidence_id in replay.openings)
    assert opened == expected
    assert len(replay.openings) == 6


def test_the_outcome_tags_every_piece_of_evidence_for_expiry(replay: Replay, local_stack: LocalStack) -> None:
    s3 = local_stack.client("s3")
    bucket = local_stack.deployed.physical_ids["EvidenceBucket"]
    objects = s3.list_objects_v2(Bucket=bucket, Prefix=f"journeys/{replay.id}/").get("Contents", [])
    assert {o["Key"] for o in objects} == {e["key"] for e in replay.evidence}
    untagged = [
        o["Key"]
        for o in objects
        if {"Key": "retention", "Value": "expire"}
        not in s3.get_object_tagging(Bucket=bucket, Key=o["Key"])["TagSet"]
    ]
    assert untagged == []
    record("retention", {"objects": len(objects), "untagged": len(untagged)})


def test_the_evidence_bucket_expires_tagged_objects_after_the_retention_period(
    local_stack: LocalStack,
) -> None:
    s3 = local_stack.client("s3")
    bucket = local_stack.deployed.physical_ids["EvidenceBucket"]
    rules = {r["ID"]: r for r in s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]}
    rule = rules["ExpireEvidenceAfterOutcome"]
    assert rule["Status"] == "Enabled"
    assert rule["Filter"] == {"Tag": {"Key": "retention", "Value": "expire"}}
    assert rule["Expiration"]["Days"] == 365  # EvidenceRetentionDays' default
