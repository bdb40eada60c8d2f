"""A panel member's review in Chromium on the local stack: sign in, declare no conflict, review every
element, see every review with the disagreement flagged. Every page on the path is axe-clean."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from local import scenario
from local.stack import LocalStack
from odvalidation import clock
from odvalidation.domain.frameworks import framework
from odvalidation.domain.models import Level

from .conftest import check_page, sign_in
from .reflow import check_reflow

pytestmark = pytest.mark.browser


def claim_under_review(stack: LocalStack) -> tuple[scenario.Cast, str, scenario.Person, list[str]]:
    """A submitted leader claim whose other two members have reviewed, one of them dissenting."""
    c = scenario.cast(stack)
    journey_id = scenario.register(c)
    scenario.reflect(c, journey_id)
    scenario.attend_workshop(c, journey_id)
    scenario.decide(c, journey_id, "ready_now")
    scenario.build_claim(c, journey_id)
    scenario.submit(c, journey_id)
    c.practitioner.api.wait_step(journey_id, "panel_review")
    seats = c.lead.api.get(f"/api/journeys/{journey_id}/panel")["seats"]
    members = {**scenario.PANEL, **{m.id: m for m in c.panel}}
    elements = [e.id for e in framework(c.framework_key).elements_for(Level.LEADER)]
    me, others = members[seats[0]["member_id"]], [members[s["member_id"]] for s in seats[1:]]
    for i, other in enumerate(others):
        other.api.post(f"/api/journeys/{journey_id}/panel/declaration", {"conflict": False})
        grade = "not_yet_evidenced" if i == 0 else "evidenced"
        other.api.put(
            f"/api/journeys/{journey_id}/panel/review",
            {
                "judgements": [{"element_id": e, "judgement": grade, "comment": "Seen."} for e in elements],
                "recommendation": "not_yet" if i == 0 else "system_od_leader",
            },
        )
    return c, journey_id, me, elements


def test_a_panel_member_declares_reviews_every_element_and_sees_the_disagreements(
    stack: LocalStack, stack_page: Any
) -> None:
    page = stack_page
    c, journey_id, me, elements = claim_under_review(stack)
    sign_in(page, me.email)

    page.goto("panel")
    expect(page.get_by_role("heading", name="My panel assignments")).to_be_visible()
    # A member serves many claims (the pool is national): this claim's row is the one linking to it.
    row = page.get_by_role("row").filter(has=page.locator(f"a[href*='/panel/{journey_id}/']"))
    expect(row).to_contain_text(c.practitioner.name)
    expect(row).to_contain_text("System OD leader")
    check_page(page, "panel-01-assignments")

    row.get_by_role("link", name="Declare conflicts of interest").click()
    page.wait_for_url(f"**/panel/{journey_id}/declaration")
    # No evidence before the declaration.
    expect(page.locator("a[href*='/evidence/']")).to_have_count(0)
    check_page(page, "panel-02-declaration")
    page.get_by_role("button", name="Send declaration").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Select whether you have a conflict")
    check_page(page, "panel-03-declaration-error")

    page.get_by_label("I have no conflict of interest").check()
    page.get_by_role("button", name="Send declaration").click()
    page.wait_for_url(f"**/panel/{journey_id}/review")
    expect(page.locator("a[href*='/evidence/']")).to_have_count(len(elements))
    check_page(page, "panel-04-review")

    # A missing judgement is named, and what was chosen stays chosen.
    for element_id in elements[:-1]:
        page.locator(f"#judgement-{element_id.replace('.', '-')}").check()
    page.get_by_label("Comment on element 1.1").fill("Strong system-wide evidence.")
    page.get_by_role("button", name="Submit review").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text(f"Select a judgement for element {elements[-1]}")
    expect(summary).to_contain_text("Select your overall recommendation")
    expect(page.locator("#judgement-1-1")).to_be_checked()
    expect(page.get_by_label("Comment on element 1.1")).to_have_value("Strong system-wide evidence.")
    check_page(page, "panel-05-review-errors")

    page.locator(f"#judgement-{elements[-1].replace('.', '-')}").check()
    page.get_by_label("System OD leader").check()
    page.get_by_role("button", name="Submit review").click()
    page.wait_for_url(f"**/panel/{journey_id}/reviews?submitted=1")
    expect(page.get_by_text("Your review has been submitted.")).to_be_visible()
    callout = page.locator(".nhsuk-card--warning")
    expect(callout).to_contain_text("Element 1.1: judgements range from not yet evidenced to evidenced.")
    expect(callout).to_contain_text("The panel's recommendations differ")
    expect(page.get_by_text("Strong system-wide evidence.")).to_be_visible()
    check_page(page, "panel-06-all-reviews")


def test_a_member_saves_a_draft_comes_back_to_it_submits_and_changes_it_without_javascript(
    stack: LocalStack, stack_page_no_js: Any
) -> None:
    """Issue 16.4: the review is long; a draft keeps what a member has done so far, and a submitted review
    can still be corrected before it is due. The whole path works with scripts off."""
    page = stack_page_no_js
    _, journey_id, me, elements = claim_under_review(stack)
    me.api.post(f"/api/journeys/{journey_id}/panel/declaration", {"conflict": False})
    sign_in(page, me.email)

    page.goto(f"panel/{journey_id}/review")
    page.locator("#judgement-1-1").check()
    page.get_by_label("Comment on element 1.1").fill("Half way through: strong so far.")
    page.get_by_role("button", name="Save as draft").click()
    page.wait_for_url(f"**/panel/{journey_id}/review?saved=draft")
    expect(page.get_by_text("Your draft has been saved.")).to_be_visible()
    check_reflow(page, "panel-07-draft-saved")

    # Leave, and come back from the assignments page: the form is as it was left.
    page.goto("panel")
    page.get_by_role("row").filter(has=page.locator(f"a[href*='/panel/{journey_id}/']")).get_by_role(
        "link", name="Continue your review (draft saved)"
    ).click()
    page.wait_for_url(f"**/panel/{journey_id}/review")
    expect(page.locator("#judgement-1-1")).to_be_checked()
    expect(page.get_by_label("Comment on element 1.1")).to_have_value("Half way through: strong so far.")
    expect(page.get_by_text("Your draft was last saved on")).to_be_visible()

    for element_id in elements:
        page.locator(f"#judgement-{element_id.replace('.', '-')}").check()
    page.get_by_label("System OD leader").check()
    page.get_by_role("button", name="Submit review").click()
    page.wait_for_url(f"**/panel/{journey_id}/reviews?submitted=1")

    # Before the review is due, it can be changed: the form comes back with the review as submitted.
    page.get_by_role("link", name="Change your review").click()
    page.wait_for_url(f"**/panel/{journey_id}/review")
    expect(page.get_by_role("button", name="Save as draft")).to_have_count(0)
    expect(page.get_by_label("Comment on element 1.1")).to_have_value("Half way through: strong so far.")
    check_reflow(page, "panel-08-change-review")
    page.get_by_label("Comment on element 1.1").fill("Strong, and the board paper settles it.")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(f"**/panel/{journey_id}/reviews?changed=1")
    expect(page.get_by_text("Your review has been changed.")).to_be_visible()
    expect(page.get_by_text("Strong, and the board paper settles it.")).to_be_visible()
    check_page(page, "panel-09-review-changed")


def test_every_member_sees_the_arranged_interview_and_the_chair_waits_for_it_to_record_the_outcome(
    stack: LocalStack, stack_page_no_js: Any
) -> None:
    """The lead arranges the interview on their form (UK time); every member then finds it on their
    home, their list (which fits a phone) and the claim's page, where the invitation's link leads; the
    chair is not asked for the outcome before the interview."""
    page = stack_page_no_js
    c, journey_id, me, elements = claim_under_review(stack)
    me.api.post(f"/api/journeys/{journey_id}/panel/declaration", {"conflict": False})
    me.api.put(
        f"/api/journeys/{journey_id}/panel/review",
        {
            "judgements": [{"element_id": e, "judgement": "evidenced", "comment": "Seen."} for e in elements],
            "recommendation": "system_od_leader",
        },
    )
    c.practitioner.api.wait_step(journey_id, "interview")
    day = (clock.now() + timedelta(days=30)).date()
    shown = f"{day:%-d %B %Y} at 10:00"

    page.goto(f"/_local/sign-in-as/{c.lead.email}")
    page.goto(f"lead/journeys/{journey_id}/interview")
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("2027")
    page.get_by_label("Start time (UK time, 24-hour)").fill("10:00")
    page.get_by_label("Location or video link").fill("Room 4, Mersey House")
    page.get_by_role("button", name="Arrange interview").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "The date of the interview must be a real date"
    )
    page.get_by_label("Day").fill(str(day.day))
    page.get_by_label("Month").fill(str(day.month))
    page.get_by_label("Year").fill(str(day.year))
    page.get_by_role("button", name="Arrange interview").click()
    page.wait_for_url(f"**/lead/journeys/{journey_id}?done=interview")

    seats = c.lead.api.get(f"/api/journeys/{journey_id}/panel")["seats"]
    members = {**scenario.PANEL, **{m.id: m for m in c.panel}}
    for seat in seats:
        member = members[seat["member_id"]]
        page.goto(f"/_local/sign-in-as/{member.email}")
        page.goto("home")
        section = page.locator("section", has=page.get_by_role("heading", name="Your panel assignments"))
        expect(section).to_contain_text(shown)
        expect(section).to_contain_text("Room 4, Mersey House")
        expect(section.locator(f"a[href*='/panel/{journey_id}/outcome']")).to_have_count(0)
        page.goto("panel")
        row = page.get_by_role("row").filter(has=page.locator(f"a[href*='/panel/{journey_id}']"))
        expect(row).to_contain_text(shown)
        expect(row).to_contain_text("Interview")
        page.goto(f"panel/{journey_id}")  # where the invitation's "Details" link leads
        expect(page.locator("#maincontent")).to_contain_text(shown)
        expect(page.locator("#maincontent")).to_contain_text("Room 4, Mersey House")
        if seat["chair"]:
            page.goto("panel")
            check_reflow(page, "panel-10-assignments-with-interview")
            page.goto(f"panel/{journey_id}/outcome")
            expect(page.get_by_role("radio")).to_have_count(0)
            expect(page.locator("#maincontent")).to_contain_text("once the interview has taken place")
            check_reflow(page, "panel-11-outcome-before-interview")
