"""An academy lead's pages on the local stack: the academy's cohorts, a cohort's journeys, the pool,
claims waiting for a panel, and inviting a supporter (with a mistake first) - axe clean on each."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from playwright.sync_api import expect

from local import scenario
from local.stack import LocalStack

from .conftest import check_page

pytestmark = pytest.mark.browser


def test_a_lead_runs_a_cohort_and_invites_a_supporter(stack: LocalStack, stack_page: Any) -> None:
    page = stack_page
    c = scenario.cast(stack)
    scenario.register(c)
    # The local stack's one-click sign-in for demo users.
    page.goto(f"/_local/sign-in-as/{c.lead.email}")
    page.goto("lead")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    check_page(page, "lead-01-cohorts")

    page.goto(f"lead/cohorts/{c.cohort_id}")
    expect(page.get_by_role("link", name=c.practitioner.name, exact=True)).to_be_visible()
    check_page(page, "lead-02-cohort")

    page.goto("lead/pool")
    check_page(page, "lead-03-pool")
    page.goto("lead/assignments")
    check_page(page, "lead-04-assignments")

    page.goto("lead")
    page.get_by_role("link", name="Invite a supporter or lead").click()
    expect(page.get_by_role("heading", name="Invite someone")).to_be_visible()
    check_page(page, "lead-05-invite")
    page.get_by_label("Full name").fill("Gwen Adeyemi-Larsen")
    page.get_by_label("Email address").fill("not an email")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Enter an email address in the correct format"
    )
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Select what you are inviting them as")
    expect(page.get_by_label("Full name")).to_have_value("Gwen Adeyemi-Larsen")  # kept
    check_page(page, "lead-06-invite-errors")

    address = f"gwen.{secrets.token_hex(3)}@example.nhs.uk"
    page.get_by_label("Email address").fill(address)
    page.get_by_label("Supporter").check()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text(f"Invitation sent to Gwen Adeyemi-Larsen ({address})")).to_be_visible()
    check_page(page, "lead-07-invited")
    assert any(
        address in m.to and m.subject == "You are invited to System OD Validation"
        for m in stack.sent_emails()
    )
