"""The HTTP front: plays API Gateway (REST, v1 proxy events) before the in-process Lambda handlers.

Routes come from the deployed template's Api events (local.deploy records them) and are served under
the API's stage (/v1/...), as at the execute-api address after `sam deploy`; a path outside the stage
gets API Gateway's 403. Routes guarded by the Cognito authorizer get the bearer token verified here,
before the handler runs, as API Gateway does. Bodies cross as API Gateway's binary media types say
(`binary_body_for_lambda`, `response_bytes`). Paths under /_local/ (at the root, outside the stage:
they are no part of the deployed service) exist only locally: demo users, the clock, the mailbox.
"""

from __future__ import annotations

import base64
import fnmatch
import html
import json
import logging
import re
import threading
import uuid
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import jwt
from pydantic import BaseModel, Field, ValidationError

from local import dispatch
from local.deployed import ACCOUNT_ID, REPO, REST_API_ID, Route

if TYPE_CHECKING:
    from local.stack import LocalStack

log = logging.getLogger(__name__)
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"


def _media_type(value: str) -> str:
    return value.split(";", 1)[0].strip().lower()


def is_binary_media_type(media_type: str, binary_media_types: list[str]) -> bool:
    """Whether API Gateway treats a media type as binary: it matches an entry of the API's
    BinaryMediaTypes, where "*" in an entry is a wildcard ("image/*", "*/*"). A "*/*" in the request
    is not a wildcard here: only an entry matching it literally (such as "*/*") does."""
    media_type = _media_type(media_type)
    return bool(media_type) and any(
        fnmatch.fnmatchcase(media_type, entry.strip().lower()) for entry in binary_media_types
    )


def binary_body_for_lambda(content_type: str | None, binary_media_types: list[str]) -> bool:
    """Whether a request body reaches the Lambda function base64-encoded: its Content-Type (API
    Gateway's default, application/json, when it has none) is a binary media type."""
    return is_binary_media_type(content_type or "application/json", binary_media_types)


def response_bytes(result: dict[str, Any], accept: str | None, binary_media_types: list[str]) -> bytes:
    """The body API Gateway sends for a Lambda proxy result. A base64 body is decoded to binary only
    when the request's *first* Accept media type is a binary media type; otherwise the browser gets the
    base64 text itself (a browser asks for image/avif first, so an icon needs "*/*" in the API's
    BinaryMediaTypes). A text body goes through as it is."""
    raw = str(result.get("body") or "")
    first_accept = (accept or "").split(",", 1)[0]
    if result.get("isBase64Encoded") and is_binary_media_type(first_accept, binary_media_types):
        return base64.b64decode(raw)
    return raw.encode()


class ClockRequest(BaseModel):
    days: float = Field(ge=0, le=3650)


class SignInAsRequest(BaseModel):
    email: str = Field(min_length=3, max_length=320)


class CompiledRoute:
    """A route's path template as a regex, with how specific it is (API Gateway prefers the most specific)."""

    def __init__(self, route: Route) -> None:
        self.route = route
        pattern = ""
        literal = 0
        self.greedy = False
        for segment in route.path.strip("/").split("/") if route.path != "/" else []:
            if segment.startswith("{") and segment.endswith("+}"):
                pattern += f"/(?P<{segment[1:-2]}>.+)"
                self.greedy = True
            elif segment.startswith("{") and segment.endswith("}"):
                pattern += f"/(?P<{segment[1:-1]}>[^/]+)"
            else:
                pattern += "/" + re.escape(segment)
                literal += 1
        self.regex = re.compile(f"^{pattern or '/'}$")
        self.literal_segments = literal

    def match(self, method: str, path: str) -> dict[str, str] | None:
        if self.route.method not in ("ANY", method):
            return None
        m = self.regex.match(path)
        return m.groupdict() if m else None

    def specificity(self) -> tuple[int, int, int]:
        return (self.literal_segments, 0 if self.greedy else 1, 0 if self.route.method == "ANY" else 1)


class Unauthorized(Exception):
    pass


class HttpFront:
    def __init__(self, stack: LocalStack, port: int = 3000, host: str = "127.0.0.1") -> None:
        self.stack = stack
        self._jwks: jwt.PyJWKSet | None = None
        self._jwks_lock = threading.Lock()
        front = self

        class Handler(_RequestHandler):
            pass

        Handler.front = front
        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self.server.serve_forever, name="local-http-front", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self.server.shutdown()
            self._thread.join(timeout=10)
            self._thread = None
        self.server.server_close()

    # ------------------------------------------------------------------ routing

    def routes(self) -> list[CompiledRoute]:
        return sorted(
            (CompiledRoute(r) for r in self.stack.deployed.routes),
            key=lambda r: r.specificity(),
            reverse=True,
        )

    def route_path(self, path: str) -> str | None:
        """The resource path within the stage ("/v1/home" -> "/home", "/v1" -> "/"), or None if the
        path is outside the stage."""
        prefix = f"/{self.stack.deployed.stage_name}"
        if path == prefix or path.startswith(prefix + "/"):
            return path[len(prefix) :] or "/"
        return None

    def find_route(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for compiled in self.routes():
            params = compiled.match(method, path)
            if params is not None:
                return compiled.route, params
        return None

    # ------------------------------------------------------------------ the Cognito authorizer

    def _key_set(self, refresh: bool = False) -> jwt.PyJWKSet:
        with self._jwks_lock:
            if self._jwks is None or refresh:
                import urllib.request

                with urllib.request.urlopen(self.stack.jwks_url, timeout=5) as response:
                    self._jwks = jwt.PyJWKSet.from_dict(json.loads(response.read()))
            return self._jwks

    def verify(self, authorization: str | None) -> dict[str, str]:
        """The claims API Gateway's Cognito authorizer would pass on, or Unauthorized."""
        if not authorization:
            raise Unauthorized("no token")
        token = authorization.removeprefix("Bearer ").removeprefix("bearer ").strip()
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            keys = {k.key_id: k for k in self._key_set().keys}
            if kid not in keys:
                keys = {k.key_id: k for k in self._key_set(refresh=True).keys}
            if kid not in keys:
                raise Unauthorized("unknown signing key")
            claims: dict[str, Any] = jwt.decode(
                token,
                keys[kid].key,
                algorithms=["RS256"],
                issuer=self.stack.issuer,
                options={"verify_aud": False, "require": ["exp", "iss", "token_use"]},
            )
        except jwt.PyJWTError as exc:
            raise Unauthorized(str(exc)) from exc
        if claims.get("token_use") != "id":
            raise Unauthorized("not an ID token")
        if claims.get("aud") != self.stack.user_pool_client_id:
            raise Unauthorized("token for another app client")
        return {key: _claim_string(value) for key, value in claims.items()}

    # ------------------------------------------------------------------ the proxy event

    def event_for(
        self,
        handler: BaseHTTPRequestHandler,
        route: Route,
        path_parameters: dict[str, str],
        body: bytes,
        claims: dict[str, str] | None,
        path: str,
    ) -> dict[str, Any]:
        """The proxy event; `path` is the resource path within the stage, while requestContext.path keeps
        the path the browser used (stage included), as at the execute-api address."""
        url = urlsplit(handler.path)
        multi_headers: dict[str, list[str]] = {}
        for key, value in handler.headers.items():
            multi_headers.setdefault(key, []).append(value)
        multi_query: dict[str, list[str]] = {}
        for key, value in parse_qsl(url.query, keep_blank_values=True):
            multi_query.setdefault(key, []).append(value)
        binary_types = self.stack.deployed.binary_media_types
        is_text = not body or not binary_body_for_lambda(handler.headers.get("Content-Type"), binary_types)
        if is_text:
            try:
                body_text: str | None = body.decode("utf-8") if body else None
            except UnicodeDecodeError:
                # API Gateway would pass such a body on mangled; refuse to pretend it arrived intact.
                is_text = False
        if not is_text:
            body_text = base64.b64encode(body).decode("ascii")
        now = datetime.now(UTC)
        request_context: dict[str, Any] = {
            "accountId": ACCOUNT_ID,
            "apiId": REST_API_ID,
            "domainName": handler.headers.get("Host", self.url.removeprefix("http://")),
            "httpMethod": handler.command,
            "identity": {
                "sourceIp": handler.client_address[0],
                "userAgent": handler.headers.get("User-Agent"),
            },
            "path": url.path,
            "protocol": handler.request_version,
            "requestId": str(uuid.uuid4()),
            "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "requestTimeEpoch": int(now.timestamp() * 1000),
            "resourcePath": route.path,
            "stage": self.stack.deployed.stage_name,
        }
        if claims is not None:
            request_context["authorizer"] = {"claims": claims}
        return {
            "resource": route.path,
            "path": path,
            "httpMethod": handler.command,
            "headers": {k: v[-1] for k, v in multi_headers.items()},
            "multiValueHeaders": multi_headers,
            "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
            "multiValueQueryStringParameters": multi_query or None,
            "pathParameters": path_parameters or None,
            "stageVariables": None,
            "requestContext": request_context,
            "body": body_text,
            "isBase64Encoded": not is_text,
        }


def _claim_string(value: Any) -> str:
    # API Gateway hands every claim on as a string; groups joined by commas.
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class _RequestHandler(BaseHTTPRequestHandler):
    front: HttpFront
    protocol_version = "HTTP/1.1"
    server_version = "od-validation-local"
    # The status line and headers go in one write and the body in another: with Nagle's algorithm on,
    # the body then waits for the client's delayed ACK (40 ms on Linux) on every request. API Gateway
    # answers without that pause, so the front does too.
    disable_nagle_algorithm = True

    note = ""  # why the front itself refused the request, for its log line

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s %s", self.address_string(), format % args)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # One short line per request (`make dev` shows them): method, path, status, and any refusal.
        status = code.value if isinstance(code, HTTPStatus) else code
        log.info("%s %s %s%s", self.command, self.path, status, f" ({self.note})" if self.note else "")

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def do_OPTIONS(self) -> None:
        self._handle()

    def do_HEAD(self) -> None:
        self._handle()

    # ------------------------------------------------------------------ plumbing

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str | None = "application/json",
        headers: list[tuple[str, str]] | None = None,
    ) -> None:
        self.send_response(status)
        sent = {k.lower() for k, _ in headers or []}
        if content_type and "content-type" not in sent:
            self.send_header("Content-Type", content_type)
        for key, value in headers or []:
            if key.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _axe(self) -> None:
        """axe-core, for the browser tests' accessibility checks (and anyone's, from the console). Loaded
        by URL from the page's own origin, which its Content-Security-Policy allows, and cached, Chromium
        compiles it once and keeps the code; evaluated as a string it was compiled again on every page
        (20-36 ms against 53-74 ms a page)."""
        try:
            script = AXE.read_bytes()
        except FileNotFoundError:
            self._json(404, {"message": "axe-core is not installed (make install)"})
            return
        self._send(200, script, "text/javascript; charset=utf-8", [("Cache-Control", "max-age=86400")])

    def _json(self, status: int, payload: Any) -> None:
        self._send(status, json.dumps(payload, default=str).encode())

    def _html(self, title: str, content: str) -> None:
        page = (
            f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            "<style>body{font-family:Arial,sans-serif;margin:2rem;max-width:60rem}"
            "article{border-top:1px solid #aaa;padding:0.5rem 0}pre{white-space:pre-wrap}</style></head>"
            f"<body><h1>{html.escape(title)}</h1>{content}</body></html>"
        )
        self._send(200, page.encode(), "text/html; charset=utf-8")

    def _handle(self) -> None:
        self.note = ""  # a kept-alive connection brings several requests to one handler
        try:
            body = self._read_body()
            path = urlsplit(self.path).path
            within_stage = self.front.route_path(path)
            if path == "/_local" or path.startswith("/_local/"):
                self._local(path, body)
            elif within_stage is None:
                # What API Gateway answers at the execute-api address for a path outside every stage.
                self._json(403, {"message": "Forbidden"})
            else:
                self._proxy(within_stage, body)
        except Exception:
            log.exception("the local HTTP front failed on %s %s", self.command, self.path)
            self._json(502, {"message": "Internal server error"})

    # ------------------------------------------------------------------ API Gateway

    def _proxy(self, path: str, body: bytes) -> None:
        found = self.front.find_route(self.command, path)
        if found is None:
            # What API Gateway answers for a path or method it has no route for.
            self._json(403, {"message": "Missing Authentication Token"})
            return
        route, params = found
        claims = None
        if route.cognito:
            try:
                claims = self.front.verify(self.headers.get("Authorization"))
            except Unauthorized as exc:
                self.note = str(exc)
                self._json(401, {"message": "Unauthorized"})
                return
        event = self.front.event_for(self, route, params, body, claims, path)
        payload, errored = dispatch.invoke_in_process(route.function_name, event)
        result = json.loads(payload)
        if errored or not isinstance(result, dict) or "statusCode" not in result:
            log.error("%s failed or answered badly: %s", route.function_name, payload[:2000])
            self._json(502, {"message": "Internal server error"})
            return
        headers: list[tuple[str, str]] = []
        multi = result.get("multiValueHeaders") or {}
        for key, value in (result.get("headers") or {}).items():
            if key not in multi:
                headers.append((key, str(value)))
        for key, values in multi.items():
            headers += [(key, str(v)) for v in values]
        data = response_bytes(
            result, self.headers.get("Accept"), self.front.stack.deployed.binary_media_types
        )
        self._send(int(result["statusCode"]), data, None if headers else "application/json", headers)

    # ------------------------------------------------------------------ local-only pages

    def _local(self, path: str, body: bytes) -> None:
        stack = self.front.stack
        route = (self.command, path.rstrip("/") or "/")
        if route in (("GET", "/_local"),):
            self._index()
        elif route == ("GET", "/_local/mailbox"):
            self._mailbox()
        elif route == ("GET", "/_local/mailbox.json"):
            self._json(200, [m.model_dump() for m in reversed(stack.sent_emails())])
        elif route == ("GET", "/_local/clock"):
            from odvalidation import clock

            self._json(200, {"now": clock.now().isoformat()})
        elif route == ("POST", "/_local/clock"):
            try:
                request = ClockRequest.model_validate_json(body or b"{}")
            except ValidationError as exc:
                self._json(400, {"message": 'give {"days": n}', "errors": exc.errors(include_url=False)})
                return
            fired = stack.advance_clock(days=request.days)
            from odvalidation import clock

            self._json(200, {"now": clock.now().isoformat(), "fired": [f.model_dump() for f in fired]})
        elif self.command == "GET" and route[1].startswith("/_local/sign-in-as/"):
            self._sign_in_browser(unquote(route[1].removeprefix("/_local/sign-in-as/")))
        elif route == ("GET", "/_local/axe.min.js"):
            self._axe()
        elif route == ("POST", "/_local/sign-in-as"):
            try:
                who = SignInAsRequest.model_validate_json(body or b"{}")
            except ValidationError as exc:
                self._json(400, {"message": 'give {"email": ...}', "errors": exc.errors(include_url=False)})
                return
            if who.email.lower() not in stack.demo_users:
                self._json(404, {"message": "not a demo user"})
                return
            self._json(200, stack.tokens_for(who.email))
        else:
            self._json(404, {"message": "no such local page"})

    def _sign_in_browser(self, email: str) -> None:
        """One click on /_local/ signs the browser in as a demo user: the same cookies the web
        function sets at sign-in, for the same verified Cognito tokens."""
        from odvalidation.dal.identity import Tokens
        from odvalidation.web.security import signed_in_cookies

        stack = self.front.stack
        if email.lower() not in stack.demo_users:
            self._json(404, {"message": "not a demo user"})
            return
        tokens = stack.tokens_for(email)
        cookies = signed_in_cookies(
            Tokens(id_token=tokens["IdToken"], refresh_token=tokens.get("RefreshToken"))
        )
        home = urlsplit(stack.base_url).path + "/home"
        headers = [("Location", home), *(("Set-Cookie", str(c)) for c in cookies)]
        self._send(303, b"", None, headers)

    def _index(self) -> None:
        stack = self.front.stack
        rows = "".join(
            f"<tr><td>{html.escape(u.name)}</td><td>{html.escape(u.email)}</td>"
            f"<td>{html.escape(', '.join(u.groups))}</td><td><code>{html.escape(u.password)}</code></td>"
            f'<td><a href="/_local/sign-in-as/{quote(u.email)}">Sign in as {html.escape(u.name)}</a></td></tr>'
            for u in stack.demo_users.values()
        )
        table = (
            "<table><thead><tr><th>Name</th><th>Email</th><th>Groups</th><th>Password</th><th></th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
            if rows
            else "<p>No demo users yet (start with demo data, or call LocalStack.create_user).</p>"
        )
        links = (
            f'<ul><li><a href="{html.escape(urlsplit(stack.base_url).path)}/">The service</a></li>'
            '<li><a href="/_local/mailbox">Mailbox</a> '
            '(<a href="/_local/mailbox.json">JSON</a>)</li><li><a href="/_local/clock">The clock</a> '
            '(POST {"days": n} to move it forward)</li></ul>'
        )
        self._html("Local stack", links + "<h2>Demo users</h2>" + table)

    def _mailbox(self) -> None:
        items = []
        for mail in reversed(self.front.stack.sent_emails()):
            items.append(
                "<article>"
                f"<h2>{html.escape(mail.subject)}</h2>"
                f"<p>From {html.escape(mail.source)} to {html.escape(', '.join(mail.to))}</p>"
                f"<pre>{html.escape(mail.body)}</pre>"
                "</article>"
            )
        self._html("Mailbox", "".join(items) or "<p>No email has been sent.</p>")
