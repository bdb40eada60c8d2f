"""Sign-up, confirmation and sign-in through the web function, with Cognito in moto.

moto serves the pool's JWKS only in server mode, so these tests hand pyjwt moto's fixed public key
instead of fetching it: the token's signature is still verified for real.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from moto.utilities.utils import load_resource

from tests.browser.harness import PASSWORD, WebClient, in_process_web, reset_process_caches

MOTO_PRIVATE_JWK = load_resource("cognitoidp/resources/jwks-private.json")


@pytest.fixture
def web(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    with in_process_web(monkeypatch) as env:
        yield env


SIGN_UP = {
    "name": "Priya Okafor",
    "email": "priya.okafor@nhs.net",
    "password": PASSWORD,
    "academy": "north-west",
    "employer": "Mersey Care NHS Foundation Trust",
}


def sign_up_and_confirm(browser: WebClient, details: dict[str, str] = SIGN_UP) -> None:
    reply = browser.submit("/sign-up", details)
    assert reply.status == 303, reply.body
    assert reply.header("Location") == "/confirm?email=" + details["email"].replace("@", "%40")
    reply = browser.submit("/confirm", {"email": details["email"], "code": "123456"})
    assert reply.status == 303, reply.body


def test_sign_up_confirm_sign_in_sets_a_safe_cookie_and_home_shows_the_person(web: dict[str, Any]) -> None:
    browser: WebClient = web["client"]
    sign_up_and_confirm(browser)

    reply = browser.submit("/sign-in", {"email": SIGN_UP["email"], "password": PASSWORD})

    assert reply.status == 303
    assert reply.header("Location") == "/home"
    session = next(c for c in reply.set_cookies if c.startswith("odv_session="))
    assert "HttpOnly" in session
    assert "SameSite=Lax" in session
    assert "Path=/" in session
    # The cookie's value is Cognito's own ID token.
    token = session.split("=", 1)[1].split(";", 1)[0]
    assert jwt.decode(token, options={"verify_signature": False})["token_use"] == "id"

    home = browser.get("/home")
    assert home.status == 200
    assert "Priya Okafor" in home.body
    assert "Practitioner" in home.body  # self sign-up joins the practitioner group
    assert "North West Leadership Academy" in home.body
    assert home.header("Cache-Control") == "no-store"


def test_the_cookie_is_secure_unless_the_local_stack_says_otherwise(
    web: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SECURE_COOKIES", "true")
    reset_process_caches()
    browser = WebClient(web["handler"])
    sign_up_and_confirm(browser)
    reply = browser.submit("/sign-in", {"email": SIGN_UP["email"], "password": PASSWORD})
    session = next(c for c in reply.set_cookies if c.startswith("__Host-odv_session="))
    assert "Secure" in session
    assert "Strict-Transport-Security" in reply.headers


def test_signing_up_adds_the_person_to_the_practitioner_group(web: dict[str, Any]) -> None:
    sign_up_and_confirm(web["client"])
    groups = web["cognito"].admin_list_groups_for_user(UserPoolId=web["pool_id"], Username=SIGN_UP["email"])
    assert [g["GroupName"] for g in groups["Groups"]] == ["practitioner"]


def test_home_without_a_session_sends_the_person_to_sign_in(web: dict[str, Any]) -> None:
    reply = web["client"].get("/home")
    assert reply.status == 303
    assert reply.header("Location") == "/sign-in?next=/home"


def test_a_wrong_password_is_refused_with_the_error_summary_and_keeps_the_email(web: dict[str, Any]) -> None:
    browser: WebClient = web["client"]
    sign_up_and_confirm(browser)
    reply = browser.submit("/sign-in", {"email": SIGN_UP["email"], "password": "NotTheRightOne99"})
    assert reply.status == 400
    assert "nhsuk-error-summary" in reply.body
    assert '<a href="#email">Enter a correct email address and password</a>' in reply.body
    assert f'value="{SIGN_UP["email"]}"' in reply.body
    assert "NotTheRightOne99" not in reply.body  # a password is never echoed back
    assert not any(c.startswith("odv_session=") for c in reply.set_cookies)


def test_an_unconfirmed_account_is_sent_to_confirm(web: dict[str, Any]) -> None:
    browser: WebClient = web["client"]
    browser.submit("/sign-up", SIGN_UP)
    reply = browser.submit("/sign-in", {"email": SIGN_UP["email"], "password": PASSWORD})
    assert reply.status == 303
    assert reply.header(
        "Location",
    ).startswith("/confirm?email=")


def test_the_confirm_page_says_plainly_how_to_confirm_on_the_local_stack(
    web: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "Enter any 6-digit code" not in web["client"].get("/confirm").body
    monkeypatch.setenv("VERIFY_TOKENS_LOCALLY", "true")
    reset_process_caches()
    page = WebClient(web["handler"]).get("/confirm")
    assert "No email is sent on the local version of this service. Enter any 6-digit code" in page.body


def _signed_in(web: dict[str, Any]) -> WebClient:
    browser: WebClient = web["client"]
    sign_up_and_confirm(browser)
    browser.submit("/sign-in", {"email": SIGN_UP["email"], "password": PASSWORD})
    return browser


def _forge(claims: dict[str, Any], key: Any) -> str:
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "dummy"})


def test_a_forged_token_is_refused(web: dict[str, Any]) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    browser = _signed_in(web)
    real = jwt.decode(browser.cookies["odv_session"], options={"verify_signature": False})
    # The same claims, with a national lead's group added, signed with a key that is not the pool's.
    forged = _forge({**real, "cognito:groups": ["national_lead"]}, rsa.generate_private_key(65537, 2048))
    intruder = WebClient(web["handler"])
    intruder.cookies["odv_session"] = forged

    reply = intruder.get("/home")

    assert reply.status == 303
    assert reply.header("Location") == "/sign-in?next=/home"
    assert any(c.startswith("odv_session=;") and "Max-Age=0" in c for c in reply.set_cookies)


def test_an_expired_token_is_refused(web: dict[str, Any]) -> None:
    browser = _signed_in(web)
    real = jwt.decode(browser.cookies["odv_session"], options={"verify_signature": False})
    key = jwt.PyJWK(MOTO_PRIVATE_JWK).key
    stale = _forge({**real, "iat": int(time.time()) - 7200, "exp": int(time.time()) - 3600}, key)
    # The pool's own key: only the expiry is wrong. No refresh token, so nothing can renew it.
    intruder = WebClient(web["handler"])
    intruder.cookies["odv_session"] = stale
    assert intruder.get("/home").status == 303

    # Control: the same key and claims, still current, are accepted, so the refusal was the expiry.
    intruder.cookies["odv_session"] = _forge(real, key)
    assert intruder.get("/home").status == 200


def test_an_expired_token_is_renewed_with_the_refresh_token(web: dict[str, Any]) -> None:
    browser = _signed_in(web)
    real = jwt.decode(browser.cookies["odv_session"], options={"verify_signature": False})
    key = jwt.PyJWK(MOTO_PRIVATE_JWK).key
    browser.cookies["odv_session"] = _forge(
        {**real, "iat": int(time.time()) - 7200, "exp": int(time.time()) - 3600}, key
    )
    reply = browser.get("/home")
    assert reply.status == 200
    assert "Priya Okafor" in reply.body
    assert any(c.startswith("odv_session=ey") for c in reply.set_cookies)


def test_a_token_for_another_client_is_refused(web: dict[str, Any]) -> None:
    browser = _signed_in(web)
    real = jwt.decode(browser.cookies["odv_session"], options={"verify_signature": False})
    key = jwt.PyJWK(MOTO_PRIVATE_JWK).key
    intruder = WebClient(web["handler"])
    intruder.cookies["odv_session"] = _forge({**real, "aud": "another-client"}, key)
    assert intruder.get("/home").status == 303
    intruder.cookies["odv_session"] = _forge({**real, "token_use": "access"}, key)
    assert intruder.get("/home").status == 303


def test_sign_out_clears_the_session(web: dict[str, Any]) -> None:
    browser = _signed_in(web)
    home = browser.get("/home")
    reply = browser.post("/sign-out", {"csrf_token": home.csrf_token()})
    assert reply.status == 303
    assert "odv_session" not in browser.cookies
    assert "odv_refresh" not in browser.cookies
    assert browser.get("/home").status == 303


def test_an_email_already_registered_is_refused_on_the_form(web: dict[str, Any]) -> None:
    browser: WebClient = web["client"]
    sign_up_and_confirm(browser)
    reply = browser.submit("/sign-up", SIGN_UP)
    assert reply.status == 400
    assert "An account already uses this email address" in reply.body


def test_after_signing_in_the_person_returns_to_the_page_they_asked_for(web: dict[str, Any]) -> None:
    browser: WebClient = web["client"]
    sign_up_and_confirm(browser)
    assert browser.get("/home").header("Location") == "/sign-in?next=/home"
    form = browser.get("/sign-in", next="/home")
    assert '<input type="hidden" name="next" value="/home">' in form.body
    reply = browser.post(
        "/sign-in",
        {"email": SIGN_UP["email"], "password": PASSWORD, "next": "/home", "csrf_token": form.csrf_token()},
    )
    assert reply.header("Location") == "/home"
    hostile = browser.get("/sign-in", next="https://evil.example/")
    browser.cookies.pop("odv_session")
    reply = browser.post(
        "/sign-in",
        {
            "email": SIGN_UP["email"],
            "password": PASSWORD,
            "next": "https://evil.example/",
            "csrf_token": hostile.csrf_token(),
        },
    )
    assert reply.header("Location") == "/home"
