"""Who is asking, and is the request genuine: session cookies, ID token verification, CSRF, headers.

The session is stateless: the cookies hold Cognito's own tokens, and identity comes only from
verifying the ID token's signature against the user pool's JWKS. Nothing the browser says about
itself (a name, a group) is trusted without that signature.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from http.cookies import CookieError, SimpleCookie
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.shared.cookies import Cookie, SameSite
from pydantic import BaseModel, ConfigDict

from ..dal import identity
from ..dal.session_secret import session_secret
from ..domain.models import Role
from ..observability import logger
from ..settings import settings
from . import urls
from .static import asset_version

if TYPE_CHECKING:
    import jwt

CSRF_FIELD = "csrf_token"
FONT_HOST = "https://assets.nhs.uk"

# The one inline script NHS.UK frontend needs before first paint (it marks the body as JS-capable);
# allowed by its hash so the CSP can forbid every other inline script.
BODY_CLASS_SCRIPT = (
    "document.body.className += ' js-enabled' + "
    "('noModule' in HTMLScriptElement.prototype ? ' nhsuk-frontend-supported' : '');"
)


def init_script() -> str:
    """The module script that starts NHS.UK frontend; the version query keeps a long cache safe.

    An inline module resolves a relative import against the page's URL, which differs from page to page,
    so the script names the file by its full path: it (and so its hash in the policy) depends on the base
    path of the request."""
    return _init_script(urls.url("/static/nhsuk-frontend.min.js"))


@cache
def _init_script(src: str) -> str:
    return f"import {{ initAll }} from '{src}?v={asset_version()}'; initAll();"


def _script_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"


# --------------------------------------------------------------------------- who is signed in


class Caller(BaseModel):
    """The signed-in person, as the user pool vouches for them in a verified ID token."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    sub: str
    email: str
    name: str
    groups: tuple[str, ...] = ()
    academy: str | None = None
    employer: str | None = None

    @property
    def roles(self) -> frozenset[Role]:
        known = {r.value for r in Role}
        return frozenset(Role(g) for g in self.groups if g in known)

    def has_role(self, role: Role) -> bool:
        return role in self.roles


class InvalidToken(Exception):
    """The token is forged, expired, for another pool or client, or not an ID token."""

    def __init__(self, reason: str, *, expired: bool = False) -> None:
        super().__init__(reason)
        self.expired = expired


def issuer() -> str:
    pool_id = settings().user_pool_id
    region = pool_id.split("_", 1)[0]
    return f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"


@cache
def _jwks_client() -> jwt.PyJWKClient:
    import jwt  # only signed-in requests check a token: public pages and assets start without PyJWT

    # Keys are cached for an hour; an unknown key id (Cognito rotated its keys) fetches them again.
    return jwt.PyJWKClient(settings().jwks_url, cache_keys=True, lifespan=3600, timeout=5)


def verify_id_token(token: str) -> Caller:
    """The Caller named by a genuine, current ID token of this pool and client; else InvalidToken."""
    import jwt

    try:
        key = _jwks_client().get_signing_key_from_jwt(token)
        claims: dict[str, Any] = jwt.decode(
            token,
            key.key,
            algorithms=["RS256"],
            audience=settings().user_pool_client_id,
            issuer=issuer(),
            options={"require": ["exp", "iat", "iss", "aud", "sub", "token_use"]},
            leeway=30,
        )
    except jwt.PyJWKClientConnectionError:
        # The pool's keys could not be fetched: a fault to report, not a reason to sign the person out.
        raise
    except jwt.ExpiredSignatureError:
        raise InvalidToken("expired", expired=True) from None
    except (jwt.PyJWKClientError, jwt.InvalidTokenError) as error:
        raise InvalidToken(type(error).__name__) from None
    if claims.get("token_use") != "id":
        raise InvalidToken("not an ID token")
    groups = claims.get("cognito:groups") or []
    return Caller(
        sub=str(claims["sub"]),
        email=str(claims.get("email", "")),
        name=str(claims.get("name") or claims.get("email") or ""),
        groups=tuple(str(g) for g in groups),
        academy=claims.get("custom:academy"),
        employer=claims.get("custom:employer"),
    )


# --------------------------------------------------------------------------- cookies and the session


def cookie_name(base: str) -> str:
    # The __Host- prefix makes the browser refuse the cookie unless it is Secure, host-only and Path=/.
    # Under a stage (Path=/v1) __Host- is impossible; __Secure- still refuses a cookie set over plain
    # HTTP, and without a Domain attribute the cookie stays host-only.
    if not settings().secure_cookies:
        return base
    return f"__Host-{base}" if urls.cookie_path() == "/" else f"__Secure-{base}"


def session_cookie() -> str:
    return cookie_name("odv_session")


def refresh_cookie() -> str:
    return cookie_name("odv_refresh")


def sid_cookie() -> str:
    return cookie_name("odv_sid")


def _cookie(name: str, value: str, *, max_age: int | None = None) -> Cookie:
    return Cookie(
        name=name,
        value=value,
        path=urls.cookie_path(),
        secure=settings().secure_cookies,
        http_only=True,
        same_site=SameSite.LAX_MODE,
        max_age=max_age,
    )


def parse_cookies(header_values: Iterable[str]) -> dict[str, str]:
    cookies: dict[str, str] = {}
    for header in header_values:
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(header)
        except CookieError:
            continue
        cookies.update({name: morsel.value for name, morsel in jar.items()})
    return cookies


@dataclass
class Session:
    """What the cookies of one request say, and which cookies the response must set."""

    sid: str
    caller: Caller | None = None
    set_cookies: list[Cookie] = field(default_factory=list)

    @property
    def csrf_token(self) -> str:
        return csrf_token(self.sid)


def load_session(cookies: Mapping[str, str]) -> Session:
    sid = cookies.get(sid_cookie(), "")
    session = Session(sid=sid)
    if len(sid) < 32:
        session.sid = secrets.token_urlsafe(32)
        session.set_cookies.append(_cookie(sid_cookie(), session.sid))
    token = cookies.get(session_cookie())
    if not token:
        return session
    try:
        session.caller = verify_id_token(token)
    except InvalidToken as problem:
        refresh_token = cookies.get(refresh_cookie())
        if problem.expired and refresh_token:
            session.caller = _refreshed(session, refresh_token)
        else:
            logger.info("Refused a session token", extra={"reason": str(problem)})
        if session.caller is None:
            session.set_cookies.extend(signed_out_cookies())
    return session


def _refreshed(session: Session, refresh_token: str) -> Caller | None:
    try:
        tokens = identity.refresh(refresh_token)
        caller = verify_id_token(tokens.id_token)
    except (identity.IdentityError, InvalidToken):
        return None
    session.set_cookies.append(_cookie(session_cookie(), tokens.id_token))
    return caller


def signed_in_cookies(tokens: identity.Tokens) -> list[Cookie]:
    """Cookies for a fresh sign-in; the session id is replaced so that one planted before sign-in is useless."""
    cookies = [_cookie(session_cookie(), tokens.id_token), _cookie(sid_cookie(), secrets.token_urlsafe(32))]
    if tokens.refresh_token:
        cookies.append(_cookie(refresh_cookie(), tokens.refresh_token))
    return cookies


def signed_out_cookies() -> list[Cookie]:
    return [_cookie(name, "", max_age=0) for name in (session_cookie(), refresh_cookie())]


# --------------------------------------------------------------------------- CSRF


def csrf_token(sid: str) -> str:
    """The token every form carries: an HMAC of the session id, so it is useless with any other session."""
    digest = hmac.new(session_secret(), f"csrf:{sid}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def csrf_valid(sid: str, submitted: str | None) -> bool:
    if not sid or not submitted:
        return False
    return hmac.compare_digest(csrf_token(sid), submitted)


# --------------------------------------------------------------------------- response headers


def content_security_policy(*, form_action: Iterable[str] = (), connect: Iterable[str] = ()) -> str:
    """The page policy; pages that post a file straight to S3 pass the bucket's origin as form_action."""
    scripts = " ".join(["'self'", _script_hash(BODY_CLASS_SCRIPT), _script_hash(init_script())])
    directives = {
        "default-src": "'self'",
        "script-src": scripts,
        "style-src": "'self'",
        "img-src": "'self' data:",
        "font-src": f"'self' {FONT_HOST}",
        "connect-src": " ".join(["'self'", *connect]),
        "form-action": " ".join(["'self'", *form_action]),
        "frame-ancestors": "'none'",
        "base-uri": "'none'",
        "object-src": "'none'",
    }
    return "; ".join(f"{k} {v}" for k, v in directives.items())


def security_headers() -> dict[str, str]:
    headers = {
        "Content-Security-Policy": content_security_policy(),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    }
    if settings().secure_cookies:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return headers
