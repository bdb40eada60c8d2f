"""Issue 18 in Chromium with JavaScript off: an academy lead moves a part-written claim to the framework
later cohorts use (the cohort page's link, the confirm page listing what maps where and what will be
uncovered, the move), and the practitioner reads the carried narrative; every page axe-clean."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from local import scenario
from local.stack import LocalStack

from .conftest import check_page
from .reflow import check_reflow

pytestmark = pytest.mark.browser


def test_a_lead_moves_a_claim_across_frameworks_without_javascript(
    stack: LocalStack, stack_page_no_js: Any
) -> None:
    page = stack_page_no_js
    c = scenario.cast(stack)
    journey_id = scenario.to_claim_development(c)
    scenario.part_written_claim(c, journey_id)

    page.goto(f"/_local/sign-in-as/{c.lead.email}")
    page.goto(f"lead/cohorts/{c.cohort_id}")
    page.get_by_role("link", name=f"Move to another framework for {c.practitioner.name}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Global practice style OD framework")
    expect(page.get_by_role("table", name="What moves where")).to_contain_text("Building client capacity")
    expect(page.locator(".nhsuk-card--warning")).to_contain_text(
        "2.1 Entry and contracting: a narrative and evidence"
    )
    check_reflow(page, "crosswalk-01-confirm")  # the table stacks at 375 px: no sideways scroll

    page.get_by_role("button", name="Move the claim").click()
    expect(page.locator(".nhsuk-inset-text")).to_contain_text("Claim moved to another framework version")
    check_page(page, "crosswalk-02-cohort-after")

    page.goto(f"/_local/sign-in-as/{c.practitioner.email}")
    page.goto(f"journeys/{journey_id}/claim/4.2")
    expect(page.locator("textarea")).to_contain_text("From element 4.1, Growing others' capability")
    check_page(page, "crosswalk-03-practitioner-element")
