"""A supporter comments on a draft claim in Chromium with JavaScript off, and the practitioner reads the
comment beside the element: every page axe-clean."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from local import scenario
from local.stack import LocalStack
from odvalidation.domain.frameworks import framework

from .conftest import check_page

pytestmark = pytest.mark.browser


def test_a_supporter_comments_and_the_practitioner_reads_it(stack: LocalStack, stack_page_no_js: Any) -> None:
    page = stack_page_no_js
    c = scenario.cast(stack)
    journey_id = scenario.to_claim_development(c)
    c.practitioner.api.wait_step(journey_id, "claim_development")
    supporter = scenario.name_supporter(stack, c, journey_id)
    element = framework(c.framework_key).elements[0]

    page.goto(f"/_local/sign-in-as/{supporter.email}")
    page.goto(f"journeys/{journey_id}")
    page.get_by_role("button", name="Add comment").click()
    # Nothing written: the error summary names the field, and the page stays usable.
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter your comment")
    check_page(page, "comments-01-supporter-error")
    page.get_by_label("What your comment is about").select_option(element.id)
    page.get_by_role("textbox", name="Your comment").fill("Show how the partners shaped the work.")
    page.get_by_role("button", name="Add comment").click()
    expect(page.get_by_role("status")).to_contain_text("Your comment has been added")
    expect(page.get_by_role("table", name="Comments on the draft claim")).to_contain_text(
        "Show how the partners shaped the work."
    )
    check_page(page, "comments-02-supporter-commented")

    page.goto(f"/_local/sign-in-as/{c.practitioner.email}")
    page.goto(f"journeys/{journey_id}/claim/{element.id}")
    expect(page.locator(".nhsuk-inset-text")).to_contain_text("Show how the partners shaped the work.")
    check_page(page, "comments-03-practitioner-element")
