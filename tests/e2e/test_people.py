"""Accounts: a lead's invitation arrives by email and works; a practitioner's profile is made from
their verified token the first time they act."""

from __future__ import annotations

import re
import secrets

import pytest

from local import scenario
from local.client import ApiClient
from local.stack import LocalStack

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]


def test_an_invited_panel_member_signs_in_and_sets_a_password(local_stack: LocalStack) -> None:
    c = scenario.cast(local_stack)
    address = f"invited.{secrets.token_hex(3)}@example.nhs.uk"
    body = {
        "email": address,
        "name": "Oluwaseun Brannigan",
        "role": "panel",
        "academy_id": "north-west",
        "employer": "Northshore Trust",
    }
    other_academy = c.lead.api.post("/api/invitations", {**body, "academy_id": "london"}, expect=403)
    assert "lead of this academy" in other_academy["message"]
    person = c.lead.api.post("/api/invitations", body)
    assert person["email"] == address
    assert c.lead.api.post("/api/invitations", body)["id"] == person["id"]  # a retry: the same person

    mail = next(m for m in local_stack.sent_emails() if address in m.to)
    assert mail.subject == "You are invited to System OD Validation"
    found = re.search(r"temporary password: (\S+)", mail.body)
    assert found
    idp = local_stack.client("cognito-idp")
    challenge = idp.initiate_auth(
        ClientId=local_stack.user_pool_client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": address, "PASSWORD": found.group(1)},
    )
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    done = idp.respond_to_auth_challenge(
        ClientId=local_stack.user_pool_client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": address, "NEW_PASSWORD": "A-new-password-2026"},
    )
    me = ApiClient(local_stack.base_url, done["AuthenticationResult"]["IdToken"]).get("/api/me")
    assert me["roles"] == ["panel"]
    assert me["id"] == person["id"]


def test_practitioner_cannot_invite(local_stack: LocalStack) -> None:
    c = scenario.cast(local_stack)
    refused = c.practitioner.api.post(
        "/api/invitations",
        {"email": "x@example.nhs.uk", "name": "X", "role": "panel", "academy_id": "north-west"},
        expect=403,
    )
    assert refused["message"]


def test_a_profile_is_made_from_the_token_on_first_use(local_stack: LocalStack) -> None:
    c = scenario.cast(local_stack)
    address = f"fresh.{secrets.token_hex(3)}@example.nhs.uk"
    local_stack.create_user(
        address,
        "Ines Kowalczyk",
        ["practitioner"],
        scenario.PASSWORD,
        {"academy": "north-west", "employer": "Harbourside Trust"},
    )
    api = ApiClient(local_stack.base_url, local_stack.token_for(address))
    journey = api.post("/api/journeys", {"cohort_id": c.cohort_id})
    api.wait_step(journey["id"], "reflection")
    from odvalidation.services.people import person

    profile = person(journey["practitioner_id"])
    assert profile is not None
    assert (profile.name, profile.email, profile.employer) == ("Ines Kowalczyk", address, "Harbourside Trust")


def test_one_click_on_the_local_page_signs_the_browser_in_as_a_demo_user(local_stack: LocalStack) -> None:
    import requests

    c = scenario.cast(local_stack)
    index = requests.get(f"{local_stack.local_url}/", timeout=10).text
    assert f"/_local/sign-in-as/{c.practitioner.email.replace('@', '%40')}" in index
    session = requests.Session()
    reply = session.get(
        f"{local_stack.local_url}/sign-in-as/{c.practitioner.email}", allow_redirects=False, timeout=10
    )
    assert reply.status_code == 303
    # Into the service, under its stage; the cookies are for the stage's path, where the pages read them.
    assert reply.headers["Location"] == f"/{local_stack.stage}/home"
    assert "HttpOnly" in reply.headers["Set-Cookie"]
    assert f"Path=/{local_stack.stage}" in reply.headers["Set-Cookie"]
    home = session.get(f"{local_stack.base_url}/home", timeout=10)
    assert home.status_code == 200
    assert c.practitioner.name in home.text
    assert (
        requests.get(
            f"{local_stack.local_url}/sign-in-as/nobody@example.org", allow_redirects=False, timeout=10
        ).status_code
        == 404
    )
