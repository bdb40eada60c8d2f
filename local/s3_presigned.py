"""Presigned GET and HEAD expiry enforced in front of moto, as S3 enforces it.

moto serves a presigned URL however old it is. S3 refuses one whose `X-Amz-Date` plus `X-Amz-Expires`
(SigV4 query authentication) has passed, with 403 `AccessDenied` "Request has expired"; the short life
of a download link (a person's whole record: 15 minutes) is what keeps a forwarded link from working
later. Judged by real time, as S3's clock is, not the product clock a test may move. The signature
itself is not checked here (moto does not check it either; local.iam authorises the signer's role
when the link is made).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

from local.s3_post_policy import Refused, WsgiApp, _error

# S3 refuses a SigV4 presigned URL valid for more than seven days.
MAX_EXPIRES = 7 * 24 * 3600


def expired(query: str, now: datetime) -> Refused | None:
    """Why S3 would refuse this presigned query string now, or None (also for an unsigned request)."""
    params = {k: v[0] for k, v in parse_qs(query).items()}
    if params.get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256":
        return None
    try:
        signed_at = datetime.strptime(params["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        seconds = int(params["X-Amz-Expires"])
    except (KeyError, ValueError):
        return Refused(
            400, "AuthorizationQueryParametersError", "X-Amz-Date and X-Amz-Expires must be given."
        )
    if not 1 <= seconds <= MAX_EXPIRES:
        return Refused(
            400, "AuthorizationQueryParametersError", "X-Amz-Expires must be between 1 and 604800 seconds."
        )
    if now > signed_at + timedelta(seconds=seconds):
        return Refused(403, "AccessDenied", "Request has expired")
    return None


class PresignedExpiry:
    """WSGI middleware: a presigned GET or HEAD past its expiry never reaches moto."""

    def __init__(self, app: WsgiApp, now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.app = app
        self.now = now

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        query = environ.get("QUERY_STRING", "")
        if environ.get("REQUEST_METHOD") in ("GET", "HEAD") and "X-Amz-Expires=" in query:
            refused = expired(query, self.now())
            if refused is not None:
                return _error(start_response, refused, environ.get("PATH_INFO", "/"))
        return self.app(environ, start_response)


def install(server: Any) -> None:
    """Wrap a started ThreadedMotoServer's WSGI app (after local.s3_post_policy's, in front of it)."""
    wsgi_server = server._server
    if not isinstance(wsgi_server.app, PresignedExpiry):
        wsgi_server.app = PresignedExpiry(wsgi_server.app)
