"""Email bodies: jinja2 templates, an HTML part (autoescaped) and a text part for every message.

jinja2 is imported when the first email is rendered, not when a handler that might send one starts.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jinja2 import Environment


@cache
def _html() -> Environment:
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=PackageLoader("odvalidation", "email/templates"),
        autoescape=select_autoescape(["html"], default=True),
        undefined=StrictUndefined,
    )


@cache
def _text() -> Environment:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    # Plain text is never interpreted as markup by a mail client, so it is not escaped.
    return Environment(  # nosec B701 - the text/plain part is never read as markup
        loader=PackageLoader("odvalidation", "email/templates"),
        autoescape=False,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def render(kind: str, **context: Any) -> tuple[str, str, str]:
    """Return (subject, text, html) for an email kind."""
    text = _text().get_template(f"{kind}.txt").render(**context)
    subject, _, body = text.partition("\n")
    html = _html().get_template(f"{kind}.html").render(subject=subject.strip(), **context)
    return subject.strip(), body.lstrip("\n"), html
