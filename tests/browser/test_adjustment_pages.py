"""Issue 18 in Chromium with JavaScript off: a practitioner asks for more time (a mistake first), their
academy lead reads it from the journey's page and agrees it (a mistake first), and the practitioner
sees it agreed with the later deadline. Every page is axe-clean at 1280 px and at 375 px, without
sideways scrolling."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from local import scenario
from local.stack import LocalStack

from .conftest import check_page

pytestmark = pytest.mark.browser


def check_both_widths(page: Any, name: str) -> None:
    size = page.viewport_size
    page.set_viewport_size({"width": 1280, "height": 900})
    check_page(page, f"{name}-1280")
    page.set_viewport_size({"width": 375, "height": 812})
    try:
        check_page(page, f"{name}-375")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at 375px"
    finally:
        page.set_viewport_size(size)


def test_a_practitioner_asks_for_more_time_and_their_lead_agrees_it(
    stack: LocalStack, stack_page_no_js: Any
) -> None:
    page = stack_page_no_js
    c = scenario.cast(stack)
    journey_id = scenario.to_claim_development(c)
    c.practitioner.api.wait_step(journey_id, "claim_development")

    page.goto(f"/_local/sign-in-as/{c.practitioner.email}")
    page.goto(f"journeys/{journey_id}")
    page.get_by_role("link", name="Your reasonable adjustments").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reasonable adjustments")
    check_both_widths(page, "adjust-01-list")

    page.locator(f'a[href$="/journeys/{journey_id}/adjustments/more_time"]').click()
    page.get_by_role("button", name="Send to my academy lead").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("how many more weeks")
    check_both_widths(page, "adjust-02-request-error")
    page.get_by_label("How many more weeks do you need for your claim?").fill("6")
    page.get_by_label("Anything your academy lead should know (optional)").fill("I care for my father.")
    page.get_by_role("button", name="Send to my academy lead").click()
    expect(page.locator(".nhsuk-inset-text")).to_contain_text("sent to your academy lead")
    expect(page.locator("h2#more_time .nhsuk-tag")).to_have_text("Waiting for your academy lead")
    check_both_widths(page, "adjust-03-requested")

    page.goto(f"/_local/sign-in-as/{c.lead.email}")
    page.goto(f"lead/journeys/{journey_id}")
    expect(page.locator("#adjustments + p")).to_contain_text("1 waiting for your decision")
    page.get_by_role("link", name=f"Read and decide for {c.practitioner.name}").click()
    expect(page.get_by_text("I care for my father.")).to_be_visible()
    check_both_widths(page, "adjust-04-lead")
    page.get_by_role("button", name="Save decision").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Choose whether you agree")
    check_both_widths(page, "adjust-05-lead-error")
    page.get_by_label("Yes, agree it").check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.locator(".nhsuk-inset-text")).to_contain_text("Adjustment agreed")
    check_both_widths(page, "adjust-06-lead-agreed")

    page.goto(f"/_local/sign-in-as/{c.practitioner.email}")
    page.goto(f"journeys/{journey_id}/adjustments")
    expect(page.locator("h2#more_time .nhsuk-tag")).to_have_text("Agreed")
    expect(page.get_by_text("6 more weeks for the claim").first).to_be_visible()
    check_both_widths(page, "adjust-07-agreed")
