"""The web function's site: the resolver's middleware and error pages, the sign-in pages and static files.
The page modules are included on the first request that needs each (web/route_index.py).

Every request gets a `Session` (from its cookies) before its route runs; every POST must carry the
session's CSRF token; every response gets the security headers (in `handle`, so 404s and 500s too).
A new page module defines a Powertools `Router`, takes `page()`, `redirect()`, `form_data()`,
`require_caller()` and `require_role()` from web/request.py, and its paths go in web/route_index.py
(a unit test fails until they do).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware

from ..dal import identity, read_cache
from ..domain.academies import ACADEMIES
from ..domain.errors import Forbidden, NotFound, Unavailable
from ..observability import logger
from ..settings import settings
from . import (
    pages,
    security,
    static,
    urls,
)
from .forms import (
    ConfirmForm,
    EmailForm,
    NewPasswordForm,
    SignInForm,
    SignUpForm,
    first_values,
    validate,
)
from .render import render
from .request import (
    HTML,
    SignInRequired,
    app,
    current_session,
    form_data,
    page,
    redirect,
    require_caller,
    safe_next,
)

STATIC_PREFIXES = ("/static/", "/assets/")

# --------------------------------------------------------------------------- middleware and errors


def _csrf_middleware(resolver: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response:
    path = resolver.current_event.path
    if path.startswith(STATIC_PREFIXES):
        return next_middleware(resolver)
    session = current_session()
    if resolver.current_event.http_method.upper() == "POST":
        submitted = first_values(form_data()).get(security.CSRF_FIELD)
        if not security.csrf_valid(session.sid, submitted):
            logger.info("Refused a post without a valid CSRF token", extra={"path": path})
            back = path if path not in {"/sign-out"} else "/"
            return page(
                "errors/session_expired.html", status=400, page_title="Your session expired", back_href=back
            )
    return next_middleware(resolver)


app.use(middlewares=[_csrf_middleware])


@app.not_found
def _not_found(_: Exception) -> Response:
    return page("errors/not_found.html", status=404, page_title="Page not found")


@app.exception_handler(NotFound)
def _domain_not_found(_: NotFound) -> Response:
    return page("errors/not_found.html", status=404, page_title="Page not found")


@app.exception_handler(Forbidden)
def _forbidden(error: Forbidden) -> Response:
    return page(
        "errors/forbidden.html", status=403, page_title="You cannot see this page", message=error.message
    )


@app.exception_handler(Unavailable)
def _unavailable(error: Unavailable) -> Response:
    # DynamoDB stayed busy through the store's retries (TransientError), or a service did not answer:
    # nothing was changed, so the person can act on it by trying again (not a "problem" page).
    logger.warning("busy: answered 503", extra={"path": app.current_event.path, "error": error.message})
    response = page("errors/busy.html", status=503, page_title="The service is busy", message=error.message)
    response.headers["Retry-After"] = "2"
    return response


@app.exception_handler(SignInRequired)
def _sign_in_required(_: SignInRequired) -> Response:
    return redirect("/sign-in?next=" + quote(app.current_event.path, safe="/"))


@app.exception_handler(Exception)
def _server_error(error: Exception) -> Response:
    logger.exception("The page failed", extra={"path": app.current_event.path})
    reference = (app.current_event.get("requestContext") or {}).get("requestId", "")
    try:
        return page(
            "errors/server_error.html",
            status=500,
            page_title="Sorry, there is a problem",
            reference=reference,
        )
    except Exception:  # the session itself may be what failed: show the page without it
        body = render(
            "errors/server_error.html",
            page_title="Sorry, there is a problem",
            reference=reference,
            user=None,
            csrf_token="",
            errors={},
        )
        return Response(500, HTML, body, {"Cache-Control": "no-store"})


# --------------------------------------------------------------------------- pages


@app.get("/")
def start() -> Response:
    return page("start.html", page_title="Get validated as a system OD practitioner or leader")


@app.get("/accessibility")
def accessibility() -> Response:
    return page("accessibility.html", page_title="Accessibility statement", prepared="November 2026")


def _sign_in_page(
    values: dict[str, str], errors: dict[str, str], notice: str = "", status: int = 200
) -> Response:
    # The password is never sent back to the browser.
    values = {"email": values.get("email", ""), "next": values.get("next", "")}
    return page(
        "sign_in.html", status=status, page_title="Sign in", values=values, errors=errors, notice=notice
    )


@app.get("/sign-in")
def sign_in_form() -> Response:
    query = app.current_event.query_string_parameters or {}
    notice = "Your email address is confirmed. Sign in to continue." if query.get("confirmed") else ""
    if query.get("reset"):
        notice = "Your password has been changed. Sign in with your new password."
    if query.get("next"):
        notice = notice or "Sign in to see that page."
    return _sign_in_page({"email": query.get("email", ""), "next": query.get("next", "")}, {}, notice)


@app.post("/sign-in")
def sign_in() -> Response:
    values = first_values(form_data())
    form, errors = validate(SignInForm, values)
    if form is None:
        return _sign_in_page(values, errors, status=400)
    try:
        tokens = identity.sign_in(email=form.email, password=form.password)
    except identity.NewPasswordRequired as challenge:
        return _new_password_page(
            {"email": form.email, "session": challenge.session, "next": values.get("next", "")}, {}
        )
    except identity.IdentityError as problem:
        if problem.problem is identity.Problem.NOT_CONFIRMED:
            return redirect("/confirm?email=" + quote(form.email))
        return _sign_in_page(values, {problem.field or "email": problem.message}, status=400)
    # A new session: the old session id (and its CSRF token) are replaced, so neither outlives sign-in.
    current_session().set_cookies.clear()
    return redirect(safe_next(values.get("next")), cookies=security.signed_in_cookies(tokens))


def _new_password_page(values: dict[str, str], errors: dict[str, str], status: int = 200) -> Response:
    # The Cognito session (opaque, minutes-long) rides in a hidden field; the password is never echoed.
    shown = {k: values.get(k, "") for k in ("email", "session", "next")}
    return page(
        "new_password.html", status=status, page_title="Choose your password", values=shown, errors=errors
    )


@app.post("/new-password")
def new_password() -> Response:
    values = first_values(form_data())
    form, errors = validate(NewPasswordForm, values)
    if form is None:
        return _new_password_page(values, errors, status=400)
    try:
        tokens = identity.set_new_password(email=form.email, session=form.session, password=form.password)
    except identity.IdentityError as problem:
        if problem.problem is identity.Problem.SESSION_ENDED:
            return _sign_in_page(
                {"email": form.email, "next": values.get("next", "")}, {"email": problem.message}, status=400
            )
        return _new_password_page(values, {problem.field or "password": problem.message}, status=400)
    current_session().set_cookies.clear()
    return redirect(safe_next(values.get("next")), cookies=security.signed_in_cookies(tokens))


def _sign_up_page(values: dict[str, str], errors: dict[str, str], status: int = 200) -> Response:
    options = [("", "Select an academy"), *((a.id, a.name) for a in ACADEMIES)]
    shown = {k: values.get(k, "") for k in ("name", "email", "academy", "employer")}
    return page(
        "sign_up.html",
        status=status,
        page_title="Create an account",
        values=shown,
        errors=errors,
        academy_options=options,
        password_hint=identity.STRENGTH_RULE + ".",
    )


@app.get("/sign-up")
def sign_up_form() -> Response:
    return _sign_up_page({}, {})


@app.post("/sign-up")
def sign_up() -> Response:
    values = first_values(form_data())
    form, errors = validate(SignUpForm, values)
    if form is None:
        return _sign_up_page(values, errors, status=400)
    try:
        identity.sign_up(
            email=form.email,
            password=form.password,
            name=form.name,
            academy=form.academy,
            employer=form.employer,
        )
    except identity.IdentityError as problem:
        return _sign_up_page(values, {problem.field or "email": problem.message}, status=400)
    return redirect("/confirm?email=" + quote(form.email))


def _confirm_page(
    values: dict[str, str], errors: dict[str, str], status: int = 200, resent: bool = False
) -> Response:
    shown = {"email": values.get("email", ""), "code": values.get("code", "")}
    return page(
        "confirm.html",
        status=status,
        page_title="Confirm your email address",
        values=shown,
        errors=errors,
        local_stack=settings().verify_tokens_locally,
        resent=resent,
    )


@app.get("/confirm")
def confirm_form() -> Response:
    query = app.current_event.query_string_parameters or {}
    # "If ... has an account, we have sent a new code" names only what is an email address.
    resent = (
        bool(query.get("resent")) and validate(EmailForm, {"email": query.get("email", "")})[0] is not None
    )
    return _confirm_page({"email": query.get("email", "")}, {}, resent=resent)


@app.post("/confirm")
def confirm() -> Response:
    values = first_values(form_data())
    form, errors = validate(ConfirmForm, values)
    if form is None:
        return _confirm_page(values, errors, status=400)
    try:
        identity.confirm_sign_up(email=form.email, code=form.code)
    except identity.IdentityError as problem:
        if problem.problem is identity.Problem.ALREADY_CONFIRMED:
            return redirect("/sign-in?email=" + quote(form.email))
        return _confirm_page(values, {problem.field or "code": problem.message}, status=400)
    return redirect("/sign-in?confirmed=1&email=" + quote(form.email))


@app.post("/sign-out")
def sign_out() -> Response:
    session = current_session()
    session.caller = None
    session.set_cookies.clear()
    return redirect("/", cookies=security.signed_out_cookies())


@app.get("/home")
def home() -> Response:
    caller = require_caller()
    return page("home.html", **pages.home_context(caller), notice="")


# --------------------------------------------------------------------------- static files


def _static(url_path: str) -> Response:
    found = static.load(url_path)
    if found is None:
        return Response(404, "text/plain; charset=utf-8", "Not found", {"Cache-Control": "no-store"})
    return Response(200, found.content_type, found.body, {"Cache-Control": static.LONG_CACHE})


@app.get("/static/.+")
def static_file() -> Response:
    return _static(app.current_event.path.removeprefix("/static/"))


@app.get("/assets/.+")
def asset_file() -> Response:
    # NHS.UK frontend's stylesheet refers to its icons at /assets/...
    return _static("assets/" + app.current_event.path.removeprefix("/assets/"))


# --------------------------------------------------------------------------- entry point


def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Resolve an API Gateway (REST, v1) event and add the security headers to whatever comes back."""
    with urls.serving(event), read_cache.for_request(event):
        result = app.resolve(event, context)
        headers = security.security_headers()
    multi = result.setdefault("multiValueHeaders", {})
    present = {k.lower() for k in multi} | {k.lower() for k in result.get("headers") or {}}
    for name, value in headers.items():
        if name.lower() not in present:  # a page may set its own policy (an upload form posting to S3)
            multi[name] = [value]
    return result
