"""Sharing a certificate (issue 16): the names and links a holder takes elsewhere.

- The downloaded files are named after the holder ("Priya Okafor - System OD practitioner
  certificate.pdf"), through S3's response-content-disposition on the presigned link.
- LinkedIn's "Add to profile" link for a certification: only a link the holder follows; nothing is sent
  to or fetched from LinkedIn by this service.
- Open Graph tags for the public verification page, so that a shared link shows a card, and only
  for a certificate whose holder chose to show their name (what the page itself shows, nothing more).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, urlencode

from ..domain.models import CertificateRecord
from .credential import LEVEL_NAMES
from .verification import VerificationResult, VerificationStatus

LINKEDIN_ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"
SERVICE_TITLE = "NHS System OD Validation"


def _ascii(text: str) -> str:
    # Old clients read only `filename`: letters without accents, and nothing that ends the header value.
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9 .,'()-]+", "", plain).strip() or "certificate"


def file_name(record: CertificateRecord, suffix: str) -> str:
    """What the holder's download is called: their name, what it certifies, then `suffix`
    ("certificate.pdf", "credential.jwt", "badge.png")."""
    name = " ".join(record.holder_name.split())[:80]
    return f"{name} - {LEVEL_NAMES[record.level]} {suffix}"


def content_disposition(filename: str) -> str:
    """An attachment named `filename` (RFC 6266: an ASCII `filename`, and `filename*` for any name)."""
    return f"attachment; filename=\"{_ascii(filename)}\"; filename*=UTF-8''{quote(filename, safe='')}"


def linkedin_add_url(record: CertificateRecord, *, academy_name: str, verify_link: str) -> str:
    """LinkedIn's "Add to profile" link, filled in with this certificate."""
    query = {
        "startTask": "CERTIFICATION_NAME",
        "name": f"{LEVEL_NAMES[record.level]} ({SERVICE_TITLE})",
        "organizationName": academy_name,
        "issueYear": str(record.valid_from.year),
        "issueMonth": str(record.valid_from.month),
        "expirationYear": str(record.valid_until.year),
        "expirationMonth": str(record.valid_until.month),
        "certUrl": verify_link,
        "certId": record.id,
    }
    return f"{LINKEDIN_ADD_TO_PROFILE}?{urlencode(query)}"


def open_graph(result: VerificationResult, page_url: str) -> dict[str, str] | None:
    """og:* tags for a verification page, or None: only when the holder made their certificate public
    (the page then shows their name), so a private certificate's link shows no card."""
    if result.status is VerificationStatus.UNKNOWN or not result.holder_name or not result.level_name:
        return None
    status = {
        VerificationStatus.VALID: "valid",
        VerificationStatus.EXPIRED: "expired",
        VerificationStatus.REVOKED: "revoked",
        VerificationStatus.SUPERSEDED: "replaced by a newer certificate",
    }.get(result.status, result.status.value)
    issued_by = f", issued by {result.academy_name}" if result.academy_name else ""
    until = f" Valid until {result.valid_until:%-d %B %Y}." if result.valid_until else ""
    return {
        "og:title": f"{result.holder_name}: {result.level_name}",
        "og:description": f"{SERVICE_TITLE} certificate{issued_by}. This certificate is {status}.{until}",
        "og:url": page_url,
        "og:type": "website",
        "og:site_name": SERVICE_TITLE,
    }
