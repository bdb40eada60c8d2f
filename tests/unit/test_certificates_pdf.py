"""The printable certificate: readable text, accessible metadata, and a QR code that leads to the check."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
import zxingcpp
from pypdf import PdfReader

from odvalidation.certificates.credential import verify_url
from odvalidation.certificates.pdf import printable, render_certificate_pdf
from odvalidation.domain.models import CertificateRecord, Level

ISSUED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
URL = verify_url("https://od.example.org", "q3Jk8vPzL1mN0aB2cD4eF6")


def make_record(**changes: object) -> CertificateRecord:
    fields: dict[str, object] = {
        "id": "q3Jk8vPzL1mN0aB2cD4eF6",
        "journey_id": "j-1",
        "practitioner_id": "p-1",
        "holder_name": "Siobhán Ó Raghallaigh",
        "level": Level.PRACTITIONER,
        "academy_id": "north-west",
        "framework_key": "global-practice@1.0",
        "element_ids": ["1.1"],
        "valid_from": ISSUED,
        "valid_until": ISSUED + timedelta(days=1095),
        "issued_at": ISSUED,
    }
    fields.update(changes)
    return CertificateRecord.model_validate(fields)


def render(record: CertificateRecord) -> PdfReader:
    pdf = render_certificate_pdf(
        record,
        academy_name="North West Leadership Academy",
        framework_title="Global practice style OD framework, version 1.0",
        verify_url=URL,
    )
    assert pdf.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(pdf))


@pytest.fixture(scope="module")
def reader() -> PdfReader:
    return render(make_record())


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_one_a4_landscape_page(reader: PdfReader) -> None:
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert round(float(box.width)) == 842  # 297 mm in points
    assert round(float(box.height)) == 595  # 210 mm


def test_text_holds_name_level_academy_framework_dates_and_id(reader: PdfReader) -> None:
    text = _flat(reader.pages[0].extract_text())
    for expected in [
        "Siobhán Ó Raghallaigh",
        "System OD practitioner",
        "North West Leadership Academy",
        "Global practice style OD framework, version 1.0",
        "2 March 2026",
        "1 March 2029",
        "q3Jk8vPzL1mN0aB2cD4eF6",
        URL,  # printed too, for anyone who cannot scan a QR code
    ]:
        assert expected in text


def test_metadata_title_and_language_are_set_for_screen_readers(reader: PdfReader) -> None:
    assert reader.metadata is not None
    assert reader.metadata.title == "Validation certificate: System OD practitioner, Siobhán Ó Raghallaigh"
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "en-GB"
    # Viewers show (and screen readers announce) the title, not a file name.
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])


def test_qr_code_in_the_pdf_decodes_to_the_verification_url(reader: PdfReader) -> None:
    images = reader.pages[0].images
    assert len(images) == 1
    decoded = zxingcpp.read_barcodes(images[0].image)
    assert [barcode.text for barcode in decoded] == [URL]


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("<script>alert('x')</script>", "<script>alert('x')</script>"),
        ("Zoë O'Brien-Smith", "Zoë O'Brien-Smith"),
        ("Łukasz Żółć", "Łukasz Żółć"),
        ("Наталья Иванова", "Наталья Иванова"),
        ("Ada\u202eLovelace", "AdaLovelace"),  # a bidi override cannot reorder the printed name
        ("Ada\x00\x07 Lovelace", "Ada Lovelace"),
    ],
)
def test_hostile_and_unicode_names_print_literally(name: str, shown: str) -> None:
    reader = render(make_record(holder_name=name))
    assert shown in _flat(reader.pages[0].extract_text())


def test_a_very_long_name_wraps_and_everything_else_stays_on_the_page() -> None:
    name = ("Wolfeschlegelsteinhausenbergerdorff " * 6).strip()[:200]
    reader = render(make_record(holder_name=name))
    text = _flat(reader.pages[0].extract_text())
    assert len(reader.pages) == 1
    assert "Wolfeschlegelsteinhausenbergerdorff" in text
    assert "System OD practitioner" in text
    assert "q3Jk8vPzL1mN0aB2cD4eF6" in text
    assert [b.text for b in zxingcpp.read_barcodes(reader.pages[0].images[0].image)] == [URL]


def test_characters_the_font_lacks_fall_back_to_letters_or_a_question_mark() -> None:
    cmap = {ord(c): c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz ?"}
    assert printable("Zoë 王", cmap) == "Zoe ?"
    assert printable("  a\tb\n c ", None) == "a b c"
