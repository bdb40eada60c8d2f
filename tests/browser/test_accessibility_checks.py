"""The check every browser test relies on finds what it must: a page with an image without a text
alternative and a link without a name fails `check_page`, with JavaScript on and off, and a clean page
passes. (axe is loaded from the local front, /_local/axe.min.js; if it did not load or did not run,
every other browser test would pass on anything.)"""

from __future__ import annotations

import re
from typing import Any

import pytest

from .conftest import check_page

pytestmark = pytest.mark.browser

CLEAN = """<!doctype html><html lang="en"><head><title>A clean page</title></head>
<body><main><h1>A clean page</h1><p><a href="./">Home</a></p></main></body></html>"""
BROKEN = """<!doctype html><html lang="en"><head><title>A broken page</title></head>
<body><main><h1>A broken page</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<a href="./"></a></main></body></html>"""


def _serve(page: Any, path: str, html: str) -> None:
    """`html` at a path of the stack's own origin (so the page loads axe as a service page does)."""
    page.route(
        re.compile(re.escape(path) + "$"),
        lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html),
    )
    page.goto(path.removeprefix("/"))


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_axe_fails_a_broken_page_and_passes_a_clean_one(
    stack_page: Any, stack_page_no_js: Any, javascript: bool
) -> None:
    page = stack_page if javascript else stack_page_no_js
    _serve(page, "/axe-probe-broken", BROKEN)
    with pytest.raises(AssertionError) as failed:
        check_page(page, "axe-probe-broken")
    assert "image-alt" in str(failed.value)
    assert "link-name" in str(failed.value)
    _serve(page, "/axe-probe-clean", CLEAN)
    check_page(page, "axe-probe-clean")
