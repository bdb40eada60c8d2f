"""Credentials the product issues, checked as a relying party would (issue 21): a certificate is issued
through a whole journey on the local stack, its credential and the issuer's JWKS are fetched over HTTP,
and an Open Badges 3.0 verifier nobody here wrote (openbadgeslib's OB3Verifier, pinned in the dev
dependencies) accepts it and refuses a tampered copy. The product's own public verification route
(issue 15) says which check a file fails, and every URL inside the credential resolves.

The credential's status is a W3C Bitstring Status List: the same verifier fetches the signed list over
HTTP from the local stack (its own downloader, allowed plain HTTP to 127.0.0.1 only), checks the list's
signature with the issuer's key, and reports the credential valid, then revoked once a lead revokes it.
It also reads the credential out of the baked badge image (PNG, iTXt `openbadgecredential`).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
import requests
import time_machine
from openbadgeslib.ob3 import OB3VerificationError, OB3Verifier
from openbadgeslib.util import download_file

from local import scenario
from local.stack import LocalStack
from odvalidation import clock

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]

VERIFY = "/api/public/credentials/verification"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def tamper(token: str, change: Any) -> str:
    header, payload, signature = token.split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    change(body)
    return f"{header}.{b64url(json.dumps(body).encode())}.{signature}"


@pytest.fixture(scope="module")
def issued(local_stack: LocalStack) -> Iterator[dict[str, Any]]:
    """A certificate from a whole journey, its credential file (the holder's download) and the JWKS."""
    c = scenario.cast(local_stack)
    journey_id = scenario.to_claim_development(c)
    scenario.build_claim(c, journey_id, "system_od_practitioner")
    scenario.wait_claim_complete(c, journey_id)
    scenario.submit(c, journey_id)
    scenario.review(c, journey_id, "system_od_practitioner")
    scenario.interview(c, journey_id, "system_od_practitioner")
    done = c.practitioner.api.wait_for(journey_id, lambda j: bool(j["certificate_id"]), what="certificate")
    certificate_id = str(done["journey"]["certificate_id"])
    links = c.practitioner.api.get(f"/api/certificates/{certificate_id}")["links"]
    token = requests.get(links["credential"], timeout=30).text
    jwks = requests.get(f"{local_stack.base_url}/.well-known/jwks.json", timeout=30).json()
    return {"cast": c, "certificate_id": certificate_id, "token": token, "jwks": jwks, "links": links}


def local_download(local_stack: LocalStack, travel: Any) -> Any:
    """openbadgeslib's own downloader, allowed plain HTTP and a private address for the local stack's
    URL only: anything else (the internet) is refused before a connection is made. The stack's handlers
    run in this process, so the verifier's time travel is paused while they answer: they read the
    product clock themselves, and would otherwise add its offset twice."""

    def download(url: str) -> bytes:
        assert url.startswith(f"{local_stack.base_url}/"), f"the verifier tried to fetch {url}"
        travel.stop()
        try:
            return download_file(url, allow_insecure=True, allow_private=True)
        finally:
            travel.start()

    return download


def independent_verify(token: str, jwks: dict[str, Any], *, status_from: LocalStack | None = None) -> Any:
    """openbadgeslib, handed the issuer's public key from the JWKS by the token's kid, checking the
    token at the product clock's time (it reads the wall clock, which the local stack may be behind).
    With `status_from`, it also fetches the credential's status list from that stack and checks it,
    the list's own signature included."""
    kid = jwt.get_unverified_header(token)["kid"]
    jwk = next(k for k in jwks["keys"] if k["kid"] == kid)
    verifier = OB3Verifier(jwt.PyJWK(jwk).key)
    travel = time_machine.travel(clock.now(), tick=True)
    travel.start()
    try:
        if status_from is None:
            return verifier.verify(token)
        return verifier.verify(
            token, check_status=True, verify_status_list=True, download=local_download(status_from, travel)
        )
    finally:
        travel.stop()


def test_an_independent_open_badges_verifier_accepts_the_issued_credential(issued: dict[str, Any]) -> None:
    credential = independent_verify(issued["token"], issued["jwks"])
    assert credential.id.endswith(f"/certificates/{issued['certificate_id']}")
    assert credential.achievement.name == "System OD practitioner"
    payload = credential.raw
    assert payload["iss"] == payload["issuer"]["id"]
    assert payload["jti"] == payload["id"]


@pytest.mark.parametrize(
    "change",
    [
        lambda body: body["credentialSubject"]["achievement"].update(name="System OD leader"),
        lambda body: body.update(validUntil="2099-01-01T00:00:00Z", exp=4_070_908_800),
        lambda body: body["issuer"].update(name="Another academy"),
    ],
    ids=["level", "dates", "issuer"],
)
def test_the_independent_verifier_refuses_a_tampered_copy(issued: dict[str, Any], change: Any) -> None:
    with pytest.raises(OB3VerificationError, match="Invalid signature"):
        independent_verify(tamper(issued["token"], change), issued["jwks"])


def test_the_public_verification_route_passes_every_check(
    local_stack: LocalStack, issued: dict[str, Any]
) -> None:
    anonymous = requests.post(
        f"{local_stack.base_url}{VERIFY}", json={"credential": issued["token"]}, timeout=60
    )
    assert anonymous.status_code == 200, anonymous.text
    answer = anonymous.json()
    assert answer["valid"] is True
    assert answer["failed_checks"] == []
    assert [c["name"] for c in answer["checks"]] == [
        "format",
        "issuer_key",
        "signature",
        "claims",
        "dates",
        "status",
    ]
    assert {c["outcome"] for c in answer["checks"]} == {"passed"}
    assert answer["result"]["status"] == "valid"
    assert answer["result"]["certificate_id"] == issued["certificate_id"]


def test_the_public_verification_route_says_which_check_failed(
    local_stack: LocalStack, issued: dict[str, Any]
) -> None:
    def check(token: str) -> dict[str, Any]:
        response = requests.post(f"{local_stack.base_url}{VERIFY}", json={"credential": token}, timeout=60)
        assert response.status_code == 200, response.text
        return dict(response.json())

    forged = check(tamper(issued["token"], lambda b: b["credentialSubject"].update(name="Mallory")))
    assert forged["valid"] is False
    assert forged["failed_checks"] == ["signature"]
    outcomes = {c["name"]: c["outcome"] for c in forged["checks"]}
    assert outcomes["format"] == outcomes["issuer_key"] == "passed"
    assert outcomes["dates"] == outcomes["status"] == "not_checked"
    assert "changed after it was issued" in forged["result"]["reason"]

    _header, payload, signature = issued["token"].split(".")
    other_key = b64url(json.dumps({"alg": "ES256", "kid": "not-ours", "typ": "vc+jwt"}).encode())
    assert check(f"{other_key}.{payload}.{signature}")["failed_checks"] == ["issuer_key"]
    assert check("this is not a credential")["failed_checks"] == ["format"]

    empty = requests.post(f"{local_stack.base_url}{VERIFY}", json={"credential": ""}, timeout=60)
    assert empty.status_code == 422


def test_the_public_verification_route_reports_a_revocation(local_stack: LocalStack) -> None:
    c = scenario.cast(local_stack)
    journey_id = scenario.to_claim_development(c)
    scenario.build_claim(c, journey_id, "system_od_practitioner")
    scenario.wait_claim_complete(c, journey_id)
    scenario.submit(c, journey_id)
    scenario.review(c, journey_id, "system_od_practitioner")
    scenario.interview(c, journey_id, "system_od_practitioner")
    done = c.practitioner.api.wait_for(journey_id, lambda j: bool(j["certificate_id"]), what="certificate")
    certificate_id = done["journey"]["certificate_id"]
    token = requests.get(
        c.practitioner.api.get(f"/api/certificates/{certificate_id}")["links"]["credential"], timeout=30
    ).text
    jwks = requests.get(f"{local_stack.base_url}/.well-known/jwks.json", timeout=30).json()
    # The product clock ahead of the wall clock, as after any test that moved it: the list's dates and
    # the verifier's "now" must still agree.
    local_stack.advance_clock(minutes=10)
    independent_verify(token, jwks, status_from=local_stack)  # valid, its list fetched and checked
    c.lead.api.post(f"/api/certificates/{certificate_id}/revocation", {"reason": "Evidence misattributed"})
    answer = requests.post(f"{local_stack.base_url}{VERIFY}", json={"credential": token}, timeout=60).json()
    assert answer["valid"] is False
    assert answer["failed_checks"] == ["status"]
    assert answer["result"]["status"] == "revoked"
    assert "misattributed" in answer["result"]["reason"]
    # The verifier nobody here wrote learns it from the Bitstring Status List, at once.
    index = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))["credentialStatus"][
        "statusListIndex"
    ]
    with pytest.raises(OB3VerificationError, match=f"'revocation' is set at index {index}"):
        independent_verify(token, jwks, status_from=local_stack)


def test_the_independent_verifier_checks_the_status_list_over_http(
    local_stack: LocalStack, issued: dict[str, Any]
) -> None:
    credential = independent_verify(issued["token"], issued["jwks"], status_from=local_stack)
    [status] = credential.credential_status
    assert status["type"] == "BitstringStatusListEntry"
    assert status["statusPurpose"] == "revocation"
    served = requests.get(status["statusListCredential"], timeout=30)  # no sign-in
    assert served.status_code == 200
    assert served.headers["Content-Type"].startswith("application/vc+jwt")
    assert "max-age=300" in served.headers["Cache-Control"]
    body = jwt.decode(served.text, options={"verify_signature": False})
    assert body["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert body["issuer"] == credential.issuer.id
    assert requests.get(status["statusListCredential"] + "x", timeout=30).status_code == 404


def test_the_independent_verifier_reads_the_credential_out_of_the_baked_badge(issued: dict[str, Any]) -> None:
    response = requests.get(issued["links"]["badge"], timeout=30)
    assert response.status_code == 200
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n")
    token = OB3Verifier.extract_token_from_png(response.content)
    assert token == issued["token"]
    assert independent_verify(token, issued["jwks"]).id.endswith(f"/certificates/{issued['certificate_id']}")


def test_every_url_inside_the_credential_resolves_over_http(
    local_stack: LocalStack, issued: dict[str, Any]
) -> None:
    payload = independent_verify(issued["token"], issued["jwks"]).raw
    achievement = payload["credentialSubject"]["achievement"]
    named = {
        payload["issuer"]["id"]: payload["issuer"]["name"],
        payload["issuer"]["parentOrg"]["id"]: payload["issuer"]["parentOrg"]["name"],
        achievement["id"]: achievement["name"],
    }
    for url, name in named.items():
        assert url.startswith(local_stack.base_url)
        as_json = requests.get(url, headers={"Accept": "application/json"}, timeout=30)
        assert as_json.status_code == 200
        assert as_json.json()["id"] == url
        assert as_json.json()["name"] == name
        as_page = requests.get(url, headers={"Accept": "text/html"}, timeout=30)
        assert as_page.status_code == 200
        assert name in as_page.text
    for alignment in achievement["alignment"]:
        page_url, _, element_id = alignment["targetUrl"].partition("#")
        as_page = requests.get(page_url, headers={"Accept": "text/html"}, timeout=30)
        assert as_page.status_code == 200
        assert f'id="{element_id}"' in as_page.text
