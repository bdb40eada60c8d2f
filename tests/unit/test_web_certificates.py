"""Certificate pages through the web handler: the public /verify page (no sign-in), the credential file
upload (a real ES256 signature, checked against the JWKS, then the live status) and the holder's page.
The certificate store is replaced by a dict: the services' rules run as they are."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from odvalidation import clock
from odvalidation.certificates.credential import build_credential
from odvalidation.certificates.jws import LocalKeySigner, public_jwks, sign_credential
from odvalidation.domain.models import CertificateRecord, Level
from odvalidation.services import certificates
from tests.browser.harness import PASSWORD, LambdaContext, Reply, WebClient, api_event, in_process_web

CERT_ID = "Zq3xT9aLw0bN5mRk2PdVhY7c"


def record(**changes: Any) -> CertificateRecord:
    now = clock.now()
    fields: dict[str, Any] = {
        "id": CERT_ID,
        "journey_id": "j-1",
        "practitioner_id": "holder-sub",
        "holder_name": "Siobhán Ó Raghallaigh",
        "level": Level.PRACTITIONER,
        "academy_id": "north-west",
        "framework_key": "global-practice@1.0",
        "element_ids": ["1.1"],
        "valid_from": now - timedelta(days=30),
        "valid_until": now + timedelta(days=1000),
        "issued_at": now - timedelta(days=30),
    }
    return CertificateRecord.model_validate(fields | changes)


@pytest.fixture
def web(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    with in_process_web(monkeypatch) as env:
        env["records"] = {}
        monkeypatch.setattr(certificates, "record_of", lambda cid: env["records"].get(cid))
        yield env


def signed_in(web: dict[str, Any], *, groups: tuple[str, ...] = ("practitioner",)) -> tuple[WebClient, str]:
    cognito, pool = web["cognito"], web["pool_id"]
    email = f"holder-{uuid.uuid4().hex[:6]}@nhs.net"
    user = cognito.admin_create_user(
        UserPoolId=pool,
        Username=email,
        UserAttributes=[
            {"Name": "email", "Value": email},
            {"Name": "name", "Value": "Siobhán Ó Raghallaigh"},
        ],
        MessageAction="SUPPRESS",
    )["User"]
    cognito.admin_set_user_password(UserPoolId=pool, Username=email, Password=PASSWORD, Permanent=True)
    for group in groups:
        cognito.admin_add_user_to_group(UserPoolId=pool, Username=email, GroupName=group)
    sub = next(a["Value"] for a in user["Attributes"] if a["Name"] == "sub")
    browser = WebClient(web["handler"])
    assert browser.submit("/sign-in", {"email": email, "password": PASSWORD}).status == 303
    return browser, sub


def upload(browser: WebClient, content: bytes, filename: str = "credential.jwt") -> Reply:
    """POST /verify as a browser posts a form with a file (multipart/form-data)."""
    token = browser.get("/verify").csrf_token()
    boundary = "----odv" + uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="credential"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    cookies = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
    event = api_event(
        "POST",
        "/verify",
        body=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}", "Cookie": cookies},
    )
    result = browser.handler(event, LambdaContext())
    return Reply(
        int(result["statusCode"]), dict(result.get("multiValueHeaders") or {}), result.get("body") or ""
    )


def test_verify_needs_no_sign_in_and_shows_the_level_but_not_a_private_name(web: dict[str, Any]) -> None:
    web["records"][CERT_ID] = record()

    reply = WebClient(web["handler"]).get(f"/verify/{CERT_ID}")

    assert reply.status == 200
    assert "<h1>This certificate is valid</h1>" in reply.body
    assert "System OD practitioner" in reply.body
    assert "North West" in reply.body
    assert "Siobhán" not in reply.body  # not shared


def test_a_shared_certificate_shows_the_holders_name(web: dict[str, Any]) -> None:
    web["records"][CERT_ID] = record(public=True)
    assert "Siobhán Ó Raghallaigh" in WebClient(web["handler"]).get(f"/verify/{CERT_ID}").body


def test_revoked_expired_and_superseded_say_so_with_the_reason(web: dict[str, Any]) -> None:
    now = clock.now()
    client = WebClient(web["handler"])
    web["records"][CERT_ID] = record(revoked_at=now - timedelta(days=2), revoked_reason="Issued in error")
    body = client.get(f"/verify/{CERT_ID}").body
    assert "This certificate has been revoked" in body
    assert "Issued in error" in body
    assert (now - timedelta(days=2)).strftime("%-d %B %Y") in body

    web["records"][CERT_ID] = record(valid_until=now - timedelta(days=1))
    assert "This certificate has expired" in client.get(f"/verify/{CERT_ID}").body

    web["records"][CERT_ID] = record(superseded_by="newer-certificate-id")
    assert "This certificate has been replaced" in client.get(f"/verify/{CERT_ID}").body


def test_an_unknown_or_malformed_id_is_not_found_without_saying_more(web: dict[str, Any]) -> None:
    client = WebClient(web["handler"])
    for path in (f"/verify/{CERT_ID}", "/verify/short"):
        reply = client.get(path)
        assert reply.status == 404
        assert "We cannot find this certificate" in reply.body
        assert "Validated as" not in reply.body


def test_the_number_form_goes_to_the_certificates_page_or_explains_the_mistake(web: dict[str, Any]) -> None:
    client = WebClient(web["handler"])
    assert client.get("/verify", certificate=CERT_ID).header("Location") == f"/verify/{CERT_ID}"
    reply = client.get("/verify", certificate="")
    assert reply.status == 400
    assert '<a href="#certificate">Enter the certificate number</a>' in reply.body


@pytest.fixture
def signer(monkeypatch: pytest.MonkeyPatch) -> LocalKeySigner:
    key = LocalKeySigner.generate("unit-key")
    monkeypatch.setattr(certificates, "jwks", lambda: public_jwks(key.public_key_der(), key.key_id))
    return key


def test_an_uploaded_credential_is_checked_for_its_signature_then_its_live_status(
    web: dict[str, Any], signer: LocalKeySigner
) -> None:
    genuine = record()
    token = sign_credential(build_credential(genuine, base_url="https://od.example.org"), signer)
    web["records"][CERT_ID] = genuine.model_copy(
        update={"revoked_at": clock.now() - timedelta(hours=1), "revoked_reason": "Withdrawn by the academy"}
    )

    reply = upload(WebClient(web["handler"]), token.encode() + b"\n")

    assert reply.status == 200, reply.body
    assert "This certificate has been revoked" in reply.body  # the file says valid; the live record does not
    assert "signature is genuine" in reply.body
    assert "Withdrawn by the academy" in reply.body


def test_a_changed_credential_is_not_genuine(web: dict[str, Any], signer: LocalKeySigner) -> None:
    web["records"][CERT_ID] = record()
    token = sign_credential(build_credential(record(), base_url="https://od.example.org"), signer)
    head, body, signature = token.split(".")
    forged = f"{head}.{body[:-4]}AAAA.{signature}".encode()

    reply = upload(WebClient(web["handler"]), forged)

    assert "This file is not a genuine certificate" in reply.body
    assert "This certificate is valid" not in reply.body


def test_an_empty_or_oversized_upload_is_refused_on_the_form(
    web: dict[str, Any], signer: LocalKeySigner
) -> None:
    client = WebClient(web["handler"])
    empty = upload(client, b"", filename="")
    assert empty.status == 400
    assert '<a href="#credential">Select the certificate' in empty.body

    big = upload(client, b"a" * (64 * 1024 + 1))
    assert big.status == 400
    assert "The file must be smaller than 64 KB" in big.body


def test_the_holder_sees_details_downloads_and_turns_sharing_on(
    web: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    browser, sub = signed_in(web)
    web["records"][CERT_ID] = record(practitioner_id=sub)
    saved: list[bool] = []

    def share(caller: Any, certificate_id: str, public: bool) -> CertificateRecord:
        saved.append(public)
        assert caller.id == sub
        return record(practitioner_id=sub, public=public)

    monkeypatch.setattr(certificates, "set_sharing", share)
    monkeypatch.setattr(
        certificates, "download_links", lambda caller, cid: {"pdf": "https://s3.example/c.pdf?sig=1"}
    )

    page = browser.get(f"/certificates/{CERT_ID}")
    assert page.status == 200
    assert "Siobhán Ó Raghallaigh" in page.body
    assert f'href="/certificates/{CERT_ID}/download/pdf"' in page.body
    # The short-lived link is made when asked for, never printed in the page.
    assert "s3.example" not in page.body
    assert (
        browser.get(f"/certificates/{CERT_ID}/download/pdf").header("Location")
        == "https://s3.example/c.pdf?sig=1"
    )

    reply = browser.post(
        f"/certificates/{CERT_ID}/sharing", {"public": "yes", "csrf_token": page.csrf_token()}
    )
    assert reply.status == 303
    assert saved == [True]


def test_the_holder_is_offered_the_baked_badge_when_there_is_one(
    web: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    browser, sub = signed_in(web)
    badge = f'href="/certificates/{CERT_ID}/download/badge"'
    web["records"][CERT_ID] = record(practitioner_id=sub)  # issued before badges were baked
    assert badge not in browser.get(f"/certificates/{CERT_ID}").body
    web["records"][CERT_ID] = record(practitioner_id=sub, badge_key=f"certificates/{CERT_ID}/badge.png")
    monkeypatch.setattr(
        certificates, "download_links", lambda caller, cid: {"badge": "https://s3.example/b.png?sig=1"}
    )
    page = browser.get(f"/certificates/{CERT_ID}")
    assert badge in page.body
    assert "badge backpack" in page.body
    assert browser.get(f"/certificates/{CERT_ID}/download/badge").header("Location") == (
        "https://s3.example/b.png?sig=1"
    )


def test_someone_elses_certificate_page_is_not_found(web: dict[str, Any]) -> None:
    browser, _ = signed_in(web)
    web["records"][CERT_ID] = record(practitioner_id="someone-else")
    assert browser.get(f"/certificates/{CERT_ID}").status == 404  # services.certificates.mine: not confirmed


def test_the_holders_page_needs_sign_in(web: dict[str, Any]) -> None:
    reply = WebClient(web["handler"]).get(f"/certificates/{CERT_ID}")
    assert reply.status == 303
    assert (reply.header("Location") or "").startswith("/sign-in?next=")
