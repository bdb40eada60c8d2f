"""Browser test harness: Debian's Chromium driven by Playwright, axe-core on every page, screenshots.

Fixtures:
- `stack`      (session) this process's LocalStack: the service under its stage (/v1/), as deployed.
- `browser`    (module) headless Chromium (/usr/bin/chromium).
- `page`       a fresh context and page on the stack, JavaScript on (also `stack_page`).
- `page_no_js` a fresh context and page with JavaScript switched off (also `stack_page_no_js`).
The pages' base URL ends in the stage (`http://127.0.0.1:PORT/v1/`): go to service pages by relative
paths (`page.goto("sign-in")`, `page.goto("./")`), as a link would; `/_local/...` is at the root.
Helpers: `axe_check(page)` returns axe's WCAG 2.2 AA violations; `check_page(page, name)` fails with a readable
list of violations and saves the page as test-artifacts/screenshots/<name>.png when it fails (every page with
SCREENSHOTS=all).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from local import scenario
from local.stack import LocalStack, shared_stack

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
SAVE_EVERY_SCREENSHOT = os.environ.get("SCREENSHOTS") == "all"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Nothing leaves this machine: every host name but 127.0.0.1 fails to resolve (the NHS web fonts
    # among them; pages fall back to Arial, as offline). Done in Chromium rather than with a route
    # handler, which would send every request of every page through Python and back.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
FONT_HOST = "https://assets.nhs.uk"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


# One Chromium per test process (each xdist worker has its own, beside its own stack); every test gets a
# fresh context, so no cookie or storage passes from one test to the next.
@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (make chromium)")
    from playwright.sync_api import sync_playwright

    home = Path(tempfile.mkdtemp(prefix="chromium-"))
    env = {**os.environ, "XDG_CONFIG_HOME": str(home / "config"), "XDG_CACHE_HOME": str(home / "cache")}
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, env=env)
            yield chromium
            chromium.close()
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _new_page(browser: Any, base_url: str, **options: Any) -> Any:
    # The last slash makes relative paths resolve under the stage (…/v1/ + sign-in).
    context = browser.new_context(base_url=base_url.rstrip("/") + "/", locale="en-GB", **options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.javascript_enabled = options.get("java_script_enabled", True)
    # Console errors (a script the CSP blocked, a stylesheet that failed to load) fail check_page.
    page.console_errors = []
    page.on("console", lambda message: _console_error(page, base_url, message))
    return page


def _console_error(page: Any, base_url: str, message: Any) -> None:
    url = (message.location or {}).get("url", "")
    # A 400 or 404 page's own status is reported too; that is the page under test, not a fault.
    own_status = url == page.url and message.text.startswith("Failed to load resource")
    if message.type == "error" and not (url.startswith(FONT_HOST) or own_status):
        page.console_errors.append(f"{message.text} ({url})")


@pytest.fixture
def page(browser: Any, stack: LocalStack) -> Iterator[Any]:
    page = _new_page(browser, stack.base_url)
    yield page
    page.context.close()


@pytest.fixture
def page_no_js(browser: Any, stack: LocalStack) -> Iterator[Any]:
    page = _new_page(browser, stack.base_url, java_script_enabled=False)
    yield page
    page.context.close()


def axe_check(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations of WCAG 2.0, 2.1 and 2.2 A and AA on the page as it is now."""
    # From the page's own origin (the local front's /_local/axe.min.js), which the page's
    # Content-Security-Policy allows as it stands: Chromium caches the script and its compiled code,
    # where a string evaluated on each page was compiled again each time.
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=_axe_url(page.url))
    result: dict[str, Any] = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return list(result["violations"])


def _axe_check_without_scripts(page: Any) -> list[dict[str, Any]]:
    """axe needs JavaScript (its timers never fire where scripts are off): the document as this page shows
    it is served, at the same URL, to a twin page where only NHS.UK frontend's script is blocked, so it
    stays as the server sent it, and that is checked. (What the page shows, not a fresh GET: after a form
    is posted, that is the page with its errors.) One twin per page, so its stylesheet is parsed once."""
    twin = getattr(page, "axe_twin", None)
    if twin is None:
        context = page.context.browser.new_context(locale="en-GB", viewport=page.viewport_size)
        context.route("**/nhsuk-frontend.min.js*", lambda route: route.abort())
        twin = page.axe_twin = context.new_page()
        page.on("close", lambda _: context.close())
    if page.viewport_size:  # the reflow checks narrow the page: the twin follows
        twin.set_viewport_size(page.viewport_size)
    html, url = page.content(), page.url
    here = re.compile("^" + re.escape(url) + "$")

    def serve(route: Any) -> None:
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

    twin.route(here, serve)
    try:
        twin.goto(url)
        return axe_check(twin)
    finally:
        twin.unroute(here, serve)


def _axe_url(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/_local/axe.min.js"


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        targets = [", ".join(node["target"]) for node in violation["nodes"]]
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}\n    at {'; '.join(targets)}"
        )
    return "\n".join(lines)


def check_page(page: Any, name: str) -> None:
    """Fail if the browser reported an error or axe finds any WCAG 2.2 AA violation; the page's screenshot
    is saved (test-artifacts/screenshots/<name>.png) when it fails, or always with SCREENSHOTS=all."""
    # A click that navigates returns once the new page is committed, not loaded: axe must not run on a
    # document still being replaced (the screenshot taken here before used to give it that time).
    page.wait_for_load_state("load")
    errors = getattr(page, "console_errors", [])
    violations = (
        [] if errors else (axe_check(page) if page.javascript_enabled else _axe_check_without_scripts(page))
    )
    if errors or violations or SAVE_EVERY_SCREENSHOT:
        # A full-page PNG costs Chromium as much as an axe run: taken when someone will look at it.
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    assert not errors, f"the browser reported errors on {name} ({page.url}):\n" + "\n".join(errors)
    assert not violations, f"axe found accessibility problems on {name} ({page.url}):\n{describe(violations)}"


# --- the local stack, shared by every browser test module (moto's state is process-wide) ------------


@pytest.fixture(scope="session")
def stack() -> LocalStack:
    return shared_stack()


@pytest.fixture
def stack_page(browser: Any, stack: LocalStack) -> Iterator[Any]:
    page = _new_page(browser, stack.base_url)
    yield page
    page.context.close()


@pytest.fixture
def stack_page_no_js(browser: Any, stack: LocalStack) -> Iterator[Any]:
    page = _new_page(browser, stack.base_url, java_script_enabled=False)
    yield page
    page.context.close()


def sign_in(page: Any, email: str, password: str = scenario.PASSWORD) -> None:
    """Sign in on the service's own page, as a person does, and land on their home."""
    page.goto("sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/home")
