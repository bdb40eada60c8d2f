"""The service under API Gateway's stage (/v1/) and at a custom domain's root, from one base path.

After `sam deploy` the service is at https://{api}.execute-api.{region}.amazonaws.com/v1/: a root-absolute
link (/sign-in) leaves the stage and API Gateway answers 403. These tests hold every page, form, redirect,
cookie and asset to the base path, and keep root-absolute URLs from coming back (static checks).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from local.http_front import binary_body_for_lambda, is_binary_media_type, response_bytes
from tests.browser.harness import WebClient, in_process_web, reset_process_caches

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "layers" / "odvalidation" / "odvalidation" / "web"
ATTRIBUTES = re.compile(r"""\b(href|action|src|srcset|formaction|poster)\s*=\s*["']\s*/""", re.IGNORECASE)
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)


@pytest.fixture
def web(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    with in_process_web(monkeypatch) as env:
        yield env


def _urls_in(page: str) -> list[str]:
    return re.findall(r"""\b(?:href|action|src)="([^"]*)\"""", page)


# --------------------------------------------------------------------------- static checks


def test_no_template_writes_a_root_absolute_url() -> None:
    # Outside jinja's own tags: a URL a template writes literally must go through url('/...').
    offenders = []
    for template in sorted((WEB / "templates").rglob("*.html")):
        for number, line in enumerate(JINJA.sub("", template.read_text()).splitlines(), 1):
            if ATTRIBUTES.search(line):
                offenders.append(f"{template.relative_to(WEB)}:{number}: {line.strip()}")
    assert not offenders, "root-absolute URLs leave API Gateway's stage; use url('/...'):\n" + "\n".join(
        offenders
    )


def test_no_template_nests_a_url_call_inside_an_expression() -> None:
    # A macro's href="..." argument is a service path (the macro calls url()): "{{ url(...) }}" written
    # there is printed literally.
    nested = re.compile(r"\{\{[^}]*\{\{")
    offenders = [
        f"{template.relative_to(WEB)}: {match.group(0)}"
        for template in sorted((WEB / "templates").rglob("*.html"))
        for match in nested.finditer(template.read_text())
    ]
    assert not offenders, "\n".join(offenders)


def test_no_web_module_sends_a_root_absolute_location_or_link() -> None:
    emits = re.compile(r"""["']Location["']\s*:\s*f?["']/|href=\\?["']/|Location:\s*/""")
    offenders = [
        f"{module.name}:{number}: {line.strip()}"
        for module in sorted(WEB.glob("*.py"))
        for number, line in enumerate(module.read_text().splitlines(), 1)
        if emits.search(line)
    ]
    assert not offenders, "use redirect() (it adds the base path) or url():\n" + "\n".join(offenders)


def test_the_stylesheet_refers_to_its_icons_relatively() -> None:
    css = (WEB / "static" / "nhsuk-frontend.min.css").read_text()
    assert "../assets/images/" in css
    assert not re.search(r"""url\(\s*["']?/(?!/)""", css), "make assets rewrites url(/assets/...) relative"


def test_the_api_treats_every_type_as_binary_so_browsers_get_icons_intact() -> None:
    template = yaml.load((ROOT / "template.yaml").read_text(), Loader=_CfnLoader)
    api = template["Resources"]["Api"]["Properties"]
    assert api["BinaryMediaTypes"] == ["*~1*"]  # SAM's escape for */*


class _CfnLoader(yaml.SafeLoader):
    pass


_CfnLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


# --------------------------------------------------------------------------- where the base path comes from


@pytest.mark.parametrize(
    ("full", "route", "expected"),
    [
        ("/v1/journeys/j-1", "/journeys/j-1", "/v1"),  # execute-api: requestContext.path has the stage
        ("/v1/", "/", "/v1"),
        ("/v1", "/", "/v1"),
        ("/journeys/j-1", "/journeys/j-1", ""),  # a custom domain mapped at its root
        ("/", "/", ""),
        ("/other/thing", "/journeys/j-1", None),  # the event does not say: fall back to the setting
        ("/a b/home", "/home", None),  # nothing but a plain path segment is trusted
    ],
)
def test_the_base_path_is_what_the_browsers_path_has_before_the_route(
    full: str, route: str, expected: str | None
) -> None:
    from odvalidation.web.urls import base_path_of

    assert base_path_of({"path": route, "requestContext": {"path": full}}) == expected


def test_without_a_request_the_configured_public_base_url_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    from odvalidation.settings import settings
    from odvalidation.web import urls

    monkeypatch.setenv("PUBLIC_BASE_URL", "https://abc123.execute-api.eu-west-2.amazonaws.com/v1/")
    settings.cache_clear()
    try:
        assert urls.url("/sign-in") == "/v1/sign-in"
        assert urls.url("https://elsewhere.example/x") == "https://elsewhere.example/x"
        assert urls.url("#main") == "#main"
        assert (
            settings().public_url("/verify/C-1")
            == "https://abc123.execute-api.eu-west-2.amazonaws.com/v1/verify/C-1"
        )
    finally:
        settings.cache_clear()


# --------------------------------------------------------------------------- pages under the stage


def test_under_the_stage_every_link_form_and_asset_stays_within_it(web: dict[str, Any]) -> None:
    browser = WebClient(web["handler"], base_path="/v1")
    for path in ("/", "/sign-in", "/sign-up", "/accessibility", "/no-such-page"):
        page = browser.get(path).body
        outside = [u for u in _urls_in(page) if not (u.startswith(("/v1/", "#", "https://")))]
        assert not outside, f"{path} links outside the stage: {outside}"
    assert 'href="/v1/static/nhsuk-frontend.min.css?v=' in page
    assert 'href="/v1/assets/images/favicon.ico"' in page


def test_at_a_root_mapping_the_same_pages_link_from_the_root(web: dict[str, Any]) -> None:
    page = web["client"].get("/sign-in").body
    assert 'href="/sign-up"' in page
    assert not [u for u in _urls_in(page) if u.startswith("/v1")]


def test_redirects_and_cookies_stay_within_the_stage(web: dict[str, Any]) -> None:
    browser = WebClient(web["handler"], base_path="/v1")
    reply = browser.get("/home")
    assert reply.status == 303
    # The stage is in the Location; next= stays a path within the service.
    assert reply.header("Location") == "/v1/sign-in?next=/home"
    assert reply.set_cookies
    assert all("Path=/v1;" in c or c.endswith("Path=/v1") for c in reply.set_cookies)


def test_secure_cookies_under_a_stage_are_secure_prefixed_and_host_prefixed_at_the_root(
    web: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SECURE_COOKIES", "true")
    reset_process_caches()
    staged = WebClient(web["handler"], base_path="/v1").get("/sign-in").set_cookies
    # __Host- demands Path=/, which would leave the stage; __Secure- still demands Secure.
    assert [c.split("=")[0] for c in staged] == ["__Secure-odv_sid"]
    assert "Path=/v1" in staged[0]
    assert "Secure" in staged[0]
    rooted = WebClient(web["handler"]).get("/sign-in").set_cookies
    assert [c.split("=")[0] for c in rooted] == ["__Host-odv_sid"]
    assert "Path=/;" in rooted[0] or rooted[0].endswith("Path=/")


def test_the_start_script_loads_from_the_stage_and_the_policy_allows_that_script(web: dict[str, Any]) -> None:
    reply = WebClient(web["handler"], base_path="/v1").get("/")
    script = re.search(r'<script type="module">(.*?)</script>', reply.body, re.DOTALL)
    assert script is not None
    assert "from '/v1/static/nhsuk-frontend.min.js?v=" in script.group(1)
    digest = base64.b64encode(hashlib.sha256(script.group(1).encode()).digest()).decode()
    assert f"'sha256-{digest}'" in (reply.header("Content-Security-Policy") or "")


# --------------------------------------------------------------------------- API Gateway's binary rules


def test_a_base64_body_is_decoded_only_when_the_first_accept_type_is_binary() -> None:
    icon = {"body": base64.b64encode(b"\x89PNG").decode(), "isBase64Encoded": True}
    browser = "image/avif,image/webp,image/apng,image/*,*/*;q=0.8"
    # A browser's first type is image/avif: an image/png entry does not match it, and the base64 text
    # itself reaches the browser (the broken icon this guards against).
    assert response_bytes(icon, browser, ["image/png"]) == icon["body"].encode()
    assert response_bytes(icon, browser, ["*/*"]) == b"\x89PNG"
    assert response_bytes(icon, "image/png", ["image/png"]) == b"\x89PNG"
    assert response_bytes(icon, "image/png,*/*", ["image/*"]) == b"\x89PNG"
    assert response_bytes(icon, "*/*", ["image/png"]) == icon["body"].encode()  # */* asked is no wildcard
    assert response_bytes(icon, None, ["*/*"]) == icon["body"].encode()
    page = {"body": "<p>text</p>", "isBase64Encoded": False}
    assert response_bytes(page, browser, ["*/*"]) == b"<p>text</p>"


def test_request_bodies_of_a_binary_media_type_reach_lambda_base64_encoded() -> None:
    assert binary_body_for_lambda("application/x-www-form-urlencoded", ["*/*"])
    assert binary_body_for_lambda(None, ["*/*"])  # API Gateway's default, application/json
    assert not binary_body_for_lambda("application/json; charset=utf-8", ["image/png"])
    assert binary_body_for_lambda("IMAGE/PNG", ["image/png"])
    assert not is_binary_media_type("", ["*/*"])


def test_pages_and_forms_work_when_every_body_arrives_base64_encoded(web: dict[str, Any]) -> None:
    # With */* binary, API Gateway hands the function each form post base64-encoded.
    from tests.browser.harness import LambdaContext, api_event

    browser = WebClient(web["handler"], base_path="/v1")
    token = browser.get("/sign-in").csrf_token()
    form = f"email=nobody%40example.org&password=WrongPassword12&csrf_token={token}"
    event = api_event(
        "POST",
        "/sign-in",
        body=form.encode(),  # bytes: the harness sends them base64-encoded
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in browser.cookies.items()),
        },
        base_path="/v1",
    )
    assert event["isBase64Encoded"] is True
    reply = web["handler"](event, LambdaContext())
    assert reply["statusCode"] == 400  # the form was read: a wrong password, not an expired session
    assert "Enter a correct email address and password" in reply["body"]
