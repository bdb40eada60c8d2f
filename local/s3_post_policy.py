"""S3 POST policies enforced in front of moto, as S3 enforces them.

moto stores whatever a browser-style POST (multipart/form-data to a bucket) sends: it checks no
expiry, no condition and no signature. Real S3 checks all of them, and the policy is what binds a
presigned upload to its key, type and size. So the local stack wraps moto's WSGI app in PostPolicy,
which refuses a POST that S3 would refuse, with S3's status, code and message, before moto sees it:
- the policy must be signed (SigV4, or SigV2 for old clients) with the secret of its access key;
- it must not have expired;
- every condition must hold (exact match, `eq`, `starts-with`, `content-length-range`; `bucket` is
  the bucket of the URL, `key` is matched after `${filename}` is replaced by the file's own name);
- every form field but `file`, `policy`, `x-amz-signature`, `signature` and `x-ignore-*` must be
  named by a condition ("Extra input fields").
Everything else (other methods, other content types) passes through untouched.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import io
import json
import os
import secrets
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape  # nosec B406 - escape() writes S3's error XML; nothing is parsed

from werkzeug.formparser import parse_form_data

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

# Form fields a policy need not name (S3's POST documentation, "Condition matching").
_EXEMPT = {"file", "policy", "x-amz-signature", "signature", "awsaccesskeyid"}


def secret_for(access_key: str) -> str | None:
    """The secret key of an access key the local stack knows, or None. Handlers sign with the stack's
    one key pair (local.iam authorises each call by the function's role, not by its key)."""
    if access_key and access_key == os.environ.get("AWS_ACCESS_KEY_ID"):
        return os.environ.get("AWS_SECRET_ACCESS_KEY")
    return None


class Refused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def _denied(message: str) -> Refused:
    return Refused(403, "AccessDenied", message)


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def check_signature(fields: dict[str, str], policy_b64: str) -> None:
    """The policy's signature, as S3 computes it (SigV4, or SigV2 where the form uses it)."""
    if "x-amz-signature" in fields:
        if fields.get("x-amz-algorithm") != "AWS4-HMAC-SHA256":
            raise Refused(400, "InvalidRequest", "Only AWS4-HMAC-SHA256 is supported for SigV4 POSTs.")
        parts = fields.get("x-amz-credential", "").split("/")
        if len(parts) != 5 or parts[3] != "s3" or parts[4] != "aws4_request":
            raise Refused(400, "AuthorizationQueryParametersError", "Invalid credential in the POST form.")
        access_key, date, region, service, terminal = parts
        secret = secret_for(access_key)
        if secret is None:
            raise Refused(
                403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."
            )
        key = _hmac(f"AWS4{secret}".encode(), date)
        for part in (region, service, terminal):
            key = _hmac(key, part)
        expected = hmac.new(key, policy_b64.encode(), hashlib.sha256).hexdigest()
        given = fields["x-amz-signature"]
    elif "signature" in fields:
        secret = secret_for(fields.get("awsaccesskeyid", ""))
        if secret is None:
            raise Refused(
                403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."
            )
        digest = hmac.new(secret.encode(), policy_b64.encode(), hashlib.sha1).digest()
        expected, given = base64.b64encode(digest).decode(), fields["signature"]
    else:
        raise _denied("Access Denied")  # an anonymous POST to a private bucket
    if not hmac.compare_digest(expected, given):
        raise Refused(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. "
            "Check your key and signing method.",
        )


def _condition_text(condition: Any) -> str:
    # S3 quotes the failing condition in its message as JSON with ", " between items.
    return json.dumps(condition, separators=(", ", ": "))


def check_policy(
    policy: dict[str, Any], fields: dict[str, str], bucket: str, size: int, now: datetime | None = None
) -> None:
    """Expiry, every condition, and no field the policy does not name."""
    try:
        expiration = datetime.fromisoformat(str(policy["expiration"]).replace("Z", "+00:00"))
        conditions = list(policy["conditions"])
    except (KeyError, TypeError, ValueError):
        raise Refused(400, "InvalidPolicyDocument", "Invalid Policy: Invalid JSON.") from None
    if expiration.tzinfo is None:
        expiration = expiration.replace(tzinfo=UTC)
    if (now or datetime.now(UTC)) > expiration:
        raise _denied("Invalid according to Policy: Policy expired.")
    values = dict(fields) | {"bucket": bucket}
    covered: set[str] = set()
    for condition in conditions:
        if isinstance(condition, dict) and len(condition) == 1:
            name, expected = next(iter(condition.items()))
            op, field, value = "eq", str(name).lower(), expected
            # S3 names an exact-match condition in its eq form: ["eq", "$Content-Type", "image/png"].
            condition = ["eq", f"${name}", expected]
        elif isinstance(condition, list) and len(condition) == 3 and condition[0] == "content-length-range":
            low, high = int(condition[1]), int(condition[2])
            if size > high:
                raise Refused(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
            if size < low:
                raise Refused(
                    400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size"
                )
            continue
        elif (
            isinstance(condition, list)
            and len(condition) == 3
            and condition[0] in ("eq", "starts-with")
            and str(condition[1]).startswith("$")
        ):
            op, field, value = condition[0], str(condition[1])[1:].lower(), condition[2]
        else:
            raise _denied(
                f"Invalid according to Policy: Policy Condition failed: {_condition_text(condition)}"
            )
        covered.add(field)
        actual = values.get(field)
        ok = actual is not None and (actual == value if op == "eq" else actual.startswith(str(value)))
        if not ok:
            raise _denied(
                f"Invalid according to Policy: Policy Condition failed: {_condition_text(condition)}"
            )
    extra = [
        name
        for name in fields
        if name not in _EXEMPT and not name.startswith("x-ignore-") and name not in covered
    ]
    if extra:
        raise _denied(f"Invalid according to Policy: Extra input fields: {extra[0]}")


def check_post(form: dict[str, str], filename: str, size: int, bucket: str) -> None:
    """Refuse (raise Refused) a multipart POST to `bucket` that S3 would refuse."""
    fields = {name.lower(): value for name, value in form.items()}
    if "key" not in fields:
        raise Refused(
            400,
            "InvalidArgument",
            "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.",
        )
    policy_b64 = fields.get("policy")
    if not policy_b64:
        raise _denied("Access Denied")
    check_signature(fields, policy_b64)
    try:
        policy = json.loads(base64.b64decode(policy_b64, validate=True))
    except (binascii.Error, ValueError):
        raise Refused(400, "InvalidPolicyDocument", "Invalid Policy: Invalid JSON.") from None
    if not isinstance(policy, dict):
        raise Refused(400, "InvalidPolicyDocument", "Invalid Policy: Invalid JSON.")
    fields["key"] = fields["key"].replace("${filename}", filename)
    check_policy(policy, fields, bucket, size)


def _error(start_response: Callable[..., Any], refused: Refused, resource: str) -> list[bytes]:
    request_id = secrets.token_hex(8).upper()
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{refused.code}</Code><Message>{escape(refused.message)}</Message>"
        f"<Resource>{escape(resource)}</Resource><RequestId>{request_id}</RequestId>"
        f"<HostId>{request_id}</HostId></Error>"
    ).encode()
    start_response(
        f"{refused.status} {'Forbidden' if refused.status == 403 else 'Bad Request'}",
        [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))],
    )
    return [body]


def _bucket_of(environ: dict[str, Any]) -> str | None:
    """The bucket a browser-style POST is for (path-style or virtual-hosted), or None."""
    path = environ.get("PATH_INFO", "")
    host = environ.get("HTTP_HOST", "").split(":")[0]
    first = host.split(".")[0]
    if path.strip("/") and "/" not in path.strip("/"):
        return str(path.strip("/"))
    if path in ("", "/") and (".s3." in host or host.endswith(".localhost")) and first:
        return first
    return None


class PostPolicy:
    """WSGI middleware: S3's POST policy checks in front of moto's server."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        bucket = _bucket_of(environ)
        content_type = environ.get("CONTENT_TYPE", "")
        if (
            environ.get("REQUEST_METHOD") != "POST"
            or not content_type.startswith("multipart/form-data")
            or bucket is None
            or environ.get("QUERY_STRING")
        ):
            return self.app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else environ["wsgi.input"].read()
        parsing = dict(environ, **{"wsgi.input": io.BytesIO(raw), "CONTENT_LENGTH": str(len(raw))})
        _, form, files = parse_form_data(parsing)
        upload = files.get("file")
        try:
            if upload is None:
                raise Refused(400, "InvalidArgument", "POST requires exactly one file upload per request.")
            size = len(upload.stream.read())
            check_post(dict(form.items()), upload.filename or "", size, bucket)
        except Refused as refused:
            return _error(start_response, refused, f"/{bucket}")
        finally:
            # werkzeug spools each part to a temporary file: closed here, not left to the collector.
            for part in files.values():
                part.close()
        # moto reads the body again.
        environ["wsgi.input"] = io.BytesIO(raw)
        environ["CONTENT_LENGTH"] = str(len(raw))
        return self.app(environ, start_response)


def install(server: Any) -> None:
    """Wrap a started ThreadedMotoServer's WSGI app (werkzeug reads `server.app` per request)."""
    wsgi_server = server._server
    if not isinstance(wsgi_server.app, PostPolicy):
        wsgi_server.app = PostPolicy(wsgi_server.app)
