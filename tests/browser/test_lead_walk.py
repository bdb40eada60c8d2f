"""Issue 17's "done when", in Chromium on the local stack: an academy lead signs in and reaches every task
of theirs by following links only (no URL typed after the sign-in page), and a national lead reaches the
national table by cohort, filters it and downloads its CSV. Every page on the way is checked by
`check_reflow`: axe-clean at 1280 px and 375 px, no sideways scroll on the page itself, stacked tables
keeping their headings, chart text readable.

One seeded academy (used by no other browser module, so the lead's counts are exact) serves both walks:
a practitioner whose attendance is due, one developing a claim, one whose claim is at the interview,
one whose claim waits for a panel because the whole pool was away when it was submitted, and one whose
journey stopped because assigning its panel failed once.
"""

from __future__ import annotations

import csv
import importlib
import io
import re
import secrets
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from local import dispatch, scenario
from local.stack import LocalStack
from odvalidation import clock
from odvalidation.domain.academies import academy

from .reflow import check_reflow

pytestmark = pytest.mark.browser

ACADEMY = "thames-valley-wessex"


@dataclass
class Programme:
    cast: scenario.Cast
    national: scenario.Person
    attending: scenario.Cast  # reflected; the workshop (today) not yet recorded
    developing: scenario.Cast  # developing a claim: an extension may be granted
    interview: scenario.Cast  # all reviews in: the interview is to arrange
    waiting: scenario.Cast  # submitted while the pool was away: waits for a panel
    stopped: scenario.Cast  # submitted when assigning its panel failed: stopped, for a lead to resume
    journeys: dict[str, str]  # by the names above


def _named(stack: LocalStack, c: scenario.Cast, name: str) -> scenario.Cast:
    """One more practitioner in the cast's cohort, with a name of their own (the walk finds them by it)."""
    tag = secrets.token_hex(3)
    p = scenario.person(
        stack,
        f"pat.{tag}@example.nhs.uk",
        name,
        ["practitioner"],
        academy=ACADEMY,
        employer=f"Solent Community Trust {tag}",
    )
    return scenario.Cast(
        lead=c.lead,
        practitioner=p,
        panel=c.panel,
        cohort_id=c.cohort_id,
        framework_key=c.framework_key,
        academy=ACADEMY,
    )


@contextmanager
def _away(national: scenario.Person, which: Callable[[dict[str, Any]], bool]) -> Iterator[None]:
    """Pool members chosen by `which` unavailable for the next two months, then put back as they were
    (the pool is national, and other modules share the stack)."""
    original = [m for m in national.api.get("/api/panel/members")["members"] if which(m)]
    today = clock.now().date()
    away = {"start": today.isoformat(), "end": (today + timedelta(days=60)).isoformat()}
    try:
        for m in original:
            national.api.put(
                f"/api/panel/members/{m['id']}",
                {**scenario.member_details(m), "unavailable": [*m["unavailable"], away]},
            )
        yield
    finally:
        for m in original:
            national.api.put(f"/api/panel/members/{m['id']}", scenario.member_details(m))


def _unknown(member: dict[str, Any]) -> bool:
    """A member added through the pool's form by another module: invited, but no one here can sign in as
    them to review, so they must not sit on this module's panels."""
    return member["id"] not in scenario.PANEL


def _wait_for_a_panel(national: scenario.Person, c: scenario.Cast) -> str:
    """A complete claim submitted while every pool member is away: the workflow finds no valid panel and
    the claim waits for the lead."""
    journey_id = scenario.to_claim_development(c)
    scenario.build_claim(c, journey_id)
    scenario.wait_claim_complete(c, journey_id)
    with _away(national, lambda m: True):
        scenario.submit(c, journey_id)
        c.practitioner.api.wait_step(journey_id, "awaiting_panel")
    return journey_id


def _assign_panel_fails_once() -> tuple[str, dispatch.HandlerRef, list[str]]:
    """The deployed panel-assignment function's handler, replaced by one that fails its next call (not a
    transient error: the workflow records the failure on the journey, for a lead to resume)."""
    name = next(n for n, ref in dispatch.HANDLERS.items() if ref.module == "functions.assign_panel.app")
    ref = dispatch.HANDLERS[name]
    real = getattr(importlib.import_module(ref.module), ref.attribute)
    failed: list[str] = []

    def handler(event: Any, context: Any) -> Any:
        if not failed:
            failed.append(name)
            raise RuntimeError("injected: the panel could not be assigned")
        return real(event, context)

    globals()["_assign_panel_handler"] = handler
    return name, ref.model_copy(update={"module": __name__, "attribute": "_assign_panel_handler"}), failed


def _stop(c: scenario.Cast) -> str:
    journey_id = scenario.to_claim_development(c)
    scenario.build_claim(c, journey_id)
    scenario.wait_claim_complete(c, journey_id)
    name, failing, failed = _assign_panel_fails_once()
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(dispatch.HANDLERS, name, failing)
        scenario.submit(c, journey_id)
        c.practitioner.api.wait_for(journey_id, lambda j: bool(j["failure"]), timeout=30, what="a failure")
    assert failed
    return journey_id


@pytest.fixture(scope="module")
def programme(stack: LocalStack) -> Programme:
    c = scenario.cast(stack, academy=ACADEMY, tag=secrets.token_hex(3))
    national = scenario.person(
        stack,
        f"national.{uuid.uuid4().hex[:8]}@england.example.nhs.uk",
        "Oyelaran Quist-Bellamy",
        ["national_lead"],
        academy="north-west",
        employer="NHS England",
    )
    attending = _named(stack, c, "Anwen Attenborough-Lye")
    developing = _named(stack, c, "Dagny Devereux-Oduya")
    interview = _named(stack, c, "Ines Ilunga-Marsh")
    waiting = _named(stack, c, "Wiremu Wakefield-Ng")
    journeys = {"attending": scenario.register(attending)}
    scenario.reflect(attending, journeys["attending"])
    journeys["developing"] = scenario.to_claim_development(developing)
    journeys["interview"] = scenario.to_claim_development(interview)
    scenario.build_claim(interview, journeys["interview"])
    scenario.wait_claim_complete(interview, journeys["interview"])
    with _away(national, _unknown):
        scenario.submit(interview, journeys["interview"])
        scenario.review(interview, journeys["interview"])
    interview.practitioner.api.wait_step(journeys["interview"], "interview")
    journeys["waiting"] = _wait_for_a_panel(national, waiting)
    stopped = _named(stack, c, "Saoirse Stanhope-Adjei")
    journeys["stopped"] = _stop(stopped)
    return Programme(c, national, attending, developing, interview, waiting, stopped, journeys)


class LinksOnly:
    """A person's walk: they sign in on the sign-in page, then only follow links and press buttons.
    `page.goto` is taken away once they are signed in, so a page reached only by typing fails the walk.
    Page loads and clicks are counted (printed with -s)."""

    def __init__(self, page: Any) -> None:
        self.page, self.loads, self.clicks = page, 0, 0
        page.on("framenavigated", lambda frame: self._loaded(frame))

    def _loaded(self, frame: Any) -> None:
        if frame == self.page.main_frame:
            self.loads += 1

    def sign_in(self, email: str) -> None:
        self.page.goto("sign-in")
        self.page.get_by_label("Email address").fill(email)
        self.page.get_by_role("textbox", name="Password").fill(scenario.PASSWORD)
        self.click(self.page.get_by_role("button", name="Sign in"))
        self.page.wait_for_url("**/home")

        def typed(url: str, **_: Any) -> None:
            raise AssertionError(f"the walk typed a URL ({url}): every page must be reached by a link")

        self.page.goto = typed

    def click(self, locator: Any) -> None:
        self.clicks += 1
        locator.click()

    def link(self, name: str, *, within: Any = None, exact: bool = False) -> None:
        self.click((within or self.page).get_by_role("link", name=name, exact=exact).first)

    def button(self, name: str, *, within: Any = None) -> None:
        self.click((within or self.page).get_by_role("button", name=name))

    def header(self, name: str) -> None:
        """A link in the header, on every page: to the person's work."""
        self.link(name, within=self.page.get_by_role("navigation", name="Account"), exact=True)

    def report(self, who: str) -> None:
        print(f"\n[issue 17] {who}: {self.loads} page loads, {self.clicks} clicks")


def _count(page: Any, kind: str) -> Any:
    return page.locator(f"#task-{kind} .nhsuk-card__description")


def test_an_academy_lead_reaches_every_task_by_links(
    stack_page: Any, programme: Programme, stack: LocalStack
) -> None:
    walk, page = LinksOnly(stack_page), stack_page
    walk.sign_in(programme.cast.lead.email)
    p, j = programme, programme.journeys
    summary = page.locator(".nhsuk-error-summary")
    check_reflow(page, "walk-lead-01-signed-in")

    # 1. The lead's home: what waits, each with a count; the alerts (5) with theirs.
    walk.header("Lead's work")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your academy's work")
    for kind, count in (
        ("attendance", 1),
        ("panels", 1),
        ("interviews", 1),
        ("stopped", 1),
        ("certificates", 0),
    ):
        expect(_count(page, kind)).to_have_text(str(count))
    alerts = page.locator("#alert-counts")
    expect(alerts).to_contain_text("Claims with no valid panel: 1")
    expect(alerts).to_contain_text("Claims with all reviews in: 1")
    check_reflow(page, "walk-lead-02-home")

    # 2. A journey that stopped: read why, and resume it.
    walk.link("Journeys that stopped")
    check_reflow(page, "walk-lead-02a-stopped")
    walk.link(f"See the journey for {p.stopped.practitioner.name}")
    # Where and why, in the error's own words: not the JSON and stack trace Lambda wraps them in.
    expect(page.locator(".nhsuk-summary-list")).to_contain_text(
        "At the claim submitted step: injected: the panel could not be assigned (RuntimeError)"
    )
    expect(page.get_by_text("stackTrace")).to_have_count(0)
    check_reflow(page, "walk-lead-02b-stopped-journey")
    walk.button("Resume the journey")
    expect(page.get_by_text("Journey resumed.")).to_be_visible()
    walk.header("Lead's work")

    # 3. Attendance: an empty submit, then "did not attend", then "attended".
    walk.link("Workshop attendance to record")
    check_reflow(page, "walk-lead-03-attendance-list")
    walk.link(f"Record attendance for {p.attending.practitioner.name}")
    walk.button("Record attendance")
    expect(summary).to_contain_text("Select the practitioners whose attendance you are recording")
    expect(summary).to_contain_text("Select whether they attended the workshop")
    check_reflow(page, "walk-lead-04-attendance-errors")
    page.get_by_label(p.attending.practitioner.name).check()
    page.get_by_label("No, they did not attend").check()
    walk.button("Record attendance")
    expect(page.get_by_text("Recorded that they did not attend the workshop.")).to_be_visible()
    expect(page.get_by_text("Recorded as not attending")).to_be_visible()
    page.get_by_label(p.attending.practitioner.name).check()
    page.get_by_label("Yes, they attended").check()
    walk.button("Record attendance")
    expect(page.get_by_text("Attendance recorded.")).to_be_visible()
    check_reflow(page, "walk-lead-05-cohort")

    # 2. A practitioner's journey: the reflection "your academy sees", and what can be done now.
    walk.link(p.attending.practitioner.name, exact=True)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{p.attending.practitioner.name}'s journey")
    expect(page.get_by_text("Ten years in OD.")).to_be_visible()
    check_reflow(page, "walk-lead-06-journey")

    # The extension, from the cohort's list of actions.
    walk.link("Back to the cohort")
    walk.link(f"Grant extension for {p.developing.practitioner.name}")
    check_reflow(page, "walk-lead-07-extension")
    page.get_by_label("Extra weeks").fill("4")
    page.get_by_label("Reason").fill("Long-term sickness in the team.")
    walk.button("Grant extension")
    expect(page.get_by_text("Extension granted.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{p.developing.practitioner.name}'s journey")

    # 6. The interview: arranged from the home's card; the cohort list then gives its date.
    walk.header("Lead's work")
    walk.link("Interviews to arrange")
    walk.link(f"Arrange interview for {p.interview.practitioner.name}")
    check_reflow(page, "walk-lead-08-interview")
    # A few minutes ahead on the product clock, which then moves on to it: "took place" is recorded
    # only once the interview's time has come (and an interview is arranged within a year).
    when = (clock.now() + timedelta(minutes=10)).replace(second=0, microsecond=0)
    page.get_by_label("Day").fill(str(when.day))
    page.get_by_label("Month").fill(str(when.month))
    page.get_by_label("Year").fill(str(when.year))
    page.get_by_label("Start time (UK time, 24-hour)").fill(f"{when:%H:%M}")
    page.get_by_label("Location or video link").fill("Room 4, Academy House")
    walk.button("Arrange interview")
    expect(page.get_by_text("Interview arranged: the panel and the practitioner")).to_be_visible()
    expect(page.get_by_text(f"{when:%-d %B %Y at %H:%M}")).to_be_visible()
    expect(page.get_by_role("button", name="Record that the interview took place")).to_have_count(0)
    stack.advance_clock(minutes=11)
    expect(page.get_by_text("Clear evidence.").first).to_be_visible()  # the panel's reviews
    check_reflow(page, "walk-lead-09-journey-interview")
    walk.link("Back to the cohort")
    walk.link(f"Interview on {when:%-d %b %Y} for {p.interview.practitioner.name}")
    expect(page.get_by_text(f"The interview is arranged for {when:%-d %B %Y at %H:%M}")).to_be_visible()
    check_reflow(page, "walk-lead-10-interview-arranged")
    walk.link(f"Back to {p.interview.practitioner.name}'s journey")
    walk.button("Record that the interview took place")
    expect(page.get_by_text("Recorded that the interview took place")).to_be_visible()

    # The chair records the outcome on their own pages; the certificate is then revoked, after "are you sure".
    chair_records_the_outcome(p.interview, j["interview"])
    walk.header("Lead's work")
    expect(_count(page, "certificates")).to_have_text("1")
    walk.link("Certificates issued")
    walk.link(f"See the journey for {p.interview.practitioner.name}")
    walk.link("Revoke certificate")
    check_reflow(page, "walk-lead-11-revoke")
    page.get_by_label("Reason for revoking").fill("Issued in error.")
    walk.button("Continue")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Are you sure you want to revoke this certificate?"
    )
    check_reflow(page, "walk-lead-12-revoke-confirm")
    walk.button("Yes, revoke the certificate")
    expect(page.get_by_text("The certificate is revoked.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{p.interview.practitioner.name}'s journey")

    # 6. Editing the cohort, from the home's list of cohorts (a mistake first).
    walk.header("Lead's work")
    cohorts = page.get_by_role("table").filter(has=page.get_by_role("columnheader", name="Workshop"))
    walk.click(cohorts.get_by_role("link").first)
    walk.link("Change the cohort")
    page.get_by_label("Workshop venue (optional)").fill("Kassam Court, Oxford")
    page.get_by_label("Places (optional)").fill("0")
    walk.button("Save changes")
    expect(summary).to_contain_text("Enter the number of places")
    check_reflow(page, "walk-lead-13-cohort-edit-errors")
    page.get_by_label("Places (optional)").fill("12")
    walk.button("Save changes")
    expect(page.get_by_text("at Kassam Court, Oxford")).to_be_visible()
    expect(page.get_by_text("5 of 12 places taken.")).to_be_visible()

    # 7. Choosing a panel by hand: the reason is asked for only once the rules are overridden, and
    # members of the practitioner's own academy are flagged.
    walk.link("Back to your work")
    walk.link("Claims waiting for a panel")
    check_reflow(page, "walk-lead-14-panels")
    walk.link(f"Resolve the panel for {p.waiting.practitioner.name}")
    expect(page.get_by_label("Why you are overriding the rules")).to_have_count(0)
    check_reflow(page, "walk-lead-15-resolve")
    page.get_by_label("Choose the panel members myself, overriding the rules").check()
    walk.button("Continue")
    reason = page.get_by_label("Why you are overriding the rules")
    expect(reason).to_be_visible()
    for member in p.cast.panel:
        item = page.locator(".nhsuk-checkboxes__item").filter(
            has=page.locator(f'input[name="members"][value="{member.id}"]')
        )
        expect(item).to_contain_text("Warning: From the practitioner's own academy")
    check_reflow(page, "walk-lead-16-resolve-override")
    walk.button("Assign panel")
    expect(summary).to_contain_text("Select the members of the panel")
    expect(summary).to_contain_text("Enter the reason for overriding the rules")
    check_reflow(page, "walk-lead-17-resolve-errors")
    for member in p.cast.panel:
        page.locator(f'input[name="members"][value="{member.id}"]').check()
    reason.fill("Agreed with the national lead: the whole pool is on leave.")
    walk.button("Assign panel")
    expect(page.get_by_text("Panel assigned.")).to_be_visible()
    check_reflow(page, "walk-lead-18-panel-assigned")

    # 4. The panel pool in one step: invited and added with one form, unavailable dates as dates.
    walk.header("Lead's work")
    walk.link("Add someone to the panel pool")
    check_reflow(page, "walk-lead-19-pool-new")
    page.get_by_label("Full name").fill("Tamsin Thackeray-Obi")
    page.get_by_label("Email address").fill(f"tamsin.{secrets.token_hex(3)}@example.nhs.uk")
    page.get_by_label("Peer", exact=True).check()
    page.get_by_label("Employer", exact=True).fill("Oxford Health Trust")
    # Away from today for three years: invited, but no one can review as her in the modules after this.
    today = clock.now().date()
    for group, day in (
        ("Start date of period 1", today),
        ("End date of period 1", today + timedelta(days=1095)),
    ):
        period = page.get_by_role("group", name=group)
        period.get_by_label("Day").fill(str(day.day))
        period.get_by_label("Month").fill(str(day.month))
        period.get_by_label("Year").fill(str(day.year))
    walk.button("Add to the pool and send the invitation")
    expect(page.get_by_text("The member was added to the pool and sent an invitation.")).to_be_visible()
    check_reflow(page, "walk-lead-20-pool")
    walk.link("Tamsin Thackeray-Obi")
    expect(page.get_by_role("group", name="End date of period 1").get_by_label("Day")).to_have_value(
        str((today + timedelta(days=1095)).day)
    )
    check_reflow(page, "walk-lead-21-pool-member")

    # 9 to 11. The academy's figures, then England's as an academy lead may see them (suppressed), and
    # another academy's page opening under the same rule.
    walk.header("Lead's work")
    walk.link(f"{academy(ACADEMY).name}'s figures")
    expect(page.get_by_role("heading", level=1)).to_have_text(academy(ACADEMY).name)
    check_reflow(page, "walk-lead-22-academy-figures")
    walk.link("Back to England")
    expect(page.locator(".nhsuk-inset-text").first).to_contain_text("shown as * (suppressed)")
    check_reflow(page, "walk-lead-23-england-suppressed")
    walk.link("London Leadership Academy")
    expect(page.get_by_role("heading", level=1)).to_have_text("London Leadership Academy")
    check_reflow(page, "walk-lead-24-other-academy")
    walk.report("academy lead, sign-in to every task")


def chair_records_the_outcome(c: scenario.Cast, journey_id: str) -> None:
    panel = c.lead.api.get(f"/api/journeys/{journey_id}/panel")
    chair = next(s["member_id"] for s in panel["seats"] if s["chair"])
    chair_api = {**scenario.PANEL, **{m.id: m for m in c.panel}}[chair].api
    chair_api.post(f"/api/journeys/{journey_id}/outcome", {"outcome": "system_od_leader", "feedback": {}})
    c.practitioner.api.wait_for(
        journey_id, lambda j: bool(j.get("certificate_id")), timeout=60, what="a certificate"
    )


def test_a_national_lead_reaches_the_table_by_cohort_and_its_csv(
    stack_page: Any, programme: Programme
) -> None:
    walk, page = LinksOnly(stack_page), stack_page
    walk.sign_in(programme.national.email)
    # The academies' work, any academy chosen from the lead's home (counts only, no claims).
    walk.header("Lead's work")
    walk.link(academy(ACADEMY).name, within=page.get_by_role("navigation", name="Academies"), exact=True)
    expect(page.locator(".nhsuk-caption-l")).to_have_text(academy(ACADEMY).name)
    for kind in ("attendance", "panels", "interviews", "stopped", "certificates"):
        expect(_count(page, kind)).to_have_text(re.compile(r"^\d+$"))
    check_reflow(page, "walk-national-00-academy-work")

    walk.header("Reports")
    expect(page.get_by_role("heading", level=1)).to_have_text("The OD talent pipeline in England")
    # The pictures (17.11): the pipeline by academy and readiness by workshop quarter, tables beside them.
    expect(page.get_by_role("region", name="The pipeline by academy: the numbers")).to_be_visible()
    expect(page.get_by_role("heading", name="Readiness by workshop quarter: England")).to_be_visible()
    check_reflow(page, "walk-national-01-reports")

    walk.link("See every cohort in one table")
    check_reflow(page, "walk-national-02-cohort-table")
    page.get_by_label("Academy", exact=True).select_option(ACADEMY)
    walk.button("Show these cohorts")
    table = page.get_by_role("table")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(1)  # this academy has one cohort
    expect(rows.first).to_contain_text(academy(ACADEMY).name)
    # The framework by its name, not its key (17.9).
    expect(rows.first).not_to_contain_text(programme.cast.framework_key)
    expect(table.get_by_role("columnheader", name="Suppressed")).to_be_visible()
    check_reflow(page, "walk-national-03-filtered")

    with page.expect_download() as downloading:
        walk.link("Download this table as a spreadsheet")
    download = downloading.value
    # Named after its filter.
    assert download.suggested_filename.startswith(f"od-cohorts_{ACADEMY}_all-frameworks_all-years_")
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8-sig") as f:
        lines = list(csv.reader(io.StringIO(f.read())))
    header, *body = lines
    # One tidy table: one header row, one row per cohort shown, a column saying what is suppressed.
    assert header[:3] == ["Academy", "Cohort", "Framework"]
    assert header[-1] == "Suppressed"
    assert len(body) == rows.count() == 1
    assert all(len(line) == len(header) for line in body)
    assert body[0][0] == academy(ACADEMY).name
    assert header not in body
    walk.report("national lead, sign-in to the table by cohort's CSV")
