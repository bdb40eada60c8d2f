"""Duplicates and erasure on the local stack: a repeated request has one effect, and a practitioner's
erasure request removes their personal data and every version of their evidence while the anonymised
counters and a record of the erasure stay."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
import requests

from local import scenario
from local.stack import LocalStack
from odvalidation.certificates.status_list import decode_list, is_set
from odvalidation.dal.schedules import schedule_name
from tests.e2e.security_support import record
from tests.e2e.test_certificate_renewal import validated

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


def _reminders(stack: LocalStack, journey_id: str) -> list[str]:
    """The certificate's renewal reminders still scheduled for the journey."""
    scheduler = stack.client("scheduler")
    group = stack.deployed.global_environment["SCHEDULER_GROUP"]
    found = []
    for days in (90, 30):
        try:
            scheduler.get_schedule(Name=schedule_name(journey_id, f"cert-expiry-{days}"), GroupName=group)
        except scheduler.exceptions.ResourceNotFoundException:
            continue
        found.append(f"cert-expiry-{days}")
    return found


def _checked_by_anyone(
    stack: LocalStack, certificate: str, credential: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """What anyone is told, without signing in: the public check of the id, and the product's verifier
    given the credential file."""
    public = requests.get(f"{stack.base_url}/api/public/certificates/{certificate}/status", timeout=10)
    checked = requests.post(
        f"{stack.base_url}/api/public/credentials/verification", json={"credential": credential}, timeout=10
    )
    return public.json(), checked.json()


def _payload(token: str) -> dict[str, Any]:
    body = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))))


def test_erasure_can_take_a_validated_practitioners_certificates_and_their_name_with_them(
    local_stack: LocalStack,
) -> None:
    """A certificate carries the holder's name (its record, its PDF, credential and badge, and the public
    check when they shared it): an erasure that asks for it takes all of it. A copy of the signed credential kept
    elsewhere stops verifying (its bit in the status list is set) and the public check of the id finds
    no certificate; the journey, its counts and the record that an erasure happened stay."""
    c, journey_id, certificate = validated(local_stack)
    api = c.practitioner.api
    api.put(f"/api/certificates/{certificate}/sharing", {"public": True})
    assert api.get(f"/api/public/certificates/{certificate}/status")["holder_name"] == c.practitioner.name
    links = api.get(f"/api/certificates/{certificate}")["links"]
    credential = requests.get(links["credential"], timeout=10).text
    status = _payload(credential)["credentialStatus"]
    bucket = local_stack.deployed.physical_ids["CertificateBucket"]
    s3 = local_stack.client("s3")

    def files() -> list[str]:
        out = s3.list_object_versions(Bucket=bucket, Prefix=f"certificates/{certificate}/")
        return [v["Key"] for v in [*out.get("Versions", []), *out.get("DeleteMarkers", [])]]

    assert len(files()) == 3
    before = c.lead.api.get(f"/api/cohorts/{c.cohort_id}/journeys")["journeys"]

    report = api.post("/api/me/erasure", {"confirm": True, "certificates": "erase"})
    assert report["account_deleted"] is True
    assert report["objects_removed"] >= 3

    assert files() == [], "every version of the certificate's files is gone"
    assert _reminders(local_stack, journey_id) == []
    public, checked = _checked_by_anyone(local_stack, certificate, credential)
    assert public["status"] == "unknown"
    assert c.practitioner.name not in json.dumps(public)
    assert c.practitioner.name not in json.dumps(checked)
    assert checked["valid"] is False
    # The signed status list (what other verifiers read) now has the certificate's bit set.
    signed = requests.get(status["statusListCredential"], timeout=10).text
    bits = decode_list(_payload(signed)["credentialSubject"]["encodedList"])
    assert is_set(bits, int(status["statusListIndex"]))

    # The lead still sees the journey (ids only) and when its certificate was erased; counts unchanged.
    seen = c.lead.api.get(f"/api/journeys/{journey_id}")
    actions = [e["action"] for e in seen["history"]]
    assert actions.count("certificate erased") == 1
    assert actions.count("personal data erased") == 1
    assert c.practitioner.name not in json.dumps(seen["history"])
    after = c.lead.api.get(f"/api/cohorts/{c.cohort_id}/journeys")["journeys"]
    assert [j["id"] for j in after] == [j["id"] for j in before]
    c.lead.api.get(f"/api/certificates/{certificate}", expect=404)
    # Retried with the token they still hold: nothing is left, and nothing fails.
    again = api.post("/api/me/erasure", {"confirm": True, "certificates": "erase"})
    assert (again["objects_removed"], again["account_deleted"]) == (0, False)


def test_an_erasure_that_keeps_the_certificates_keeps_them_checkable_without_the_name(
    local_stack: LocalStack,
) -> None:
    """Kept (what a caller who does not say gets): the copies the holder saved still verify, but with the
    account gone they could not hide their name again, so the public check stops showing it."""
    c, journey_id, certificate = validated(local_stack)
    api = c.practitioner.api
    api.put(f"/api/certificates/{certificate}/sharing", {"public": True})
    assert _reminders(local_stack, journey_id) == ["cert-expiry-90", "cert-expiry-30"]
    credential = requests.get(
        api.get(f"/api/certificates/{certificate}")["links"]["credential"], timeout=10
    ).text

    # A choice that is neither: refused, with what to send, and nothing erased.
    refused = api.post("/api/me/erasure", {"confirm": True, "certificates": "forget"}, expect=422)
    assert "certificates" in json.dumps(refused)
    assert api.get(f"/api/certificates/{certificate}")["certificate"]["holder_name"] == c.practitioner.name

    report = api.post("/api/me/erasure", {"confirm": True})
    assert report["account_deleted"] is True

    public, checked = _checked_by_anyone(local_stack, certificate, credential)
    assert public["status"] == "valid"
    assert c.practitioner.name not in json.dumps(public)
    assert checked["valid"] is True
    # No renewal reminders for a person who is no longer there.
    assert _reminders(local_stack, journey_id) == []
