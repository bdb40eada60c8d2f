"""A practitioner creates an account, confirms it, signs in and reaches home: in Chromium, axe-clean on
every page, and the same path with JavaScript switched off."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import check_page
from .harness import PASSWORD

pytestmark = pytest.mark.browser


def _email() -> str:
    return f"practitioner-{uuid.uuid4().hex[:8]}@nhs.net"


def sign_up(page: Any, email: str, name: str = "Amara Lindqvist") -> None:
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_label("Local Leadership Academy").select_option("north-west")
    page.get_by_label("Employer").fill("Lancashire and South Cumbria ICB")
    page.get_by_role("button", name="Create account").click()


def test_sign_up_confirm_sign_in_and_home_are_accessible(page: Any) -> None:
    email = _email()
    page.goto("./")
    assert page.title() == "Get validated as a system OD practitioner or leader - System OD Validation - NHS"
    check_page(page, "01-start")

    page.get_by_role("button", name="Start now").click()
    page.wait_for_url("**/sign-up")
    check_page(page, "02-sign-up")

    # A mistake first: the error summary takes focus and links to the field, what was typed stays.
    page.get_by_label("Full name").fill("Amara Lindqvist")
    page.get_by_role("button", name="Create account").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_visible()
    expect(page).to_have_title("Error: Create an account - System OD Validation - NHS")
    assert page.get_by_label("Full name").input_value() == "Amara Lindqvist"
    check_page(page, "03-sign-up-errors")
    summary.get_by_role("link", name="Enter your email address").click()
    expect(page.get_by_label("Email address")).to_be_focused()

    sign_up(page, email)
    page.wait_for_url("**/confirm?email=*")
    assert page.get_by_label("Email address").input_value() == email
    assert "Enter any 6-digit code" in page.content()  # the local stack sends no email
    check_page(page, "04-confirm")

    page.get_by_label("Confirmation code").fill("123456")
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/sign-in?*")
    assert page.get_by_label("Email address").input_value() == email
    check_page(page, "05-sign-in")

    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/home")
    assert page.get_by_role("heading", level=1).inner_text() == "Amara Lindqvist"
    assert "Practitioner" in page.locator(".nhsuk-summary-list").inner_text()
    check_page(page, "06-home")

    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["odv_session"]["httpOnly"]
    assert cookies["odv_session"]["sameSite"] == "Lax"

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Start now")).to_be_visible()
    page.goto("home")
    page.wait_for_url("**/sign-in?next=/home")


def test_a_wrong_password_shows_the_error_summary(page: Any) -> None:
    page.goto("sign-in")
    page.get_by_label("Email address").fill("nobody@nhs.net")
    page.get_by_label("Password", exact=True).fill("WrongPassword123")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".nhsuk-error-summary").get_by_role("link")).to_have_text(
        "Enter a correct email address and password"
    )
    assert page.get_by_label("Email address").input_value() == "nobody@nhs.net"
    check_page(page, "07-sign-in-error")


def test_the_static_pages_are_accessible(page: Any) -> None:
    page.goto("accessibility")
    check_page(page, "08-accessibility")
    response = page.goto("no-such-page")
    assert response.status == 404
    check_page(page, "09-not-found")


def test_sign_up_and_sign_in_work_with_javascript_switched_off(page_no_js: Any) -> None:
    page = page_no_js
    email = _email()
    page.goto("sign-up")
    # NHS.UK frontend's scripts did not run: the body was never marked as JavaScript-capable.
    assert "js-enabled" not in (page.locator("body").get_attribute("class") or "")
    sign_up(page, email, name="Kofi Mensah")
    page.wait_for_url("**/confirm?email=*")
    page.get_by_label("Confirmation code").fill("654321")
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/sign-in?*")
    # The password's show/hide button needs JavaScript, so without it the field is a plain password box.
    assert page.get_by_role("button", name="Show password").count() == 0
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/home")
    assert page.get_by_role("heading", level=1).inner_text() == "Kofi Mensah"
    check_page(page, "10-home-no-javascript")
