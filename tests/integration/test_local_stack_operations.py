"""The local stack deploys the template's operational side as AWS would: the session secret generated
in Secrets Manager and read from there by the product, log groups with their retention, alarms on the
stack's own resources, Cognito's email through SES, and the custom domain left out unless asked for."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from local.deploy import deploy
from local.deployed import DeployError
from local.stack import LocalStack, shared_stack

pytestmark = pytest.mark.xdist_group("local_stack")


@pytest.fixture(scope="module")
def stack() -> LocalStack:
    return shared_stack()


def test_the_session_secret_is_generated_in_secrets_manager_and_only_its_arn_is_in_the_environment(
    stack: LocalStack,
) -> None:
    arn = stack.deployed.ref("SessionSecret")
    assert os.environ["SESSION_SECRET_ARN"] == arn
    assert "SESSION_SECRET" not in os.environ
    secret = stack.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"]
    assert len(secret) == 64
    assert secret.isalnum()  # ExcludePunctuation honoured

    from odvalidation.dal.session_secret import session_secret

    assert session_secret() == secret.encode()


def test_the_product_reads_the_secret_once_and_keeps_it(stack: LocalStack) -> None:
    from odvalidation.dal import clients
    from odvalidation.dal.session_secret import session_secret

    calls: list[str] = []

    def count(**kwargs: object) -> None:
        calls.append("GetSecretValue")

    clients.reset()  # a fresh execution environment: new clients, so a fresh provider and cache
    client = clients.client("secretsmanager")
    client.meta.events.register("before-call.secrets-manager.GetSecretValue", count)
    try:
        first = session_secret()
        for _ in range(5):
            assert session_secret() == first
    finally:
        client.meta.events.unregister("before-call.secrets-manager.GetSecretValue", count)
    assert calls == ["GetSecretValue"]


def test_every_function_has_its_log_group_with_a_retention(stack: LocalStack) -> None:
    logs = stack.client("logs")
    groups = {
        g["logGroupName"]: g
        for g in logs.describe_log_groups(logGroupNamePrefix="/aws/lambda/od-validation-")["logGroups"]
    }
    for name in stack.deployed.functions:
        group = groups[f"/aws/lambda/{name}"]
        assert group["retentionInDays"] == int(stack.deployed.parameters["LogRetentionDays"])


def test_alarms_watch_this_stacks_resources(stack: LocalStack) -> None:
    alarms = stack.client("cloudwatch").describe_alarms()["MetricAlarms"]
    watched = {(a["Namespace"], d["Name"], d["Value"]) for a in alarms for d in a["Dimensions"]}
    for name in stack.deployed.functions:
        assert ("AWS/Lambda", "FunctionName", name) in watched
    assert ("AWS/ApiGateway", "ApiName", "od-validation-api") in watched
    assert ("AWS/ApiGateway", "Stage", "v1") in watched
    assert ("AWS/States", "StateMachineArn", stack.deployed.ref("JourneyStateMachine")) in watched
    topic = stack.deployed.ref("AlarmTopic")
    assert {action for a in alarms for action in a["AlarmActions"]} == {topic}


def test_cognito_sends_email_through_ses_from_the_sender(stack: LocalStack) -> None:
    pool = stack.client("cognito-idp").describe_user_pool(UserPoolId=stack.user_pool_id)["UserPool"]
    config = pool["EmailConfiguration"]
    sender = stack.deployed.global_environment["SENDER_EMAIL"]
    assert config["EmailSendingAccount"] == "DEVELOPER"
    assert config["From"] == sender
    assert config["SourceArn"].endswith(f":identity/{sender}")


def test_no_custom_domain_unless_one_is_given(stack: LocalStack) -> None:
    for logical_id in ("CustomDomain", "CustomDomainMapping"):
        assert logical_id not in stack.deployed.physical_ids
        assert "HasCustomDomain is false" in stack.deployed.recorded_only[logical_id]


CONDITIONAL = """
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Name: {Type: String, Default: ""}
  Kind: {Type: String, Default: plain, AllowedValues: [plain, fancy]}
Conditions:
  Named: !Not [!Equals [!Ref Name, ""]]
Rules:
  FancyNeedsName:
    RuleCondition: !Equals [!Ref Kind, fancy]
    Assertions:
      - Assert: !Not [!Equals [!Ref Name, ""]]
        AssertDescription: A fancy queue needs a name.
Resources:
  Always:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !If [Named, !Sub "${Name}-always", !Ref AWS::NoValue]
  OnlyNamed:
    Type: AWS::SQS::Queue
    Condition: Named
    Properties: {QueueName: !Sub "${Name}-only"}
  Secret:
    Type: AWS::SecretsManager::Secret
    Properties:
      Name: !Sub "${Name}-secret"
      GenerateSecretString:
        SecretStringTemplate: '{"user": "odv"}'
        GenerateStringKey: password
        PasswordLength: 20
"""


def test_a_template_with_conditions_and_rules_deploys_as_cloudformation_would(
    stack: LocalStack, tmp_path: Path
) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(CONDITIONAL)
    sqs = stack.client("sqs")
    with pytest.raises(DeployError, match="A fancy queue needs a name"):
        deploy(stack.endpoint_url, template, {"Kind": "fancy"})
    with pytest.raises(DeployError, match="is not one of"):
        deploy(stack.endpoint_url, template, {"Kind": "odd", "Name": "x"})

    named = deploy(stack.endpoint_url, template, {"Name": "condtest", "Kind": "fancy"})
    assert named.ref("OnlyNamed").endswith("/condtest-only")
    assert named.ref("Always").endswith("/condtest-always")
    value = stack.client("secretsmanager").get_secret_value(SecretId=named.ref("Secret"))["SecretString"]
    document = json.loads(value)
    assert document["user"] == "odv"
    assert len(document["password"]) == 20
    assert sqs.list_queues(QueueNamePrefix="condtest-only")["QueueUrls"]
