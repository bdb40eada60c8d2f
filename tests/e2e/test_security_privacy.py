"""Duplicates and erasure on the local stack: a repeated request has one effect, and a practitioner's
erasure request removes their personal data and every version of their evidence while the anonymised
counters and a record of the erasure stay."""

from __future__ import annotations

from typing import Any

import pytest

from local import scenario
from local.stack import LocalStack
from tests.e2e.security_support import record

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]


def _claim_in_development(c: scenario.Cast) -> str:
    journey_id = scenario.to_claim_development(c)
    scenario.build_claim(c, journey_id)
    scenario.wait_claim_complete(c, journey_id)
    return journey_id


def _versions(stack: LocalStack, prefix: str) -> list[dict[str, Any]]:
    out = stack.client("s3").list_object_versions(
        Bucket=stack.deployed.physical_ids["EvidenceBucket"], Prefix=prefix
    )
    return list(out.get("Versions", [])) + list(out.get("DeleteMarkers", []))


def test_repeated_requests_have_one_effect(local_stack: LocalStack) -> None:
    c = scenario.cast(local_stack)
    first = c.practitioner.api.post("/api/journeys", {"cohort_id": c.cohort_id})
    again = c.practitioner.api.post("/api/journeys", {"cohort_id": c.cohort_id})  # a retried registration
    assert again["id"] == first["id"]
    journey_id = first["id"]
    scenario.reflect(c, journey_id)
    scenario.attend_workshop(c, journey_id)
    scenario.decide(c, journey_id, "ready_now")
    scenario.build_claim(c, journey_id)
    scenario.wait_claim_complete(c, journey_id)
    scenario.submit(c, journey_id)
    scenario.submit(c, journey_id)  # a double-clicked submit
    status = c.practitioner.api.wait_step(journey_id, "panel_review")
    actions = [e["action"] for e in status["history"]]
    assert actions.count("expressed interest") == 1
    assert actions.count("submitted claim") == 1
    assert actions.count("panel assigned") == 1
    journeys = [j for j in c.practitioner.api.get("/api/me")["journeys"] if j["cohort_id"] == c.cohort_id]
    assert len(journeys) == 1
    record("duplicates", {"repeated_requests": 3, "extra_effects": 0})


def test_erasure_removes_personal_data_and_evidence_keeps_counts_and_records_it(
    local_stack: LocalStack,
) -> None:
    c = scenario.cast(local_stack)
    journey_id = _claim_in_development(c)
    api = c.practitioner.api
    prefix = f"journeys/{journey_id}/"
    assert _versions(local_stack, prefix), "the evidence should be in S3 before the erasure"
    national = scenario.person(
        local_stack,
        f"nat.{journey_id.lower()}@example.nhs.uk",
        "Nat Lead",
        ["national_lead"],
        academy="london",
        employer="NHS England",
    )
    # A journey in progress is withdrawn first: erasure mid-claim is refused with a reason.
    refused = api.post("/api/me/erasure", {"confirm": True}, expect=409)
    assert "Withdraw" in refused["message"]
    api.post(f"/api/journeys/{journey_id}/withdrawal", {"reason": "erasure request"})
    cohort_before = c.lead.api.get(f"/api/cohorts/{c.cohort_id}/journeys")["journeys"]

    report = api.post("/api/me/erasure", {"confirm": True})
    assert report["journeys"] == 1
    assert report["objects_removed"] >= 1
    # The sign-in account goes too: the pool no longer knows the person, and they cannot sign in.
    assert report["account_deleted"] is True
    idp = local_stack.client("cognito-idp")
    with pytest.raises(idp.exceptions.UserNotFoundException):
        idp.admin_get_user(UserPoolId=local_stack.user_pool_id, Username=c.practitioner.email)
    with pytest.raises(idp.exceptions.ClientError):
        local_stack.token_for(c.practitioner.email)
    # Retried with the token they still hold (it lasts its hour): nothing left to erase, no error.
    again = api.post("/api/me/erasure", {"confirm": True})
    assert again["account_deleted"] is False
    assert again["objects_removed"] == 0

    assert _versions(local_stack, prefix) == [], "every version of the evidence is gone"
    status = c.lead.api.get(f"/api/journeys/{journey_id}")
    assert status["claim"] is None
    assert status["evidence"] == []
    erased = [e for e in status["history"] if e["action"] == "personal data erased"]
    assert len(erased) == 1
    assert erased[0]["actor"] == c.practitioner.id
    assert erased[0]["reason"] is None
    assert c.practitioner.name not in str(erased[0])
    # The anonymised picture is unchanged: the journey still counts in its cohort.
    cohort_after = c.lead.api.get(f"/api/cohorts/{c.cohort_id}/journeys")["journeys"]
    assert [j["id"] for j in cohort_after] == [j["id"] for j in cohort_before]
    assert national.api.get("/api/reports/national", expect=(200, 404))
    record(
        "erasure", {"objects_removed": report["objects_removed"], "items_removed": report["items_removed"]}
    )
