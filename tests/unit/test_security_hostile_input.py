"""In-process checks of the defences the hostile-input tests on the local stack rely on: evidence names
and types (domain/evidence.py), email rendering and headers (email/, dal/mail.py), and the evidence
bucket's retention rule in template.yaml. Quick enough to run on every change."""

from __future__ import annotations

import email
import email.policy
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from samtranslator.yaml_helper import yaml_parse

from odvalidation.domain.evidence import check_upload, safe_display_name
from odvalidation.email import render

ROOT = Path(__file__).resolve().parents[2]
MAX = 25 * 1024 * 1024
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
SCRIPT = "<script>alert(1)</script>"


@pytest.mark.parametrize(
    ("filename", "shown"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\win.ini.pdf", "win.ini.pdf"),
        ("report\r\nContent-Type: text/html.pdf", "html.pdf"),
        ("nul\x00byte.pdf", "nulbyte.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.pdf"),  # an RTL override would show "invoiceexe.pdf"
        ("zero\u200bwidth\u2066.pdf", "zerowidth.pdf"),
        ("\ud800.pdf", "pdf.pdf"),
        ("..", "evidence.pdf"),
        (f"{SCRIPT}.pdf", "script.pdf"),
    ],
)
def test_display_names_carry_no_path_control_format_or_markup_characters(filename: str, shown: str) -> None:
    name = safe_display_name(filename, "application/pdf")
    assert name == shown
    assert not any(unicodedata.category(ch) in {"Cc", "Cf", "Cs"} for ch in name)


def test_the_extension_is_the_checked_type_not_the_one_in_the_name() -> None:
    assert safe_display_name("payload.html", "application/pdf") == "payload.pdf"
    assert safe_display_name("photo.exe", "image/png") == "photo.png"


@pytest.mark.parametrize(
    ("content", "declared", "reason"),
    [
        (
            b"\x89PNG\r\n\x1a\n" + b"\x00" * 32,
            "application/pdf",
            "described as PDF but its content is PNG image",
        ),
        (b"Notes\n" + SCRIPT.encode(), "text/plain", "web page or script content"),
        (
            b"<html><body>" + SCRIPT.encode() + b"</body></html>\n" + PDF,
            "application/pdf",
            "content is plain text",
        ),
        (PDF.replace(b"%%EOF", SCRIPT.encode() + b"%%EOF"), "application/pdf", "web page or script content"),
        (b"<svg onload=alert(1)>", "image/png", "described as PNG image"),
        (b"MZ\x90\x00\x03\x00\x00\x00", "application/pdf", "not a type we accept"),
    ],
)
def test_spoofed_and_polyglot_files_are_refused_with_a_reason(
    content: bytes, declared: str, reason: str
) -> None:
    verdict = check_upload(content[:8192], declared_type=declared, size=len(content), max_bytes=MAX)
    assert not verdict.ok
    assert reason in verdict.reason


def test_an_object_over_the_limit_is_refused_whatever_it_contains() -> None:
    verdict = check_upload(PDF, declared_type="application/pdf", size=MAX + 1, max_bytes=MAX)
    assert not verdict.ok
    assert verdict.reason == "The file is larger than 25 MB."
    assert check_upload(PDF, declared_type="application/pdf", size=len(PDF), max_bytes=MAX).ok


def test_names_and_reasons_are_escaped_in_the_html_part_of_email() -> None:
    subject, text, html = render(
        "evidence_quarantined",
        name=SCRIPT,
        filename=f"{SCRIPT}.pdf",
        element_id="1.1",
        reason=f"because {SCRIPT}",
        academy_name="North West",
        framework_title="Framework",
        link="http://127.0.0.1/journeys/j",
    )
    assert SCRIPT not in html
    assert "&lt;script&gt;" in html
    assert SCRIPT in text  # the text part is never read as markup
    assert "\n" not in subject


def test_a_name_with_crlf_cannot_add_a_header(monkeypatch: pytest.MonkeyPatch) -> None:
    from odvalidation.dal import mail

    sent: dict[str, Any] = {}

    class FakeSes:
        def send_email(self, **kw: Any) -> dict[str, str]:
            sent.update(kw)
            return {"MessageId": "m-1"}

    monkeypatch.setattr(mail, "client", lambda _service: FakeSes())
    monkeypatch.setattr(mail, "settings", lambda: type("S", (), {"sender_email": "od@example.nhs.uk"})())
    mail.send(
        ["eve@example.org\r\nBcc: attacker@example.org"],
        "Hello Eve\r\nBcc: attacker@example.org",
        "text",
        "<p>html</p>",
    )
    parsed = email.message_from_bytes(sent["Content"]["Raw"]["Data"], policy=email.policy.default)
    assert parsed["Bcc"] is None
    assert [k.lower() for k in parsed] == ["from", "to", "subject", "mime-version", "content-type"]
    assert "\n" not in str(parsed["Subject"])


def test_the_retention_rule_expires_tagged_evidence_after_evidence_retention_days() -> None:
    template = yaml_parse((ROOT / "template.yaml").read_text())
    assert template["Parameters"]["EvidenceRetentionDays"]["Type"] == "Number"
    bucket = template["Resources"]["EvidenceBucket"]["Properties"]
    rules = {r["Id"]: r for r in bucket["LifecycleConfiguration"]["Rules"]}
    rule = rules["ExpireEvidenceAfterOutcome"]
    assert rule["Status"] == "Enabled"
    assert rule["TagFilters"] == [{"Key": "retention", "Value": "expire"}]
    assert rule["ExpirationInDays"] == {"Ref": "EvidenceRetentionDays"}
    # The tag the rule filters on is the one the outcome writes.
    source = (ROOT / "layers/odvalidation/odvalidation/dal/evidence.py").read_text()
    assert '{"Key": "retention", "Value": "expire"}' in source


def test_a_refused_file_keeps_the_extension_it_came_with() -> None:
    # Listed back to the practitioner as they named it: "bad.zip", not "bad.bin".
    assert safe_display_name("bad.zip", "application/zip") == "bad.zip"
    assert safe_display_name("notes.tar;rm -rf", "application/x-tar") == "notes.tarrmrf"
    assert safe_display_name("no-extension", "application/zip") == "no-extension.bin"
