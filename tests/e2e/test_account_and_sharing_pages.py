"""From the outside, over real HTTP to the local stack (issue 16): the account pages (a forgotten
password, the sign-up code sent again, withdrawal and erasure with their confirmation steps) and
sharing a certificate (the PDF named after the holder, LinkedIn's link, the verification page's card).

Cognito here is moto with the pool's rules (local/cognito_rules.py): any code is accepted, as the pages
say on the local stack, but the password policy is checked and unknown people are not revealed. The
web function runs under its own role, so erasure needs the role's AdminDeleteUser grant."""

from __future__ import annotations

import re
import secrets
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from botocore.exceptions import ClientError

from local import scenario
from local.stack import LocalStack
from tests.e2e.security_support import web_session
from tests.e2e.test_certificate_renewal import validated

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]

PASSWORD = "Signed-up-2026-ok"  # nosec B105 - invented test account
NEW_PASSWORD = "Changed-2026-password"  # nosec B105 - invented test account


def _token(page: requests.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


def _post(session: requests.Session, url: str, data: dict[str, str], form_url: str = "") -> requests.Response:
    token = _token(session.get(form_url or url, timeout=30))
    return session.post(url, data={**data, "csrf_token": token}, allow_redirects=False, timeout=30)


def _location(reply: requests.Response) -> str:
    assert reply.status_code == 303, reply.text[:2000]
    return reply.headers["Location"]


def test_forgotten_password_and_the_code_sent_again(local_stack: LocalStack) -> None:
    base = local_stack.base_url
    stage = urlsplit(base).path  # "/v1"
    address = f"self.{secrets.token_hex(4)}@example.nhs.uk"
    browser = requests.Session()
    signed_up = _post(
        browser,
        f"{base}/sign-up",
        {
            "name": "Mary Seacole",
            "email": address,
            "academy": "north-west",
            "employer": "A trust",
            "password": PASSWORD,
        },
    )
    assert _location(signed_up).startswith(f"{stage}/confirm?email=")
    confirm_url = f"{base}/confirm?email={address}"
    confirm = browser.get(confirm_url, timeout=30)
    assert "Send the code again" in confirm.text
    assert "Enter any 6-digit code" in confirm.text  # no email on the local stack: the page says so
    for email in (address, f"nobody.{secrets.token_hex(4)}@example.nhs.uk"):
        resent = _post(browser, f"{base}/confirm/resend", {"email": email}, form_url=confirm_url)
        assert _location(resent).startswith(f"{stage}/confirm?resent=1&email=")
    assert _location(_post(browser, f"{base}/confirm", {"email": address, "code": "123456"}))

    # Forgotten password: the same answer for an address with no account.
    for email in (address, f"nobody.{secrets.token_hex(4)}@example.nhs.uk"):
        sent = _post(browser, f"{base}/forgot-password", {"email": email})
        assert _location(sent).startswith(f"{stage}/reset-password?sent=1&email=")
    weak = _post(browser, f"{base}/reset-password", {"email": address, "code": "123456", "password": "short"})
    assert weak.status_code == 400
    assert "Password must be at least 12 characters" in weak.text
    reset = _post(
        browser, f"{base}/reset-password", {"email": address, "code": "123456", "password": NEW_PASSWORD}
    )
    assert _location(reset).startswith(f"{stage}/sign-in?reset=1")
    home = web_session(base, address, NEW_PASSWORD).get(f"{base}/home", timeout=30)
    assert "Mary Seacole" in home.text
    old = _post(requests.Session(), f"{base}/sign-in", {"email": address, "password": PASSWORD})
    assert old.status_code == 400


def test_withdrawal_then_erasure_from_the_pages(local_stack: LocalStack) -> None:
    base = local_stack.base_url
    c = scenario.cast(local_stack)
    journey_id = scenario.register(c)
    browser = web_session(base, c.practitioner.email, scenario.PASSWORD)

    blocked = browser.get(f"{base}/account/erasure", timeout=30)
    assert "Withdraw from the pathway first" in blocked.text

    ask = browser.get(f"{base}/journeys/{journey_id}/withdraw", timeout=30)
    assert "Are you sure you want to withdraw from the pathway?" in ask.text
    withdrawn = _post(browser, f"{base}/journeys/{journey_id}/withdraw", {"reason": "Changing role"})
    assert _location(withdrawn).endswith(f"/journeys/{journey_id}/withdrawn")
    assert (
        "You have withdrawn from the pathway" in browser.get(f"{base}/journeys/{journey_id}/withdrawn").text
    )
    assert c.practitioner.api.journey(journey_id)["journey"]["stage"] == "withdrawn"

    unticked = _post(browser, f"{base}/account/erasure", {})
    assert unticked.status_code == 400
    erased = _post(browser, f"{base}/account/erasure", {"confirm": "yes"})
    assert _location(erased).endswith("/account/erased")
    assert "Your account and evidence have been deleted" in browser.get(f"{base}/account/erased").text
    with pytest.raises(ClientError) as gone:
        local_stack.client("cognito-idp").admin_get_user(
            UserPoolId=local_stack.user_pool_id, Username=c.practitioner.email
        )
    assert gone.value.response["Error"]["Code"] == "UserNotFoundException"


def _meta(body: str) -> dict[str, str]:
    return {k: unescape(v) for k, v in re.findall(r'<meta property="(og:[a-z_]+)" content="([^"]*)">', body)}


def test_sharing_a_certificate(local_stack: LocalStack) -> None:
    base = local_stack.base_url
    c, _, certificate = validated(local_stack)
    browser = web_session(base, c.practitioner.email, scenario.PASSWORD)
    page = browser.get(f"{base}/certificates/{certificate}", timeout=30)
    assert page.status_code == 200
    verify_link = f"{base}/verify/{certificate}"
    assert f'value="{verify_link}" readonly' in page.text
    linkedin = re.search(r'href="(https://www.linkedin.com/profile/add\?[^"]+)"', page.text)
    assert linkedin is not None
    assert parse_qs(urlsplit(unescape(linkedin.group(1))).query)["certUrl"] == [verify_link]

    # The PDF, fetched from S3 with the presigned link, is saved under the holder's name.
    link = browser.get(f"{base}/certificates/{certificate}/download/pdf", allow_redirects=False, timeout=30)
    pdf = requests.get(_location(link), timeout=30)
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    disposition = pdf.headers["Content-Disposition"]
    assert disposition.startswith(
        f'attachment; filename="{c.practitioner.name} - System OD practitioner certificate.pdf"'
    )

    # No card while the name is private; a card once the holder shares it.
    public = requests.Session()
    assert _meta(public.get(verify_link, timeout=30).text) == {}
    shared = _post(
        browser, f"{base}/certificates/{certificate}/sharing", {"public": "yes"}, form_url=page.url
    )
    assert _location(shared)
    card = _meta(public.get(verify_link, timeout=30).text)
    assert card["og:title"] == f"{c.practitioner.name}: System OD practitioner"
    assert card["og:url"] == verify_link
    assert card["og:type"] == "website"
    assert "This certificate is valid" in card["og:description"]


def test_a_certificate_holder_chooses_on_the_erasure_page_what_happens_to_their_certificates(
    local_stack: LocalStack,
) -> None:
    """The page asks only someone who holds a certificate; no choice is an error that says what to do,
    and "Delete them" deletes their files in every version under the web function's own role."""
    base = local_stack.base_url
    c, _, certificate = validated(local_stack)
    browser = web_session(base, c.practitioner.email, scenario.PASSWORD)
    ask = browser.get(f"{base}/account/erasure", timeout=30)
    assert "What should happen to your certificates?" in ask.text

    unchosen = _post(browser, f"{base}/account/erasure", {"confirm": "yes"})
    assert unchosen.status_code == 400
    assert "Select whether to keep your certificates or delete them" in unchosen.text
    assert 'href="#certificates"' in unchosen.text  # the error summary links to the first radio
    assert c.practitioner.api.get(f"/api/certificates/{certificate}")["certificate"]["id"] == certificate

    erased = _post(browser, f"{base}/account/erasure", {"confirm": "yes", "certificates": "erase"})
    assert _location(erased).endswith("/account/erased")
    bucket = local_stack.deployed.physical_ids["CertificateBucket"]
    left = local_stack.client("s3").list_object_versions(Bucket=bucket, Prefix=f"certificates/{certificate}/")
    assert left.get("Versions", []) == []
    status = requests.get(f"{base}/api/public/certificates/{certificate}/status", timeout=10).json()
    assert status["status"] == "unknown"
