"""An academy lead, from sign-in, without typing a URL (issue 17 items 4 and 5): sees the alert that a
claim has all its reviews in on their home, follows it to the journey, dismisses it; then adds a person
to the panel pool with one form (a mistake in the unavailable dates first, and a second period added
without JavaScript), and the person is invited. Each page axe-clean and without sideways scroll at
375 px."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from playwright.sync_api import expect

from local import scenario
from local.stack import LocalStack

from .reflow import check_reflow

pytestmark = pytest.mark.browser


def test_a_lead_follows_an_alert_and_adds_a_pool_member_in_one_form(
    stack: LocalStack, stack_page: Any
) -> None:
    page = stack_page
    c = scenario.cast(stack)
    journey_id = scenario.to_claim_development(c)
    scenario.build_claim(c, journey_id)
    scenario.submit(c, journey_id)
    scenario.review(c, journey_id)
    c.practitioner.api.wait_step(journey_id, "interview")
    # The leads were told by email, once, with a link to the journey's lead page.
    told = [m for m in stack.sent_emails() if m.subject.startswith("All reviews are in")]
    assert told
    assert any(c.lead.email in m.to for m in told)

    page.goto(f"/_local/sign-in-as/{c.lead.email}")
    page.goto("home")
    page.get_by_role("link", name="Lead's work").click()
    alerts = page.locator("#alert-counts")
    expect(alerts).to_contain_text("Claims with all reviews in")
    check_reflow(page, "lead-alerts-01-home")
    page.get_by_role("link", name="Claims with all reviews in").click()
    # Casts share the stack (and the practitioner's name): this journey's alert is found by its link.
    alert = page.locator("li.nhsuk-card").filter(has=page.locator(f'a[href$="/lead/journeys/{journey_id}"]'))
    expect(alert).to_contain_text("Raised on")
    alert.get_by_role("link", name=c.practitioner.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{c.practitioner.name}'s journey")
    page.go_back()
    alert.get_by_role("button", name=f"Dismiss the alert about {c.practitioner.name}").click()
    expect(page.locator(f'#alerts ~ ul a[href$="/lead/journeys/{journey_id}"]')).to_have_count(0)

    # The panel pool in one step.
    page.get_by_role("link", name="Add someone to the panel pool").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add someone to the panel pool")
    check_reflow(page, "lead-pool-01-form")
    address = f"rhys.{secrets.token_hex(3)}@example.nhs.uk"
    page.get_by_label("Full name").fill("Rhys Okonjo-Hale")
    page.get_by_label("Email address").fill(address)
    page.get_by_label("Expert", exact=True).check()
    page.get_by_label("Employer", exact=True).fill("Lancashire Teaching Hospitals")
    period = page.get_by_role("group", name="Start date of period 1")
    period.get_by_label("Day").fill("30")
    period.get_by_label("Month").fill("2")
    period.get_by_label("Year").fill("2031")
    page.get_by_role("button", name="Add another period").click()
    expect(page.get_by_role("group", name="Start date of period 3")).to_be_visible()
    expect(page.get_by_label("Full name")).to_have_value("Rhys Okonjo-Hale")  # kept
    page.get_by_role("button", name="Add to the pool and send the invitation").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("The start date of period 1 must be a real date")
    check_reflow(page, "lead-pool-02-errors")
    summary.get_by_role("link", name="The start date of period 1 must be a real date").click()
    expect(period.get_by_label("Day")).to_be_focused()

    period.get_by_label("Day").fill("3")
    period.get_by_label("Month").fill("3")
    end = page.get_by_role("group", name="End date of period 1")
    end.get_by_label("Day").fill("14")
    end.get_by_label("Month").fill("3")
    end.get_by_label("Year").fill("2031")
    single = page.get_by_role("group", name="Start date of period 2")
    single.get_by_label("Day").fill("1")
    single.get_by_label("Month").fill("4")
    single.get_by_label("Year").fill("2031")
    page.get_by_role("button", name="Add to the pool and send the invitation").click()
    expect(page.get_by_text("The member was added to the pool and sent an invitation.")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Rhys Okonjo-Hale")
    expect(row).to_contain_text("Lancashire Teaching Hospitals")
    expect(row).to_contain_text("Expert")
    check_reflow(page, "lead-pool-03-pool")
    assert any(
        address in m.to and m.subject == "You are invited to System OD Validation"
        for m in stack.sent_emails()
    )
    row.get_by_role("link", name="Rhys Okonjo-Hale").click()
    expect(page.get_by_role("group", name="End date of period 1").get_by_label("Day")).to_have_value("14")
    expect(page.get_by_role("group", name="End date of period 2").get_by_label("Day")).to_have_value("1")

    # Nobody in the suite can sign in as the new member to review, and the pool is national: keep them
    # off the panels of the modules that run after this one (they take no claims).
    [added] = [m for m in c.lead.api.get("/api/panel/members")["members"] if m["email"] == address]
    c.lead.api.put(f"/api/panel/members/{added['id']}", {**scenario.member_details(added), "cap": 0})
