"""The local stack's IAM check (local/iam.py, local/iam_actions.py): the policy evaluator and what each
call needs, without a stack."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from local import iam
from local.iam_actions import Need, Resources, UnmappedCall, make_task_token, needs, state_machine_of

TABLE = "arn:aws:dynamodb:eu-west-2:123456789012:table/journeys"
BUCKET = "arn:aws:s3:::evidence"


def role(*statements: dict[str, Any]) -> iam.Role:
    return iam.Role(
        "arn:aws:iam::123456789012:role/r",
        tuple(iam.statements_of({"Version": "2012-10-17", "Statement": list(statements)})),
    )


def allow(action: Any, resource: Any, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def test_an_allow_that_names_the_action_and_resource_allows() -> None:
    assert iam.evaluate(role(allow("dynamodb:GetItem", TABLE)), "dynamodb:GetItem", TABLE) == iam.ALLOWED


def test_nothing_is_allowed_without_a_statement_for_it() -> None:
    r = role(allow("dynamodb:GetItem", TABLE))
    assert iam.evaluate(r, "dynamodb:PutItem", TABLE) == iam.NO_ALLOW
    assert iam.evaluate(role(), "dynamodb:GetItem", TABLE) == iam.NO_ALLOW


def test_a_resource_that_does_not_match_is_not_allowed() -> None:
    r = role(allow("dynamodb:Query", TABLE))
    # An index has an ARN of its own: a grant on the table alone does not cover a Query on it.
    assert iam.evaluate(r, "dynamodb:Query", f"{TABLE}/index/GSI1") == iam.NO_ALLOW
    assert iam.evaluate(r, "dynamodb:Query", TABLE + "2") == iam.NO_ALLOW


def test_an_explicit_deny_wins_over_any_allow() -> None:
    r = role(allow("s3:*", "*"), {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": f"{BUCKET}/*"})
    assert iam.evaluate(r, "s3:DeleteObject", f"{BUCKET}/a") == iam.EXPLICIT_DENY
    assert iam.evaluate(r, "s3:GetObject", f"{BUCKET}/a") == iam.ALLOWED


def test_wildcards_in_actions_ignore_case_and_in_resources_do_not() -> None:
    r = role(allow("S3:Get*", f"{BUCKET}/journeys/*"), allow("kms:?ecrypt", "*"))
    assert iam.evaluate(r, "s3:GetObjectVersion", f"{BUCKET}/journeys/j1/a.pdf") == iam.ALLOWED
    assert iam.evaluate(r, "s3:GetObject", f"{BUCKET}/Journeys/j1/a.pdf") == iam.NO_ALLOW
    assert iam.evaluate(r, "kms:Decrypt", "arn:aws:kms:eu-west-2:1:key/k") == iam.ALLOWED
    assert iam.evaluate(r, "kms:ReDecrypt", "arn:aws:kms:eu-west-2:1:key/k") == iam.NO_ALLOW


def test_not_action_and_not_resource_allow_everything_else() -> None:
    r = role({"Effect": "Allow", "NotAction": "iam:*", "Resource": TABLE})
    assert iam.evaluate(r, "dynamodb:PutItem", TABLE) == iam.ALLOWED
    assert iam.evaluate(r, "iam:PassRole", TABLE) == iam.NO_ALLOW
    r = role({"Effect": "Allow", "Action": "s3:GetObject", "NotResource": f"{BUCKET}/private/*"})
    assert iam.evaluate(r, "s3:GetObject", f"{BUCKET}/public/a") == iam.ALLOWED
    assert iam.evaluate(r, "s3:GetObject", f"{BUCKET}/private/a") == iam.NO_ALLOW


def test_conditions_are_evaluated_strictly() -> None:
    passed = {"iam:PassedToService": "scheduler.amazonaws.com"}
    r = role(
        allow(
            "iam:PassRole",
            "*",
            Condition={"StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}},
        )
    )
    assert iam.evaluate(r, "iam:PassRole", "arn:aws:iam::1:role/x", passed) == iam.ALLOWED
    assert iam.evaluate(
        r, "iam:PassRole", "arn:aws:iam::1:role/x", {"iam:PassedToService": "ec2.amazonaws.com"}
    ) == (iam.NO_ALLOW)
    # A key the request does not carry, or an operator this check does not know: an Allow does not
    # apply and a Deny does, so the local stack never grants more than AWS would.
    assert iam.evaluate(r, "iam:PassRole", "arn:aws:iam::1:role/x") == iam.NO_ALLOW
    unknown = {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}
    assert (
        iam.evaluate(role(allow("s3:*", "*", Condition=unknown)), "s3:GetObject", f"{BUCKET}/a")
        == iam.NO_ALLOW
    )
    deny = {"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": unknown}
    assert iam.evaluate(role(allow("s3:*", "*"), deny), "s3:GetObject", f"{BUCKET}/a") == iam.EXPLICIT_DENY


RES = Resources(bucket_keys={"evidence": "arn:aws:kms:eu-west-2:123456789012:key/k"})


def test_a_transaction_needs_each_items_own_action_on_its_table() -> None:
    items = [
        {"Put": {"TableName": "journeys", "Item": {}}},
        {"Update": {"TableName": "journeys", "Key": {}}},
        {"ConditionCheck": {"TableName": "guards", "Key": {}}},
    ]
    assert [
        (n.action, n.resource) for n in needs("dynamodb", "TransactWriteItems", {"TransactItems": items}, RES)
    ] == [
        ("dynamodb:PutItem", TABLE),
        ("dynamodb:UpdateItem", TABLE),
        ("dynamodb:ConditionCheckItem", "arn:aws:dynamodb:eu-west-2:123456789012:table/guards"),
    ]
    query = needs("dynamodb", "Query", {"TableName": "journeys", "IndexName": "GSI1"}, RES)
    assert [n.resource for n in query] == [f"{TABLE}/index/GSI1"]


def test_s3_object_calls_name_versions_and_the_buckets_kms_key() -> None:
    put = needs("s3", "PutObject", {"Bucket": "evidence", "Key": "a"}, RES)
    assert [(n.action, n.resource) for n in put] == [
        ("s3:PutObject", f"{BUCKET}/a"),
        ("kms:GenerateDataKey", "arn:aws:kms:eu-west-2:123456789012:key/k"),
    ]
    tag = needs(
        "s3", "PutObjectTagging", {"Bucket": "evidence", "Key": "a", "VersionId": "1", "Tagging": {}}, RES
    )
    assert [n.action for n in tag] == ["s3:PutObjectVersionTagging"]
    deleted = needs(
        "s3",
        "DeleteObjects",
        {"Bucket": "evidence", "Delete": {"Objects": [{"Key": "a", "VersionId": "1"}]}},
        RES,
    )
    assert [n.action for n in deleted] == ["s3:DeleteObjectVersion"]
    assert [n.action for n in needs("s3", "ListObjectVersions", {"Bucket": "evidence"}, RES)] == [
        "s3:ListBucketVersions"
    ]


def test_a_schedule_needs_pass_role_on_its_target_role_and_a_token_names_its_state_machine() -> None:
    params = {"Name": "n", "GroupName": "g", "Target": {"Arn": "arn:x", "RoleArn": "arn:aws:iam::1:role/s"}}
    assert needs("scheduler", "CreateSchedule", params, RES) == [
        Need("scheduler:CreateSchedule", "arn:aws:scheduler:eu-west-2:123456789012:schedule/g/n"),
        Need("iam:PassRole", "arn:aws:iam::1:role/s", {"iam:PassedToService": "scheduler.amazonaws.com"}),
    ]
    machine = "arn:aws:states:eu-west-2:123456789012:stateMachine:journey"
    token = make_task_token(machine, "u1")
    assert state_machine_of(token) == machine
    assert needs("stepfunctions", "SendTaskFailure", {"taskToken": token}, RES) == [
        Need("states:SendTaskFailure", machine)
    ]


def test_an_operation_nobody_described_fails_loudly() -> None:
    with pytest.raises(UnmappedCall):
        needs("s3", "PutBucketPolicy", {"Bucket": "evidence"}, RES)
    with pytest.raises(UnmappedCall):
        needs("ec2", "RunInstances", {}, RES)


def test_a_refused_call_raises_the_error_aws_returns_and_sends_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    iam.install(patch_moto=False)
    granted = role(allow("dynamodb:GetItem", TABLE))
    monkeypatch.setattr(iam, "_registry", iam.Registry(roles={granted.arn: granted}))
    sent: list[Any] = []
    session = boto3.session.Session(aws_access_key_id="a", aws_secret_access_key="b", region_name="eu-west-2")
    ddb = session.client("dynamodb", endpoint_url="http://127.0.0.1:9")  # nothing listens: a send would fail
    ddb.meta.events.register("before-send", lambda **kw: sent.append(kw))
    principal = iam.Principal(granted.arn, "od-validation-api", "od-validation-api")
    with iam.acting_as(principal), pytest.raises(ClientError) as refused:
        ddb.put_item(TableName="journeys", Item={"PK": {"S": "x"}})
    error = refused.value.response["Error"]
    assert error["Code"] == "AccessDeniedException"
    assert error["Message"] == (
        "User: arn:aws:sts::123456789012:assumed-role/r/od-validation-api is not authorized to perform: "
        f"dynamodb:PutItem on resource: {TABLE} because no identity-based policy allows the dynamodb:PutItem action"
    )
    assert sent == []
    assert iam.trace()[("od-validation-api", "dynamodb:PutItem", TABLE, "call")] == iam.NO_ALLOW
