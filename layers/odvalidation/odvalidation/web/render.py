"""One jinja2 Environment per process: templates from the package, autoescaped, strict about names.

StrictUndefined makes a misspelt variable fail the page (and its test) instead of printing nothing.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from . import security, urls
from .static import asset_version

SERVICE_NAME = "System OD Validation"


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
        csrf_field_name=security.CSRF_FIELD,
    )
    return env


def render(template: str, /, **context: Any) -> str:
    """Render a page. Pages extending base.html need page_title, caller (or None) and csrf_token."""
    return environment().get_template(template).render(**context)
