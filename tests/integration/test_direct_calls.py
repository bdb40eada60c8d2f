"""The stack's own AWS calls reach moto without a socket (local/direct_calls.py), and get the answers
they got over HTTP: the same bodies, the same errors, the same retries."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import nullcontext
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse, HTTPHeaders
from botocore.exceptions import ClientError
from moto.dynamodb.models import DynamoDBBackend

from local import direct_calls
from local.stack import LocalStack

pytestmark = pytest.mark.xdist_group("local_stack")


@pytest.fixture
def connections(local_stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The requests moto's server read from a socket while the test runs (path, and the operation for
    JSON protocols)."""
    handler_class = local_stack._server._server.RequestHandlerClass
    run_wsgi = handler_class.run_wsgi
    seen: list[str] = []

    def counted(self: Any) -> None:
        seen.append(f"{self.path} {self.headers.get('X-Amz-Target', '')}")
        run_wsgi(self)

    monkeypatch.setattr(handler_class, "run_wsgi", counted)
    return seen


@pytest.fixture
def bucket(local_stack: LocalStack) -> Iterator[str]:
    s3 = local_stack.client("s3")
    name = f"direct-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
    yield name
    for version in s3.list_object_versions(Bucket=name).get("Versions", []):
        s3.delete_object(Bucket=name, Key=version["Key"], VersionId=version["VersionId"])
    s3.delete_bucket(Bucket=name)


def test_a_call_from_the_stacks_process_opens_no_connection_unless_asked(
    local_stack: LocalStack, connections: list[str]
) -> None:
    db = local_stack.client("dynamodb")
    db.list_tables()
    assert connections == []
    with direct_calls.over_http():  # for every thread: the stack's scheduler may call too
        db.list_tables()
    assert "/ DynamoDB_20120810.ListTables" in connections


def test_bytes_and_errors_come_back_as_they_do_over_http(local_stack: LocalStack, bucket: str) -> None:
    s3 = local_stack.client("s3")
    body = bytes(range(256)) * 300  # every byte value, past one read's size
    s3.put_object(Bucket=bucket, Key="evidence.pdf", Body=body, ContentType="application/pdf")

    answers = []
    for over_http in (False, True):
        with direct_calls.over_http() if over_http else nullcontext():
            got = s3.get_object(Bucket=bucket, Key="evidence.pdf")
            head = s3.head_object(Bucket=bucket, Key="evidence.pdf")
            with pytest.raises(ClientError) as missing:
                s3.get_object(Bucket=bucket, Key="nothing-here")
            answers.append(
                (
                    got["Body"].read(),
                    got["ContentType"],
                    head["ContentLength"],
                    missing.value.response["Error"]["Code"],
                    missing.value.response["ResponseMetadata"]["HTTPStatusCode"],
                )
            )
    assert answers[0] == answers[1] == (body, "application/pdf", len(body), "NoSuchKey", 404)


def test_a_conditional_write_is_refused_with_dynamodbs_error(local_stack: LocalStack) -> None:
    db = local_stack.client("dynamodb")
    table = local_stack.deployed.global_environment["TABLE_NAME"]
    key = {"PK": {"S": f"DIRECT#{uuid.uuid4().hex}"}, "SK": {"S": "A"}}
    db.put_item(TableName=table, Item=key, ConditionExpression="attribute_not_exists(PK)")
    with pytest.raises(db.exceptions.ConditionalCheckFailedException):
        db.put_item(TableName=table, Item=key, ConditionExpression="attribute_not_exists(PK)")
    db.delete_item(TableName=table, Key=key)


def test_a_request_answered_before_it_is_sent_never_reaches_moto(local_stack: LocalStack) -> None:
    """A `before-send` handler that answers in AWS's place (the tests' way to make AWS fail) stops the
    request, as it stopped it reaching the socket: the table is not written, on any of the retries."""
    db = local_stack.client("dynamodb")
    table = local_stack.deployed.global_environment["TABLE_NAME"]
    key = {"PK": {"S": f"DIRECT#{uuid.uuid4().hex}"}, "SK": {"S": "A"}}
    refused: list[str] = []

    def unavailable(request: Any, **_: Any) -> AWSResponse:
        refused.append(request.url)
        response = AWSResponse(request.url, 500, HTTPHeaders(), None)
        response._content = b'{"message": "Internal failure."}'  # type: ignore[attr-defined]
        return response

    db.meta.events.register_first("before-send.dynamodb.PutItem", unavailable)
    try:
        with pytest.raises(ClientError):
            db.put_item(TableName=table, Item=key)
    finally:
        db.meta.events.unregister("before-send.dynamodb.PutItem", unavailable)
    assert len(refused) > 1  # retried, and refused each time
    assert "Item" not in db.get_item(TableName=table, Key=key, ConsistentRead=True)


def test_moto_raising_is_a_500_that_botocore_retries(
    local_stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """moto's server answers 500 when its code raises (it has races between threads); the call is
    retried, as it was over HTTP, rather than the exception reaching the handler."""
    raised: list[str] = []
    describe = DynamoDBBackend.describe_table

    def once(self: Any, name: str) -> Any:
        if not raised:
            raised.append(name)
            raise RuntimeError("OrderedDict mutated during iteration")
        return describe(self, name)

    monkeypatch.setattr(DynamoDBBackend, "describe_table", once)
    table = local_stack.deployed.global_environment["TABLE_NAME"]
    answer = local_stack.client("dynamodb").describe_table(TableName=table)
    assert raised == [table]
    assert answer["Table"]["TableName"] == table
    assert answer["ResponseMetadata"]["RetryAttempts"] == 1
