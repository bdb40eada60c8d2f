"""Issue 17.10-11 and 16.12 in Chromium on the local stack: every report page, the national table, the
pool and the lead's cohort pages reflow at 375 px (no sideways scroll, axe-clean at 1280 and 375 px,
chart text at least 12 px), the pipeline by academy and readiness by workshop quarter are drawn beside
their tables, and the decision's date shows only with "12 to 18 months", with or without JavaScript."""

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
from .reflow import PHONE, chart_text_sizes, check_reflow

pytestmark = pytest.mark.browser

ACADEMY = "north-east"


@pytest.fixture(scope="module")
def programme(stack: LocalStack) -> dict[str, Any]:
    """A cohort with one practitioner per readiness decision, and a national lead."""
    c = scenario.cast(stack, academy=ACADEMY, tag=secrets.token_hex(3))
    for readiness in ("ready_now", "ready_12_18_months", "further_development"):
        p = scenario.person(
            stack,
            f"pat.{uuid.uuid4().hex[:8]}@example.nhs.uk",
            "Ifeoma Castellanos-Whitfield",
            ["practitioner"],
            academy=ACADEMY,
            employer="Tyneside and Wearside Integrated Care Partnership Trust",
        )
        each = scenario.Cast(
            lead=c.lead, practitioner=p, panel=c.panel, cohort_id=c.cohort_id, framework_key=c.framework_key
        )
        journey_id = scenario.register(each)
        scenario.reflect(each, journey_id)
        scenario.attend_workshop(each, journey_id)
        scenario.decide(
            each, journey_id, readiness, reengage_on=(clock.now() + timedelta(days=400)).date().isoformat()
        )
    national = f"national.{uuid.uuid4().hex[:8]}@england.example.nhs.uk"
    stack.create_user(national, "Oluwaseun Fitzgerald-Nakamura", ["national_lead"], scenario.PASSWORD)
    return {"cast": c, "national": national}


def test_every_report_page_reflows_for_a_national_lead(stack_page: Any, programme: dict[str, Any]) -> None:
    page = stack_page
    c: scenario.Cast = programme["cast"]
    sign_in(page, programme["national"])
    page.goto("reports")
    # The pipeline by academy, one chart with its table beside it.
    by_academy = page.locator(
        "figure", has=page.get_by_role("heading", name="The pipeline by academy", exact=True)
    )
    expect(by_academy.get_by_role("region", name="The pipeline by academy: the numbers")).to_be_visible()
    expect(by_academy.get_by_role("columnheader", name="Claims taken to interview")).to_be_visible()
    # Readiness over time, by the quarter of each cohort's workshop, with its three decisions.
    quarters = page.locator(
        "figure", has=page.get_by_role("heading", name="Readiness by workshop quarter: England")
    )
    table = quarters.get_by_role("table")
    for heading in ("Workshop quarter", "Ready now", "Ready in 12 to 18 months", "Further development"):
        expect(table.get_by_role("columnheader", name=heading)).to_be_visible()
    # The drawing is hidden from screen readers (the table says it); every bar is labelled in words.
    expect(quarters.locator(".app-chart[aria-hidden=true] .app-chart__legend")).to_contain_text(
        "Further development"
    )
    check_reflow(page, "reflow-01-national")

    page.set_viewport_size(PHONE)
    sizes = chart_text_sizes(page)
    assert sizes
    assert min(px for px, _ in sizes) >= 12
    # Bars are drawn (SVG), but no text is inside an SVG: it would shrink with it.
    assert page.locator(".app-chart svg text").count() == 0
    assert page.locator(".app-chart__bar").count() > 0
    page.set_viewport_size({"width": 1280, "height": 720})

    page.goto(f"reports/academies/{ACADEMY}")
    expect(page.get_by_role("heading", name="Readiness over time")).to_be_visible()
    check_reflow(page, "reflow-02-academy")
    page.goto("reports/cohorts")
    expect(page.locator(".app-table-region[role=region][tabindex='0']").first).to_be_visible()
    check_reflow(page, "reflow-03-cohort-table")
    page.goto(f"reports/cohorts/{c.cohort_id}")
    check_reflow(page, "reflow-04-cohort-report")


def test_report_pool_and_cohort_pages_reflow_for_an_academy_lead(
    stack_page: Any, programme: dict[str, Any]
) -> None:
    page = stack_page
    c: scenario.Cast = programme["cast"]
    sign_in(page, c.lead.email)
    page.goto("reports")
    expect(page.locator(".nhsuk-inset-text")).to_contain_text("shown as * (suppressed)")
    # Suppressed view: no quarterly chart, and the page says why and where the academy's own is.
    expect(page.get_by_text("Readiness by workshop quarter is shown to national leads only")).to_be_visible()
    check_reflow(page, "reflow-05-national-suppressed")
    page.goto("reports/academies/london")
    check_reflow(page, "reflow-06-other-academy")
    for path, name in (
        ("lead", "reflow-07-lead-cohorts"),
        (f"lead/cohorts/{c.cohort_id}", "reflow-08-lead-cohort"),
        ("lead/pool", "reflow-09-pool"),
        ("lead/assignments", "reflow-10-assignments"),
    ):
        page.goto(path)
        check_reflow(page, name)
    # A table wider than the phone scrolls inside its own region, which a keyboard can reach.
    page.goto("lead/pool")
    region = page.get_by_role("region", name="Members")
    expect(region).to_have_attribute("tabindex", "0")
    # The pool's other pages, a practitioner's journey and the cohort and invitation forms.
    member = page.locator("a[href*='/lead/pool/']:not([href$='/new'])").first.get_attribute("href")
    page.goto(f"lead/cohorts/{c.cohort_id}")
    journey = page.locator("a[href*='/lead/journeys/']").first.get_attribute("href")
    assert member
    assert journey
    for path, name in (
        (member.split("/v1/", 1)[-1], "reflow-11-pool-member"),
        ("lead/pool/new", "reflow-12-pool-new"),
        (journey.split("/v1/", 1)[-1], "reflow-13-lead-journey"),
        ("lead/invitations", "reflow-14-invite"),
        ("lead/cohorts/new", "reflow-15-cohort-new"),
        (f"lead/cohorts/{c.cohort_id}/edit", "reflow-16-cohort-edit"),
    ):
        page.goto(path)
        check_reflow(page, name)


def _at_decision(stack: LocalStack) -> tuple[scenario.Cast, str]:
    c = scenario.cast(stack, tag=secrets.token_hex(3))
    journey_id = scenario.register(c)
    scenario.reflect(c, journey_id)
    scenario.attend_workshop(c, journey_id)
    c.practitioner.api.wait_step(journey_id, "decision")
    return c, journey_id


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_decision_date_shows_only_with_12_to_18_months(
    stack: LocalStack, stack_page: Any, stack_page_no_js: Any, javascript: bool
) -> None:
    page = stack_page if javascript else stack_page_no_js
    c, journey_id = _at_decision(stack)
    sign_in(page, c.practitioner.email)
    page.goto(f"journeys/{journey_id}/decision")
    day = page.get_by_role("textbox", name="Day", exact=True)
    expect(day).to_be_hidden()
    check_page(page, f"decision-reveal-01-{'js' if javascript else 'no-js'}")
    page.get_by_label("I will be ready in 12 to 18 months").check()
    expect(day).to_be_visible()
    check_page(page, f"decision-reveal-02-{'js' if javascript else 'no-js'}")
    page.get_by_label("I am ready to make a claim now").check()
    expect(day).to_be_hidden()
    # The date is checked only with its choice: a bad one, then chosen, comes back shown with its error.
    page.get_by_label("I will be ready in 12 to 18 months").check()
    day.fill("31")
    page.get_by_role("textbox", name="Month", exact=True).fill("2")
    page.get_by_role("textbox", name="Year", exact=True).fill("2030")
    page.get_by_role("button", name="Record my decision").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    expect(page.get_by_label("I will be ready in 12 to 18 months")).to_be_checked()
    expect(page.get_by_role("textbox", name="Day", exact=True)).to_be_visible()
    check_page(page, f"decision-reveal-03-{'js' if javascript else 'no-js'}")
