"""Cognito user pool calls made by the web pages: sign up, confirm, sign in, refresh.

Cognito's error codes are turned into `IdentityError`s whose message a person can act on, with the
form field it belongs to, so pages never show AWS wording or stack traces.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from botocore.exceptions import ClientError
from pydantic import BaseModel, ConfigDict

from ..settings import settings
from .clients import client


class Problem(StrEnum):
    EMAIL_TAKEN = "email_taken"
    WEAK_PASSWORD = "weak_password"  # noqa: S105 - a problem name, not a password
    INVALID_DETAILS = "invalid_details"
    BAD_CREDENTIALS = "bad_credentials"
    NOT_CONFIRMED = "not_confirmed"
    WRONG_CODE = "wrong_code"
    EXPIRED_CODE = "expired_code"
    ALREADY_CONFIRMED = "already_confirmed"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    SESSION_ENDED = "session_ended"


class IdentityError(Exception):
    """A sign-up or sign-in problem the person can fix; `field` names the form field it belongs to."""

    def __init__(self, problem: Problem, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.problem = problem
        self.message = message
        self.field = field


class Tokens(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    id_token: str
    # Cognito does not return a new refresh token when refreshing: the caller keeps the old one.
    refresh_token: str | None = None


# The pool's password policy (template.yaml), in words a person can follow.
STRENGTH_RULE = (
    "Password must be at least 12 characters and include a capital letter, a lowercase letter and a number"
)

_TOO_MANY = IdentityError(
    Problem.TOO_MANY_ATTEMPTS, "You have tried too many times. Wait 15 minutes, then try again."
)


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def sign_up(*, email: str, password: str, name: str, academy: str, employer: str) -> str:
    """Create a practitioner's account (unconfirmed until the emailed code is entered); returns the sub."""
    cognito = client("cognito-idp")
    attributes = [
        {"Name": "email", "Value": email},
        {"Name": "name", "Value": name},
        {"Name": "custom:employer", "Value": employer},
    ]
    try:
        response: dict[str, Any] = cognito.sign_up(
            ClientId=settings().user_pool_client_id,
            Username=email,
            Password=password,
            UserAttributes=attributes,
        )
    except ClientError as error:
        code = _code(error)
        if code == "UsernameExistsException":
            raise IdentityError(
                Problem.EMAIL_TAKEN,
                "An account already uses this email address. Sign in, or use a different email address.",
                "email",
            ) from None
        if code == "InvalidPasswordException":
            raise IdentityError(Problem.WEAK_PASSWORD, STRENGTH_RULE, "password") from None
        if code == "InvalidParameterException":
            raise IdentityError(
                Problem.INVALID_DETAILS,
                "Enter an email address in the correct format, like name@nhs.net",
                "email",
            ) from None
        if code in {"TooManyRequestsException", "LimitExceededException"}:
            raise _TOO_MANY from None
        raise
    sub = str(response["UserSub"])
    # The app client may not write custom:academy (it scopes an academy lead's access), so the academy the
    # person chose (checked by the page against the academies we know) is set with an admin call. With
    # email as the username attribute the pool's real username is the sub (in Cognito and in moto).
    # Everyone who signs themselves up becomes a practitioner through the pool's post-confirmation
    # trigger, whichever client they used; this page adds no group.
    cognito.admin_update_user_attributes(
        UserPoolId=settings().user_pool_id,
        Username=sub,
        UserAttributes=[{"Name": "custom:academy", "Value": academy}],
    )
    return sub


def confirm_sign_up(*, email: str, code: str) -> None:
    try:
        client("cognito-idp").confirm_sign_up(
            ClientId=settings().user_pool_client_id, Username=email, ConfirmationCode=code
        )
    except ClientError as error:
        problem = _code(error)
        if problem == "CodeMismatchException":
            raise IdentityError(
                Problem.WRONG_CODE, "The code is not correct. Check the email we sent and try again.", "code"
            ) from None
        if problem == "ExpiredCodeException":
            raise IdentityError(
                Problem.EXPIRED_CODE, "The code has expired. Sign up again to get a new code.", "code"
            ) from None
        if problem == "NotAuthorizedException":
            raise IdentityError(
                Problem.ALREADY_CONFIRMED, "This account is already confirmed. Sign in instead.", "email"
            ) from None
        if problem in {"UserNotFoundException", "InvalidParameterException"}:
            raise IdentityError(
                Problem.INVALID_DETAILS, "Enter the email address you signed up with", "email"
            ) from None
        if problem in {
            "TooManyRequestsException",
            "LimitExceededException",
            "TooManyFailedAttemptsException",
        }:
            raise _TOO_MANY from None
        raise


class NewPasswordRequired(Exception):
    """The account was made by an invitation: the person must choose a password to finish signing in."""

    def __init__(self, session: str) -> None:
        super().__init__("a new password is required")
        self.session = session


def set_new_password(*, email: str, session: str, password: str) -> Tokens:
    """Answer the new-password challenge of an invited person's first sign-in."""
    try:
        response: dict[str, Any] = client("cognito-idp").respond_to_auth_challenge(
            ClientId=settings().user_pool_client_id,
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=session,
            ChallengeResponses={"USERNAME": email, "NEW_PASSWORD": password},
        )
    except ClientError as error:
        code = _code(error)
        if code == "InvalidPasswordException":
            raise IdentityError(Problem.WEAK_PASSWORD, STRENGTH_RULE, "password") from None
        if code in {"NotAuthorizedException", "CodeMismatchException", "ExpiredCodeException"}:
            raise IdentityError(
                Problem.SESSION_ENDED,
                "This sign-in has timed out. Sign in again with the temporary password from your invitation.",
                "password",
            ) from None
        raise
    result = response["AuthenticationResult"]
    return Tokens(id_token=result["IdToken"], refresh_token=result.get("RefreshToken"))


def sign_in(*, email: str, password: str) -> Tokens:
    try:
        response: dict[str, Any] = client("cognito-idp").initiate_auth(
            ClientId=settings().user_pool_client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": password},
        )
    except ClientError as error:
        code = _code(error)
        # One message for unknown user and wrong password, so the form does not reveal who has an account.
        if code in {"NotAuthorizedException", "UserNotFoundException"}:
            raise IdentityError(
                Problem.BAD_CREDENTIALS, "Enter a correct email address and password", "email"
            ) from None
        if code == "UserNotConfirmedException":
            raise IdentityError(
                Problem.NOT_CONFIRMED, "Confirm your email address before you sign in", "email"
            ) from None
        if code in {"TooManyRequestsException", "LimitExceededException", "PasswordResetRequiredException"}:
            raise _TOO_MANY from None
        raise
    result = response.get("AuthenticationResult")
    if not result and response.get("ChallengeName") == "NEW_PASSWORD_REQUIRED":
        # An invited person signing in with their temporary password chooses their own now.
        raise NewPasswordRequired(str(response["Session"]))
    if not result:
        # Another challenge (MFA) that this service does not offer.
        raise IdentityError(
            Problem.BAD_CREDENTIALS,
            "Your account needs a new password. Use the link in your invitation email to set one.",
            "email",
        )
    return Tokens(id_token=result["IdToken"], refresh_token=result.get("RefreshToken"))


def refresh(refresh_token: str) -> Tokens:
    """A fresh ID token from the refresh token, so a long form is not lost when the hour-long token expires."""
    try:
        response: dict[str, Any] = client("cognito-idp").initiate_auth(
            ClientId=settings().user_pool_client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": refresh_token},
        )
    except ClientError as error:
        if _code(error) in {"NotAuthorizedException", "UserNotFoundException", "InvalidParameterException"}:
            raise IdentityError(Problem.SESSION_ENDED, "Your session has ended. Sign in again.") from None
        raise
    result = response["AuthenticationResult"]
    return Tokens(id_token=result["IdToken"], refresh_token=result.get("RefreshToken") or refresh_token)


def invite(
    *, email: str, name: str, group: str, academy: str | None, employer: str | None, temporary_password: str
) -> str:
    """Create an account for someone an academy lead invites; returns the sub. Cognito's own message is
    suppressed: the service sends its invitation email itself (SES, the same as every other email)."""
    attributes = [
        {"Name": "email", "Value": email},
        {"Name": "email_verified", "Value": "true"},
        {"Name": "name", "Value": name},
    ]
    if academy:
        attributes.append({"Name": "custom:academy", "Value": academy})
    if employer:
        attributes.append({"Name": "custom:employer", "Value": employer})
    cognito = client("cognito-idp")
    try:
        response: dict[str, Any] = cognito.admin_create_user(
            UserPoolId=settings().user_pool_id,
            Username=email,
            UserAttributes=attributes,
            TemporaryPassword=temporary_password,
            MessageAction="SUPPRESS",
        )
    except ClientError as error:
        if _code(error) == "UsernameExistsException":
            raise IdentityError(
                Problem.EMAIL_TAKEN, "Someone with this email address already has an account.", "email"
            ) from None
        raise
    sub = next(a["Value"] for a in response["User"]["Attributes"] if a["Name"] == "sub")
    cognito.admin_add_user_to_group(UserPoolId=settings().user_pool_id, Username=email, GroupName=group)
    return str(sub)


def add_to_group(*, email: str, group: str, user_pool_id: str | None = None) -> None:
    """Add a person (by email, or by the pool's username) to a group; adding them again changes nothing."""
    client("cognito-idp").admin_add_user_to_group(
        UserPoolId=user_pool_id or settings().user_pool_id, Username=email, GroupName=group
    )


def group_members(group: str) -> list[dict[str, str]]:
    """Everyone in a group, with their attributes (the pool's own record: no copy to keep in step)."""
    pages = client("cognito-idp").get_paginator("list_users_in_group")
    members: list[dict[str, str]] = []
    for page in pages.paginate(UserPoolId=settings().user_pool_id, GroupName=group):
        for user in page.get("Users", []):
            attributes = {a["Name"]: a["Value"] for a in user.get("Attributes", [])}
            members.append({"username": user["Username"], **attributes})
    return members


def delete_account(email: str) -> bool:
    """Delete a person's sign-in account (their erasure); False if it was already gone (a retry)."""
    try:
        client("cognito-idp").admin_delete_user(UserPoolId=settings().user_pool_id, Username=email)
    except ClientError as error:
        if _code(error) == "UserNotFoundException":
            return False
        raise
    return True


# ------------------------------------------------------------------------ account recovery
# The pool's client has PreventUserExistenceErrors: Cognito answers these calls alike for unknown
# people, and the pages must not undo that by answering differently either.


def resend_confirmation_code(email: str) -> None:
    """Send the sign-up code again; silent whether or not the account exists or is confirmed already."""
    try:
        client("cognito-idp").resend_confirmation_code(
            ClientId=settings().user_pool_client_id, Username=email
        )
    except ClientError as error:
        code = _code(error)
        if code in {"TooManyRequestsException", "LimitExceededException"}:
            raise _TOO_MANY from None
        # "User is already confirmed" (InvalidParameterException) would tell a stranger the account
        # exists: the page says the same as for everyone else.
        if code not in {"InvalidParameterException", "UserNotFoundException", "NotAuthorizedException"}:
            raise


def forgot_password(email: str) -> None:
    """Email a code to reset the password; silent whether or not the account exists."""
    try:
        client("cognito-idp").forgot_password(ClientId=settings().user_pool_client_id, Username=email)
    except ClientError as error:
        code = _code(error)
        if code in {"TooManyRequestsException", "LimitExceededException"}:
            raise _TOO_MANY from None
        # An account that is unconfirmed (InvalidParameterException) or not found: nothing revealed.
        if code not in {"InvalidParameterException", "UserNotFoundException", "NotAuthorizedException"}:
            raise


def confirm_forgot_password(*, email: str, code: str, password: str) -> None:
    try:
        client("cognito-idp").confirm_forgot_password(
            ClientId=settings().user_pool_client_id, Username=email, ConfirmationCode=code, Password=password
        )
    except ClientError as error:
        problem = _code(error)
        if problem == "InvalidPasswordException":
            raise IdentityError(Problem.WEAK_PASSWORD, STRENGTH_RULE, "password") from None
        if problem == "ExpiredCodeException":
            raise IdentityError(
                Problem.EXPIRED_CODE, "The code has expired. Ask for a new code and try again.", "code"
            ) from None
        # An unknown email address gets CodeMismatchException too (PreventUserExistenceErrors).
        if problem in {"CodeMismatchException", "UserNotFoundException", "InvalidParameterException"}:
            raise IdentityError(
                Problem.WRONG_CODE,
                "The code is not correct. Check the email address and the code in the email we sent.",
                "code",
            ) from None
        if problem in {
            "TooManyRequestsException",
            "LimitExceededException",
            "TooManyFailedAttemptsException",
        }:
            raise _TOO_MANY from None
        raise
