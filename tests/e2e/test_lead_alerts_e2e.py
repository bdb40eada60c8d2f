"""The leads' alerts and the one-step pool invitation through the public API on the local stack
(issue 17 items 4 and 5), with real Cognito tokens: an alert raised once when every review is in, listed
for the academy's leads only, resolved by arranging the interview; a person invited into the pool once
however often the request is sent."""

from __future__ import annotations

import secrets
from typing import Any

import pytest

from local import scenario
from local.stack import LocalStack

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]


def _mine(alerts: dict[str, Any], journey_id: str) -> list[dict[str, Any]]:
    return [a for a in alerts["alerts"] if a["journey_id"] == journey_id]


def test_all_reviews_in_is_alerted_once_and_clears_when_the_interview_is_arranged(
    local_stack: LocalStack,
) -> None:
    c = scenario.cast(local_stack)
    journey_id = scenario.to_claim_development(c)
    scenario.build_claim(c, journey_id)
    scenario.submit(c, journey_id)
    scenario.review(c, journey_id, dissent=True)
    c.practitioner.api.wait_step(journey_id, "interview")

    path = "/api/academies/north-west/alerts"
    [alert] = _mine(c.lead.api.get(path), journey_id)
    assert alert["kind"] == "reviews_in"
    assert "flagged for moderation" in alert["reason"]
    link = f"/v1/lead/journeys/{journey_id}"
    told = [m for m in local_stack.sent_emails() if c.lead.email in m.to and link in m.body]
    assert [m.subject.split(":")[0] for m in told] == ["All reviews are in"]
    # Nobody else sees the academy's alerts.
    c.practitioner.api.get(path, expect=403)
    scenario.interview(c, journey_id, "system_od_leader")
    assert _mine(c.lead.api.get(path), journey_id) == []


def test_a_dismissal_is_for_a_lead_of_the_academy_and_repeats_safely(local_stack: LocalStack) -> None:
    c = scenario.cast(local_stack)
    journey_id = scenario.to_claim_development(c)
    scenario.build_claim(c, journey_id)
    scenario.submit(c, journey_id)
    scenario.review(c, journey_id)
    c.practitioner.api.wait_step(journey_id, "interview")
    [alert] = _mine(c.lead.api.get("/api/academies/north-west/alerts"), journey_id)
    dismissal = f"/api/academies/north-west/alerts/{alert['id']}/dismissal"
    c.practitioner.api.post(dismissal, None, expect=403)
    c.lead.api.post(dismissal, None)
    c.lead.api.post(dismissal, None)  # the same again: nothing more happens
    assert _mine(c.lead.api.get("/api/academies/north-west/alerts"), journey_id) == []
    history = c.lead.api.journey(journey_id)["history"]
    assert [e["action"] for e in history].count("dismissed an alert") == 1


def test_the_pool_invitation_is_one_request_and_a_retry_changes_the_same_member(
    local_stack: LocalStack,
) -> None:
    c = scenario.cast(local_stack)
    address = f"pooled.{secrets.token_hex(3)}@example.nhs.uk"
    body = {
        "email": address.upper(),
        "name": "Morgan Fairweather",
        "kind": "expert",
        "employer": "Northshore Trust",
        "academy_id": "north-west",
        "cap": 0,
        "unavailable": [{"start": "2031-03-01", "end": "2031-03-14"}],
    }
    c.lead.api.post("/api/panel/invitations", {**body, "academy_id": "london"}, expect=403)
    bad = c.lead.api.post(
        "/api/panel/invitations",
        {**body, "unavailable": [{"start": "2031-03-14", "end": "2031-03-01"}]},
        expect=422,
    )
    assert bad["message"]
    member = c.lead.api.post("/api/panel/invitations", body)
    assert member["email"] == address
    again = c.lead.api.post("/api/panel/invitations", {**body, "cap": 1})
    assert again["id"] == member["id"]
    assert again["cap"] == 1
    invitations = [m for m in local_stack.sent_emails() if address in m.to]
    assert [m.subject for m in invitations] == ["You are invited to System OD Validation"]
    pool = c.lead.api.get("/api/panel/members")["members"]
    assert [m["id"] for m in pool if m["email"] == address] == [member["id"]]
