"""The claim element page carries the narrative's version (issue: two tabs editing one element): a save
from a page opened before another window's save is refused with 409, the person's text stays in the
box with what to do, and the newer narrative is kept. Through the web handler on moto, in process."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from tests.unit import test_web_practitioner as practitioner_pages
from tests.unit.test_web_practitioner import in_claim_development, text

web = practitioner_pages.web  # the same fixture: the web handler on moto, the workflow recorded


def _version(body: str) -> str:
    found = re.search(r'<input type="hidden" name="version" value="(\d+)">', body)
    assert found, "the element page has no version field"
    return found[1]


def test_a_save_from_an_older_tab_is_refused_and_keeps_what_was_typed(web: dict[str, Any]) -> None:
    browser, _, journey_id = in_claim_development(web)
    path = f"/journeys/{journey_id}/claim/2.1"
    one, two = browser.get(path), browser.get(path)  # two tabs on the same element
    assert _version(one.body) == _version(two.body) == "0"

    saved = browser.post(path, {"csrf_token": one.csrf_token(), "narrative": "Newer words.", "version": "0"})
    assert saved.status == 303
    assert _version(browser.get(path).body) == "1"

    stale = browser.post(
        path, {"csrf_token": two.csrf_token(), "narrative": "Older <tab> words.", "version": "0"}
    )
    assert stale.status == 409
    assert "Element 2.1 was changed in another window or tab since you opened it" in text(stale.body)
    assert "Older <tab> words." in unescape(stale.body)  # what the person typed, to copy
    assert _version(stale.body) == "0"  # saving again from the same page is refused again
    again = browser.post(
        path, {"csrf_token": two.csrf_token(), "narrative": "Older <tab> words.", "version": "0"}
    )
    assert again.status == 409
    assert "Newer words." in unescape(browser.get(path).body)  # the newer narrative kept


def test_a_page_without_its_version_is_refused_as_out_of_date(web: dict[str, Any]) -> None:
    browser, _, journey_id = in_claim_development(web)
    path = f"/journeys/{journey_id}/claim/2.1"
    token = browser.get(path).csrf_token()
    reply = browser.post(path, {"csrf_token": token, "narrative": "Typed words."})
    assert reply.status == 400
    assert "This page is out of date, so your text was not saved" in text(reply.body)
    assert "Typed words." in reply.body
