"""Every URL inside a certificate's credential resolves, without sign-in, to what it names (issue 21):
JSON for a client that asks for JSON, a page for a person."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest

from odvalidation import clock
from odvalidation.certificates.credential import build_credential
from odvalidation.domain.frameworks import framework
from odvalidation.domain.models import CertificateRecord, Level
from odvalidation.settings import settings
from tests.browser.harness import LambdaContext, api_event, in_process_web

JSON = {"Accept": "application/json"}
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.fixture
def web(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    with in_process_web(monkeypatch) as env:
        yield env


def credential() -> dict[str, Any]:
    now = clock.now()
    fw = framework("global-practice@1.0")
    record = CertificateRecord.model_validate(
        {
            "id": "Zq3xT9aLw0bN5mRk2PdVhY7c",
            "journey_id": "j-1",
            "practitioner_id": "p-1",
            "holder_name": "Zoë Smith",
            "level": Level.LEADER,
            "academy_id": "kss",
            "framework_key": fw.key,
            "element_ids": [e.id for e in fw.elements_for(Level.LEADER)],
            "valid_from": now,
            "valid_until": now + timedelta(days=1095),
            "issued_at": now,
        }
    )
    return build_credential(record, base_url=settings().public_base_url)


def get(web: dict[str, Any], url: str, headers: dict[str, str]) -> tuple[int, dict[str, Any], str]:
    base = settings().public_base_url.rstrip("/")
    assert url.startswith(base + "/"), f"{url} is not under the service's base URL {base}"
    path = urlsplit(url).path
    result = web["handler"](api_event("GET", path, headers=headers), LambdaContext())
    headers_out = {k.lower(): v[-1] for k, v in (result.get("multiValueHeaders") or {}).items()}
    headers_out |= {k.lower(): v for k, v in (result.get("headers") or {}).items()}
    return int(result["statusCode"]), headers_out, result.get("body") or ""


def test_issuer_profiles_resolve_to_their_profile(web: dict[str, Any]) -> None:
    issuer = credential()["issuer"]
    for profile in (issuer, issuer["parentOrg"]):
        status, headers, body = get(web, profile["id"], JSON)
        assert status == 200
        assert headers["content-type"].startswith("application/json")
        assert "Accept" in headers["vary"]
        served = json.loads(body)
        assert served["id"] == profile["id"]
        assert served["name"] == profile["name"]
        assert served["type"] == ["Profile"]
        status, headers, page = get(web, profile["id"], BROWSER)
        assert status == 200
        assert headers["content-type"].startswith("text/html")
        assert profile["name"] in page
    national = json.loads(get(web, issuer["parentOrg"]["id"], JSON)[2])
    assert national["name"] == "NHS Leadership Academy"


def test_the_achievement_resolves_to_the_achievement_in_the_credential(web: dict[str, Any]) -> None:
    embedded = credential()["credentialSubject"]["achievement"]
    status, _, body = get(web, embedded["id"], JSON)
    assert status == 200
    served = json.loads(body)
    # The same achievement, less the holder's own alignments (those belong to one certificate).
    assert served == {
        "@context": served["@context"],
        **{k: v for k, v in embedded.items() if k != "alignment"},
    }
    status, _, page = get(web, embedded["id"], BROWSER)
    assert status == 200
    assert embedded["name"] in page
    assert 'id="level"' in page


def test_every_alignment_target_resolves_to_its_framework_element(web: dict[str, Any]) -> None:
    alignments = credential()["credentialSubject"]["achievement"]["alignment"]
    assert alignments
    for alignment in alignments:
        page_url, _, element_id = alignment["targetUrl"].partition("#")
        status, _, body = get(web, page_url, JSON)
        assert status == 200
        served = json.loads(body)
        elements = {e["id"]: e for d in served["domains"] for e in d["elements"]}
        assert elements[element_id]["url"] == alignment["targetUrl"]
        assert elements[element_id]["title"] == alignment["targetName"]
        status, _, page = get(web, page_url, BROWSER)
        assert status == 200
        assert f'id="{element_id}"' in page
        assert alignment["targetName"] in page


@pytest.mark.parametrize(
    "path", ["/academies/atlantis", "/achievements/grand-master", "/frameworks/none@1.0"]
)
def test_unknown_ones_are_not_found_in_either_form(web: dict[str, Any], path: str) -> None:
    url = settings().public_base_url.rstrip("/") + path
    status, headers, body = get(web, url, JSON)
    assert status == 404
    assert "There is no" in json.loads(body)["message"]
    status, headers, _ = get(web, url, BROWSER)
    assert status == 404
    assert headers["content-type"].startswith("text/html")
