"""Who may be given a role, named supporter or asked to attest, through the public API with real tokens
(a hostile client's findings): a lead cannot give another academy's person a role; a replaced supporter
loses every access a supporter has; a seated panel member, a cohort peer or another academy's person
cannot be named supporter; a practitioner cannot attest their own evidence; a profile cannot claim to
change the academy."""

from __future__ import annotations

import re
import secrets
import time
from typing import Any

import pytest

from local import scenario
from local.client import ApiClient
from local.stack import LocalStack
from odvalidation.domain.frameworks import framework
from tests.e2e.security_support import web_session

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]


def _fresh(stack: LocalStack, email: str) -> ApiClient:
    """A client signed in again, so that its token carries the account's groups as they are now."""
    return ApiClient(stack.base_url, stack.token_for(email))


def _verified_evidence(c: scenario.Cast, journey_id: str) -> str:
    api = c.practitioner.api
    element = framework(c.framework_key).elements[0].id
    evidence_id = scenario.upload(api, journey_id, element, scenario.PDF, "stakeholder map.pdf")
    deadline = time.monotonic() + 30
    while (
        next(e for e in api.journey(journey_id)["evidence"] if e["id"] == evidence_id)["status"] != "verified"
    ):
        assert time.monotonic() < deadline, "the evidence was never checked"
        time.sleep(api.poll_every)
    return evidence_id


def test_a_lead_cannot_give_another_academys_person_a_role(local_stack: LocalStack) -> None:
    stack = local_stack
    nw = scenario.cast(stack)
    tag = secrets.token_hex(3)
    london_lead = scenario.person(
        stack, f"lead.{tag}@london.example.nhs.uk", "Priya Lindqvist", ["academy_lead"], academy="london",
        employer="London Leadership Academy",
    )  # fmt: skip
    victim = nw.practitioner
    for role in ("academy_lead", "panel", "supporter"):
        refused = london_lead.api.post(
            "/api/invitations",
            {"email": victim.email, "name": "Victim", "role": role, "academy_id": "london"},
            expect=403,
        )
        assert "already has an account with North West Leadership Academy" in refused["message"]
        assert "a lead of North West Leadership Academy must invite them" in refused["message"]

    # Nothing was given: signed in again, the practitioner is still only a practitioner, and another
    # North West practitioner's journey stays out of their sight.
    again = _fresh(stack, victim.email)
    assert again.get("/api/me")["roles"] == ["practitioner"]
    neighbour = scenario.cast(stack, join=nw)
    their_journey = neighbour.practitioner.api.post("/api/journeys", {"cohort_id": nw.cohort_id})["id"]
    again.get(f"/api/journeys/{their_journey}", expect=404)

    # Their own academy's lead may still add a role to an account of that academy.
    nw.lead.api.post(
        "/api/invitations",
        {"email": victim.email, "name": victim.name, "role": "panel", "academy_id": "north-west"},
    )
    assert _fresh(stack, victim.email).get("/api/me")["roles"] == ["panel", "practitioner"]


def test_a_replaced_supporter_loses_access_and_their_comments_stay(local_stack: LocalStack) -> None:
    stack = local_stack
    c = scenario.cast(stack)
    journey_id = scenario.to_claim_development(c)
    c.practitioner.api.wait_step(journey_id, "claim_development")
    evidence_id = _verified_evidence(c, journey_id)
    first = scenario.name_supporter(stack, c, journey_id)
    comments = f"/api/journeys/{journey_id}/comments"
    link = f"/api/journeys/{journey_id}/evidence/{evidence_id}/link"
    first.api.post(comments, {"text": "Say who else was in the room."})
    assert first.api.get(link)["url"]

    second = scenario.person(
        stack, f"second.{journey_id.lower()}@example.nhs.uk", "Hana Kurosawa", ["supporter"],
        academy=c.academy, employer="Another Trust",
    )  # fmt: skip
    body = {"email": second.email}
    c.practitioner.api.put(f"/api/journeys/{journey_id}/supporter", body)
    c.practitioner.api.put(f"/api/journeys/{journey_id}/supporter", body)  # a retry: the same outcome

    # The one replaced: no journey, no comments, no evidence, nothing under "supporting".
    assert journey_id not in {j["id"] for j in first.api.get("/api/me")["supporting"]}
    first.api.get(f"/api/journeys/{journey_id}", expect=404)
    first.api.get(link, expect=(403, 404))
    first.api.post(comments, {"text": "One more thought."}, expect=(403, 404))
    first.api.get(comments, expect=(403, 404))

    # The current supporter has what a supporter has; the practitioner still reads the earlier comment.
    assert journey_id in {j["id"] for j in second.api.get("/api/me")["supporting"]}
    assert second.api.get(link)["url"]
    second.api.post(comments, {"text": "Good evidence for 1.1."})
    said = [x["text"] for x in c.practitioner.api.get(comments)["comments"]]
    assert said == ["Say who else was in the room.", "Good evidence for 1.1."]


def test_who_may_be_named_supporter(local_stack: LocalStack) -> None:
    stack = local_stack
    c = scenario.cast(stack)
    journey_id = scenario.to_claim_development(c)
    path = f"/api/journeys/{journey_id}/supporter"
    api = c.practitioner.api

    assert "other than yourself" in api.put(path, {"email": c.practitioner.email}, expect=422)["message"]
    peer = scenario.cast(stack, join=c)
    scenario.register(peer)
    in_cohort = api.put(path, {"email": peer.practitioner.email}, expect=422)["message"]
    assert "being validated in your cohort" in in_cohort
    elsewhere = scenario.cast(stack, academy="london").lead
    assert (
        "not part of North West Leadership Academy"
        in api.put(path, {"email": elsewhere.email}, expect=422)["message"]
    )

    # Once the claim is with its panel, none of the members seated on it may become its supporter.
    scenario.build_claim(c, journey_id)
    scenario.wait_claim_complete(c, journey_id)
    scenario.submit(c, journey_id)
    api.wait_step(journey_id, "panel_review")
    seats = {s["member_id"] for s in c.lead.api.get(f"/api/journeys/{journey_id}/panel")["seats"]}
    ours = {m["id"] for m in c.lead.api.get("/api/panel/members")["members"] if m["academy_id"] == c.academy}
    seated = scenario.PANEL[next(iter(seats & ours))]
    refused = api.put(path, {"email": seated.email}, expect=422)
    assert "sits on the panel reviewing your claim" in refused["message"]


def test_an_attestation_must_come_from_someone_else(local_stack: LocalStack) -> None:
    stack = local_stack
    c = scenario.cast(stack)
    journey_id = scenario.to_claim_development(c)
    c.practitioner.api.wait_step(journey_id, "claim_development")
    evidence_id = _verified_evidence(c, journey_id)
    supporter = scenario.name_supporter(stack, c, journey_id)

    def ask(email: str, expect: int) -> Any:
        body = {
            "evidence_id": evidence_id,
            "name": "Someone",
            "email": email,
            "role": "Director",
            "message": "Please confirm this.",
        }
        return c.practitioner.api.post(f"/api/journeys/{journey_id}/attestations", body, expect=expect)

    for own in (c.practitioner.email, c.practitioner.email.upper()):
        assert "cannot confirm your own evidence" in ask(own, 422)["message"]
    assert "supporter helps you build your claim" in ask(supporter.email, 422)["message"]
    assert ask(f"director.{journey_id.lower()}@icb.example.nhs.uk", 200)["status"] == "requested"

    # The page's form says the same, against the email field, and keeps what was typed.
    browser = web_session(stack.base_url, c.practitioner.email, scenario.PASSWORD)
    form = browser.get(f"{stack.base_url}/journeys/{journey_id}/attestations", timeout=30)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token
    answer = browser.post(
        f"{stack.base_url}/journeys/{journey_id}/attestations",
        data={
            "csrf_token": token.group(1),
            "evidence_id": evidence_id,
            "name": "Me again",
            "email": c.practitioner.email,
            "role": "Director",
            "message": "Please confirm this.",
        },
        timeout=30,
    )
    assert answer.status_code == 400
    assert "You cannot confirm your own evidence" in answer.text
    assert 'href="#email"' in answer.text  # the error summary links to the field


def test_a_profile_cannot_claim_to_change_the_academy(local_stack: LocalStack) -> None:
    c = scenario.cast(local_stack)
    api = c.practitioner.api
    body = {"name": c.practitioner.name, "employer": "Riverside Trust"}
    refused = api.put("/api/me/profile", {**body, "academy_id": "london"}, expect=422)
    assert "academy_id cannot be changed here: your academy is set by your academy lead" in refused["message"]
    saved = api.put("/api/me/profile", body)
    assert saved["academy_id"] == "north-west"
    assert api.get("/api/me")["academy_id"] == "north-west"
