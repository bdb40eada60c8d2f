"""Sharing a certificate (issue 16): the copyable verification link, LinkedIn's "Add to profile" link,
the downloads named after the holder, and the Open Graph card of the public verification page, only
for a certificate its holder made public. Nothing here, or in the pages, reaches LinkedIn."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from odvalidation.certificates import sharing
from odvalidation.certificates.verification import status_of
from odvalidation.domain.models import Level
from odvalidation.services import certificates
from tests.browser.harness import WebClient, in_process_web
from tests.unit.test_web_certificates import CERT_ID, record, signed_in

BASE = "https://od.example.org/v1"


@pytest.fixture
def web(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    with in_process_web(monkeypatch) as env:
        env["records"] = {}
        monkeypatch.setattr(certificates, "record_of", lambda cid: env["records"].get(cid))
        yield env


def _meta(body: str) -> dict[str, str]:
    return {k: unescape(v) for k, v in re.findall(r'<meta property="(og:[a-z_]+)" content="([^"]*)">', body)}


# --------------------------------------------------------------------------- the pure parts


def test_the_linkedin_link_is_filled_in_with_the_certificate() -> None:
    rec = record()
    link = sharing.linkedin_add_url(
        rec, academy_name="North West Leadership Academy", verify_link=f"{BASE}/verify/x"
    )
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.linkedin.com", "/profile/add")
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query == {
        "startTask": "CERTIFICATION_NAME",
        "name": "System OD practitioner (NHS System OD Validation)",
        "organizationName": "North West Leadership Academy",
        "issueYear": str(rec.valid_from.year),
        "issueMonth": str(rec.valid_from.month),
        "expirationYear": str(rec.valid_until.year),
        "expirationMonth": str(rec.valid_until.month),
        "certUrl": f"{BASE}/verify/x",
        "certId": CERT_ID,
    }


def test_the_file_name_is_the_holders_with_a_plain_fallback_for_old_browsers() -> None:
    rec = record(holder_name='Siobhán "Sio" Ó Raghallaigh', level=Level.LEADER)
    name = sharing.file_name(rec, "certificate.pdf")
    assert name == 'Siobhán "Sio" Ó Raghallaigh - System OD leader certificate.pdf'
    header = sharing.content_disposition(name)
    assert header.startswith(
        'attachment; filename="Siobhan Sio O Raghallaigh - System OD leader certificate.pdf";'
    )
    assert unquote(header.split("filename*=UTF-8''", 1)[1]) == name
    assert "\r" not in sharing.content_disposition("a\r\nSet-Cookie: x")


def test_open_graph_only_for_a_public_certificate() -> None:
    from odvalidation import clock

    private = status_of(record(public=False), clock.now())
    public = status_of(record(public=True), clock.now())
    assert sharing.open_graph(private, f"{BASE}/verify/{CERT_ID}") is None
    assert sharing.open_graph(status_of(None, clock.now()), f"{BASE}/verify/x") is None
    tags = sharing.open_graph(public, f"{BASE}/verify/{CERT_ID}")
    assert tags is not None
    assert tags["og:title"] == "Siobhán Ó Raghallaigh: System OD practitioner"
    assert tags["og:url"] == f"{BASE}/verify/{CERT_ID}"
    assert tags["og:type"] == "website"
    assert "This certificate is valid" in tags["og:description"]


# --------------------------------------------------------------------------- through the pages


def test_the_holders_page_shows_the_link_as_text_to_copy_and_the_linkedin_link(web: dict[str, Any]) -> None:
    browser, sub = signed_in(web)
    web["records"][CERT_ID] = record(practitioner_id=sub)
    page = browser.get(f"/certificates/{CERT_ID}")
    assert page.status == 200
    field = re.search(
        r'<input class="nhsuk-input" id="verify-link" type="text" value="([^"]+)" readonly', page.body
    )
    assert field is not None
    assert field.group(1).endswith(f"/verify/{CERT_ID}")
    assert field.group(1).startswith("http")  # the whole address, not a path within the site
    assert 'for="verify-link"' in page.body
    linkedin = re.search(r'href="(https://www.linkedin.com/profile/add\?[^"]+)"', page.body)
    assert linkedin is not None
    assert parse_qs(urlsplit(unescape(linkedin.group(1))).query)["certUrl"] == [field.group(1)]


def test_the_pdf_download_is_named_after_the_holder(web: dict[str, Any]) -> None:
    browser, sub = signed_in(web)
    web["records"][CERT_ID] = record(
        practitioner_id=sub, pdf_key=f"certificates/{CERT_ID}/certificate.pdf", credential_key=None
    )
    location = str(browser.get(f"/certificates/{CERT_ID}/download/pdf").header("Location"))
    disposition = parse_qs(urlsplit(location).query)["response-content-disposition"][0]
    assert disposition.startswith(
        'attachment; filename="Siobhan O Raghallaigh - System OD practitioner certificate.pdf"'
    )


@pytest.mark.parametrize("public", [True, False])
def test_the_verification_page_has_a_card_only_when_the_holder_shares_it(
    web: dict[str, Any], public: bool
) -> None:
    web["records"][CERT_ID] = record(public=public)
    page = WebClient(web["handler"]).get(f"/verify/{CERT_ID}")
    assert page.status == 200
    tags = _meta(page.body)
    if not public:
        assert tags == {}
        assert "Raghallaigh" not in page.body
        return
    assert tags["og:title"] == "Siobhán Ó Raghallaigh: System OD practitioner"
    assert tags["og:url"].endswith(f"/verify/{CERT_ID}")
    assert tags["og:url"].startswith("http")
    assert tags["og:type"] == "website"
    # Nothing in the card that the page itself does not show.
    shown = unescape(re.sub(r"<[^>]+>", " ", page.body.split("</head>", 1)[1]))
    assert "Siobhán Ó Raghallaigh" in shown
    assert "North West Leadership Academy" in shown


def test_a_national_lead_viewing_a_certificate_gets_no_linkedin_link(web: dict[str, Any]) -> None:
    # Only the holder adds a certificate to their own profile; a lead may see the page too.
    browser, _ = signed_in(web, groups=("national_lead",))
    web["records"][CERT_ID] = record(practitioner_id="someone-else")
    page = browser.get(f"/certificates/{CERT_ID}")
    assert page.status == 200
    assert 'id="verify-link"' in page.body
    assert "linkedin.com" not in page.body
