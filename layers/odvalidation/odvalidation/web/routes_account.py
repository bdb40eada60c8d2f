"""Account basics (issue 16): forgotten password, the sign-up code sent again, withdrawing from the
pathway and asking for erasure, from the pages as well as the API.

Cognito's public client calls (ForgotPassword, ConfirmForgotPassword, ResendConfirmationCode) need no IAM.
The pool's client has PreventUserExistenceErrors, and these pages keep to it: whatever email address is
typed, the answer is the same, so no one can find out who has an account.

Withdrawal and erasure cannot be undone, so each has the NHS pattern: a page that says what will happen,
a warning button, then a confirmation page. The services decide (services/journeys.withdraw,
services/privacy.erase_personal_data); these pages only ask and show the answer.
"""

from __future__ import annotations

from urllib.parse import quote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from ..dal import identity
from ..domain.access import check_owner
from ..domain.errors import DomainError
from ..domain.journey import RESTING, can_move
from ..domain.models import Stage
from ..services import journeys, privacy
from ..settings import settings
from . import security
from .access import domain_caller
from .forms import EmailForm, ErasureForm, ResetPasswordForm, WithdrawForm, first_values, validate
from .request import app, current_session, form_data, page, redirect, require_caller

router: Router = Router()


def _query() -> dict[str, str]:
    return dict(app.current_event.query_string_parameters or {})


# --------------------------------------------------------------------------- forgotten password


def _forgot_page(values: dict[str, str], errors: dict[str, str], status: int = 200) -> Response:
    return page(
        "account/forgot_password.html",
        status=status,
        page_title="Reset your password",
        values={"email": values.get("email", "")},
        errors=errors,
    )


@router.get("/forgot-password")
def forgot_password_form() -> Response:
    return _forgot_page({"email": _query().get("email", "")}, {})


@router.post("/forgot-password")
def forgot_password() -> Response:
    values = first_values(form_data())
    form, errors = validate(EmailForm, values)
    if form is None:
        return _forgot_page(values, errors, status=400)
    try:
        identity.forgot_password(form.email)
    except identity.IdentityError as problem:
        return _forgot_page(values, {"email": problem.message}, status=400)
    return redirect("/reset-password?sent=1&email=" + quote(form.email))


def _reset_page(
    values: dict[str, str], errors: dict[str, str], status: int = 200, sent: bool = False
) -> Response:
    # The new password is never sent back to the browser.
    return page(
        "account/reset_password.html",
        status=status,
        page_title="Choose a new password",
        values={"email": values.get("email", ""), "code": values.get("code", "")},
        errors=errors,
        sent=sent,
        password_hint=identity.STRENGTH_RULE + ".",
        local_stack=settings().verify_tokens_locally,
    )


@router.get("/reset-password")
def reset_password_form() -> Response:
    query = _query()
    # Only an email address is echoed into "If ... has an account": the page is no place for other text.
    form, _ = validate(EmailForm, {"email": query.get("email", "")})
    email = form.email if form is not None else ""
    return _reset_page({"email": email}, {}, sent=bool(query.get("sent") and email))


@router.post("/reset-password")
def reset_password() -> Response:
    values = first_values(form_data())
    form, errors = validate(ResetPasswordForm, values)
    if form is None:
        return _reset_page(values, errors, status=400)
    try:
        identity.confirm_forgot_password(email=form.email, code=form.code, password=form.password)
    except identity.IdentityError as problem:
        return _reset_page(values, {problem.field or "code": problem.message}, status=400)
    return redirect("/sign-in?reset=1&email=" + quote(form.email))


# --------------------------------------------------------------------------- the sign-up code again


@router.post("/confirm/resend")
def resend_code() -> Response:
    values = first_values(form_data())
    form, errors = validate(EmailForm, values)
    if form is None:
        return page(
            "confirm.html",
            status=400,
            page_title="Confirm your email address",
            values={"email": values.get("email", ""), "code": ""},
            errors=errors,
            local_stack=settings().verify_tokens_locally,
        )
    try:
        identity.resend_confirmation_code(form.email)
    except identity.IdentityError as problem:
        return page(
            "confirm.html",
            status=429,
            page_title="Confirm your email address",
            values={"email": form.email, "code": ""},
            errors={"email": problem.message},
            local_stack=settings().verify_tokens_locally,
        )
    return redirect("/confirm?resent=1&email=" + quote(form.email))


# --------------------------------------------------------------------------- withdrawing from the pathway


def _withdraw_page(
    journey_id: str, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> Response:
    caller = domain_caller(require_caller())
    journey = journeys.load_for(caller, journey_id)
    check_owner(caller, journey)
    return page(
        "account/withdraw.html",
        status=status,
        page_title="Are you sure you want to withdraw from the pathway?",
        journey=journey,
        can_withdraw=can_move(journey.stage, Stage.WITHDRAWN),
        values={"reason": values.get("reason", "")},
        errors=errors,
    )


@router.get("/journeys/<journey_id>/withdraw")
def withdraw_form(journey_id: str) -> Response:
    return _withdraw_page(journey_id, {}, {})


@router.post("/journeys/<journey_id>/withdraw")
def withdraw(journey_id: str) -> Response:
    caller = domain_caller(require_caller())
    values = first_values(form_data())
    form, errors = validate(WithdrawForm, values)
    if form is None:
        return _withdraw_page(journey_id, values, errors, status=400)
    try:
        journeys.withdraw(caller, journey_id, form.reason.strip())
    except DomainError as problem:
        return _withdraw_page(journey_id, values, {"reason": problem.message}, status=409)
    return redirect(f"/journeys/{journey_id}/withdrawn")


@router.get("/journeys/<journey_id>/withdrawn")
def withdrawn(journey_id: str) -> Response:
    caller = domain_caller(require_caller())
    journey = journeys.load_for(caller, journey_id)
    check_owner(caller, journey)
    if journey.stage is not Stage.WITHDRAWN:
        return redirect(f"/journeys/{journey_id}")
    return page("account/withdrawn.html", page_title="You have withdrawn from the pathway", journey=journey)


# --------------------------------------------------------------------------- erasure


def _erasure_page(
    errors: dict[str, str], status: int = 200, values: dict[str, str] | None = None
) -> Response:
    caller = domain_caller(require_caller())
    mine = journeys.my_journeys(caller)
    in_progress = [j for j in mine if j.stage not in RESTING or j.task_token]
    return page(
        "account/erasure.html",
        status=status,
        page_title="Are you sure you want your account and evidence deleted?",
        in_progress=in_progress,
        holds_certificates=not in_progress and privacy.holds_certificates(caller.id),
        errors=errors,
        values=values or {},
    )


@router.get("/account/erasure")
def erasure_form() -> Response:
    return _erasure_page({})


@router.post("/account/erasure")
def erasure() -> Response:
    caller = domain_caller(require_caller())
    values = first_values(form_data())
    form, errors = validate(ErasureForm, values)
    if form is not None and not form.certificates and privacy.holds_certificates(caller.id):
        form, errors = None, {"certificates": "Select whether to keep your certificates or delete them"}
    if form is None:
        return _erasure_page(errors, status=400, values=values)
    try:
        privacy.erase_personal_data(
            caller, confirm=True, certificates="erase" if form.certificates == "erase" else "keep"
        )
    except DomainError as problem:
        return _erasure_page({"confirm": problem.message}, status=409)
    # The account is gone: the session ends with it, and the confirmation page is for no one signed in.
    session = current_session()
    session.caller = None
    session.set_cookies.clear()
    return redirect("/account/erased", cookies=security.signed_out_cookies())


@router.get("/account/erased")
def erased() -> Response:
    return page("account/erased.html", page_title="Your account and evidence have been deleted")
