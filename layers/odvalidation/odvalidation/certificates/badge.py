"""The Open Badges 3.0 baked badge: a PNG image of the badge with the signed credential inside it.

Open Badges 3.0, "Baked Badge" (1EdTech `openbadges-specification`, `ob_v3p0/docformat.md`): an `iTXt`
chunk with keyword `openbadgecredential` whose text is the compact JWS of a VC-JWT credential,
uncompressed, with empty language tag and translated keyword, once per image. A wallet or a badge
backpack imports the image and reads the credential out of it; anyone else sees the badge.

Pillow draws the image (it is in the PDF layer, which only the issuing function loads) and writes the
chunk (`PngInfo.add_itxt`), so nothing here writes PNG bytes by hand.
"""

from __future__ import annotations

import io
from importlib import resources

from ..domain.models import CertificateRecord
from .credential import LEVEL_NAMES
from .pdf import NHS_BLUE, NHS_DARK_BLUE, printable

KEYWORD = "openbadgecredential"
SIZE = 512


def render_badge_png(record: CertificateRecord, *, academy_name: str, token: str) -> bytes:
    """The badge image (512 x 512) with `token`, the signed credential, baked in."""
    # Imported here: only the issuing function, which has the PDF layer, draws badges.
    from PIL import Image, ImageDraw, ImageFont
    from PIL.PngImagePlugin import PngInfo

    fonts = resources.files("odvalidation.certificates") / "fonts"
    with (
        resources.as_file(fonts / "DejaVuSans-Bold.ttf") as bold_path,
        resources.as_file(fonts / "DejaVuSans.ttf") as regular_path,
    ):
        bold = str(bold_path)
        regular = str(regular_path)

        image = Image.new("RGB", (SIZE, SIZE), "white")
        draw = ImageDraw.Draw(image)
        draw.ellipse((16, 16, SIZE - 16, SIZE - 16), fill=NHS_BLUE, outline=NHS_DARK_BLUE, width=12)

        def centred(text: str, y: int, font_file: str, size: int) -> None:
            # Shrink a long line (an academy's name) until it fits inside the circle.
            while size > 12:
                font = ImageFont.truetype(font_file, size)
                if draw.textlength(text, font=font) <= SIZE - 120:
                    break
                size -= 2
            draw.text((SIZE / 2, y), text, font=font, fill="white", anchor="mm")

        level = LEVEL_NAMES[record.level]
        first, _, rest = level.partition(" OD ")
        centred("NHS Leadership Academy", 120, regular, 24)
        centred(f"{first} OD", 215, bold, 52)
        centred((rest or level).capitalize(), 280, bold, 52)
        centred(printable(academy_name), 360, regular, 22)
        centred(f"Validated {record.valid_from:%B %Y}", 400, regular, 22)

    info = PngInfo()
    info.add_text("Title", f"{level}: validation badge")
    info.add_text("Description", f"{level}, validated by {printable(academy_name)}")
    info.add_itxt(KEYWORD, token, lang="", tkey="", zip=False)
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info, optimize=True)
    return out.getvalue()
