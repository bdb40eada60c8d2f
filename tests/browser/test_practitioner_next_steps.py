"""What a practitioner is told comes next, in Chromium on the local stack, with the real workflow: the route
back after "considering further development" (without JavaScript), and the arranged interview (UK time)
then the feedback survey after the outcome. axe at 1280 px and 375 px, no sideways scroll, on each page."""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from local import scenario
from local.stack import LocalStack
from odvalidation import clock
from odvalidation.domain.uk_time import uk_when

from .conftest import sign_in
from .reflow import check_reflow

pytestmark = pytest.mark.browser


def test_after_further_development_the_practitioner_finds_the_route_back_and_decides_again(
    stack: LocalStack, stack_page_no_js: Any
) -> None:
    page = stack_page_no_js
    c = scenario.cast(stack)
    journey_id = scenario.register(c)
    scenario.reflect(c, journey_id)
    scenario.attend_workshop(c, journey_id)
    c.practitioner.api.wait_step(journey_id, "decision")
    sign_in(page, c.practitioner.email)

    # Before choosing, each choice says what it leads to.
    page.goto(f"journeys/{journey_id}/decision")
    expect(page.get_by_text("No claim opens and no deadline runs.")).to_be_visible()
    check_reflow(page, "next-steps-01-decision")
    page.get_by_label("I am considering further development first").check()
    page.get_by_role("button", name="Record my decision").click()
    page.wait_for_url(f"**/journeys/{journey_id}/decided")
    expect(page.get_by_text("When you are ready, decide again from your journey page")).to_be_visible()
    c.practitioner.api.wait_stage(journey_id, "closed")

    # Home says what it means and links the way back.
    page.goto("home")
    expect(page.get_by_text("No claim is open and no deadline is running.").first).to_be_visible()
    check_reflow(page, "next-steps-02-home-closed")
    page.get_by_role("link", name="Decide again when you are ready to make a claim").click()
    page.wait_for_url(f"**/journeys/{journey_id}#decide-again")
    expect(
        page.get_by_role("heading", name="You are developing further before making a claim")
    ).to_be_visible()
    check_reflow(page, "next-steps-03-journey-closed")

    # Deciding again opens step 3 in a fresh execution; this time the claim opens.
    page.get_by_role("button", name="Decide again").click()
    page.wait_for_url(f"**/journeys/{journey_id}?done=decide-again")
    c.practitioner.api.wait_step(journey_id, "decision")
    page.goto(f"journeys/{journey_id}")
    page.get_by_role("button", name="Decide when to make your claim").click()
    page.get_by_label("I am ready to make a claim now").check()
    page.get_by_role("button", name="Record my decision").click()
    page.wait_for_url(f"**/journeys/{journey_id}/decided")
    c.practitioner.api.wait_step(journey_id, "claim_development")


def test_the_practitioner_sees_the_arranged_interview_then_is_asked_for_feedback(
    stack: LocalStack, stack_page: Any
) -> None:
    page = stack_page
    c = scenario.cast(stack)
    journey_id = scenario.to_claim_development(c)
    scenario.build_claim(c, journey_id)
    scenario.submit(c, journey_id)
    scenario.review(c, journey_id)
    c.practitioner.api.wait_step(journey_id, "interview")
    # A whole hour, a month ahead on the product's clock; shown on the UK's clock, as the lead typed it.
    at = (clock.now() + timedelta(days=30)).astimezone(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    c.lead.api.post(
        f"/api/journeys/{journey_id}/interview", {"at": at.isoformat(), "location": "Room 4, Mersey House"}
    )
    expected = f"Your interview: {uk_when(at)}, Room 4, Mersey House"

    sign_in(page, c.practitioner.email)
    expect(page.get_by_text(expected)).to_be_visible()
    check_reflow(page, "next-steps-04-home-interview")
    page.get_by_role("link", name="How to prepare for your interview").click()
    expect(page.get_by_role("heading", name="How to prepare")).to_be_visible()
    expect(page.locator("#interview + p")).to_contain_text(f"{uk_when(at)}, Room 4, Mersey House")
    check_reflow(page, "next-steps-05-journey-interview")

    scenario.interview(c, journey_id, "system_od_practitioner")
    c.practitioner.api.wait_stage(journey_id, "validated")
    page.goto("home")
    page.get_by_role("link", name="Tell us how the validation process was for you").click()
    page.wait_for_url(f"**/journeys/{journey_id}/feedback")
    check_reflow(page, "next-steps-06-feedback")
    page.get_by_role("button", name="Send feedback").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("that: I developed in confidence")
    page.get_by_role("link", name="Back to your journey").click()
    page.wait_for_url(f"**/journeys/{journey_id}")
    expect(page.get_by_role("link", name="Give feedback on the validation process")).to_be_visible()
