"""One jinja2 Environment per process: templates from the package, autoescaped, strict about names.

StrictUndefined makes a misspelt variable fail the page (and its test) instead of printing nothing.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from ..domain.models import Role
from ..domain.uk_time import uk_day, uk_when
from . import security, urls
from .static import app_css_version, asset_version

SERVICE_NAME = "System OD Validation"

# Where each role's work is, linked from the header of every page (the home page shows it too).
WORK_LINKS = (
    (Role.PANEL, "/panel", "Panel assignments"),
    (Role.ACADEMY_LEAD, "/lead", "Lead's work"),
    (Role.NATIONAL_LEAD, "/lead", "Lead's work"),
    (Role.NATIONAL_LEAD, "/reports", "Reports"),
)


def work_links(user: security.Caller | None) -> list[tuple[str, str]]:
    """(service path, text) of the header links to the signed-in person's work, by role."""
    if user is None:
        return []
    links = [(href, text) for role, href, text in WORK_LINKS if user.has_role(role)]
    return list(dict.fromkeys(links))  # a person with both lead roles sees each link once


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("odvalidation.web", "templates"),
        autoescape=select_autoescape(["html", "xml", "svg"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        service_name=SERVICE_NAME,
        body_class_script=security.BODY_CLASS_SCRIPT,
        # Functions, not values: both depend on the base path of the request being answered.
        init_script=security.init_script,
        url=urls.url,
        asset_version=asset_version(),
        app_css_version=app_css_version(),
        csrf_field_name=security.CSRF_FIELD,
        work_links=work_links,
        # Every time a page shows a person is in UK time (domain/uk_time.py), never the stored UTC.
        uk_when=uk_when,
        uk_day=uk_day,
    )
    return env


def render(template: str, /, **context: Any) -> str:
    """Render a page. Pages extending base.html need page_title, caller (or None) and csrf_token."""
    return environment().get_template(template).render(**context)
