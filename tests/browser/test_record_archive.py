"""The whole record (issue 18) in Chromium with JavaScript off: the practitioner asks for it from their
home page, sees it being prepared, looks again and downloads the zip; a lead produces one for a subject
access request from the journey page (the reason is asked for). Each page axe-clean at 1280 px and at
375 px (no sideways scroll)."""

from __future__ import annotations

import io
import re
import secrets
import zipfile
from typing import Any

import pytest
import requests

from local import scenario
from local.stack import LocalStack

from .conftest import check_page, sign_in

pytestmark = pytest.mark.browser


def check_both_widths(page: Any, name: str) -> None:
    check_page(page, name)
    size = page.viewport_size
    page.set_viewport_size({"width": 375, "height": 812})
    try:
        check_page(page, f"{name}-375")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at 375px"
    finally:
        page.set_viewport_size(size)


def _being_prepared_then_ready(page: Any, stack: LocalStack, link_name: str, heading: str) -> None:
    """The page said it is being prepared (the archive's invocation was held); run it to the end, then
    "Check again" shows it ready. No sleeping: the stack runs the asynchronous invocation now."""
    page.get_by_role("heading", name=re.compile("record is being prepared")).first.wait_for()
    stack.async_invokes.drain()
    page.get_by_role("link", name=link_name).click()
    page.get_by_role("heading", name=heading).first.wait_for()


def _download(page: Any, link_name: str) -> zipfile.ZipFile:
    # Follow the page's link as the browser would (a 303 to S3's presigned URL), with its cookies.
    href = page.get_by_role("link", name=link_name).get_attribute("href")
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    url = requests.compat.urljoin(page.url, href)
    response = requests.get(url, cookies=cookies, allow_redirects=False, timeout=30)
    assert response.status_code == 303
    assert response.headers["Location"].startswith("http://127.0.0.1:")
    archive = requests.get(response.headers["Location"], timeout=30)
    assert archive.status_code == 200
    return zipfile.ZipFile(io.BytesIO(archive.content))


def test_a_practitioner_downloads_their_record_without_javascript(page_no_js: Any, stack: LocalStack) -> None:
    page = page_no_js
    c = scenario.cast(stack, tag=secrets.token_hex(3))
    journey_id = scenario.to_claim_development(c)
    sign_in(page, c.practitioner.email)
    page.get_by_role("link", name="Download your whole record").click()
    page.wait_for_url("**/account/record")
    check_both_widths(page, "record-01-ask")

    with stack.async_invokes.held():  # the archive waits: the page says it is being prepared
        page.get_by_role("button", name="Ask for your record").click()
        page.wait_for_url("**/account/record")
        page.get_by_role("heading", name=re.compile("record is being prepared")).first.wait_for()
        check_both_widths(page, "record-02-being-prepared")
    _being_prepared_then_ready(page, stack, "Check again", "Your record is ready")
    check_both_widths(page, "record-03-ready")
    archive = _download(page, "Download your record")
    assert {"record.html", "record.json"} <= set(archive.namelist())
    assert journey_id in archive.read("record.json").decode()


def test_a_lead_produces_a_record_for_a_subject_access_request(page_no_js: Any, stack: LocalStack) -> None:
    page = page_no_js
    c = scenario.cast(stack, tag=secrets.token_hex(3))
    journey_id = scenario.register(c)
    sign_in(page, c.lead.email)
    page.goto(f"lead/journeys/{journey_id}")
    page.get_by_role("link", name="Produce this practitioner's whole record").click()
    page.wait_for_url(f"**/lead/journeys/{journey_id}/record")
    check_both_widths(page, "record-04-lead-ask")

    page.get_by_role("button", name="Produce the record").click()
    assert "Enter the subject access request this is for" in page.content()
    check_both_widths(page, "record-05-lead-reason-missing")

    page.get_by_label("The subject access request this is for").fill("SAR 2026-117, received 1 December")
    with stack.async_invokes.held():
        page.get_by_role("button", name="Produce the record").click()
        page.wait_for_url(f"**/lead/journeys/{journey_id}/record")
        page.get_by_role("heading", name=re.compile("record is being prepared")).first.wait_for()
    _being_prepared_then_ready(page, stack, "Check again", "The record is ready")
    assert "SAR 2026-117, received 1 December" in page.content()
    check_both_widths(page, "record-06-lead-ready")
    archive = _download(page, "Download the record")
    assert journey_id in archive.read("record.json").decode()
