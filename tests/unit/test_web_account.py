"""Account basics through the web handler (issue 16): a forgotten password, the sign-up code sent again,
withdrawing from the pathway and asking for erasure, with Cognito, DynamoDB and S3 in moto.

The pool's client has PreventUserExistenceErrors: the pages must answer alike for an email address
with no account, so these tests compare the two answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

import boto3
import pytest

from tests.browser.harness import PASSWORD, WebClient, cognito_as_deployed, in_process_web
from tests.unit.test_web_practitioner import move_to, practitioner_with_journey, sign_in, text

NEW_PASSWORD = "Another-Password-42"


@pytest.fixture
def web(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    from odvalidation.dal import workflow

    calls: list[tuple[str, Any]] = []
    monkeypatch.setattr(
        workflow, "start", lambda journey_id, start_at, **_: calls.append(("start", start_at))
    )
    monkeypatch.setattr(workflow, "fail", lambda token, error, cause: calls.append(("fail", token)) or True)
    cognito_as_deployed()
    with in_process_web(monkeypatch) as env:
        boto3.client("ses", region_name="eu-west-2").verify_email_identity(
            EmailAddress="no-reply@od-validation.example.org"
        )
        env["workflow"] = calls
        yield env


def _follow(browser: WebClient, location: str) -> Any:
    path, _, query = location.partition("?")
    return browser.get(path, **dict(parse_qsl(query)))


def _location(reply: Any) -> str:
    assert reply.status == 303, reply.body
    return str(reply.header("Location"))


# --------------------------------------------------------------------------- forgotten password


def test_sign_in_page_links_to_the_forgotten_password_page(web: dict[str, Any]) -> None:
    page = WebClient(web["handler"]).get("/sign-in")
    assert 'href="/forgot-password"' in page.body
    assert WebClient(web["handler"]).get("/forgot-password").status == 200


def test_forgotten_password_answers_alike_whether_or_not_the_account_exists(web: dict[str, Any]) -> None:
    sign_in(web, "rowan@nhs.net", "Rowan Achterberg")
    browser = WebClient(web["handler"])
    known = _location(browser.submit("/forgot-password", {"email": "rowan@nhs.net"}))
    unknown = _location(browser.submit("/forgot-password", {"email": "nobody@nhs.net"}))
    assert known == "/reset-password?sent=1&email=rowan%40nhs.net"
    assert unknown == "/reset-password?sent=1&email=nobody%40nhs.net"
    shown = text(_follow(browser, unknown).body)
    assert "If nobody@nhs.net has an account, we have sent a 6-digit code" in shown
    # A code for an address with no account is "not correct", exactly as a wrong code would be.
    reply = browser.submit(
        "/reset-password", {"email": "nobody@nhs.net", "code": "123456", "password": NEW_PASSWORD}
    )
    assert reply.status == 400
    assert "The code is not correct" in text(reply.body)


def test_a_new_password_works_and_the_old_one_no_longer_does(web: dict[str, Any]) -> None:
    sign_in(web, "rowan@nhs.net", "Rowan Achterberg")
    browser = WebClient(web["handler"])
    browser.submit("/forgot-password", {"email": "rowan@nhs.net"})
    reply = browser.submit(
        "/reset-password", {"email": "rowan@nhs.net", "code": "123456", "password": NEW_PASSWORD}
    )
    assert _location(reply) == "/sign-in?reset=1&email=rowan%40nhs.net"
    assert "Your password has been changed" in _follow(browser, "/sign-in?reset=1&email=rowan%40nhs.net").body
    assert browser.submit("/sign-in", {"email": "rowan@nhs.net", "password": PASSWORD}).status == 400
    assert (
        _location(browser.submit("/sign-in", {"email": "rowan@nhs.net", "password": NEW_PASSWORD})) == "/home"
    )


def test_reset_password_errors_are_summarised_and_the_password_is_not_sent_back(web: dict[str, Any]) -> None:
    browser = WebClient(web["handler"])
    reply = browser.submit(
        "/reset-password", {"email": "rowan@nhs.net", "code": "12", "password": "weak-secret"}
    )
    assert reply.status == 400
    assert "There is a problem" in reply.body
    assert "The confirmation code must be 6 numbers" in reply.body
    assert "Password must be at least 12 characters" in reply.body
    assert "weak-secret" not in reply.body


# --------------------------------------------------------------------------- the sign-up code again


def test_the_code_can_be_sent_again_without_revealing_who_has_an_account(web: dict[str, Any]) -> None:
    browser = WebClient(web["handler"])
    browser.submit(
        "/sign-up",
        {
            "name": "Sam Lee",
            "email": "sam@nhs.net",
            "password": PASSWORD,
            "academy": "north-west",
            "employer": "A trust",
        },
    )
    confirm = browser.get("/confirm", email="sam@nhs.net")
    assert "Send the code again" in confirm.body
    answers = {
        email: _location(
            browser.post("/confirm/resend", {"email": email, "csrf_token": confirm.csrf_token()})
        )
        for email in ("sam@nhs.net", "nobody@nhs.net")
    }
    assert answers["sam@nhs.net"] == "/confirm?resent=1&email=sam%40nhs.net"
    assert answers["nobody@nhs.net"] == "/confirm?resent=1&email=nobody%40nhs.net"
    # A confirmed account gets the same answer too ("already confirmed" would reveal it).
    assert browser.submit("/confirm", {"email": "sam@nhs.net", "code": "123456"}).status == 303
    again = browser.post("/confirm/resend", {"email": "sam@nhs.net", "csrf_token": confirm.csrf_token()})
    assert _location(again).startswith("/confirm?resent=1")
    assert "we have sent a new code" in text(_follow(browser, answers["nobody@nhs.net"]).body)


# --------------------------------------------------------------------------- withdrawal


def test_withdrawing_asks_first_then_withdraws_and_confirms(web: dict[str, Any]) -> None:
    browser, _, journey_id = practitioner_with_journey(web)
    assert f'href="/journeys/{journey_id}/withdraw"' in browser.get(f"/journeys/{journey_id}").body
    ask = browser.get(f"/journeys/{journey_id}/withdraw")
    assert "Are you sure you want to withdraw from the pathway?" in ask.body
    assert "nhsuk-button--warning" in ask.body
    from odvalidation.services.common import db

    assert db().journey(journey_id).stage.value != "withdrawn"  # asking changed nothing
    reply = browser.post(
        f"/journeys/{journey_id}/withdraw", {"reason": "Moving role", "csrf_token": ask.csrf_token()}
    )
    assert _location(reply) == f"/journeys/{journey_id}/withdrawn"
    assert "You have withdrawn from the pathway" in browser.get(f"/journeys/{journey_id}/withdrawn").body
    journey = db().journey(journey_id)
    assert journey.stage.value == "withdrawn"
    assert "withdrew" in [e.action for e in db().audit_trail(journey_id)]
    again = browser.get(f"/journeys/{journey_id}/withdraw")
    assert "You cannot withdraw from this journey" in again.body


def test_withdrawing_stops_the_waiting_workflow_step(web: dict[str, Any]) -> None:
    browser, _, journey_id = practitioner_with_journey(web)
    move_to(journey_id, "reflection")
    ask = browser.get(f"/journeys/{journey_id}/withdraw")
    browser.post(f"/journeys/{journey_id}/withdraw", {"reason": "", "csrf_token": ask.csrf_token()})
    assert ("fail", "token-reflection") in web["workflow"]


def test_someone_else_cannot_withdraw_a_journey(web: dict[str, Any]) -> None:
    _, _, journey_id = practitioner_with_journey(web)
    other, _ = sign_in(web, "other@nhs.net", "Other Person")
    assert other.get(f"/journeys/{journey_id}/withdraw").status in {403, 404}
    home = other.get("/home")
    reply = other.post(f"/journeys/{journey_id}/withdraw", {"reason": "", "csrf_token": home.csrf_token()})
    assert reply.status in {403, 404}


# --------------------------------------------------------------------------- erasure


def test_erasure_asks_to_withdraw_first_while_a_journey_is_in_progress(web: dict[str, Any]) -> None:
    browser, _, journey_id = practitioner_with_journey(web)
    move_to(journey_id, "reflection")
    assert 'href="/account/erasure"' in browser.get("/home").body
    ask = browser.get("/account/erasure")
    assert "Withdraw from the pathway first" in ask.body
    assert f'href="/journeys/{journey_id}/withdraw"' in ask.body
    reply = browser.post("/account/erasure", {"confirm": "yes", "csrf_token": ask.csrf_token()})
    assert reply.status == 409
    assert "Withdraw from the pathway before asking" in reply.body


def test_erasure_needs_the_box_ticked_then_deletes_the_account_and_signs_out(web: dict[str, Any]) -> None:
    browser, _, journey_id = practitioner_with_journey(web)
    ask = browser.get(f"/journeys/{journey_id}/withdraw")
    browser.post(f"/journeys/{journey_id}/withdraw", {"reason": "", "csrf_token": ask.csrf_token()})
    ask = browser.get("/account/erasure")
    assert "Are you sure you want your account and evidence deleted?" in ask.body
    unticked = browser.post("/account/erasure", {"csrf_token": ask.csrf_token()})
    assert unticked.status == 400
    assert 'href="#confirm"' in unticked.body  # the error summary links to the box
    reply = browser.post("/account/erasure", {"confirm": "yes", "csrf_token": ask.csrf_token()})
    assert _location(reply) == "/account/erased"
    assert any("Max-Age=0" in c or "Expires=" in c for c in reply.set_cookies)
    done = browser.get("/account/erased")
    assert "Your account and evidence have been deleted" in done.body
    assert browser.get("/home").status == 303  # signed out
    with pytest.raises(web["cognito"].exceptions.UserNotFoundException):
        web["cognito"].admin_get_user(UserPoolId=web["pool_id"], Username="rowan@nhs.net")


def test_the_sent_notices_name_only_an_email_address(web: dict[str, Any]) -> None:
    browser = WebClient(web["handler"])
    odd = "Call 0800 000 000 now"
    reset = browser.get("/reset-password", sent="1", email=odd)
    assert reset.status == 200
    assert odd not in reset.body
    confirm = browser.get("/confirm", resent="1", email=odd)
    assert "we have sent a new code" not in confirm.body
