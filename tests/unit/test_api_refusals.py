"""The API's refusals of a body it cannot read say so in words a person can act on (api/errors.py), not
pydantic's "request: Field required" or "14: JSON decode error"."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from pydantic import BaseModel

from odvalidation.api import errors


class Thing(BaseModel):
    name: str


def _app() -> APIGatewayRestResolver:
    app = APIGatewayRestResolver(enable_validation=True)
    errors.register(app)

    @app.put("/things")
    def put_thing(body: Thing) -> dict[str, str]:
        return {"name": body.name}

    return app


def _put(body: str | None) -> tuple[int, dict[str, Any]]:
    event = {
        "httpMethod": "PUT",
        "path": "/things",
        "resource": "/things",
        "headers": {"Content-Type": "application/json"},
        "multiValueHeaders": {"Content-Type": ["application/json"]},
        "queryStringParameters": None,
        "requestContext": {"httpMethod": "PUT", "resourcePath": "/things", "stage": "v1"},
        "body": body,
        "isBase64Encoded": False,
    }
    reply = _app().resolve(event, None)
    return reply["statusCode"], json.loads(reply["body"])


@pytest.mark.parametrize("body", [None, ""])
def test_no_body_is_said_to_be_missing(body: str | None) -> None:
    status, answer = _put(body)
    assert status == 422
    assert (
        answer["message"]
        == "The request has no body: send a JSON object with the fields this operation takes."
    )


def test_truncated_json_is_said_not_to_be_json() -> None:
    status, answer = _put('{"name": "Ro')
    assert status == 422
    assert answer["message"].startswith("The request body is not valid JSON")
    assert "send a complete JSON object" in answer["message"]


def test_a_missing_field_is_still_named() -> None:
    status, answer = _put("{}")
    assert status == 422
    assert answer["message"] == "The request is not valid. name: Field required"
