"""The pages behind the URLs inside a credential (issuer profiles, an achievement, a framework with its
element anchors), in Chromium on the local stack: no sign-in, every page axe-clean (issue 21)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import check_page

pytestmark = pytest.mark.browser


def test_issuer_achievement_and_framework_pages(stack_page: Any) -> None:
    page = stack_page
    for path, heading, shot in [
        ("academies/kss", "Kent, Surrey and Sussex Leadership Academy", "links-01-issuer"),
        ("academies/national", "NHS Leadership Academy", "links-02-national"),
        ("achievements/system_od_practitioner", "System OD practitioner", "links-03-achievement"),
        ("frameworks/global-practice@1.0", None, "links-04-framework"),
    ]:
        page.goto(path)
        if heading:
            expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        check_page(page, shot)
    expect(page.locator("section[id='1.1'] h3")).to_contain_text("1.1")
