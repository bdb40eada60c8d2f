"""A lead runs the programme from their own pages (issue 17), on the local stack: from the header to
their work, the attendance list, "did not attend" (with a mistake first), a journey's page with the
reflection, an equivalent session, changing the cohort, choosing a panel by hand; then, for a claim at
the interview, arranging it and recording that it took place, and revoking a certificate. Each page is
axe-clean and has no horizontal scroll at 375 px."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from local import scenario
from local.stack import LocalStack

from .conftest import check_page

pytestmark = pytest.mark.browser


# The innermost elements that reach past the window's right edge, to say what scrolls.
WIDEST = """[...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > window.innerWidth + 1))
  .slice(0, 5).map(e => e.tagName + '.' + e.className + ': ' + (e.textContent || '').trim().slice(0, 60))"""


def check_narrow(page: Any, name: str) -> None:
    """axe at the desktop width, then no horizontal scroll on a 375 px phone."""
    check_page(page, name)
    size = page.viewport_size
    page.set_viewport_size({"width": 375, "height": 812})
    try:
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        wide = page.evaluate(WIDEST) if overflow > 0 else []
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at 375px ({page.url}): {wide}"
    finally:
        page.set_viewport_size(size)


def test_a_lead_works_from_their_own_pages(stack: LocalStack, stack_page: Any) -> None:
    page = stack_page
    c = scenario.cast(stack)
    journey_id = scenario.register(c)
    scenario.reflect(c, journey_id)
    page.goto(f"/_local/sign-in-as/{c.lead.email}")
    page.goto("home")
    page.get_by_role("link", name="Lead's work").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your academy's work")
    check_narrow(page, "lead-work-01-home")

    page.get_by_role("link", name="Workshop attendance to record").click()
    # Casts share the stack (and the practitioner's name): this journey is found by its link.
    row = page.get_by_role("row").filter(has=page.locator(f'a[href$="/lead/journeys/{journey_id}"]'))
    expect(row).to_contain_text(c.practitioner.name)
    check_narrow(page, "lead-work-02-attendance-list")

    row.get_by_role("link", name=f"Record attendance for {c.practitioner.name}").click()
    page.get_by_role("button", name="Record attendance").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Select the practitioners whose attendance you are recording")
    expect(summary).to_contain_text("Select whether they attended the workshop")
    check_narrow(page, "lead-work-03-attendance-errors")

    page.locator(f'input[name="people"][value="{journey_id}"]').check()
    page.get_by_label("No, they did not attend").check()
    page.get_by_role("button", name="Record attendance").click()
    expect(page.get_by_text("Recorded that they did not attend the workshop.")).to_be_visible()
    check_narrow(page, "lead-work-04-cohort")

    page.locator(f'a[href$="/lead/journeys/{journey_id}"]').click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{c.practitioner.name}'s journey")
    expect(page.get_by_text("Ten years in OD.")).to_be_visible()  # the reflection "your academy sees"
    check_narrow(page, "lead-work-05-journey")

    page.get_by_role("link", name="Record an equivalent session").click()
    page.get_by_role("button", name="Record session").click()
    expect(summary).to_contain_text("Select the session they attended instead of the workshop")
    check_narrow(page, "lead-work-06-equivalent-errors")
    page.get_by_label("A one-to-one session").check()
    page.get_by_label("Why it stands in for the workshop").fill("Caring duties on the workshop day.")
    page.get_by_role("button", name="Record session").click()
    expect(page.get_by_text("Equivalent session recorded.")).to_be_visible()
    expect(page.get_by_text("a one-to-one session: Caring duties on the workshop day.").first).to_be_visible()

    page.goto(f"lead/cohorts/{c.cohort_id}")
    page.get_by_role("link", name="Change the cohort").click()
    page.get_by_label("Workshop venue (optional)").fill("Academy House, Manchester")
    page.get_by_label("Places (optional)").fill("0")
    page.get_by_role("button", name="Save changes").click()
    expect(summary).to_contain_text("Enter the number of places")
    check_narrow(page, "lead-work-07-cohort-edit-errors")
    page.get_by_label("Places (optional)").fill("12")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("at Academy House, Manchester")).to_be_visible()
    expect(page.get_by_text("1 of 12 places taken.")).to_be_visible()

    # Choosing a panel by hand: the members and the reason are asked for once the override is chosen.
    page.goto(f"lead/assignments/{journey_id}")
    expect(page.get_by_label("Why you are overriding the rules")).to_have_count(0)
    check_narrow(page, "lead-work-08-resolve")
    page.get_by_label("Choose the panel members myself, overriding the rules").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_label("Why you are overriding the rules")).to_be_visible()
    expect(page.get_by_text("From the practitioner's own academy").first).to_be_visible()
    check_narrow(page, "lead-work-09-resolve-override")
    page.get_by_role("button", name="Assign panel").click()
    expect(summary).to_contain_text("Select the members of the panel")
    check_narrow(page, "lead-work-10-resolve-errors")


def test_a_lead_arranges_the_interview_records_it_held_and_revokes(
    stack: LocalStack, stack_page: Any
) -> None:
    page = stack_page
    c = scenario.cast(stack)
    journey_id = scenario.to_claim_development(c)
    scenario.build_claim(c, journey_id)
    scenario.submit(c, journey_id)
    scenario.review(c, journey_id)
    c.practitioner.api.wait_step(journey_id, "interview")

    page.goto(f"/_local/sign-in-as/{c.lead.email}")
    page.goto("lead")
    page.get_by_role("link", name="Interviews to arrange").click()
    page.get_by_role("link", name=f"Arrange interview for {c.practitioner.name}").click()
    page.get_by_label("Day").fill("18")
    page.get_by_label("Month").fill("12")
    page.get_by_label("Year").fill("2030")
    page.get_by_label("Start time (UK time, 24-hour)").fill("10:00")
    page.get_by_label("Location or video link").fill("Room 4, Academy House")
    page.get_by_role("button", name="Arrange interview").click()
    expect(page.get_by_text("Interview arranged: the panel and the practitioner")).to_be_visible()
    expect(page.get_by_text("18 December 2030 at 10:00")).to_be_visible()
    expect(page.get_by_text("Clear evidence.").first).to_be_visible()  # the panel's reviews
    check_narrow(page, "lead-work-11-journey-interview")

    page.goto(f"lead/cohorts/{c.cohort_id}")
    expect(
        page.get_by_role("link", name=f"Interview on 18 Dec 2030 for {c.practitioner.name}")
    ).to_be_visible()
    page.goto(f"lead/journeys/{journey_id}/interview")
    expect(page.get_by_text("The interview is arranged for 18 December 2030 at 10:00")).to_be_visible()
    check_narrow(page, "lead-work-12-interview-arranged")

    page.goto(f"lead/journeys/{journey_id}")
    page.get_by_role("button", name="Record that the interview took place").click()
    expect(page.get_by_text("Recorded that the interview took place")).to_be_visible()

    # The chair records the outcome (their own pages); the certificate is issued, then revoked.
    panel = c.lead.api.get(f"/api/journeys/{journey_id}/panel")
    chair = next(s["member_id"] for s in panel["seats"] if s["chair"])
    chair_api = {**scenario.PANEL, **{m.id: m for m in c.panel}}[chair].api
    chair_api.post(f"/api/journeys/{journey_id}/outcome", {"outcome": "system_od_leader", "feedback": {}})
    c.practitioner.api.wait_for(
        journey_id, lambda j: bool(j.get("certificate_id")), timeout=60, what="a certificate"
    )
    page.goto(f"lead/journeys/{journey_id}")
    page.get_by_role("link", name="Revoke certificate").click()
    page.get_by_label("Reason for revoking").fill("Issued in error.")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Are you sure you want to revoke this certificate?"
    )
    check_narrow(page, "lead-work-13-revoke-confirm")
    page.get_by_role("button", name="Yes, revoke the certificate").click()
    expect(page.get_by_text("The certificate is revoked.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{c.practitioner.name}'s journey")


def test_a_national_lead_sees_the_work_and_where_a_journey_is_without_javascript(
    stack: LocalStack, stack_page_no_js: Any
) -> None:
    page = stack_page_no_js
    c = scenario.cast(stack, academy="london")
    journey_id = scenario.register(c)
    scenario.reflect(c, journey_id)
    national = scenario.person(
        stack,
        f"national.{journey_id.lower()}@example.nhs.uk",
        "Nadia Brennan-Ochoa",
        ["national_lead"],
        academy="north-west",
        employer="NHS England",
    )
    page.goto(f"/_local/sign-in-as/{national.email}")
    page.goto("lead")
    expect(page.get_by_role("link", name="National reports: the OD talent pipeline")).to_be_visible()
    page.get_by_role("navigation", name="Academies").get_by_role(
        "link", name="London Leadership Academy"
    ).click()
    expect(page.get_by_role("link", name="Workshop attendance to record")).to_have_attribute(
        "href", "/v1/lead/work/attendance?academy=london"
    )
    check_narrow(page, "lead-work-14-national")

    page.goto(f"lead/journeys/{journey_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{c.practitioner.name}'s journey")
    expect(page.get_by_text("not the practitioner's reflection, claim or evidence")).to_be_visible()
    expect(page.get_by_text("Ten years in OD.")).to_have_count(0)
    check_narrow(page, "lead-work-15-national-journey")
