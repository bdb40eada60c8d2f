"""The local stack deploys the template's operational side as AWS would: the session secret made on
first use in Parameter Store and read from there by the product, log groups with their retention, alarms on the
stack's own resources, Cognito's email through SES, and the custom domain left out unless asked for."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from local.deploy import deploy
from local.deployed import STACK_NAME, DeployError
from local.stack import LocalStack, shared_stack

pytestmark = pytest.mark.xdist_group("local_stack")


@pytest.fixture(scope="module")
def stack() -> LocalStack:
    return shared_stack()


def test_the_session_secret_is_made_on_first_use_in_parameter_store_under_the_data_key(
    stack: LocalStack,
) -> None:
    name = os.environ["SESSION_SECRET_PARAMETER"]
    assert name == f"/{STACK_NAME}/session-secret"
    assert "SESSION_SECRET" not in os.environ
    assert os.environ["DATA_KEY_ID"] == stack.deployed.ref("DataKey")

    from odvalidation.dal.session_secret import session_secret

    value = session_secret()
    ssm = stack.client("ssm")
    stored = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]
    assert stored["Type"] == "SecureString"
    assert value == stored["Value"].encode()
    assert len(value) == 64
    [described] = ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Values": [name]}])["Parameters"]
    assert described["KeyId"] == stack.deployed.ref("DataKey")
    assert described["Tier"] == "Standard"  # no monthly charge


def test_a_second_cold_start_reads_the_secret_the_first_made_and_never_overwrites_it(
    stack: LocalStack,
) -> None:
    from odvalidation.dal import clients
    from odvalidation.dal import session_secret as module

    first = module.session_secret()
    clients.reset()  # a fresh execution environment: new clients, so a fresh provider and cache
    ssm = clients.client("ssm")
    module._create(ssm, os.environ["SESSION_SECRET_PARAMETER"], os.environ["DATA_KEY_ID"])  # a racing writer
    assert module.session_secret() == first


def test_the_product_reads_the_secret_once_and_keeps_it(stack: LocalStack) -> None:
    from odvalidation.dal import clients
    from odvalidation.dal.session_secret import session_secret

    calls: list[str] = []

    def count(**kwargs: object) -> None:
        calls.append("GetParameter")

    session_secret()  # made, if no test before made it
    clients.reset()  # a fresh execution environment: new clients, so a fresh provider and cache
    client = clients.client("ssm")
    client.meta.events.register("before-call.ssm.GetParameter", count)
    try:
        first = session_secret()
        for _ in range(5):
            assert session_secret() == first
    finally:
        client.meta.events.unregister("before-call.ssm.GetParameter", count)
    assert calls == ["GetParameter"]


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
    # Outcome alarms cover most functions (tests/unit/test_template_operations.py says which); those on
    # no outcome's path watch their own errors.
    for name in ("od-validation-notify", "od-validation-post-confirmation"):
        assert name in stack.deployed.functions
        assert ("AWS/Lambda", "FunctionName", name) in watched
    assert ("AWS/SQS", "QueueName", stack.deployed.attributes["DeadLetterQueue"]["QueueName"]) in watched
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
