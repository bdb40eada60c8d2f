"""A lead runs the programme from their own pages (issue 17), on the local stack: from the header to
their work, the attendance list, "did not attend" (with a mistake first), a journey's page with the
reflection, an equivalent session, changing the cohort, choosing a panel by hand; and a national lead's
view without JavaScript. Each page is axe-clean at 1280 and 375 px and has no horizontal scroll at 375 px
(`check_reflow`). Arranging an interview, recording it held and revoking the certificate are walked by
link in test_lead_walk.py."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from local import scenario
from local.stack import LocalStack

from .reflow import check_reflow

pytestmark = pytest.mark.browser


def test_a_lead_works_from_their_own_pages(stack: LocalStack, stack_page: Any) -> None:
    page = stack_page
    c = scenario.cast(stack)
    journey_id = scenario.register(c)
    scenario.reflect(c, journey_id)
    page.goto(f"/_local/sign-in-as/{c.lead.email}")
    page.goto("home")
    page.get_by_role("link", name="Lead's work").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your academy's work")
    check_reflow(page, "lead-work-01-home")

    page.get_by_role("link", name="Workshop attendance to record").click()
    # Casts share the stack (and the practitioner's name): this journey is found by its link.
    row = page.get_by_role("row").filter(has=page.locator(f'a[href$="/lead/journeys/{journey_id}"]'))
    expect(row).to_contain_text(c.practitioner.name)
    check_reflow(page, "lead-work-02-attendance-list")

    row.get_by_role("link", name=f"Record attendance for {c.practitioner.name}").click()
    page.get_by_role("button", name="Record attendance").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Select the practitioners whose attendance you are recording")
    expect(summary).to_contain_text("Select whether they attended the workshop")
    check_reflow(page, "lead-work-03-attendance-errors")

    page.locator(f'input[name="people"][value="{journey_id}"]').check()
    page.get_by_label("No, they did not attend").check()
    page.get_by_role("button", name="Record attendance").click()
    expect(page.get_by_text("Recorded that they did not attend the workshop.")).to_be_visible()
    check_reflow(page, "lead-work-04-cohort")

    page.locator(f'a[href$="/lead/journeys/{journey_id}"]').click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{c.practitioner.name}'s journey")
    expect(page.get_by_text("Ten years in OD.")).to_be_visible()  # the reflection "your academy sees"
    check_reflow(page, "lead-work-05-journey")

    page.get_by_role("link", name="Record an equivalent session").click()
    page.get_by_role("button", name="Record session").click()
    expect(summary).to_contain_text("Select the session they attended instead of the workshop")
    check_reflow(page, "lead-work-06-equivalent-errors")
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
    check_reflow(page, "lead-work-07-cohort-edit-errors")
    page.get_by_label("Places (optional)").fill("12")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("at Academy House, Manchester")).to_be_visible()
    expect(page.get_by_text("1 of 12 places taken.")).to_be_visible()

    # Choosing a panel by hand: the members and the reason are asked for once the override is chosen.
    page.goto(f"lead/assignments/{journey_id}")
    expect(page.get_by_label("Why you are overriding the rules")).to_have_count(0)
    check_reflow(page, "lead-work-08-resolve")
    page.get_by_label("Choose the panel members myself, overriding the rules").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_label("Why you are overriding the rules")).to_be_visible()
    expect(page.get_by_text("From the practitioner's own academy").first).to_be_visible()
    check_reflow(page, "lead-work-09-resolve-override")
    page.get_by_role("button", name="Assign panel").click()
    expect(summary).to_contain_text("Select the members of the panel")
    check_reflow(page, "lead-work-10-resolve-errors")


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
    check_reflow(page, "lead-work-14-national")

    page.goto(f"lead/journeys/{journey_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{c.practitioner.name}'s journey")
    expect(page.get_by_text("not the practitioner's reflection, claim or evidence")).to_be_visible()
    expect(page.get_by_text("Ten years in OD.")).to_have_count(0)
    check_reflow(page, "lead-work-15-national-journey")
