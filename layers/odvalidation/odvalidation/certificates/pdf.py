"""The printable certificate: one A4 landscape page with a QR code of its verification link.

Font choice: fpdf2's core fonts are Latin-1 only and fpdf2 bundles no Unicode font, so DejaVu Sans
(free licence, fonts/LICENSE) ships in this package: names such as "Siobhán Ó Raghallaigh", "Zoë",
"Łukasz", "Αθηνά" or "Наталья" print as written. A character DejaVu lacks (CJK, emoji) falls back to its
decomposed Latin letters when it has them, else "?", and the verification page still shows the exact name.
fpdf2 writes text as text, never as markup, so a name like "<script>" is printed literally.
"""

from __future__ import annotations

import io
import unicodedata
from datetime import UTC, datetime
from importlib import resources
from typing import TYPE_CHECKING

from ..domain.models import CertificateRecord
from .credential import LEVEL_NAMES

if TYPE_CHECKING:
    from fpdf import FPDF

NHS_BLUE = (0, 94, 184)  # #005EB8
NHS_DARK_BLUE = (0, 48, 135)  # #003087
TEXT_BLACK = (33, 43, 50)  # #212B32, NHS text colour
GREY = (77, 102, 118)  # #4C6272, NHS secondary text
PALE_GREY = (240, 244, 245)

PAGE_W, PAGE_H, MARGIN = 297.0, 210.0, 18.0
FONT = "DejaVu"

# Controls, bidi overrides and other invisible format characters could hide or reorder a name.
_DROP_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}


def printable(text: str, cmap: dict[int, str] | None = None) -> str:
    """Text as it can be drawn: NFC, no control or format characters, single spaces, and every character the
    font lacks replaced by its decomposed letters or '?'."""
    text = unicodedata.normalize("NFC", text)
    out: list[str] = []
    for ch in text:
        if ch.isspace():
            out.append(" ")
            continue
        if unicodedata.category(ch) in _DROP_CATEGORIES:
            continue
        if cmap is None or ord(ch) in cmap:
            out.append(ch)
            continue
        base = "".join(
            c for c in unicodedata.normalize("NFKD", ch) if ord(c) in cmap and not unicodedata.combining(c)
        )
        out.append(base or "?")
    return " ".join("".join(out).split())


def _day(when: datetime) -> str:
    when = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%d %B %Y").lstrip("0")


def _fit_size(pdf: FPDF, text: str, width: float, *, start: float, smallest: float, style: str = "") -> float:
    """The largest font size (down to `smallest`) at which `text` fits on one line of `width`."""
    size = start
    while size > smallest:
        pdf.set_font(FONT, style, size)
        if pdf.get_string_width(text) <= width:
            return size
        size -= 1
    return smallest


def render_certificate_pdf(
    record: CertificateRecord, *, academy_name: str, framework_title: str, verify_url: str
) -> bytes:
    """The certificate as PDF bytes. Tagged with a title and language (en-GB) for screen readers."""
    # Imported here: fpdf2 and segno cost cold-start time that only certificate generation should pay.
    import segno
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos
    from fpdf.prefs import ViewerPreferences

    fonts = resources.files("odvalidation.certificates") / "fonts"
    level_name = LEVEL_NAMES[record.level]

    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.add_font(FONT, "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.set_font(FONT, "", 12)
    cmap: dict[int, str] = pdf.current_font.cmap  # type: ignore[union-attr]

    holder = printable(record.holder_name, cmap) or "Name not shown"
    academy = printable(academy_name, cmap)
    framework_text = printable(framework_title, cmap)

    pdf.set_title(f"Validation certificate: {level_name}, {holder}")
    pdf.set_lang("en-GB")
    # Viewers then show (and screen readers announce) the title rather than the file name.
    pdf.viewer_preferences = ViewerPreferences(display_doc_title=True)
    pdf.set_subject(f"{level_name} validation certificate issued by {academy}")
    pdf.set_author(academy)
    pdf.set_creator("System OD Validation")
    pdf.set_keywords(["validation certificate", "organisational development", "NHS"])
    pdf.add_page()
    content_w = PAGE_W - 2 * MARGIN

    # Header band: NHS blue, white text (contrast 5.9:1).
    pdf.set_fill_color(*NHS_BLUE)
    pdf.rect(0, 0, PAGE_W, 30, style="F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_xy(MARGIN, 8)
    pdf.set_font(FONT, "B", 15)
    pdf.cell(content_w, 7, "NHS Leadership Academy", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 11)
    pdf.cell(content_w, 7, academy, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    # Title and the statement.
    pdf.set_text_color(*NHS_DARK_BLUE)
    pdf.set_xy(MARGIN, 40)
    pdf.set_font(FONT, "B", 26)
    pdf.cell(content_w, 12, "Certificate of validation", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    pdf.set_text_color(*TEXT_BLACK)
    pdf.set_font(FONT, "", 13)
    pdf.cell(content_w, 7, "This certifies that", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)

    # The name: shrink to one line if it can, else wrap to at most two lines (names are at most 200 chars).
    size = _fit_size(pdf, holder, content_w, start=28, smallest=16, style="B")
    pdf.set_font(FONT, "B", size)
    line_h = size * 0.45
    pdf.multi_cell(content_w, line_h, holder, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    pdf.set_font(FONT, "", 13)
    pdf.cell(content_w, 7, "has been validated as a", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)
    pdf.set_text_color(*NHS_BLUE)
    pdf.set_font(FONT, "B", 24)
    pdf.cell(content_w, 12, level_name, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.set_text_color(*TEXT_BLACK)
    pdf.set_font(FONT, "", 11)
    pdf.multi_cell(
        content_w,
        6,
        f"through the NHS developmental validation pathway run by {academy}, against the {framework_text}.",
        align="C",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )

    # Details box (bottom left) and QR code (bottom right).
    box_y, box_h, qr_size = 142.0, 44.0, 40.0
    box_w = content_w - qr_size - 12
    pdf.set_fill_color(*PALE_GREY)
    pdf.rect(MARGIN, box_y, box_w, box_h, style="F")
    pdf.set_fill_color(*NHS_BLUE)
    pdf.rect(MARGIN, box_y, 1.6, box_h, style="F")
    rows = [
        ("Valid from", _day(record.valid_from)),
        ("Valid until", _day(record.valid_until)),
        ("Certificate ID", record.id),
        ("Check it is current", printable(verify_url)),
    ]
    pdf.set_xy(MARGIN + 6, box_y + 4)
    for label, value in rows:
        pdf.set_x(MARGIN + 6)
        pdf.set_font(FONT, "B", 10)
        pdf.set_text_color(*GREY)
        pdf.cell(42, 8.5, label)
        pdf.set_font(FONT, "", 10 if len(value) < 80 else 8)
        pdf.set_text_color(*TEXT_BLACK)
        pdf.cell(box_w - 52, 8.5, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    qr = segno.make(verify_url, error="m")
    png = io.BytesIO()
    qr.save(png, kind="png", scale=8, border=4)
    png.seek(0)
    qr_x = PAGE_W - MARGIN - qr_size
    pdf.image(png, x=qr_x, y=box_y - 2, w=qr_size, h=qr_size, alt_text=f"QR code linking to {verify_url}")
    pdf.set_xy(qr_x - 4, box_y + qr_size - 1)
    pdf.set_font(FONT, "", 8)
    pdf.set_text_color(*GREY)
    pdf.cell(qr_size + 8, 5, "Scan to check this certificate", align="C")

    # Footer rule.
    pdf.set_fill_color(*NHS_BLUE)
    pdf.rect(0, PAGE_H - 6, PAGE_W, 6, style="F")

    return bytes(pdf.output())
