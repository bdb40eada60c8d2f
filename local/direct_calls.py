"""AWS calls made inside the local stack's own process reach moto's WSGI app without a socket.

Lambda handlers run in the stack's process (local.dispatch), beside moto's server. Over loopback
HTTP each of their calls paid for http.client and urllib3 on one side and werkzeug's server on the
other, twice the CPU of the call itself (a DynamoDB GetItem: 2.5 ms against 1.3 ms), and most of
what a stack-backed test spends. Where botocore would write a request addressed to this process's
moto server to a socket (`URLLib3Session.send`, after its `before-send` handlers), this hands it
straight to the server's WSGI app, the same app a socket would reach, with the S3 POST-policy and
presigned-URL wrappers in front of it, and returns its answer to botocore as a urllib3 response, as
the socket would have.

Nothing is checked less: IAM is evaluated in botocore before the request is sent (local.iam), and
moto, Cognito's rules and the S3 wrappers see the request they saw over HTTP. What comes from
outside the process (a browser, the tests' HTTP clients, a spawned execution environment) still
arrives over a socket.

What this changes is timing: a call is no longer a wait on the network. The benchmarks, which price
each invocation's time, turn it off (`LocalStack(direct_calls=False)`; `over_http()` for a block).
"""

from __future__ import annotations

import io
import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from botocore.awsrequest import AWSResponse
from botocore.httpsession import URLLib3Session
from urllib3 import HTTPHeaderDict, HTTPResponse
from werkzeug.datastructures import Headers
from werkzeug.test import EnvironBuilder, run_wsgi_app

log = logging.getLogger(__name__)

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

# The moto server this process answers itself: its host:port and how to get its WSGI app now (the
# stack's wrappers replace it after start), and the process it lives in.
_target: tuple[str, Callable[[], WsgiApp], int] | None = None
_paused = 0  # over_http() blocks open
_hooked = False
_lock = threading.Lock()


def install() -> None:
    """Send through this module every request botocore would write to a socket (idempotent; nothing is
    sent directly until `use`). Patched where botocore sends, after its `before-send` handlers: a test's
    handler that answers a request in place of AWS (a stubbed failure) still stops it from reaching moto,
    as it stopped it reaching the socket. (Registered as a `before-send` handler itself, this ran beside
    such a stub: a StartExecution a test refused with a 500 was started all the same.)"""
    global _hooked
    with _lock:
        if not _hooked:
            over_socket = URLLib3Session.send

            def send(session: URLLib3Session, request: Any) -> Any:
                answered = _send(request)
                return answered if answered is not None else over_socket(session, request)

            URLLib3Session.send = send  # type: ignore[method-assign, assignment]
            _hooked = True


def use(netloc: str | None, app: Callable[[], WsgiApp] | None = None) -> None:
    """Answer requests to `netloc` (moto's "127.0.0.1:PORT") with `app()`; None: every call over HTTP."""
    global _target
    _target = None if netloc is None or app is None else (netloc, app, os.getpid())


@contextmanager
def over_http() -> Iterator[None]:
    """Within the block, every call of the process goes over the socket (the handlers' threads too):
    to see the calls on the wire, or time them as network waits."""
    global _paused
    with _lock:
        _paused += 1
    try:
        yield
    finally:
        with _lock:
            _paused -= 1


def _send(request: Any) -> AWSResponse | None:
    target = _target
    if target is None or _paused:
        return None
    netloc, app, pid = target
    url = urlsplit(request.url)
    if url.netloc != netloc or os.getpid() != pid:
        return None
    body = request.body
    if hasattr(body, "read"):
        body = body.read()
    elif isinstance(body, str):
        body = body.encode("utf-8")
    # The body is whole here: HTTP's chunked framing (which a socket would add and the server strip)
    # does not apply. S3's own aws-chunked encoding stays in the body, as it does on the wire.
    headers = {
        k: v.decode("latin-1") if isinstance(v, bytes) else v
        for k, v in request.headers.items()
        if k.lower() != "transfer-encoding"
    }
    environ = EnvironBuilder(
        path=url.path or "/",
        query_string=url.query,
        method=request.method,
        headers=headers,
        data=body or b"",
        base_url=f"{url.scheme}://{url.netloc}",
        environ_overrides={"REMOTE_ADDR": "127.0.0.1"},
    ).get_environ()
    try:
        chunks, status, response_headers = run_wsgi_app(app(), environ, buffered=True)
        try:
            data = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
    except Exception:
        # What werkzeug's server answers when the app raises (moto has races of its own between
        # threads): a 500, which botocore retries, rather than an exception a socket never raises.
        log.exception("moto raised answering %s %s", request.method, request.url)
        status, response_headers, data = "500 INTERNAL SERVER ERROR", Headers(), b"Internal Server Error"
    code = int(status.split(" ", 1)[0])
    raw = HTTPResponse(
        body=io.BytesIO(data),
        headers=HTTPHeaderDict(list(response_headers.items())),
        status=code,
        preload_content=False,
        decode_content=False,
        request_method=request.method,
        request_url=request.url,
    )
    return AWSResponse(request.url, code, raw.headers, raw)  # type: ignore[arg-type]
