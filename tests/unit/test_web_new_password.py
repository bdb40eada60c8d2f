"""An invited person's first sign-in: the temporary password leads to "choose your password", which
signs them in; a weak choice is refused with the rule, and the temporary password never works twice."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.harness import WebClient, in_process_web

TEMPORARY = "Temporary-Pass-2026"
CHOSEN = "My-own-password-2026"


@pytest.fixture
def invited(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    with in_process_web(monkeypatch) as env:
        env["cognito"].admin_create_user(
            UserPoolId=env["pool_id"],
            Username="ade.invited@nhs.net",
            TemporaryPassword=TEMPORARY,
            MessageAction="SUPPRESS",
            UserAttributes=[
                {"Name": "email", "Value": "ade.invited@nhs.net"},
                {"Name": "name", "Value": "Ade Invited"},
                {"Name": "email_verified", "Value": "true"},
            ],
        )
        env["cognito"].admin_add_user_to_group(
            UserPoolId=env["pool_id"], Username="ade.invited@nhs.net", GroupName="panel"
        )
        yield env


def test_temporary_password_leads_to_choosing_one_and_signs_in(invited: dict[str, Any]) -> None:
    browser: WebClient = invited["client"]
    reply = browser.submit("/sign-in", {"email": "ade.invited@nhs.net", "password": TEMPORARY})
    assert reply.status == 200
    assert "Choose your password" in reply.body
    assert TEMPORARY not in reply.body  # never echoed back

    weak = browser.post(
        "/new-password", {**_hidden(reply.body), "password": "short", "csrf_token": reply.csrf_token()}
    )
    assert weak.status == 400
    assert "nhsuk-error-summary" in weak.body
    assert "12 characters" in weak.body

    done = browser.post(
        "/new-password", {**_hidden(weak.body), "password": CHOSEN, "csrf_token": weak.csrf_token()}
    )
    assert done.status == 303
    assert any(c.startswith("odv_session=") for c in done.set_cookies)
    home = browser.get("/home")
    assert "Ade Invited" in home.body

    again = WebClient(invited["handler"]).submit(
        "/sign-in", {"email": "ade.invited@nhs.net", "password": TEMPORARY}
    )
    assert again.status == 400
    assert "Enter a correct email address and password" in again.body


def _hidden(body: str) -> dict[str, str]:
    import re

    return dict(re.findall(r'<input type="hidden" name="(email|session|next)" value="([^"]*)"', body))
