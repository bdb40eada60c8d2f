"""The local stack's asynchronous invocation config and records (local/async_invokes.py) and presigned GET
expiry (local/s3_presigned.py), as AWS answers them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from local import async_invokes, s3_presigned

SIGNED = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def _query(expires: int | str = 900, at: datetime = SIGNED) -> str:
    return (
        f"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date={at:%Y%m%dT%H%M%SZ}&X-Amz-Expires={expires}"
        "&X-Amz-SignedHeaders=host&X-Amz-Signature=abc"
    )


def test_a_presigned_get_works_until_its_expiry_and_not_after() -> None:
    assert s3_presigned.expired(_query(), SIGNED + timedelta(seconds=900)) is None
    refused = s3_presigned.expired(_query(), SIGNED + timedelta(seconds=901))
    assert refused is not None
    assert (refused.status, refused.code, refused.message) == (403, "AccessDenied", "Request has expired")


@pytest.mark.parametrize("expires", [0, 604801, "soon"])
def test_an_expiry_s3_would_not_accept_is_refused(expires: int | str) -> None:
    refused = s3_presigned.expired(_query(expires), SIGNED)
    assert refused is not None
    assert refused.status == 400


def test_an_unsigned_request_passes() -> None:
    assert s3_presigned.expired("versionId=1", SIGNED) is None


class _Lambda:
    def __init__(self) -> None:
        self.put: list[dict[str, Any]] = []

    def put_function_event_invoke_config(self, **args: Any) -> None:
        self.put.append(args)


class _Ctx:
    def __init__(self) -> None:
        self.lam = _Lambda()

    def client(self, service: str) -> Any:
        assert service == "lambda"
        return self.lam


QUEUE = "arn:aws:sqs:eu-west-2:123456789012:dlq"


def test_an_event_invoke_config_is_kept_and_given_to_moto(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(async_invokes, "CONFIGS", {})
    async_invokes.dead_letter_config("f", QUEUE)
    ctx = _Ctx()
    props = {
        "FunctionName": "f",
        "Qualifier": "$LATEST",
        "MaximumRetryAttempts": 1,
        "DestinationConfig": {"OnFailure": {"Destination": QUEUE}},
    }
    async_invokes.event_invoke_config(ctx, "FEventInvokeConfig", props)  # type: ignore[arg-type]
    assert async_invokes.CONFIGS["f"] == async_invokes.InvokeConfig(
        retries=1, on_failure=QUEUE, dead_letter=QUEUE
    )
    assert ctx.lam.put == [
        {"FunctionName": "f", "MaximumRetryAttempts": 1, "DestinationConfig": props["DestinationConfig"]}
    ]


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({"MaximumRetryAttempts": 3}, "0-2"),
        ({"DestinationConfig": {"OnFailure": {"Destination": "arn:aws:sns:eu-west-2:1:t"}}}, "only to SQS"),
        ({"Qualifier": "live"}, "only \\$LATEST"),
    ],
)
def test_what_the_local_stack_cannot_play_fails_the_deploy(props: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        async_invokes.event_invoke_config(_Ctx(), "F", {"FunctionName": "f", **props})  # type: ignore[arg-type]


def test_the_failure_record_has_lambdas_shape() -> None:
    inv = async_invokes.Invocation("f", '{"id": "1"}', request_id="r-1", tries=3)
    error = json.dumps({"errorType": "ValueError", "errorMessage": "bad"})
    record = async_invokes._record(inv, "RetriesExhausted", error, errored=True)
    assert set(record) == {
        "version",
        "timestamp",
        "requestContext",
        "requestPayload",
        "responseContext",
        "responsePayload",
    }
    assert record["requestContext"] == {
        "requestId": "r-1",
        "functionArn": "arn:aws:lambda:eu-west-2:123456789012:function:f:$LATEST",
        "condition": "RetriesExhausted",
        "approximateInvokeCount": 3,
    }
    assert record["requestPayload"] == {"id": "1"}
    assert record["responseContext"] == {
        "statusCode": 200,
        "executedVersion": "$LATEST",
        "functionError": "Unhandled",
    }
    assert record["responsePayload"] == {"errorType": "ValueError", "errorMessage": "bad"}
