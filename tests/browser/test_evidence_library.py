"""Issue 16.6 in Chromium on the local stack: one complete claim walked on the web pages (level, every
element's narrative and evidence, check, submit), counting the clicks and page loads it takes, with
JavaScript switched off (every step is a plain form).

Measured before the evidence library (each element needed its own upload of the file) with
`.venv/bin/pytest -q -s -p no:randomly tests/browser/test_evidence_library.py`, on the global practice
framework at leader level (11 elements): 59 page loads and 70 clicks (6 clicks and 5 loads per
element: open it, save the narrative, open the upload page, choose the file, upload, back to the claim).

With the evidence library the same claim takes AFTER: the file is uploaded once, from the first element's
page, and ticked on each other element's page in the same form as its narrative ("Save and continue"
goes on to the next element). The walk fails if the library goes (one upload could not evidence 11
elements). The panel then finds that one file under every element it supports, behind one link.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from local import scenario
from local.stack import LocalStack
from odvalidation.domain.frameworks import framework
from odvalidation.domain.models import Level

from .conftest import check_page
from .reflow import check_reflow

pytestmark = pytest.mark.browser

FRAMEWORK = "global-practice@1.0"
# One complete claim on the pages before the library (measured on the code before it): loads, clicks.
BEFORE = (59, 70)
AFTER = (17, 28)


class Walk:
    """Counts page loads (main-frame navigations; a redirect followed is one) and clicks (choosing a file
    is one click: the file chooser)."""

    def __init__(self, page: Any) -> None:
        self.page, self.loads, self.clicks = page, 0, 0
        page.on("framenavigated", lambda frame: self._loaded(frame))

    def _loaded(self, frame: Any) -> None:
        if frame == self.page.main_frame:
            self.loads += 1

    def click(self, locator: Any) -> None:
        self.clicks += 1
        locator.click()

    def check(self, locator: Any) -> None:
        self.clicks += 1
        locator.check()


@pytest.fixture
def stack_page(stack_page_no_js: Any) -> Any:
    """This module's pages work with JavaScript switched off; files go straight to S3 (moto, 127.0.0.1)."""
    return stack_page_no_js


def _sign_in_to_claim(page: Any, stack: LocalStack) -> tuple[scenario.Cast, str]:
    cast = scenario.cast(stack, framework_key=FRAMEWORK)
    journey_id = scenario.to_claim_development(cast)
    cast.practitioner.api.wait_step(journey_id, "claim_development")
    page.goto(f"sign-in?next=/journeys/{journey_id}/claim")
    page.get_by_label("Email address").fill(cast.practitioner.email)
    page.get_by_label("Password", exact=True).fill(scenario.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**/journeys/{journey_id}/claim")
    return cast, journey_id


def test_one_complete_claim_with_the_library_and_the_panel_sees_the_file_under_each_element(
    stack: LocalStack, stack_page: Any, page: Any
) -> None:
    walker = stack_page  # JavaScript off
    cast, journey_id = _sign_in_to_claim(walker, stack)
    elements = framework(FRAMEWORK).elements_for(Level.LEADER)
    walk = Walk(walker)
    walker.reload()  # the walk starts on the claim builder: its load is the first
    walk.check(walker.get_by_label("System OD leader"))
    walk.click(walker.get_by_role("button", name="Save level"))
    walker.wait_for_url("**/claim?saved=level")
    first = elements[0]
    walk.click(walker.get_by_role("link", name=f"{first.id} {first.title}", exact=True))
    walker.wait_for_url(f"**/claim/{first.id}")
    # The upload is on the element page itself.
    walk.clicks += 1  # the file chooser
    walker.get_by_label("Add a file to your library").set_input_files(
        {"name": "Stakeholder map.pdf", "mimeType": "application/pdf", "buffer": scenario.PDF}
    )
    walk.click(walker.get_by_role("button", name="Upload file"))
    walker.wait_for_url(f"**/journeys/{journey_id}/claim/{first.id}?*key=*")
    expect(walker.get_by_text("Stakeholder map.pdf has been uploaded and checked.")).to_be_visible()
    check_page(walker, "library-01-element-after-upload")
    for i, element in enumerate(elements):
        walker.get_by_label("Your narrative").fill(
            f"How I work on {element.title.lower()} across the system."
        )
        if i:
            walk.check(walker.get_by_label("Stakeholder map.pdf"))
        walk.click(walker.get_by_role("button", name="Save and continue"))
        if i + 1 < len(elements):
            walker.wait_for_url(f"**/claim/{elements[i + 1].id}?saved={element.id}")
    walker.wait_for_url(f"**/journeys/{journey_id}/claim?saved=elements")
    expect(walker.locator("#progress")).to_have_text(f"{len(elements)} of {len(elements)} elements evidenced")
    walk.click(walker.get_by_role("button", name="Check your claim and submit"))
    walker.wait_for_url(f"**/journeys/{journey_id}/check")
    walk.click(walker.get_by_role("button", name="Submit claim"))
    walker.wait_for_url(f"**/journeys/{journey_id}/submitted")
    print(
        f"\n[issue 16.6] one complete claim ({len(elements)} elements) with the library: {walk.loads} page loads, "
        f"{walk.clicks} clicks (before: {BEFORE[0]} page loads, {BEFORE[1]} clicks)"
    )
    assert (walk.loads, walk.clicks) == AFTER
    assert walk.clicks < BEFORE[1] / 2

    # The library, read-only after submission, at 1280 px and 375 px (JavaScript on and off).
    walker.goto(f"journeys/{journey_id}/evidence")
    expect(walker.get_by_text("Every element of the claim has checked evidence.")).to_be_visible()
    expect(walker.get_by_role("link", name="Change")).to_have_count(0)
    check_page(walker, "library-02-library-no-js")
    page.goto(f"sign-in?next=/journeys/{journey_id}/evidence")
    page.get_by_label("Email address").fill(cast.practitioner.email)
    page.get_by_label("Password", exact=True).fill(scenario.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**/journeys/{journey_id}/evidence")
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        check_page(page, f"library-03-library-{width}")

    # The panel: the one file under each of the 11 elements, every time by the same link.
    api = cast.practitioner.api
    api.wait_step(journey_id, "panel_review")
    (item,) = api.get(f"/api/journeys/{journey_id}/evidence")["items"]
    assert item["element_ids"] == [e.id for e in elements]
    seat = cast.lead.api.get(f"/api/journeys/{journey_id}/panel")["seats"][0]
    member = {**scenario.PANEL, **{m.id: m for m in cast.panel}}[seat["member_id"]]
    member.api.post(f"/api/journeys/{journey_id}/panel/declaration", {"conflict": False})
    page.context.clear_cookies()
    page.goto(f"sign-in?next=/panel/{journey_id}/review")
    page.get_by_label("Email address").fill(member.email)
    page.get_by_label("Password", exact=True).fill(scenario.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**/panel/{journey_id}/review")
    links = page.locator(f'a[href$="/panel/{journey_id}/evidence/{item["id"]}"]')
    expect(links).to_have_count(len(elements))
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        check_page(page, f"library-04-panel-review-{width}")


def test_an_element_page_unlinks_and_only_the_library_deletes_after_asking(
    stack: LocalStack, stack_page: Any
) -> None:
    """The element page's action keeps the file in the library; deleting it from the library takes an
    "are you sure" page (NHS pattern), whose "No" changes nothing. JavaScript off, axe-clean at both widths."""
    page = stack_page
    cast, journey_id = _sign_in_to_claim(page, stack)
    first = framework(FRAMEWORK).elements[0]
    scenario.upload(cast.practitioner.api, journey_id, first.id, scenario.PDF, "board paper.pdf")

    page.goto(f"journeys/{journey_id}/claim/{first.id}")
    page.get_by_role("button", name=f"Unlink board paper.pdf from element {first.id}").click()
    page.wait_for_url(f"**/claim/{first.id}?unlinked=1")
    expect(page.get_by_text("The file no longer supports this element.")).to_be_visible()
    expect(page.get_by_text("No file supports this element yet.")).to_be_visible()
    check_page(page, "library-unlinked")

    page.get_by_role("link", name="evidence library").first.click()
    page.wait_for_url(f"**/journeys/{journey_id}/evidence")
    expect(page.get_by_text("board paper.pdf").first).to_be_visible()  # still in the library
    page.get_by_role("link", name="Delete board paper.pdf from library").click()
    page.wait_for_url("**/evidence/*/remove")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Are you sure you want to delete board paper.pdf?"
    )
    check_reflow(page, "library-delete-confirm")
    page.get_by_role("link", name="No, keep it").click()
    page.wait_for_url(f"**/journeys/{journey_id}/evidence")
    page.get_by_role("link", name="Delete board paper.pdf from library").click()
    page.get_by_role("button", name="Yes, delete this file").click()
    page.wait_for_url(f"**/journeys/{journey_id}/evidence?removed=1")
    expect(page.get_by_text("The file has been deleted from your evidence library.")).to_be_visible()
    expect(page.get_by_text("No file has been uploaded yet.")).to_be_visible()
    check_page(page, "library-deleted")
