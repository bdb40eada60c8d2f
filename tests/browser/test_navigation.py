"""Issue 16 in Chromium on the local stack: each person walks from the email they were sent to the page
where they act, signing in on the way, and every page on the path is axe-clean. The walks count their
page loads and clicks (printed with -s; the figures are in the issue's notes): a panel member from
"asked to review" to a submitted review, a supporter from "named as supporter" to the comment form, a
practitioner from "developmental feedback" to a new claim. The decision's conditional date works without
JavaScript."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from local import scenario
from local.stack import LocalStack
from odvalidation.domain.frameworks import framework
from odvalidation.domain.models import Level

from .conftest import check_page

pytestmark = pytest.mark.browser


class Walk:
    """Counts what a person does: page loads (main-frame navigations, redirects followed within one)
    and clicks."""

    def __init__(self, page: Any) -> None:
        self.page, self.loads, self.clicks = page, 0, 0
        page.on("framenavigated", lambda frame: self._loaded(frame))

    def _loaded(self, frame: Any) -> None:
        if frame == self.page.main_frame:
            self.loads += 1

    def click(self, locator: Any) -> None:
        self.clicks += 1
        locator.click()

    def sign_in(self, email: str) -> None:
        """On the sign-in page an email link led to: fill it in and press the button (one click)."""
        self.page.get_by_label("Email address").fill(email)
        self.page.get_by_role("textbox", name="Password").fill(scenario.PASSWORD)
        self.click(self.page.get_by_role("button", name="Sign in"))

    def report(self, who: str) -> None:
        print(f"\n[issue 16] {who}: {self.loads} page loads, {self.clicks} clicks")


def link_in(stack: LocalStack, to: str, subject: str, path: str) -> str:
    """The link to `path` in the newest email to `to` about `subject`."""
    stack.wait_for_email(to, subject, body_containing=path)
    mail = [m for m in stack.sent_emails() if to in m.to and subject in m.subject and path in m.body][-1]
    found = re.search(r"https?://\S*" + re.escape(path) + r"\S*", mail.body)
    assert found is not None, mail.body
    return found.group(0)


def submitted_claim(stack: LocalStack) -> tuple[scenario.Cast, str]:
    c = scenario.cast(stack)
    journey_id = scenario.to_claim_development(c)
    scenario.build_claim(c, journey_id)
    scenario.wait_claim_complete(c, journey_id)
    scenario.submit(c, journey_id)
    c.practitioner.api.wait_step(journey_id, "panel_review")
    return c, journey_id


def test_a_panel_member_goes_from_the_email_to_the_declaration_and_the_review(
    stack: LocalStack, stack_page: Any
) -> None:
    page = stack_page
    c, journey_id = submitted_claim(stack)
    seats = c.lead.api.get(f"/api/journeys/{journey_id}/panel")["seats"]
    members = {**scenario.PANEL, **{m.id: m for m in c.panel}}
    me = members[seats[0]["member_id"]]
    elements = [e.id for e in framework(c.framework_key).elements_for(Level.LEADER)]
    link = link_in(stack, me.email, "asked to review", f"/panel/{journey_id}")

    walk = Walk(page)
    page.goto(link)  # opened from the email: sign in first, then straight on to the declaration
    walk.sign_in(me.email)
    page.wait_for_url(f"**/panel/{journey_id}/declaration")
    # What a conflict is judged on, about this practitioner.
    facts = page.locator("dl").first
    expect(facts).to_contain_text(c.practitioner.name)
    expect(facts).to_contain_text("Riverside Trust")
    expect(facts).to_contain_text("North West Leadership Academy")
    check_page(page, "navigation-01-declaration-from-email")

    page.get_by_label("I have no conflict of interest").check()
    walk.clicks += 1
    walk.click(page.get_by_role("button", name="Send declaration"))
    page.wait_for_url(f"**/panel/{journey_id}/review")
    for element_id in elements:
        page.locator(f"#judgement-{element_id.replace('.', '-')}").check()
        walk.clicks += 1
    page.get_by_label("System OD leader").check()
    walk.clicks += 1
    walk.click(page.get_by_role("button", name="Submit review"))
    page.wait_for_url(f"**/panel/{journey_id}/reviews?submitted=1")
    # Reviewers are told apart by their role and organisation.
    reviewer = re.compile(r"^You \((Chair, )?(expert|peer), Org \d")
    expect(page.get_by_role("rowheader", name=reviewer)).to_have_count(len(elements) + 1)
    check_page(page, "navigation-02-reviews")
    walk.report(f"panel member, email to review submitted ({len(elements)} elements)")
    assert walk.loads == 4  # sign-in, declaration, review, all reviews

    # Signed in, home shows the assignment and the header links to all of them.
    page.goto("home")
    expect(page.get_by_role("heading", name="Your panel assignments")).to_be_visible()
    expect(page.get_by_text("Cannot start yet")).to_have_count(0)
    expect(
        page.get_by_role("navigation", name="Account").get_by_role("link", name="Panel assignments")
    ).to_be_visible()
    check_page(page, "navigation-03-panel-home")


def test_a_named_supporter_goes_from_the_email_to_the_comment_form(
    stack: LocalStack, stack_page: Any
) -> None:
    page = stack_page
    c = scenario.cast(stack)
    journey_id = scenario.to_claim_development(c)
    supporter = scenario.name_supporter(stack, c, journey_id)
    link = link_in(stack, supporter.email, "named you as their supporter", f"/journeys/{journey_id}")

    walk = Walk(page)
    page.goto(link)
    walk.sign_in(supporter.email)
    page.wait_for_url(f"**/journeys/{journey_id}*")
    expect(page.get_by_role("textbox", name="Your comment")).to_be_visible()
    check_page(page, "navigation-04-supporter-from-email")
    walk.report("supporter, email to the comment form")
    assert walk.loads == 2

    page.goto("home")
    expect(page.get_by_role("link", name=f"{c.practitioner.name}'s claim")).to_be_visible()


def test_after_not_yet_the_practitioner_reads_the_feedback_and_starts_a_new_claim(
    stack: LocalStack, stack_page: Any
) -> None:
    page = stack_page
    c, journey_id = submitted_claim(stack)
    scenario.review(c, journey_id, "not_yet")
    scenario.interview(c, journey_id, "not_yet")
    c.practitioner.api.wait_stage(journey_id, "not_yet_validated")
    link = link_in(stack, c.practitioner.email, "developmental feedback", f"/journeys/{journey_id}")

    walk = Walk(page)
    page.goto(link)
    walk.sign_in(c.practitioner.email)
    page.wait_for_url(f"**/journeys/{journey_id}*")
    feedback = page.locator("h3:has-text('feedback on each element') + dl")
    expect(feedback).to_contain_text("Build more evidence of influencing senior leaders.")
    steps = page.locator(".nhsuk-task-list__status")
    expect(steps).to_have_count(6)
    expect(page.get_by_text("Cannot start yet")).to_have_count(0)
    check_page(page, "navigation-05-not-yet")

    walk.click(page.get_by_role("button", name="Start a new claim"))
    page.wait_for_url(f"**/journeys/{journey_id}?done=new-claim")
    walk.report("practitioner, outcome email to a new claim started")
    assert walk.loads == 3  # sign-in, the journey at its outcome, the new claim started
    c.practitioner.api.wait_step(journey_id, "claim_development")
    page.reload()
    statuses = [s.strip() for s in steps.all_inner_texts()]
    assert statuses[:3] == ["Completed"] * 3  # the steps done stay done
    check_page(page, "navigation-06-new-claim")


def test_the_decisions_date_sits_under_its_choice_with_or_without_javascript(
    stack: LocalStack, stack_page: Any, stack_page_no_js: Any
) -> None:
    c = scenario.cast(stack)
    journey_id = scenario.register(c)
    scenario.reflect(c, journey_id)
    scenario.attend_workshop(c, journey_id)
    c.practitioner.api.wait_step(journey_id, "decision")

    for page, scripted in ((stack_page, True), (stack_page_no_js, False)):
        page.goto(f"sign-in?next=/journeys/{journey_id}/decision")
        page.get_by_label("Email address").fill(c.practitioner.email)
        page.get_by_role("textbox", name="Password").fill(scenario.PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"**/journeys/{journey_id}/decision")
        # Shown only with its choice, by CSS (no script): see also test_reflow_and_charts.py.
        expect(page.locator("#conditional-readiness-2").get_by_label("Day")).to_be_hidden()
        page.get_by_label("I will be ready in 12 to 18 months").check()
        expect(page.locator("#conditional-readiness-2").get_by_label("Day")).to_be_visible()
        check_page(page, f"navigation-07-decision-{'js' if scripted else 'no-js'}")
