"""Static checks that the template is safe to run and to tear down: alarms that can fire and reach
someone, what survives a teardown, logs that expire, the session secret out of environment
variables, Cognito's email through SES, and the optional custom domain. Checked, where it matters, in
the CloudFormation that aws-sam-translator makes of the template (what AWS deploys): the API's name,
its stages and the functions' roles only exist there.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint_file

from tests.unit.test_template import (
    ROOT,
    TEMPLATE_PATH,
    as_list,
    resolve_stack_name,
    resources,
    template,
    translated,
)

FUNCTIONS = sorted(resources("AWS::Serverless::Function"))
RETAINED = (
    "DataKey",
    "CertificateSigningKey",
    "UserPool",
    "JourneyTable",
    "EvidenceBucket",
    "CertificateBucket",
)


def cfn() -> dict[str, Any]:
    return translated()["Resources"]


def test_cfn_lint_reports_nothing_even_among_its_informational_rules() -> None:
    # I3011 among them: every stateful resource says what happens to it on delete and replacement.
    matches = lint_file(TEMPLATE_PATH, ManualArgs(regions=["eu-west-2"], include_checks=["I"]))
    assert [f"{m.rule.id} {m.message} (line {m.linenumber})" for m in matches] == []


# ------------------------------------------------------------------ alarms


def _target(value: Any) -> tuple[str, str | None]:
    """The (logical id, attribute) an alarm dimension's value points at."""
    if isinstance(value, dict) and "Ref" in value:
        return value["Ref"], None
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        name, attr = value["Fn::GetAtt"]
        return name, attr
    raise AssertionError(f"dimension value {value!r} names no resource")


def alarms() -> dict[str, dict[str, Any]]:
    return resources("AWS::CloudWatch::Alarm", translated())


def test_the_api_errors_alarm_names_the_api_and_stage_sam_creates() -> None:
    """REST API metrics carry ApiName (the RestApi's Name) and Stage (the stage's name)."""
    props = cfn()["ApiErrorsAlarm"]["Properties"]
    assert (props["Namespace"], props["MetricName"]) == ("AWS/ApiGateway", "5XXError")
    dims = {d["Name"]: d["Value"] for d in props["Dimensions"]}
    assert set(dims) == {"ApiName", "Stage"}
    [api] = resources("AWS::ApiGateway::RestApi", translated()).values()
    assert resolve_stack_name(dims["ApiName"]) == resolve_stack_name(api["Properties"]["Name"])
    stage_id, _ = _target(dims["Stage"])
    stage = cfn()[stage_id]
    assert stage["Type"] == "AWS::ApiGateway::Stage"
    assert stage["Properties"]["RestApiId"] == {
        "Ref": next(iter(resources("AWS::ApiGateway::RestApi", translated())))
    }
    assert stage["Properties"]["StageName"] == "v1"


def test_sam_makes_no_extra_stage_stage() -> None:
    stages = [
        r["Properties"]["StageName"] for r in resources("AWS::ApiGateway::Stage", translated()).values()
    ]
    assert stages == ["v1"]
    for deployment in resources("AWS::ApiGateway::Deployment", translated()).values():
        assert "StageName" not in deployment["Properties"], "the deployment would make a stage called Stage"


# Which resource type each metric's dimension must name, and which of its attributes (None: its Ref).
DIMENSION_TARGETS = {
    ("AWS/States", "StateMachineArn"): ("AWS::StepFunctions::StateMachine", None),
    ("AWS/SQS", "QueueName"): ("AWS::SQS::Queue", "QueueName"),
    ("AWS/Lambda", "FunctionName"): ("AWS::Lambda::Function", None),
}


@pytest.mark.parametrize("name", sorted(alarms()))
def test_every_alarm_watches_a_resource_of_this_stack_and_tells_the_topic(name: str) -> None:
    props = cfn()[name]["Properties"]
    assert props["AlarmActions"] == [{"Ref": "AlarmTopic"}]
    assert props["TreatMissingData"] == "notBreaching"
    if props["Namespace"] == "AWS/ApiGateway":
        return  # checked above, against the API and stage
    for dimension in props["Dimensions"]:
        kind, attribute = DIMENSION_TARGETS[(props["Namespace"], dimension["Name"])]
        target, attr = _target(dimension["Value"])
        assert cfn()[target]["Type"] == kind, f"{name} watches {target}, a {cfn()[target]['Type']}"
        assert attr == attribute


def test_journey_failures_and_the_dead_letter_queue_alarm() -> None:
    watched = {(a["Properties"]["Namespace"], a["Properties"]["MetricName"]) for a in alarms().values()}
    assert ("AWS/States", "ExecutionsFailed") in watched
    assert ("AWS/SQS", "ApproximateNumberOfMessagesVisible") in watched


def _own_errors_alarms() -> set[str]:
    return {
        _target(d["Value"])[0]
        for a in alarms().values()
        if a["Properties"]["Namespace"] == "AWS/Lambda" and a["Properties"]["MetricName"] == "Errors"
        for d in a["Properties"]["Dimensions"]
    }


def _leads_to_a_fail_state(states: dict[str, Any], start: str) -> bool:
    seen: set[str] = set()
    name: str | None = start
    while name and name not in seen:
        seen.add(name)
        state = states[name]
        if state["Type"] == "Fail":
            return True
        name = state.get("Next")
    return False


def _outcome_alarm(name: str) -> str | None:
    """The outcome alarm that a failure of this function ends in, if any (template.yaml, "alarms")."""
    props = template()["Resources"][name]["Properties"]
    events = [e["Type"] for e in (props.get("Events") or {}).values()]
    if "Api" in events:
        return "ApiErrorsAlarm"  # a raised error or a timeout is a 5XX
    machine = template()["Resources"]["JourneyStateMachine"]["Properties"]
    substitution = next(
        (k for k, v in machine["DefinitionSubstitutions"].items() if v == {"Fn::GetAtt": [name, "Arn"]}), None
    )
    if substitution:
        states = json.loads((ROOT / "statemachine" / "journey.asl.json").read_text())["States"]
        tasks = [
            s
            for s in states.values()
            if s["Type"] == "Task" and s.get("Parameters", {}).get("FunctionName") == f"${{{substitution}}}"
        ]
        # Every task of it, once retried, must end the execution as failed: a task whose failure the
        # workflow catches and goes on from reaches no outcome alarm.
        for task in tasks:
            for catch in task.get("Catch", []):
                if "States.ALL" in catch["ErrorEquals"] and not _leads_to_a_fail_state(states, catch["Next"]):
                    return None
        return "FailedJourneysAlarm" if tasks else None
    # S3 and Scheduler invoke Lambda asynchronously; a function with an EventInvokeConfig says it is so
    # invoked (notify's interview invitations, the record archive).
    async_invokers = "S3" in events or name == "ScheduledFunction" or "EventInvokeConfig" in props
    dead_letters = template()["Globals"]["Function"].get("DeadLetterQueue") or props.get("DeadLetterQueue")
    if async_invokers and dead_letters == {
        "Type": "SQS",
        "TargetArn": {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]},
    }:
        return "DeadLetterAlarm"  # every retry failed: the event is in the queue
    return None


def test_every_function_s_failure_reaches_an_alarm() -> None:
    """Outcome alarms (a 5XX, a failed execution, a dead letter) cover every function on their path;
    a function on none of them has its own Errors alarm, and no function has both (each alarm is
    $0.10 a month: the idle bill, docs/performance.md)."""
    own = _own_errors_alarms()
    for name in FUNCTIONS:
        outcome = _outcome_alarm(name)
        if outcome:
            assert outcome in alarms(), name
            assert name not in own, f"{name}: its failures already reach {outcome}"
        else:
            assert name in own, f"{name}: its failures reach no alarm"
    assert cfn()["ApiErrorsAlarm"]["Properties"]["Threshold"] == 1  # one server error, not five
    assert own == {"NotifyFunction", "PostConfirmationFunction"}


def test_cloudwatch_may_publish_to_the_encrypted_alarm_topic() -> None:
    """A topic under the AWS managed aws/sns key never receives an alarm: CloudWatch may not use that key."""
    topic = template()["Resources"]["AlarmTopic"]["Properties"]
    key_id, _ = _target(topic["KmsMasterKeyId"])
    key = template()["Resources"][key_id]
    assert key["Type"] == "AWS::KMS::Key"
    granted = [
        s
        for s in as_list(key["Properties"]["KeyPolicy"]["Statement"])
        if s["Effect"] == "Allow" and s["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    ]
    assert granted
    actions = {a for s in granted for a in as_list(s["Action"])}
    assert actions == {"kms:Decrypt", "kms:GenerateDataKey*"}
    assert [sub["Protocol"] for sub in topic["Subscription"]] == ["email"]


# ------------------------------------------------------------------ teardown and retention


@pytest.mark.parametrize("name", RETAINED)
def test_keys_user_pool_and_stores_outlive_the_stack(name: str) -> None:
    resource = template()["Resources"][name]
    assert resource["DeletionPolicy"] == "Retain"
    assert resource["UpdateReplacePolicy"] == "Retain"


def test_quarantined_objects_lose_their_old_versions_too() -> None:
    """In a versioned bucket an expiry only adds a delete marker: the bytes stay as an old version."""
    rules = template()["Resources"]["EvidenceBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    [quarantine] = [r for r in rules if r.get("Prefix") == "quarantine/"]
    assert quarantine["ExpirationInDays"] <= 30
    assert quarantine["NoncurrentVersionExpiration"]["NoncurrentDays"] <= 30


def _put_calls_naming_an_encryption(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            keywords = {k.arg for k in node.keywords}
            if "ServerSideEncryption" in keywords and "SSEKMSKeyId" not in keywords:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_certificates_are_encrypted_with_the_data_key() -> None:
    """S3 applies the bucket's default key (DataKey) only to a write that names no encryption: "aws:kms"
    without a key id means the AWS managed aws/s3 key. moto applies the default either way, so this is
    checked here rather than in the local stack (docs/architecture.md)."""
    bucket = template()["Resources"]["CertificateBucket"]["Properties"]
    [rule] = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["KMSMasterKeyID"] == {"Ref": "DataKey"}
    writes = [
        hit
        for path in sorted((ROOT / "layers" / "odvalidation" / "odvalidation").rglob("*.py"))
        for hit in _put_calls_naming_an_encryption(path)
    ]
    assert writes == []


@pytest.mark.parametrize("name", FUNCTIONS)
def test_every_function_logs_to_its_own_group_that_expires(name: str) -> None:
    function = template()["Resources"][name]["Properties"]
    group_id, _ = _target(function["LoggingConfig"]["LogGroup"])
    group = template()["Resources"][group_id]
    assert group["Type"] == "AWS::Logs::LogGroup"
    # Lambda's own name for it, so nothing else (the console, Lambda itself) makes a second group.
    assert resolve_stack_name(group["Properties"]["LogGroupName"]) == "/aws/lambda/" + resolve_stack_name(
        function["FunctionName"]
    )
    assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    assert template()["Parameters"]["LogRetentionDays"]["Default"] <= 400
    assert group["Properties"]["KmsKeyId"] == {"Fn::GetAtt": ["DataKey", "Arn"]}


def test_cloudwatch_logs_may_use_the_data_key_for_this_stacks_log_groups_only() -> None:
    statements = template()["Resources"]["DataKey"]["Properties"]["KeyPolicy"]["Statement"]
    [logs] = [
        s
        for s in statements
        if s["Principal"] == {"Service": {"Fn::Sub": "logs.${AWS::Region}.amazonaws.com"}}
    ]
    context = logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"]["Fn::Sub"]
    assert context.endswith(":log-group:/aws/lambda/${AWS::StackName}-*")
    assert "kms:*" not in logs["Action"]


# ------------------------------------------------------------------ the session secret


SECRET_ARN = {
    "Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/${AWS::StackName}/session-secret"
}


def test_no_secret_is_a_parameter_or_an_environment_variable() -> None:
    params = template()["Parameters"]
    assert "SessionSecret" not in params
    assert not [name for name, spec in params.items() if spec.get("NoEcho")]
    env = template()["Globals"]["Function"]["Environment"]["Variables"]
    assert "SESSION_SECRET" not in env
    assert env["SESSION_SECRET_PARAMETER"] == {"Fn::Sub": "/${AWS::StackName}/session-secret"}
    assert env["DATA_KEY_ID"] == {"Ref": "DataKey"}


def test_the_session_secret_costs_nothing_a_month() -> None:
    """A standard SecureString parameter, made by the product (dal/session_secret.py), not a Secrets
    Manager secret ($0.40 a month) nor an advanced parameter ($0.05)."""
    assert not resources("AWS::SecretsManager::Secret")
    assert all(
        p["Properties"].get("Tier", "Standard") == "Standard"
        for p in resources("AWS::SSM::Parameter").values()
    )
    source = (ROOT / "layers/odvalidation/odvalidation/dal/session_secret.py").read_text()
    for needed in ('Type="SecureString"', 'Tier="Standard"', "Overwrite=False", "KeyId=key_id"):
        assert needed in source


def test_only_the_functions_that_sign_may_read_or_make_the_session_secret_and_none_may_overwrite_it() -> None:
    readers = set()
    for name in FUNCTIONS:
        allowed: set[str] = set()
        denied_overwrite = False
        decrypts = False
        for policy in cfn()[f"{name}Role"]["Properties"]["Policies"]:
            for statement in as_list(policy["PolicyDocument"]["Statement"]):
                actions = as_list(statement["Action"])
                if statement["Effect"] == "Deny" and "ssm:PutParameter" in actions:
                    assert statement["Resource"] == SECRET_ARN
                    assert statement["Condition"] == {"StringEquals": {"ssm:Overwrite": "true"}}
                    denied_overwrite = True
                elif statement["Effect"] == "Allow" and any(a.startswith("ssm:") for a in actions):
                    assert statement["Resource"] == SECRET_ARN, name
                    allowed |= set(actions)
                if statement["Effect"] == "Allow" and "kms:Decrypt" in actions:
                    decrypts = True  # SAM's KMSDecryptPolicy names DataKey (test_template.py checks)
        if allowed:
            assert allowed == {"ssm:GetParameter", "ssm:PutParameter"}, name
            assert denied_overwrite, f"{name} could overwrite the session secret"
            # The local stack cannot see which key a read decrypts with: checked here instead.
            assert decrypts, f"{name} reads a SecureString under DataKey without kms:Decrypt"
            readers.add(name)
    # The API signs the link emailed to a leader asked to attest evidence (services/attestations.py).
    assert readers == {"WebFunction", "EvidenceUploadedFunction", "ApiFunction"}


# ------------------------------------------------------------------ email and the custom domain


def test_cognito_sends_through_ses_from_the_verified_sender() -> None:
    config = template()["Resources"]["UserPool"]["Properties"]["EmailConfiguration"]
    condition, through_ses, before_verified = config["Fn::If"]
    assert template()["Conditions"][condition] == {"Fn::Equals": [{"Ref": "SenderVerified"}, "true"]}
    assert through_ses["EmailSendingAccount"] == "DEVELOPER"
    assert through_ses["From"] == {"Ref": "SenderEmail"}
    assert through_ses["SourceArn"]["Fn::Sub"].endswith(":identity/${SenderEmail}")
    assert template()["Resources"]["SenderIdentity"]["Properties"]["EmailIdentity"] == {"Ref": "SenderEmail"}
    assert before_verified == {"EmailSendingAccount": "COGNITO_DEFAULT"}


def test_the_custom_domain_is_made_only_when_a_domain_is_given() -> None:
    assert template()["Conditions"]["HasCustomDomain"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "DomainName"}, ""]}]
    }
    assert template()["Parameters"]["DomainName"]["Default"] == ""
    domain = cfn()["CustomDomain"]
    mapping = cfn()["CustomDomainMapping"]
    assert domain["Condition"] == mapping["Condition"] == "HasCustomDomain"
    assert domain["Properties"]["RegionalCertificateArn"] == {"Ref": "DomainCertificateArn"}
    assert domain["Properties"]["SecurityPolicy"] == "TLS_1_2"
    assert mapping["Properties"]["DomainName"] == {"Ref": "CustomDomain"}
    assert cfn()[_target(mapping["Properties"]["Stage"])[0]]["Type"] == "AWS::ApiGateway::Stage"
    rule = template()["Rules"]["CustomDomainNeedsCertificate"]
    assert rule["RuleCondition"] == template()["Conditions"]["HasCustomDomain"]
    [assertion] = rule["Assertions"]
    assert assertion["Assert"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "DomainCertificateArn"}, ""]}]}


def test_a_failed_asynchronous_event_reaches_the_dead_letter_queue_once() -> None:
    """Lambda sends an event that failed every try to the function's dead-letter queue *and* to its
    on-failure destination: both on one queue would put two messages there for one event, and whoever
    replays the queue would run it twice. Every function has the dead-letter queue (Globals), so none
    has an on-failure destination to that queue."""
    dead_letters = template()["Globals"]["Function"]["DeadLetterQueue"]["TargetArn"]
    for name, resource in template()["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        config = resource["Properties"].get("EventInvokeConfig") or {}
        on_failure = ((config.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
        assert on_failure != dead_letters, f"{name} would send each failed event to the queue twice"
