"""The service's session secret (signs CSRF tokens and browser upload ids), from Secrets Manager.

The template generates it at deploy time (AWS::SecretsManager::Secret with GenerateSecretString) and
gives functions its ARN, never its value: a secret in an environment variable is visible to anyone
who may read the function's configuration. It is read through Powertools' Parameters utility once
per execution environment and kept in memory (it never rotates; a new value would only sign people's
open forms out). The local stack creates the same secret in moto, so it is read the same way there.

SESSION_SECRET in the environment, when set, wins: only in-process harnesses with no stack (the
browser harness, the cold-start benchmark) set it.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from ..settings import settings
from .clients import client

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.parameters import SecretsProvider

# Longer than an execution environment lives (hours at most): one read per cold start.
CACHE_SECONDS = 24 * 3600


@cache
def _provider(secretsmanager: Any) -> SecretsProvider:
    # Imported here: only the functions that sign something pay for the import.
    from aws_lambda_powertools.utilities.parameters import SecretsProvider

    # Our cached client (keyed on it), so a fresh local stack (new endpoint, new client) gets a
    # fresh provider and cache rather than Powertools' process-wide default one.
    return SecretsProvider(boto3_client=secretsmanager)


def session_secret() -> bytes:
    """The secret's bytes; RuntimeError if the function was given neither its ARN nor a value."""
    current = settings()
    if current.session_secret:
        return current.session_secret.encode()
    if not current.session_secret_arn:
        raise RuntimeError("SESSION_SECRET_ARN is not set: the service cannot sign forms or uploads")
    value = _provider(client("secretsmanager")).get(current.session_secret_arn, max_age=CACHE_SECONDS)
    if not isinstance(value, str) or not value:
        raise RuntimeError("the session secret is empty")
    return value.encode()
