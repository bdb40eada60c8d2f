"""The web session's Caller as the services' Caller: pages call the same services as the JSON API."""

from __future__ import annotations

from ..domain import access
from .security import Caller


def domain_caller(caller: Caller) -> access.Caller:
    """The services' view of the signed-in person (id = the Cognito sub, as in the API)."""
    return access.Caller(
        id=caller.sub,
        email=caller.email,
        name=caller.name,
        roles=caller.roles,
        academy_id=caller.academy,
    )
