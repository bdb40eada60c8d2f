"""Stakeholder attestation in Chromium without JavaScript (issue 18.2): the leader opens the link from
their email, answers on the page (a missing answer is named, declining needs a comment), and a second
visit says the link was used; the practitioner's page lists the answer. Each page axe-clean at 1280 px
and without sideways scroll at 375 px."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from local import scenario
from local.stack import LocalStack

from .conftest import check_page

pytestmark = pytest.mark.browser


def check_narrow(page: Any, name: str) -> None:
    """axe at the desktop width, then no horizontal scroll on a 375 px phone (and axe there too)."""
    check_page(page, name)
    size = page.viewport_size
    page.set_viewport_size({"width": 375, "height": 812})
    try:
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at 375px ({page.url})"
        check_page(page, f"{name}-375")
    finally:
        page.set_viewport_size(size)


def test_a_leader_answers_on_their_page_without_javascript(stack: LocalStack, stack_page_no_js: Any) -> None:
    page = stack_page_no_js
    c = scenario.cast(stack)
    journey_id = scenario.to_claim_development(c)
    scenario.build_claim(c, journey_id)
    evidence = scenario.wait_claim_complete(c, journey_id)["evidence"]
    link = scenario.ask_attestation(
        stack,
        c,
        journey_id,
        evidence[0]["id"],
        "Olwen Castellanos",
        "olwen.browser@icb.example.nhs.uk",
        "Chief Executive, Mersey Vale ICB",
    )
    # A second leader, whose email goes astray: the practitioner sends it again (below).
    astray = scenario.ask_attestation(
        stack,
        c,
        journey_id,
        evidence[1]["id"],
        "Ines Okafor",
        "ines.browser@icb.example.nhs.uk",
        "Director, ICB",
    )

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Confirm evidence for {c.practitioner.name}")
    expect(page.get_by_role("link", name=f"Open {evidence[0]['display_name']}")).to_be_visible()
    check_narrow(page, "attest-01-leader-page")

    page.get_by_role("button", name="Send your answer").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Select whether you can confirm this evidence"
    )
    check_page(page, "attest-02-no-answer")

    page.get_by_label("No, I cannot confirm it").check()
    page.get_by_role("button", name="Send your answer").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Say why you cannot confirm this evidence")

    page.get_by_label("No, I cannot confirm it").check()
    page.get_by_label("Your comment").fill("I joined after this work; ask the programme's sponsor.")
    page.get_by_role("button", name="Send your answer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your answer has been sent")
    check_narrow(page, "attest-03-answered")

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("This link has already been used")
    check_page(page, "attest-04-used")

    page.goto(f"/_local/sign-in-as/{c.practitioner.email}")
    page.goto(f"journeys/{journey_id}/attestations")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask system leaders to confirm your evidence")
    expect(page.locator("table")).to_contain_text("Declined")
    expect(page.locator("table")).to_contain_text("I joined after this work")
    check_narrow(page, "attest-05-practitioner-list")

    # Sent again: a new link for Ines, and the one in the email that went astray says a newer was sent.
    page.get_by_role("button", name="Send again the request to Ines Okafor, Director, ICB").click()
    expect(page.get_by_role("status")).to_contain_text("sent again with a new link")
    check_narrow(page, "attest-06-sent-again")
    page.goto(astray)
    expect(page.get_by_role("heading", level=1)).to_have_text("A newer link was sent")
    check_page(page, "attest-07-replaced")
