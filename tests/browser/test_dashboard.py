"""The reporting dashboard in Chromium on the local stack: national, academy and cohort pages for a national
lead, the suppressed national view for an academy lead, and the feedback form; each axe-clean, with
JavaScript on and off, and screenshots."""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from local import scenario
from local.stack import LocalStack
from odvalidation import clock

from .conftest import check_page, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def pipeline(stack: LocalStack) -> dict[str, Any]:
    """A cohort with practitioners at several steps: one per readiness decision and one still reflecting."""
    c = scenario.cast(stack, academy="east-of-england", tag=secrets.token_hex(3))
    journeys = []
    for readiness in ("ready_now", "ready_12_18_months", "further_development", None):
        p = scenario.person(
            stack,
            f"pat.{uuid.uuid4().hex[:8]}@example.nhs.uk",
            "Keziah Abernethy",
            ["practitioner"],
            academy="east-of-england",
            employer="Fenland Trust",
        )
        each = scenario.Cast(
            lead=c.lead, practitioner=p, panel=c.panel, cohort_id=c.cohort_id, framework_key=c.framework_key
        )
        journey_id = scenario.register(each)
        if readiness:
            scenario.reflect(each, journey_id)
            scenario.attend_workshop(each, journey_id)
            scenario.decide(
                each,
                journey_id,
                readiness,
                reengage_on=(clock.now() + timedelta(days=400)).date().isoformat(),
            )
        journeys.append(journey_id)
    national = f"national.{uuid.uuid4().hex[:8]}@england.example.nhs.uk"
    stack.create_user(national, "Olamide Sørensen", ["national_lead"], scenario.PASSWORD)
    return {"cast": c, "national": national, "journeys": journeys}


def test_a_national_lead_sees_the_pipeline_nationally_by_academy_and_by_cohort(
    stack_page: Any, pipeline: dict[str, Any]
) -> None:
    page = stack_page
    sign_in(page, pipeline["national"])
    page.goto("reports")
    expect(page.get_by_role("heading", level=1)).to_have_text("The OD talent pipeline in England")
    # Each chart is drawn for the eye (hidden from screen readers) with its numbers in a table beside it:
    # the funnel, readiness, outcomes, readiness by workshop quarter and the pipeline by academy.
    expect(page.locator(".app-chart[aria-hidden=true]")).to_have_count(5)
    funnel = page.locator("figure", has=page.get_by_role("heading", name="The pipeline: England"))
    expect(funnel.get_by_role("table")).to_contain_text("Expressed interest")
    expect(page.get_by_role("link", name="Download these figures as a spreadsheet")).to_be_visible()
    check_page(page, "dashboard-01-national")

    page.get_by_role("link", name="East of England Leadership Academy").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("East of England Leadership Academy")
    check_page(page, "dashboard-02-academy")

    cohort_name = page.locator("table a[href*='/reports/cohorts/']").first
    cohort_name.click()
    expect(page.get_by_role("heading", level=2, name="Participant feedback")).to_be_visible()
    readiness = page.locator("figure", has=page.locator("h3", has_text="Readiness decisions"))
    expect(readiness.get_by_role("table")).to_contain_text("Ready in 12 to 18 months")
    assert "/reports/cohorts/" in page.url
    check_page(page, "dashboard-03-cohort")

    response = page.request.get("reports/export.csv?scope=national")
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/csv")


def test_an_academy_lead_sees_the_national_picture_suppressed_without_javascript(
    stack_page_no_js: Any, pipeline: dict[str, Any]
) -> None:
    page = stack_page_no_js
    c: scenario.Cast = pipeline["cast"]
    sign_in(page, c.lead.email)
    page.goto("reports")
    expect(page.locator(".nhsuk-inset-text")).to_contain_text("shown as * (suppressed)")
    expect(page.get_by_role("heading", name="East of England Leadership Academy (exact)")).to_be_visible()
    check_page(page, "dashboard-04-academy-lead-national")
    # Another academy's page shows its row as this page shows it, under the same rule (issue 17.9).
    page.get_by_role("link", name="London Leadership Academy").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("London Leadership Academy")
    expect(page.locator(".nhsuk-inset-text")).to_contain_text("shown as * (suppressed)")
    check_page(page, "dashboard-05-academy-lead-other-academy")


def test_the_feedback_form_after_the_outcome(stack: LocalStack, stack_page: Any) -> None:
    c = scenario.cast(stack, academy="south-west", tag=secrets.token_hex(3))
    journey_id = scenario.register(c)
    scenario.reflect(c, journey_id)
    scenario.attend_workshop(c, journey_id)
    scenario.decide(c, journey_id, "ready_now")
    scenario.build_claim(c, journey_id, level="system_od_practitioner")
    scenario.submit(c, journey_id)
    scenario.review(c, journey_id, recommendation="system_od_practitioner")
    scenario.interview(c, journey_id, "system_od_practitioner")
    c.practitioner.api.wait_stage(journey_id, "validated")

    page = stack_page
    sign_in(page, c.practitioner.email)
    page.goto(f"journeys/{journey_id}/feedback")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Tell us how the validation process was for you"
    )
    page.get_by_role("button", name="Send feedback").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    check_page(page, "feedback-01-errors")
    for group in page.locator("fieldset").all():
        group.get_by_label("4 - Agree").check()
    page.get_by_label("Anything else you would like to tell us (optional)").fill("Opened doors for me.")
    page.get_by_role("button", name="Send feedback").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your feedback")
    check_page(page, "feedback-02-thanks")
    summary = c.lead.api.get(f"/api/reports/cohorts/{c.cohort_id}/feedback")
    assert summary["responses"] == 1
    # One respondent is fewer than the threshold: their words are withheld, and the summary says so.
    assert summary["comments"] is None
    assert summary["comments_withheld"] is True
