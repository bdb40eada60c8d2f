"""Issue 16.6 in Chromium on the local stack: one complete claim walked on the web pages (level, every
element's narrative and evidence, check, submit), counting the clicks and page loads it takes.

Measured before the evidence library (each element needed its own upload of the file) with
`.venv/bin/pytest -q -s -p no:randomly tests/browser/test_evidence_library.py`, on the global practice
framework at leader level (11 elements): 59 page loads and 70 clicks (6 clicks and 5 loads per
element: open it, save the narrative, open the upload page, choose the file, upload, back to the claim).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from local import scenario
from local.stack import LocalStack
from odvalidation.domain.frameworks import framework
from odvalidation.domain.models import Level

from .conftest import _console_error, check_page

pytestmark = pytest.mark.browser

FRAMEWORK = "global-practice@1.0"
# One complete claim on the pages before the library (measured on the code before it): loads, clicks.
BEFORE = (59, 70)


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
def stack_page(browser: Any, stack: LocalStack) -> Iterator[Any]:
    context = browser.new_context(base_url=stack.base_url + "/", locale="en-GB")
    context.set_default_timeout(15_000)
    # The service and the bucket (moto) on 127.0.0.1 only: files go straight to S3.
    allowed = (stack.origin + "/", stack.endpoint_url)
    context.route(lambda url: not url.startswith(allowed), lambda route: route.abort())
    page = context.new_page()
    page.javascript_enabled = True
    page.console_errors = []
    page.on("console", lambda message: _console_error(page, stack.base_url, message))
    yield page
    context.close()


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


def test_one_complete_claim_before_the_library(stack: LocalStack, stack_page: Any) -> None:
    page = stack_page
    cast, journey_id = _sign_in_to_claim(page, stack)
    elements = framework(FRAMEWORK).elements_for(Level.LEADER)
    walk = Walk(page)
    page.reload()  # the walk starts on the claim builder: its load is the first
    walk.check(page.get_by_label("System OD leader"))
    walk.click(page.get_by_role("button", name="Save level"))
    page.wait_for_url("**/claim?saved=level")
    for element in elements:
        walk.click(page.get_by_role("link", name=f"{element.id} {element.title}", exact=True))
        page.get_by_label("Your narrative").fill(f"How I work on {element.title.lower()} across the system.")
        walk.click(page.get_by_role("button", name="Save narrative"))
        page.wait_for_url("**?saved=1")
        walk.click(page.get_by_role("button", name="Upload a file"))
        page.wait_for_url(f"**/claim/{element.id}/upload")
        walk.clicks += 1  # the file chooser
        page.get_by_label("Upload a file").set_input_files(
            {"name": "Stakeholder map.pdf", "mimeType": "application/pdf", "buffer": scenario.PDF}
        )
        walk.click(page.get_by_role("button", name="Upload file"))
        page.wait_for_url(f"**/journeys/{journey_id}/claim/{element.id}?*key=*")
        expect(page.get_by_text("Stakeholder map.pdf has been uploaded and checked.")).to_be_visible()
        walk.click(page.get_by_role("link", name="Back to your claim"))
        page.wait_for_url(f"**/journeys/{journey_id}/claim")
    walk.click(page.get_by_role("button", name="Check your claim and submit"))
    page.wait_for_url(f"**/journeys/{journey_id}/check")
    walk.click(page.get_by_role("button", name="Submit claim"))
    page.wait_for_url(f"**/journeys/{journey_id}/submitted")
    print(
        f"\n[issue 16.6] one complete claim ({len(elements)} elements): {walk.loads} page loads, {walk.clicks} clicks"
    )
    check_page(page, "library-00-submitted")
