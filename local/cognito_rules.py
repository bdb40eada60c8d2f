"""Cognito as Cognito behaves, on moto: the app client's attribute permissions, and Lambda triggers.

moto lets any app client write and read every attribute, and runs no user pool trigger. Cognito does
both, and the product depends on it (docs/architecture.md, "What the local stack enforces"):
- SignUp and UpdateUserAttributes (calls authorised by an app client, or by a user's access token
  issued to one) may write only the client's WriteAttributes; anything else fails with
  NotAuthorizedException "A client attempted to write unauthorized attribute". Without
  WriteAttributes a client may write the standard attributes only. Admin* calls are authorised by IAM
  and are not limited by any client.
- GetUser and the ID token carry only the client's ReadAttributes (and `sub`).
- ConfirmSignUp and AdminConfirmSignUp run the pool's PostConfirmation Lambda function (triggerSource
  PostConfirmation_ConfirmSignUp) when they confirm a user; a failing trigger fails the call with
  UserLambdaValidationException, and the user stays confirmed, as in Cognito.
- ResendConfirmationCode, which moto does not implement, answers as Cognito does with
  PreventUserExistenceErrors: a delivery to a masked address, whether or not the user exists;
  InvalidParameterException for a user who is already confirmed.
- ConfirmForgotPassword checks the pool's password policy (moto sets any password) and, for an unknown
  user, fails with CodeMismatchException (PreventUserExistenceErrors) rather than moto's
  ResourceNotFoundException. As in moto, any code is accepted for a known user (no email is sent).
install() patches moto's Cognito backend in this process (the process that runs the moto server).
"""

from __future__ import annotations

import copy
import json
from typing import Any

from moto.cognitoidp import models, responses
from moto.core.exceptions import JsonRESTError

# Cognito's standard attributes: what a client without WriteAttributes may write.
STANDARD = {
    "address",
    "birthdate",
    "email",
    "family_name",
    "gender",
    "given_name",
    "locale",
    "middle_name",
    "name",
    "nickname",
    "phone_number",
    "picture",
    "preferred_username",
    "profile",
    "updated_at",
    "website",
    "zoneinfo",
}
_ORIGINAL: dict[str, Any] = {}


def _client(pool: Any, client_id: str) -> Any:
    return pool.clients.get(client_id)


def writable(pool: Any, client_id: str) -> set[str]:
    client = _client(pool, client_id)
    configured = client.extended_config.get("WriteAttributes") if client is not None else None
    return set(configured) if configured else set(STANDARD)


def readable(pool: Any, client_id: str) -> set[str] | None:
    """The client's ReadAttributes, or None (every attribute) when it names none."""
    client = _client(pool, client_id)
    configured = client.extended_config.get("ReadAttributes") if client is not None else None
    return set(configured) | {"sub"} if configured else None


def check_write(pool: Any, client_id: str, attributes: list[dict[str, str]] | None) -> None:
    allowed = writable(pool, client_id)
    if any(a["Name"] not in allowed for a in attributes or []):
        raise models.NotAuthorizedError("A client attempted to write unauthorized attribute")


def _pool_of_client(backend: Any, client_id: str) -> Any:
    return next((p for p in backend.user_pools.values() if client_id in p.clients), None)


def _pool_of_token(backend: Any, access_token: str) -> tuple[Any, str] | None:
    for pool in backend.user_pools.values():
        if access_token in pool.access_tokens:
            return pool, pool.access_tokens[access_token][0]
    return None


# ------------------------------------------------------------------------ the patched backend methods


def _sign_up(
    self: Any, client_id: str, username: str, password: str, attributes: list[dict[str, str]]
) -> Any:
    pool = _pool_of_client(self, client_id)
    if pool is not None:
        check_write(pool, client_id, attributes)
    return _ORIGINAL["sign_up"](self, client_id, username, password, attributes)


def _update_user_attributes(self: Any, access_token: str, attributes: list[dict[str, str]]) -> None:
    found = _pool_of_token(self, access_token)
    if found is not None:
        check_write(found[0], found[1], attributes)
    _ORIGINAL["update_user_attributes"](self, access_token, attributes)


def _get_user(self: Any, access_token: str) -> Any:
    user = _ORIGINAL["get_user"](self, access_token)
    found = _pool_of_token(self, access_token)
    allowed = readable(*found) if found is not None else None
    if allowed is None:
        return user
    shown = copy.copy(user)
    shown.attributes = [a for a in user.attributes if a["Name"] in allowed]
    return shown


def _create_id_token(self: Any, client_id: str, username: str, origin_jti: str) -> tuple[str, int]:
    # moto's own, less the custom attributes it adds whatever the client may read.
    extra: dict[str, Any] = self.get_user_extra_data_by_client_id(client_id, username)
    extra["origin_jti"] = origin_jti
    user = self._get_user(username)
    allowed = readable(self, client_id)
    for attr in user.attributes:
        if attr["Name"].startswith("custom:") and (allowed is None or attr["Name"] in allowed):
            extra[attr["Name"]] = attr["Value"]
    if user.groups:
        extra["cognito:groups"] = [group.group_name for group in user.groups]
    id_token, expires_in = self.create_jwt(client_id, username, "id", extra_data=extra)
    self.id_tokens[id_token] = (client_id, username)
    return id_token, expires_in


def _confirm_sign_up(self: Any, client_id: str, username: str) -> str:
    pool = _pool_of_client(self, client_id)
    before = _status(pool, username)
    result: str = _ORIGINAL["confirm_sign_up"](self, client_id, username)
    _after_confirming(self, pool, username, before, client_id)
    return result


def _admin_confirm_sign_up(self: Any, user_pool_id: str, username: str) -> str:
    pool = self.user_pools.get(user_pool_id)
    before = _status(pool, username)
    result: str = _ORIGINAL["admin_confirm_sign_up"](self, user_pool_id, username)
    _after_confirming(self, pool, username, before, "CLIENT_ID_NOT_APPLICABLE")
    return result


def _status(pool: Any, username: str) -> Any:
    user = pool._get_user(username) if pool is not None else None
    return user.status if user is not None else None


def _after_confirming(backend: Any, pool: Any, username: str, before: Any, client_id: str) -> None:
    """Run the PostConfirmation trigger for a user this call confirmed (not one confirmed already)."""
    if pool is None or before is not models.UserStatus.UNCONFIRMED:
        return
    arn = (pool.extended_config.get("LambdaConfig") or {}).get("PostConfirmation")
    user = pool._get_user(username)
    if not arn or user is None or user.status is not models.UserStatus.CONFIRMED:
        return
    attributes = {a["Name"]: a["Value"] for a in user.attributes}
    event = {
        "version": "1",
        "region": backend.region_name,
        "userPoolId": pool.id,
        "userName": user.username,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": client_id},
        "triggerSource": "PostConfirmation_ConfirmSignUp",
        "request": {"userAttributes": {**attributes, "cognito:user_status": "CONFIRMED"}},
        "response": {},
    }
    error = invoke_trigger(arn, event)
    if error:
        raise JsonRESTError("UserLambdaValidationException", f"PostConfirmation failed with error {error}.")


# Sign-up codes go to the attribute being verified (the pool's AutoVerifiedAttributes: email).
_BY_EMAIL = {"RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]}


def _resend_confirmation_code(self: Any, client_id: str, username: str) -> dict[str, Any]:
    pool = _pool_of_client(self, client_id)
    if pool is None:
        raise models.ResourceNotFoundError(client_id)
    user = pool._get_user(username)
    if user is not None and user.status is not models.UserStatus.UNCONFIRMED:
        raise models.InvalidParameterException("User is already confirmed.")
    return {"CodeDeliveryDetails": self._get_code_delivery_details(_BY_EMAIL, user, username)}


def _confirm_forgot_password(
    self: Any, client_id: str, username: str, password: str, confirmation_code: str
) -> None:
    pool = _pool_of_client(self, client_id)
    if pool is not None:
        if pool._get_user(username) is None:
            raise models.CodeMismatchException("Invalid verification code provided, please try again.")
        self._validate_password(pool.id, password)
    _ORIGINAL["confirm_forgot_password"](self, client_id, username, password, confirmation_code)


def _resend_response(self: Any) -> Any:
    from moto.core.responses import ActionResult

    # No signature, so no region in the request: found by the client id, as moto does for ForgotPassword.
    client_id = self._get_param("ClientId")
    account, region = responses.find_account_region_by_value(
        "client_id", client_id, fallback=(self.current_account, self.region)
    )
    backend = responses.cognitoidp_backends[account][region]
    return ActionResult(_resend_confirmation_code(backend, client_id, self._get_param("Username")))


def invoke_trigger(arn: str, event: dict[str, Any]) -> str | None:
    """Invoke a trigger synchronously, as Cognito does; the error message if it failed.

    The function runs as every other invocation of the local stack does (local.dispatch: on this thread,
    or in an execution environment); Cognito invokes it under its own service principal, not a role."""
    from local import dispatch

    payload, errored = dispatch.invoke_in_process(arn.rsplit(":", 1)[-1], event)
    if errored:
        body = json.loads(payload or "{}")
        return str(body.get("errorMessage") or body.get("errorType") or "the function failed")
    return None


def install() -> None:
    """Patch moto's Cognito backend in this process (idempotent)."""
    if _ORIGINAL:
        return
    backend = models.CognitoIdpBackend
    pool = models.CognitoIdpUserPool
    for name, patched in (
        ("sign_up", _sign_up),
        ("update_user_attributes", _update_user_attributes),
        ("get_user", _get_user),
        ("confirm_sign_up", _confirm_sign_up),
        ("admin_confirm_sign_up", _admin_confirm_sign_up),
        ("confirm_forgot_password", _confirm_forgot_password),
    ):
        _ORIGINAL[name] = getattr(backend, name)
        setattr(backend, name, patched)
    _ORIGINAL["create_id_token"] = pool.create_id_token
    pool.create_id_token = _create_id_token  # type: ignore[method-assign]
    # moto has no ResendConfirmationCode at all (the call would fail as not implemented).
    backend.resend_confirmation_code = _resend_confirmation_code  # type: ignore[attr-defined]  # for in-process callers
    responses.CognitoIdpResponse.resend_confirmation_code = _resend_response  # type: ignore[attr-defined]
