"""The request being served, for every page module: the one resolver (`app`), this request's session
and caller (`current_session`, `require_caller`, `require_role`), its form (`form_data`), and the answers
(`page`, `redirect`). Route modules import these from here; the resolver includes each one on the
first request whose path is one of its routes (web/route_index.py), so nothing imports back.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.shared.cookies import Cookie

from ..domain import access
from ..domain.errors import Conflict, Forbidden, InvalidInput, InvalidTransition
from ..domain.models import Role
from ..lazy_routes import LazyResolver
from . import multipart, pages, security, urls
from .forms import (
    parse_form,
)
from .render import render
from .route_index import INDEX
from .security import Caller, Session

HTML = "text/html; charset=utf-8"


app = LazyResolver(INDEX)


class SignInRequired(Exception):
    """Raised by require_caller(); answered with a redirect to the sign-in page."""


def _cookie_headers() -> list[str]:
    event = app.current_event
    values: list[str] = []
    for name, items in (event.get("multiValueHeaders") or {}).items():
        if name.lower() == "cookie":
            values.extend(items or [])
    if not values:
        values = [v for k, v in (event.get("headers") or {}).items() if k.lower() == "cookie" and v]
    return values


def current_session() -> Session:
    """This request's session (loaded once per request, from its cookies)."""
    session = app.context.get("session")
    if not isinstance(session, Session):
        session = security.load_session(security.parse_cookies(_cookie_headers()))
        app.append_context(session=session)
    return session


def current_caller() -> Caller | None:
    return current_session().caller


def require_caller() -> Caller:
    caller = current_caller()
    if caller is None:
        raise SignInRequired
    return caller


def require_role(*roles: Role) -> Caller:
    caller = require_caller()
    if not any(caller.has_role(role) for role in roles):
        raise Forbidden("Your account does not have access to this page.")
    return caller


def form_data() -> dict[str, list[str]]:
    event = app.current_event
    if multipart.is_multipart(multipart.content_type_of(event.raw_event)):
        return multipart.from_event(event.raw_event).fields  # the file upload on /verify
    return parse_form(event.body, is_base64=bool(event.get("isBase64Encoded")))


def _with_session_cookies(response: Response, extra: list[Cookie] | None = None) -> Response:
    response.cookies = [*current_session().set_cookies, *(extra or []), *response.cookies]
    return response


def page(
    template: str, /, *, status: int = 200, cookies: list[Cookie] | None = None, **context: Any
) -> Response:
    """An HTML page; base.html's user and csrf_token come from the session, errors default to none."""
    session = current_session()
    context.setdefault("errors", {})
    context.setdefault("user", session.caller)
    body = render(template, csrf_token=session.csrf_token, **context)
    # Pages can show personal data: never keep them in a shared cache or the back-forward cache.
    headers = {"Cache-Control": "no-store"}
    return _with_session_cookies(Response(status, HTML, body, headers), cookies)


def redirect(location: str, /, *, cookies: list[Cookie] | None = None) -> Response:
    """A 303 to a service path ("/journeys/j-1"); the base path (the stage) is added here."""
    # 303 so that the browser follows a POST with a GET (refresh does not post the form again).
    response = Response(303, HTML, "", {"Location": urls.url(location), "Cache-Control": "no-store"})
    return _with_session_cookies(response, cookies)


def safe_next(target: str | None, default: str = "/home") -> str:
    """A service path to go to after sign-in; anything that could leave the site becomes the default."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


# The errors a person can act on (a page shows them); NotFound and Forbidden have their own pages (site.py).
ACTIONABLE = (InvalidInput, InvalidTransition, Conflict)


def me() -> access.Caller:
    return pages.domain_caller(require_caller())


def query() -> dict[str, str]:
    return dict(app.current_event.query_string_parameters or {})
