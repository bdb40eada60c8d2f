"""Who is calling: read in ONE place from the claims API Gateway's Cognito authorizer puts in the
event (the local stack verifies the same tokens and fills the same field)."""

from __future__ import annotations

from typing import Any

from ..domain.access import Caller
from ..domain.errors import DomainError
from ..domain.models import Role


class Unauthenticated(DomainError):
    """No verified identity on the request (401)."""


def current_caller(router: Any) -> Caller:
    """The caller of the request the router is handling."""
    event = router.current_event
    claims = event.request_context.authorizer.claims if event is not None else None
    return caller_from_claims(claims)


def caller_from_claims(claims: dict[str, Any] | None) -> Caller:
    if not claims or not claims.get("sub"):
        raise Unauthenticated("Sign in to use this service.")
    raw_groups = claims.get("cognito:groups") or ""
    if isinstance(raw_groups, list):
        groups = raw_groups
    else:
        # API Gateway flattens the list: "a,b" (or "[a b]" in some integrations).
        groups = [g for g in str(raw_groups).strip("[]").replace(",", " ").split() if g]
    roles = frozenset(Role(g) for g in groups if g in Role._value2member_map_)
    return Caller(
        id=str(claims["sub"]),
        email=str(claims.get("email", "")),
        name=str(claims.get("name", "")),
        roles=roles,
        academy_id=str(claims["custom:academy"]) if claims.get("custom:academy") else None,
        employer=str(claims["custom:employer"]) if claims.get("custom:employer") else None,
    )
