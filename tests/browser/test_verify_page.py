"""The public verification page (the URL a certificate's QR code opens), in Chromium on the local stack:
a valid, a revoked and an unknown certificate, and a credential file checked by upload. No sign-in;
every page axe-clean."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from local import scenario
from local.stack import LocalStack

from .conftest import check_page

pytestmark = pytest.mark.browser


def certified(stack: LocalStack) -> tuple[scenario.Cast, str]:
    c = scenario.cast(stack)
    journey_id = scenario.register(c)
    scenario.reflect(c, journey_id)
    scenario.attend_workshop(c, journey_id)
    scenario.decide(c, journey_id, "ready_now")
    scenario.build_claim(c, journey_id, level="system_od_practitioner")
    scenario.submit(c, journey_id)
    scenario.review(c, journey_id, recommendation="system_od_practitioner")
    scenario.interview(c, journey_id, "system_od_practitioner")
    status = c.practitioner.api.wait_for(
        journey_id, lambda j: bool(j.get("certificate_id")), what="certificate"
    )
    return c, str(status["journey"]["certificate_id"])


def test_valid_revoked_and_unknown_certificates_and_an_uploaded_credential(
    stack: LocalStack, stack_page: Any, tmp_path: Path
) -> None:
    page = stack_page
    c, certificate_id = certified(stack)

    page.goto(f"verify/{certificate_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("This certificate is valid")
    expect(page.locator(".nhsuk-summary-list")).to_contain_text("System OD practitioner")
    # The holder has not chosen to share their name.
    expect(page.locator(".nhsuk-summary-list")).not_to_contain_text(c.practitioner.name)
    check_page(page, "verify-01-valid")

    page.goto("verify/AAAAAAAAAAAAAAAAAAAAAAAA")
    expect(page.get_by_role("heading", level=1)).to_have_text("We cannot find this certificate")
    check_page(page, "verify-02-unknown")

    downloads = c.practitioner.api.get(f"/api/certificates/{certificate_id}")["links"]
    credential = tmp_path / "credential.jwt"
    credential.write_bytes(requests.get(downloads["credential"], timeout=30).content)
    c.lead.api.post(
        f"/api/certificates/{certificate_id}/revocation", {"reason": "Issued against the wrong cohort"}
    )

    page.goto(f"verify/{certificate_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("This certificate has been revoked")
    expect(page.locator("#verification-reason")).to_contain_text("Issued against the wrong cohort")
    check_page(page, "verify-03-revoked")

    page.goto("verify")
    check_page(page, "verify-04-form")
    page.get_by_label("Credential file").set_input_files(str(credential))
    page.get_by_role("button", name="Check file").click()
    # The signature is checked first, then the live status: the file still says valid, the service revoked.
    expect(page.get_by_role("heading", level=1)).to_have_text("This certificate has been revoked")
    expect(page.get_by_text("The file's signature is genuine")).to_be_visible()
    check_page(page, "verify-05-file-revoked")

    tampered = tmp_path / "tampered.jwt"
    head, body, signature = credential.read_text().strip().split(".")
    tampered.write_text(f"{head}.{body[:-4]}AAAA.{signature}")
    page.goto("verify")
    page.get_by_label("Credential file").set_input_files(str(tampered))
    page.get_by_role("button", name="Check file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("This file is not a genuine certificate")
