"""A practitioner takes a claim from interest to the panel in Chromium, on the real local stack: sign in,
express interest, reflect, decide, build the claim uploading real files (PDF, PNG, Word) straight to S3
for every element, check, submit, and see the panel. axe-core runs on every page of the path.

The academy lead's part (workshop attendance) and the panel's assignment go through the HTTP API and the
workflow, as they would in AWS. The local stack is the process's shared one.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from typing import Any

import pytest
from playwright.sync_api import expect

from local import scenario
from local.stack import LocalStack
from odvalidation.domain.frameworks import framework
from odvalidation.domain.models import Level

from .conftest import ROOT, check_page

pytestmark = pytest.mark.browser


def png() -> bytes:
    """A real 1x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00\x5e\xb8"))
        + chunk(b"IEND", b"")
    )


def docx() -> bytes:
    """A minimal Word document (Office Open XML)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>',
        )
        z.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body><w:p><w:r><w:t>Reflective account</w:t></w:r></w:p></w:body></w:document>",
        )
    return buffer.getvalue()


FILES = [
    ("Stakeholder map.pdf", "application/pdf", scenario.PDF),
    ("Workshop photo.png", "image/png", png()),
    (
        "Reflective account.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        docx(),
    ),
]


def test_a_practitioner_builds_and_submits_a_claim_and_sees_the_panel(
    stack: LocalStack, stack_page: Any
) -> None:
    page = stack_page
    cast = scenario.cast(stack, framework_key="global-practice@1.0")
    api = cast.practitioner.api
    fw = framework(cast.framework_key)

    page.goto("sign-in")
    page.get_by_label("Email address").fill(cast.practitioner.email)
    page.get_by_label("Password", exact=True).fill(scenario.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/home")
    check_page(page, "practitioner-01-home")

    # Step 1: interest, then the reflection once the workflow waits for it.
    page.locator(
        f'form[action="/{stack.stage}/journeys"]:has(input[value="{cast.cohort_id}"]) button'
    ).click()
    page.wait_for_url("**/journeys/*?registered=1")
    journey_id = page.url.split("/journeys/")[1].split("?")[0]
    expect(page.get_by_text("You have registered your interest")).to_be_visible()
    check_page(page, "practitioner-02-registered")
    api.wait_step(journey_id, "reflection")
    page.get_by_role("button", name="Complete your reflection").click()
    page.wait_for_url(f"**/journeys/{journey_id}/reflection")
    check_page(page, "practitioner-03-reflection")
    for i, element in enumerate(fw.elements):
        page.locator(f'input[name="rating-{element.id}"][value="{3 + i % 3}"]').check()
    page.get_by_label(f"Note on element {fw.elements[0].id} (optional)").fill(
        "I convened the system OD network."
    )
    page.get_by_role("button", name="Submit reflection").click()
    page.wait_for_url(f"**/journeys/{journey_id}?done=reflection")

    # Step 2: the lead records the workshop; step 3: the decision.
    scenario.attend_workshop(cast, journey_id)
    api.wait_step(journey_id, "decision")
    page.goto(f"journeys/{journey_id}/decision")
    check_page(page, "practitioner-04-decision")
    page.get_by_label("I am ready to make a claim now").check()
    page.get_by_role("button", name="Record my decision").click()
    page.wait_for_url(f"**/journeys/{journey_id}/decided")
    expect(page.locator(".nhsuk-panel__title")).to_have_text("Decision recorded")
    check_page(page, "practitioner-04b-decided")

    # Step 4: the claim, with real files for every element, posted straight to the bucket; the
    # confirmation's link opens it.
    api.wait_step(journey_id, "claim_development")
    page.get_by_role("link", name="Start building your claim").click()
    page.wait_for_url(f"**/journeys/{journey_id}/claim")
    page.get_by_label("System OD practitioner").check()
    page.get_by_role("button", name="Save level").click()
    page.wait_for_url("**/claim?saved=level")
    elements = fw.elements_for(Level.PRACTITIONER)
    expect(page.locator("#progress")).to_have_text(f"0 of {len(elements)} elements evidenced")
    check_page(page, "practitioner-05-claim-builder")
    for i, element in enumerate(elements):
        page.goto(f"journeys/{journey_id}/claim/{element.id}")
        # The file is uploaded from the element page itself (issue 16.6), straight to the bucket.
        name, mime, content = FILES[i % len(FILES)]
        page.get_by_label("Add a file to your library").set_input_files(
            {"name": name, "mimeType": mime, "buffer": content}
        )
        page.get_by_role("button", name="Upload file").click()
        page.wait_for_url(f"**/journeys/{journey_id}/claim/{element.id}?*key=*")
        expect(page.get_by_text(f"{name} has been uploaded and checked.")).to_be_visible()
        if i == 0:
            check_page(page, "practitioner-06-element")
        page.get_by_label("Your narrative").fill(f"How I work on {element.title.lower()} across the system.")
        page.get_by_role("button", name="Save and continue").click()
        page.wait_for_url(f"**saved={element.id}" if i + 1 < len(elements) else "**/claim?saved=elements")
    # The upload page of its own still works (for a link kept from before the library).
    page.goto(f"journeys/{journey_id}/claim/{elements[0].id}/upload")
    check_page(page, "practitioner-07-upload")
    page.goto(f"journeys/{journey_id}/claim")
    expect(page.locator("#progress")).to_have_text(f"{len(elements)} of {len(elements)} elements evidenced")
    check_page(page, "practitioner-08-claim-complete")
    docs = ROOT / "docs" / "screenshots"
    docs.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(docs / "claim-builder.png"), full_page=True)

    # Step 5: check, submit, and the panel the workflow assigns.
    page.get_by_role("button", name="Check your claim and submit").click()
    page.wait_for_url(f"**/journeys/{journey_id}/check")
    assert "not ready" not in page.content()
    check_page(page, "practitioner-09-check")
    page.get_by_role("button", name="Submit claim").click()
    page.wait_for_url(f"**/journeys/{journey_id}/submitted")
    expect(page.locator(".nhsuk-panel__title")).to_have_text("Claim submitted")
    check_page(page, "practitioner-10-submitted")
    stack.wait_for_email(cast.practitioner.email, "We have received your claim")
    api.wait_stage(journey_id, "panel_review")
    stack.wait_for_email(cast.practitioner.email, "Your panel is ready")
    page.get_by_role("link", name="See your journey and your claim").click()
    page.wait_for_url(f"**/journeys/{journey_id}")
    panel = page.locator("h2:has-text('Your panel') + dl")
    expect(panel).to_be_visible()
    seats = api.get(f"/api/journeys/{journey_id}/panel")["seats"]
    names = {m.id: m.name for m in scenario.PANEL.values()}
    for seat in seats:
        expect(panel).to_contain_text(names[seat["member_id"]])
    expect(page.get_by_text("Submitted claim", exact=False).first).to_be_visible()
    check_page(page, "practitioner-11-panel")
