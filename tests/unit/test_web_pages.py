"""The web front's safety nets: CSRF, form errors, autoescape, static files, headers and error pages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.harness import PASSWORD, WebClient, in_process_web


@pytest.fixture
def web(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    with in_process_web(monkeypatch) as env:
        yield env


def test_a_post_without_the_csrf_token_is_refused_with_a_page_that_says_what_to_do(
    web: dict[str, Any],
) -> None:
    browser: WebClient = web["client"]
    browser.get("/sign-up")  # a session exists; only the token is missing

    reply = browser.post("/sign-up", {"name": "A", "email": "a@nhs.net", "password": PASSWORD})

    assert reply.status == 400
    assert "Your session expired" in reply.body
    assert 'href="/sign-up"' in reply.body  # back to the form, to try again
    users = web["cognito"].list_users(UserPoolId=web["pool_id"])["Users"]
    assert users == []  # nothing was done


def test_a_csrf_token_from_another_session_is_refused(web: dict[str, Any]) -> None:
    someone_else = WebClient(web["handler"])
    token = someone_else.get("/sign-in").csrf_token()
    browser: WebClient = web["client"]
    browser.get("/sign-in")

    reply = browser.post("/sign-in", {"email": "a@nhs.net", "password": PASSWORD, "csrf_token": token})

    assert reply.status == 400
    assert "Your session expired" in reply.body


def test_a_post_with_no_session_at_all_is_refused(web: dict[str, Any]) -> None:
    reply = WebClient(web["handler"]).post("/sign-out", {"csrf_token": "anything"})
    assert reply.status == 400


def test_a_form_error_keeps_what_was_typed_and_shows_the_error_summary(web: dict[str, Any]) -> None:
    browser: WebClient = web["client"]
    typed = {
        "name": "Tomasz Wiśniewski",
        "email": "not-an-email",
        "password": "short",
        "academy": "london",
        "employer": "Barts Health NHS Trust",
    }
    reply = browser.submit("/sign-up", typed)

    assert reply.status == 400
    assert reply.body.count("nhsuk-error-summary__list") == 1
    assert "<title>Error: Create an account - System OD Validation - NHS</title>" in reply.body
    # The summary links each message to its field, in the order of the form.
    email_link = reply.body.index('<a href="#email">Enter an email address in the correct format')
    password_link = reply.body.index('<a href="#password">Password must be at least 12 characters')
    assert email_link < password_link
    # Inline messages sit with their fields.
    assert 'id="email-error"' in reply.body
    assert 'aria-describedby="email-hint email-error"' in reply.body
    # What was typed is kept, except the password.
    assert 'value="Tomasz Wiśniewski"' in reply.body
    assert 'value="not-an-email"' in reply.body
    assert 'value="Barts Health NHS Trust"' in reply.body
    assert '<option value="london" selected>' in reply.body
    assert 'value="short"' not in reply.body


def test_an_empty_confirm_form_names_each_missing_answer(web: dict[str, Any]) -> None:
    reply = web["client"].submit("/confirm", {})
    assert reply.status == 400
    assert '<a href="#email">Enter your email address</a>' in reply.body
    assert '<a href="#code">Enter the confirmation code</a>' in reply.body


def test_a_name_with_markup_is_shown_as_text(web: dict[str, Any]) -> None:
    browser: WebClient = web["client"]
    name = '<script>alert("x")</script>'
    reply = browser.submit(
        "/sign-up",
        {
            "name": name,
            "email": "not-an-email",
            "password": PASSWORD,
            "academy": "kss",
            "employer": "<b>Trust</b>",
        },
    )
    assert "<script>alert" not in reply.body
    assert 'value="&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"' in reply.body
    assert "&lt;b&gt;Trust&lt;/b&gt;" in reply.body

    # And once it is in the ID token, the header and the home page escape it too.
    browser.submit(
        "/sign-up",
        {"name": name, "email": "x@nhs.net", "password": PASSWORD, "academy": "kss", "employer": "T"},
    )
    browser.submit("/confirm", {"email": "x@nhs.net", "code": "123456"})
    browser.submit("/sign-in", {"email": "x@nhs.net", "password": PASSWORD})
    home = browser.get("/home")
    assert home.status == 200
    assert "<script>alert" not in home.body
    assert "&lt;script&gt;alert" in home.body


# A target the static handler would serve if it could be reached: a .json file two folders up.
OUTSIDE = "frameworks/global-practice@1.0.json"


@pytest.mark.parametrize(
    "path",
    [
        f"/static/../../{OUTSIDE}",
        f"/static/%2e%2e/%2e%2e/{OUTSIDE}",
        f"/static/..%2f..%2f{OUTSIDE}",
        f"/static/assets/../../../{OUTSIDE}",
        f"/assets/..%2f..%2f..%2f{OUTSIDE}",
        f"/static/..%5c..%5c{OUTSIDE}",
        f"/static/%00/../../{OUTSIDE}",
        "/static/.built",
    ],
)
def test_static_paths_outside_the_static_folder_are_refused(web: dict[str, Any], path: str) -> None:
    from odvalidation.web import static

    # Control: the target exists where a successful traversal would find it.
    assert (static.STATIC_ROOT / ".." / ".." / OUTSIDE).resolve().is_file()
    reply = web["client"].get(path)
    assert reply.status == 404
    assert "elements" not in reply.body


def test_static_files_have_their_content_type_and_a_long_cache(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from odvalidation.web import static

    (tmp_path / "assets" / "images").mkdir(parents=True)
    (tmp_path / "nhsuk-frontend.min.css").write_text("body{color:#212b32}")
    (tmp_path / "assets" / "images" / "favicon.ico").write_bytes(b"\x00\x01binary")
    monkeypatch.setattr(static, "STATIC_ROOT", tmp_path)
    with in_process_web(monkeypatch) as env:
        css = env["client"].get("/static/nhsuk-frontend.min.css")
        icon = env["client"].get("/assets/images/favicon.ico")
    assert css.status == 200
    assert css.header("Content-Type") == "text/css; charset=utf-8"
    assert css.header("Cache-Control") == "public, max-age=31536000, immutable"
    assert css.body == "body{color:#212b32}"
    assert icon.status == 200
    assert icon.header("Content-Type") == "image/x-icon"
    assert icon.body.encode("latin-1") == b"\x00\x01binary"


def test_every_response_carries_the_security_headers(web: dict[str, Any]) -> None:
    for path in ("/", "/sign-in", "/no-such-page", "/static/nope.css"):
        reply = web["client"].get(path)
        csp = reply.header("Content-Security-Policy") or ""
        assert "default-src 'self'" in csp, path
        assert "frame-ancestors 'none'" in csp
        assert "font-src 'self' https://assets.nhs.uk" in csp
        assert "'unsafe-inline'" not in csp
        assert reply.header("X-Content-Type-Options") == "nosniff"
        assert reply.header("Referrer-Policy")


def test_the_inline_scripts_are_exactly_the_ones_the_policy_allows(web: dict[str, Any]) -> None:
    import base64
    import hashlib
    import re

    reply = web["client"].get("/")
    csp = reply.header("Content-Security-Policy") or ""
    scripts = re.findall(r"<script(?: type=\"module\")?>(.*?)</script>", reply.body, flags=re.S)
    assert len(scripts) == 2
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    assert "initAll()" in scripts[1]


def test_pages_have_the_nhs_layout(web: dict[str, Any]) -> None:
    body = web["client"].get("/").body
    assert '<html lang="en-GB">' in body
    assert (
        "<title>Get validated as a system OD practitioner or leader - System OD Validation - NHS</title>"
        in body
    )
    assert 'href="#maincontent"' in body
    assert 'id="maincontent"' in body
    assert '<span class="nhsuk-header__service-name">System OD Validation</span>' in body
    assert "Beta" in body
    assert 'href="/static/nhsuk-frontend.min.css?v=' in body
    assert "Start now" in body
    assert 'href="/sign-in"' in body
    steps = body[body.index('<ol class="nhsuk-list nhsuk-list--number">') : body.index("</ol>")]
    assert steps.count("<li>") == 6


def test_an_unknown_page_is_a_404_page(web: dict[str, Any]) -> None:
    reply = web["client"].get("/no-such-page")
    assert reply.status == 404
    assert "Page not found" in reply.body
    assert reply.header("Content-Type") == "text/html; charset=utf-8"


def test_a_failure_shows_the_500_page_without_a_stack_trace(
    web: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from odvalidation.dal import identity

    def broken(**_: Any) -> None:
        raise RuntimeError("secret internals: table od-validation")

    monkeypatch.setattr(identity, "sign_in", broken)
    reply = web["client"].submit("/sign-in", {"email": "a@nhs.net", "password": PASSWORD})
    assert reply.status == 500
    assert "Sorry, there is a problem with the service" in reply.body
    assert "Traceback" not in reply.body
    assert "secret internals" not in reply.body


def test_after_sign_in_only_a_local_path_is_followed(web: dict[str, Any]) -> None:
    from odvalidation.web.request import safe_next

    assert safe_next("/claim/elements") == "/claim/elements"
    for hostile in ("https://evil.example", "//evil.example", "/\\evil.example", "javascript:alert(1)", None):
        assert safe_next(hostile) == "/home"


def test_the_accessibility_statement_is_linked_from_every_page(web: dict[str, Any]) -> None:
    assert 'href="/accessibility"' in web["client"].get("/sign-in").body
    statement = web["client"].get("/accessibility")
    assert statement.status == 200
    assert "WCAG" in statement.body


def test_a_busy_store_shows_a_page_that_says_to_try_again(
    web: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """DynamoDB stayed busy through the store's retries: a 503 a person can act on, not the 500 page."""
    from odvalidation.dal import identity, retry

    def busy(**_: Any) -> None:
        raise retry.busy("TransactionConflict")

    monkeypatch.setattr(identity, "sign_in", busy)
    reply = web["client"].submit("/sign-in", {"email": "a@nhs.net", "password": PASSWORD})
    assert reply.status == 503
    assert "The service is busy" in reply.body
    assert "try again" in reply.body
    assert "TransactionConflict" not in reply.body
    assert reply.header("Retry-After") == "2"
