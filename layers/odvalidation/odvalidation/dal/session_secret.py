"""The service's session secret (signs CSRF tokens and browser upload ids), from Parameter Store.

A SecureString parameter in the standard tier, encrypted with DataKey: no monthly charge, where a
Secrets Manager secret costs $0.40 a month (issue 19: the idle bill). CloudFormation cannot create a
SecureString parameter, and a value generated in the template would be visible in it, so the first
function that needs the secret makes it: a random value written with PutParameter and Overwrite off
(its role may create the parameter, never overwrite it: an explicit Deny on `ssm:Overwrite`). Two
cold starts racing both try; Parameter Store keeps the first and the second reads it. The template
gives functions the parameter's name, never its value: a secret in an environment variable is visible
to anyone who may read the function's configuration.

It is read through Powertools' Parameters utility once per execution environment and kept in memory
(it never rotates; a new value would only sign people's open forms out). The local stack runs the
same code against moto's Parameter Store.

SESSION_SECRET in the environment, when set, wins: only in-process harnesses with no stack (the
browser harness, the cold-start benchmark) set it.
"""

from __future__ import annotations

import contextlib
import secrets
from functools import cache
from typing import TYPE_CHECKING, Any

from ..settings import settings
from .clients import client

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.parameters import SSMProvider

# Longer than an execution environment lives (hours at most): one read per cold start.
CACHE_SECONDS = 24 * 3600
# 48 random bytes, URL-safe: 64 characters, as the Secrets Manager secret had.
SECRET_BYTES = 48


@cache
def _provider(ssm: Any) -> SSMProvider:
    # Imported here: only the functions that sign something pay for the import.
    from aws_lambda_powertools.utilities.parameters import SSMProvider

    # Our cached client (keyed on it), so a fresh local stack (new endpoint, new client) gets a
    # fresh provider and cache rather than Powertools' process-wide default one.
    return SSMProvider(boto3_client=ssm)


def _create(ssm: Any, name: str, key_id: str) -> None:
    """Write a new random secret unless one is there already (the first writer wins); a racing cold
    start's ParameterAlreadyExists means theirs is the one to read."""
    with contextlib.suppress(ssm.exceptions.ParameterAlreadyExists):
        ssm.put_parameter(
            Name=name,
            Description="Signs the web pages' CSRF tokens and browser upload ids (HMAC-SHA256).",
            Value=secrets.token_urlsafe(SECRET_BYTES),
            Type="SecureString",
            KeyId=key_id,
            Tier="Standard",
            Overwrite=False,
        )


def session_secret() -> bytes:
    """The secret's bytes; RuntimeError if the function was given neither its name nor a value."""
    from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

    current = settings()
    if current.session_secret:
        return current.session_secret.encode()
    name = current.session_secret_parameter
    if not name or not current.data_key_id:
        raise RuntimeError(
            "SESSION_SECRET_PARAMETER and DATA_KEY_ID must be set: the service cannot sign forms or uploads"
        )
    ssm = client("ssm")
    provider = _provider(ssm)
    try:
        value = provider.get(name, decrypt=True, max_age=CACHE_SECONDS)
    except GetParameterError:
        # Not made yet (a new stack's first signature). Any other failure (a denied read) makes the
        # write below fail too, with its own error.
        _create(ssm, name, current.data_key_id)
        value = provider.get(name, decrypt=True, max_age=CACHE_SECONDS, force_fetch=True)
    if not isinstance(value, str) or not value:
        raise RuntimeError("the session secret is empty")
    return value.encode()
