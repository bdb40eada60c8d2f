"""Test support for the web function in-process: API Gateway events, a Cognito pool like the template's,
and a client that keeps cookies like a browser. (Browser tests run on the local stack's HTTP front.)
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

ROLES = ("practitioner", "supporter", "panel", "academy_lead", "national_lead")
PASSWORD = "CorrectHorse42battery"


@dataclass
class LambdaContext:
    function_name: str = "od-validation-web"
    memory_limit_in_mb: int = 1024
    invoked_function_arn: str = "arn:aws:lambda:eu-west-2:123456789012:function:od-validation-web"
    aws_request_id: str = "test-request"


def api_event(
    method: str,
    path: str,
    *,
    body: str | bytes | None = None,
    headers: Mapping[str, str | list[str]] | None = None,
    query: Mapping[str, list[str]] | None = None,
    base_path: str = "",
) -> dict[str, Any]:
    """An API Gateway REST (v1) proxy event, as the WebFunction's /{proxy+} route receives it.

    base_path is what the browser's path has before the route's: "" where a custom domain maps the API
    at its root, "/v1" at the execute-api address (requestContext.path keeps it; path does not)."""
    multi_headers = {k: (v if isinstance(v, list) else [v]) for k, v in (headers or {}).items()}
    is_base64 = isinstance(body, bytes)
    text_body = base64.b64encode(body).decode() if isinstance(body, bytes) else body
    return {
        "resource": "/{proxy+}" if path != "/" else "/",
        "path": path,
        "httpMethod": method,
        "headers": {k: v[-1] for k, v in multi_headers.items()},
        "multiValueHeaders": multi_headers,
        "queryStringParameters": {k: v[-1] for k, v in query.items()} if query else None,
        "multiValueQueryStringParameters": dict(query) if query else None,
        "pathParameters": {"proxy": path.lstrip("/")} if path != "/" else None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/{proxy+}",
            "httpMethod": method,
            "path": base_path + path,
            "stage": "v1",
            "requestId": str(uuid.uuid4()),
            "identity": {"sourceIp": "127.0.0.1"},
        },
        "body": text_body,
        "isBase64Encoded": is_base64,
    }


POST_CONFIRMATION = "od-validation-post-confirmation"


def cognito_as_deployed() -> None:
    """Cognito's rules on this process's moto (client attribute permissions, the post-confirmation
    trigger), with the trigger's handler mapped as the local stack maps it."""
    from local import cognito_rules, dispatch

    cognito_rules.install()
    dispatch.HANDLERS.setdefault(
        POST_CONFIRMATION, dispatch.HandlerRef(module="functions.post_confirmation.app", timeout_s=5)
    )


def _one_signing_key_per_process() -> None:
    """moto signs every pool's tokens with the same fixed RSA key, which it reads and checks again for each
    new pool (about 0.1 s of CPU, once per in-process web test): the checked key is kept for the process."""
    from functools import cache
    from types import SimpleNamespace

    import moto.cognitoidp.models as cognito_models

    if isinstance(cognito_models.jwk, SimpleNamespace):
        return
    jwk = cognito_models.jwk

    @cache
    def import_key(text: str) -> Any:
        return jwk.RSAKey.import_key(json.loads(text))

    rsa = SimpleNamespace(import_key=lambda value: import_key(json.dumps(value, sort_keys=True)))
    cognito_models.jwk = SimpleNamespace(RSAKey=rsa)  # type: ignore[assignment]


def create_user_pool(cognito: Any) -> tuple[str, str]:
    """A user pool and web client set up as template.yaml sets them up; returns (pool id, client id)."""
    cognito_as_deployed()
    _one_signing_key_per_process()
    pool = cognito.create_user_pool(
        LambdaConfig={
            "PostConfirmation": f"arn:aws:lambda:eu-west-2:123456789012:function:{POST_CONFIRMATION}"
        },
        PoolName="od-validation-users",
        UsernameAttributes=["email"],
        AutoVerifiedAttributes=["email"],
        Policies={
            "PasswordPolicy": {
                "MinimumLength": 12,
                "RequireLowercase": True,
                "RequireUppercase": True,
                "RequireNumbers": True,
                "RequireSymbols": False,
            }
        },
        Schema=[
            {"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True},
            {"Name": "name", "AttributeDataType": "String", "Required": True, "Mutable": True},
            {"Name": "academy", "AttributeDataType": "String", "Mutable": True},
            {"Name": "employer", "AttributeDataType": "String", "Mutable": True},
        ],
    )["UserPool"]
    client = cognito.create_user_pool_client(
        UserPoolId=pool["Id"],
        ClientName="web",
        GenerateSecret=False,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"],
        ReadAttributes=["email", "name", "custom:academy", "custom:employer"],
        WriteAttributes=["email", "name", "custom:employer"],
    )["UserPoolClient"]
    for role in ROLES:
        cognito.create_group(UserPoolId=pool["Id"], GroupName=role)
    return pool["Id"], client["ClientId"]


def create_stores(**client_options: Any) -> None:
    """The journey table and the evidence bucket as template.yaml makes them (default names), so pages
    that read journeys work here too."""
    import boto3

    dynamodb = boto3.client("dynamodb", region_name="eu-west-2", **client_options)
    index: list[Any] = [
        {"AttributeName": n, "AttributeType": "S"}
        for n in ("PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK")
    ]
    dynamodb.create_table(
        TableName="od-validation",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=index,
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": name,
                "KeySchema": [
                    {"AttributeName": f"{name}PK", "KeyType": "HASH"},
                    {"AttributeName": f"{name}SK", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
            for name in ("GSI1", "GSI2")
        ],
    )
    boto3.client("s3", region_name="eu-west-2", **client_options).create_bucket(
        Bucket="od-validation-evidence", CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
    )


def web_environment(pool_id: str, client_id: str, jwks_url: str, *, local: bool = False) -> dict[str, str]:
    """The environment variables the web function needs (template Globals plus the session settings)."""
    return {
        "AWS_DEFAULT_REGION": "eu-west-2",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        # The stores create_stores() makes (a local stack in the parent process may have set others).
        "TABLE_NAME": "od-validation",
        "EVIDENCE_BUCKET": "od-validation-evidence",
        "USER_POOL_ID": pool_id,
        "USER_POOL_CLIENT_ID": client_id,
        "JWKS_URL": jwks_url,
        "SESSION_SECRET": "test-session-secret-" + uuid.uuid4().hex,
        "SECURE_COOKIES": "false",
        "VERIFY_TOKENS_LOCALLY": "true" if local else "false",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }


def reset_process_caches() -> None:
    """Forget settings, boto3 clients and the JWKS client, after the environment changed."""
    from odvalidation.dal import clients
    from odvalidation.settings import settings
    from odvalidation.web import security

    settings.cache_clear()
    clients.reset()
    security._jwks_client.cache_clear()


Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


@dataclass
class Reply:
    status: int
    headers: dict[str, list[str]]
    body: str

    def header(self, name: str) -> str | None:
        for key, values in self.headers.items():
            if key.lower() == name.lower():
                return values[-1]
        return None

    @property
    def set_cookies(self) -> list[str]:
        return [v for k, vs in self.headers.items() if k.lower() == "set-cookie" for v in vs]

    def csrf_token(self) -> str:
        import re

        found = re.search(r'name="csrf_token" value="([^"]+)"', self.body)
        assert found, "the page has no CSRF field"
        return found.group(1)


class WebClient:
    """Calls the handler in-process like a browser would: it keeps cookies and sends forms urlencoded."""

    def __init__(self, handler: Handler, base_path: str = "") -> None:
        self.handler = handler
        self.base_path = base_path  # "/v1": as at the execute-api address
        self.cookies: dict[str, str] = {}

    def request(
        self,
        method: str,
        path: str,
        *,
        form: Mapping[str, str] | None = None,
        query: Mapping[str, str] | None = None,
    ) -> Reply:
        from urllib.parse import urlencode

        headers: dict[str, str | list[str]] = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urlencode(form)
        event = api_event(
            method,
            path,
            body=body,
            headers=headers,
            query={k: [v] for k, v in (query or {}).items()},
            base_path=self.base_path,
        )
        result = self.handler(event, LambdaContext())
        payload = result.get("body") or ""
        if result.get("isBase64Encoded"):
            payload = base64.b64decode(payload).decode("latin-1")
        multi = {k: list(v) for k, v in (result.get("multiValueHeaders") or {}).items()}
        for k, v in (result.get("headers") or {}).items():
            multi.setdefault(k, [v])
        reply = Reply(int(result["statusCode"]), multi, payload)
        for cookie in reply.set_cookies:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if "Max-Age=0" in cookie:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return reply

    def get(self, path: str, **query: str) -> Reply:
        return self.request("GET", path, query=query)

    def post(self, path: str, form: Mapping[str, str]) -> Reply:
        return self.request("POST", path, form=form)

    def submit(self, path: str, form: Mapping[str, str]) -> Reply:
        """GET the form page, then POST to it with the page's CSRF token, as a browser would."""
        token = self.get(path).csrf_token()
        return self.post(path, {**form, "csrf_token": token})


@contextmanager
def in_process_web(monkeypatch: Any) -> Iterator[dict[str, Any]]:
    """The web handler with Cognito in moto's in-process mock (decorator mode).

    moto serves the JWKS only in server mode, so pyjwt is handed moto's fixed public key instead of
    fetching it: signatures are still verified for real. Yields client (a WebClient), handler, cognito,
    pool_id and client_id.
    """
    import boto3
    import jwt
    from moto import mock_aws
    from moto.utilities.utils import load_resource

    jwks = load_resource("cognitoidp/resources/jwks-public.json")
    with mock_aws():
        monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
        monkeypatch.delenv("AWS_PROFILE", raising=False)
        monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")
        cognito = boto3.client("cognito-idp", region_name="eu-west-2")
        pool_id, client_id = create_user_pool(cognito)
        create_stores()
        jwks_url = f"https://cognito-idp.eu-west-2.amazonaws.com/{pool_id}/.well-known/jwks.json"
        for key, value in web_environment(pool_id, client_id, jwks_url).items():
            monkeypatch.setenv(key, value)
        monkeypatch.setattr(jwt.PyJWKClient, "fetch_data", lambda self: jwks)
        reset_process_caches()
        from functions.web.app import handler

        try:
            yield {
                "client": WebClient(handler),
                "handler": handler,
                "cognito": cognito,
                "pool_id": pool_id,
                "client_id": client_id,
            }
        finally:
            reset_process_caches()
