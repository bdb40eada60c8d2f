"""The account pages and certificate sharing in Chromium on the local stack (issue 16): a forgotten
password (JavaScript on), withdrawal and erasure with their confirmation steps (JavaScript off), and
the holder's certificate page with its copyable link and the public verification page's card. Each
page axe-clean, with screenshots."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from playwright.sync_api import expect

from local import scenario
from local.stack import LocalStack
from tests.e2e.test_certificate_renewal import validated

from .conftest import check_page, sign_in

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Changed-2026-password"  # nosec B105 - invented test account


def test_a_forgotten_password_is_reset_from_the_sign_in_page(page: Any, stack: LocalStack) -> None:
    email = f"forgot-{secrets.token_hex(4)}@nhs.net"
    stack.create_user(email, "Ines Kowalczyk", ["practitioner"], scenario.PASSWORD)
    page.goto("sign-in")
    page.get_by_role("link", name="Forgot your password?").click()
    page.wait_for_url("**/forgot-password")
    check_page(page, "account-01-forgot-password")

    page.get_by_role("button", name="Send a code").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    check_page(page, "account-02-forgot-password-errors")

    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Send a code").click()
    page.wait_for_url("**/reset-password?*")
    assert page.get_by_label("Email address").input_value() == email
    assert "Enter any 6-digit code" in page.content()  # the local stack sends no email
    check_page(page, "account-03-reset-password")

    page.get_by_label("Code", exact=True).fill("123456")
    page.get_by_role("textbox", name="New password").fill("weak")
    page.get_by_role("button", name="Save new password").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    check_page(page, "account-04-reset-password-errors")

    page.get_by_role("textbox", name="New password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save new password").click()
    page.wait_for_url("**/sign-in?*")
    assert "Your password has been changed" in page.content()
    check_page(page, "account-05-signed-in-again")
    page.get_by_role("textbox", name="Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/home")


def test_withdrawal_and_erasure_ask_first_and_work_without_javascript(
    page_no_js: Any, stack: LocalStack
) -> None:
    page = page_no_js
    c = scenario.cast(stack, tag=secrets.token_hex(3))
    journey_id = scenario.register(c)
    sign_in(page, c.practitioner.email)

    page.goto(f"journeys/{journey_id}")
    page.get_by_role("link", name="Withdraw from the pathway").click()
    page.wait_for_url(f"**/journeys/{journey_id}/withdraw")
    check_page(page, "account-06-withdraw")
    page.get_by_label("Why are you withdrawing? (optional)").fill("Moving to a new role")
    page.get_by_role("button", name="Withdraw from the pathway").click()
    page.wait_for_url(f"**/journeys/{journey_id}/withdrawn")
    check_page(page, "account-07-withdrawn")

    page.get_by_role("link", name="delete your account and evidence").click()
    page.wait_for_url("**/account/erasure")
    check_page(page, "account-08-erasure")
    page.get_by_role("button", name="Delete my account and evidence").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    check_page(page, "account-09-erasure-errors")
    page.get_by_label("I understand my account and evidence will be deleted").check()
    page.get_by_role("button", name="Delete my account and evidence").click()
    page.wait_for_url("**/account/erased")
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()  # signed out
    check_page(page, "account-10-erased")


def test_the_certificate_page_and_the_shared_verification_page(page: Any, stack: LocalStack) -> None:
    c, _, certificate = validated(stack)
    sign_in(page, c.practitioner.email)
    page.goto(f"certificates/{certificate}")
    link = page.get_by_label("Your verification link")
    assert link.input_value() == f"{stack.base_url}/verify/{certificate}"
    expect(page.get_by_role("link", name="Add this certificate to your LinkedIn profile")).to_be_visible()
    check_page(page, "sharing-01-certificate")

    page.get_by_label("Yes, show my name").check()
    page.get_by_role("button", name="Save sharing choice").click()
    page.wait_for_url("**?sharing=on")
    page.goto(f"verify/{certificate}")
    assert page.locator('meta[property="og:title"]').get_attribute("content") == (
        f"{c.practitioner.name}: System OD practitioner"
    )
    check_page(page, "sharing-02-verify-with-card")

    # The erasure page asks a certificate holder what happens to their certificates (nothing is erased
    # here: the choice is left unanswered, which is an error that says what to do).
    page.goto("account/erasure")
    expect(page.get_by_role("group", name="What should happen to your certificates?")).to_be_visible()
    check_page(page, "sharing-03-erasure-asks-about-certificates")
    page.get_by_label("I understand my account and evidence will be deleted").check()
    page.get_by_role("button", name="Delete my account and evidence").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Select whether to keep your certificates or delete them"
    )
    check_page(page, "sharing-04-erasure-certificates-unanswered")
