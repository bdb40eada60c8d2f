"""The local stack deploys template.yaml faithfully and behaves like the AWS pieces it stands in for."""

from __future__ import annotations

import base64
import json
import os
import socket
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from local import dispatch
from local.deploy import deploy
from local.deployed import DeployError
from local.stack import LocalStack, shared_stack

pytestmark = pytest.mark.xdist_group("local_stack")

PASSWORD = "Correct-Horse-Battery-9"


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    # One stack per process (moto's state is process-wide); the e2e fixture shares it.
    return shared_stack()


def _stub(name: str, monkeypatch: pytest.MonkeyPatch, handler: Any) -> None:
    """Point a deployed function at a handler defined in this test module."""
    globals()[handler.__name__] = handler
    monkeypatch.setitem(
        dispatch.HANDLERS, name, dispatch.HandlerRef(module=__name__, attribute=handler.__name__)
    )


class Withdrawn(Exception):
    pass


# ---------------------------------------------------------------------------- the deploy


def test_journey_table_has_its_indexes_recovery_and_expiry(stack: LocalStack) -> None:
    ddb = stack.client("dynamodb")
    name = stack.deployed.ref("JourneyTable")
    table = ddb.describe_table(TableName=name)["Table"]
    assert sorted(i["IndexName"] for i in table["GlobalSecondaryIndexes"]) == ["GSI1", "GSI2"]
    assert table["SSEDescription"]["Status"] == "ENABLED"
    backups = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    ttl = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}


@pytest.mark.parametrize("logical_id", ["EvidenceBucket", "CertificateBucket"])
def test_buckets_are_versioned_encrypted_and_private(stack: LocalStack, logical_id: str) -> None:
    s3 = stack.client("s3")
    bucket = stack.deployed.ref(logical_id)
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values())
    assert len(block) == 4
    # moto would enforce "deny unless HTTPS" without its condition, refusing every call over local HTTP:
    # the deploy leaves that statement out, and says so.
    assert "deny-insecure-transport" in stack.deployed.recorded_only[f"{logical_id}Policy/Statement"]


def test_evidence_uploads_notify_the_evidence_function(stack: LocalStack) -> None:
    config = stack.client("s3").get_bucket_notification_configuration(
        Bucket=stack.deployed.ref("EvidenceBucket")
    )
    (notification,) = config["LambdaFunctionConfigurations"]
    assert notification["LambdaFunctionArn"] == stack.deployed.arn("EvidenceUploadedFunction")


def test_state_machine_definition_has_every_substitution_applied(stack: LocalStack) -> None:
    arn = stack.deployed.ref("JourneyStateMachine")
    definition = stack.client("stepfunctions").describe_state_machine(stateMachineArn=arn)["definition"]
    assert "${" not in definition
    assert stack.deployed.arn("AwaitStepFunction") in definition
    assert stack.deployed.arn("IssueCertificateFunction") in definition


def test_certificate_signing_key_is_an_ec_p256_signing_key(stack: LocalStack) -> None:
    key = stack.client("kms").describe_key(KeyId=stack.deployed.ref("CertificateSigningKey"))["KeyMetadata"]
    assert (key["KeySpec"], key["KeyUsage"]) == ("ECC_NIST_P256", "SIGN_VERIFY")


def test_user_pool_has_the_five_role_groups(stack: LocalStack) -> None:
    groups = stack.client("cognito-idp").list_groups(UserPoolId=stack.user_pool_id)["Groups"]
    assert sorted(g["GroupName"] for g in groups) == [
        "academy_lead",
        "national_lead",
        "panel",
        "practitioner",
        "supporter",
    ]


def test_handlers_see_the_templates_environment_pointing_at_the_local_stack(stack: LocalStack) -> None:
    import os

    assert os.environ["TABLE_NAME"] == stack.deployed.ref("JourneyTable")
    assert os.environ["AWS_ENDPOINT_URL"] == stack.endpoint_url
    assert os.environ["PUBLIC_BASE_URL"] == stack.base_url
    assert os.environ["JWKS_URL"] == stack.jwks_url
    assert os.environ["VERIFY_TOKENS_LOCALLY"] == "true"


def test_an_unknown_resource_type_fails_the_deploy_loudly(stack: LocalStack, tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\n"
        "Resources:\n"
        "  Queue: {Type: 'AWS::SQS::Queue', Properties: {QueueName: should-not-exist}}\n"
        "  Mystery: {Type: 'AWS::Timestream::Database', Properties: {}}\n"
    )
    with pytest.raises(DeployError, match="AWS::Timestream::Database"):
        deploy(stack.endpoint_url, template)
    queues = stack.client("sqs").list_queues(QueueNamePrefix="should-not-exist").get("QueueUrls", [])
    assert queues == []


# ---------------------------------------------------------------------------- Lambda in-process


def test_lambda_invoke_runs_the_handler_in_process(
    stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    def echo_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return {
            "got": event,
            "function": context.function_name,
            "ms_left": context.get_remaining_time_in_millis(),
        }

    _stub("od-validation-record-failure", monkeypatch, echo_handler)
    response = stack.client("lambda").invoke(
        FunctionName="od-validation-record-failure", Payload=json.dumps({"journey_id": "j-1"}).encode()
    )
    result = json.loads(response["Payload"].read())
    assert "FunctionError" not in response
    assert result["got"] == {"journey_id": "j-1"}
    assert result["function"] == "od-validation-record-failure"
    assert 0 < result["ms_left"] <= 20_000


def test_a_missing_handler_module_is_a_clear_error(
    stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(
        dispatch.HANDLERS,
        "od-validation-record-failure",
        dispatch.HandlerRef(module="functions.not_written.app"),
    )
    response = stack.client("lambda").invoke(FunctionName="od-validation-record-failure", Payload=b"{}")
    error = json.loads(response["Payload"].read())
    assert response["FunctionError"]
    assert error["errorType"] == "HandlerMissingError"
    assert "functions.not_written.app" in error["errorMessage"]


def test_step_functions_catch_the_handlers_exception_by_name(
    stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    def withdrawing_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        raise Withdrawn("the practitioner withdrew")

    _stub("od-validation-notify", monkeypatch, withdrawing_handler)
    definition = {
        "StartAt": "Notify",
        "States": {
            "Notify": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": stack.deployed.arn("NotifyFunction"), "Payload.$": "$"},
                "Catch": [{"ErrorEquals": ["Withdrawn"], "Next": "Caught", "ResultPath": "$.error"}],
                "End": True,
            },
            "Caught": {"Type": "Pass", "End": True},
        },
    }
    sfn = stack.client("stepfunctions")
    machine = sfn.create_state_machine(
        name=f"catch-{uuid.uuid4().hex[:8]}",
        definition=json.dumps(definition),
        roleArn=stack.deployed.arn("JourneyStateMachineRole"),
    )["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=machine, input="{}")["executionArn"]
    deadline = time.monotonic() + 20
    while (described := sfn.describe_execution(executionArn=execution))["status"] == "RUNNING":
        assert time.monotonic() < deadline, "the execution did not finish"
        time.sleep(0.1)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"])["error"]["Error"] == "Withdrawn"


# ---------------------------------------------------------------------------- schedules and the clock


def test_a_schedule_fires_once_when_the_moved_clock_makes_it_due(
    stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    from odvalidation import clock

    calls: list[dict[str, Any]] = []

    def scheduled_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        calls.append(event)
        return {}

    _stub("od-validation-scheduled", monkeypatch, scheduled_handler)
    name = f"reminder-{uuid.uuid4().hex[:8]}"
    due = clock.now() + timedelta(minutes=2)
    stack.client("scheduler").create_schedule(
        Name=name,
        GroupName=stack.deployed.global_environment["SCHEDULER_GROUP"],
        ScheduleExpression=f"at({due.strftime('%Y-%m-%dT%H:%M:%S')})",
        ScheduleExpressionTimezone="UTC",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={
            "Arn": stack.deployed.arn("ScheduledFunction"),
            "RoleArn": stack.deployed.arn("SchedulerRole"),
            "Input": json.dumps({"kind": "reminder", "journey_id": "j-2"}),
        },
    )
    assert name not in [f.name for f in stack.fire_due_schedules()]
    assert calls == []

    stack.advance_clock(minutes=3)
    stack.fire_due_schedules()
    time.sleep(1.2)  # give the background firer a turn: it must not fire it again

    # Whichever fired it (this call or the background firer), it fired once; other tests' schedules
    # on the shared stack may fall due in the same minutes, so only this one is counted.
    mine = [f for f in stack.fired if f.name == name]
    assert len(mine) == 1
    assert mine[0].error is None
    assert calls == [{"kind": "reminder", "journey_id": "j-2"}]


# ---------------------------------------------------------------------------- the HTTP front


def test_a_protected_route_without_a_token_is_refused_before_the_handler(
    stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []

    def api_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        calls.append(event)
        return {"statusCode": 200, "body": "{}"}

    _stub("od-validation-api", monkeypatch, api_handler)
    missing = requests.get(f"{stack.base_url}/api/journeys", timeout=10)
    forged = requests.get(
        f"{stack.base_url}/api/journeys",
        headers={"Authorization": "Bearer eyJhbGciOiJub25lIn0.e30."},
        timeout=10,
    )
    assert (missing.status_code, missing.json()) == (401, {"message": "Unauthorized"})
    assert (forged.status_code, forged.json()) == (401, {"message": "Unauthorized"})
    assert calls == []


def test_the_handler_gets_verified_claims_and_its_cookies_reach_the_browser(
    stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    def api_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return {
            "statusCode": 201,
            "headers": {"Content-Type": "application/json"},
            "multiValueHeaders": {"Set-Cookie": ["a=1; HttpOnly", "b=2; HttpOnly"]},
            "body": json.dumps(
                {
                    "claims": event["requestContext"]["authorizer"]["claims"],
                    "proxy": event["pathParameters"]["proxy"],
                    "query": event["multiValueQueryStringParameters"],
                    "body": event["body"],
                    "isBase64Encoded": event["isBase64Encoded"],
                    "path": event["path"],
                    "stage_path": event["requestContext"]["path"],
                }
            ),
        }

    _stub("od-validation-api", monkeypatch, api_handler)
    email = f"panel-{uuid.uuid4().hex[:8]}@example.org"
    stack.create_user(email, "Sam Panel", ["practitioner", "panel"], PASSWORD, {"academy": "north-west"})
    response = requests.post(
        f"{stack.base_url}/api/journeys/j-3/claim?tag=a&tag=b",
        headers={"Authorization": stack.token_for(email)},  # without "Bearer ": API Gateway accepts both
        json={"narrative": "x"},
        timeout=10,
    )
    assert response.status_code == 201
    seen = response.json()
    assert seen["claims"]["email"] == email
    assert sorted(seen["claims"]["cognito:groups"].split(",")) == ["panel", "practitioner"]
    assert seen["claims"]["custom:academy"] == "north-west"
    assert seen["proxy"] == "journeys/j-3/claim"
    assert seen["query"] == {"tag": ["a", "b"]}
    # The API's BinaryMediaTypes is */*: API Gateway hands every body on base64-encoded.
    assert seen["isBase64Encoded"] is True
    assert json.loads(base64.b64decode(seen["body"])) == {"narrative": "x"}
    # path is the resource path; requestContext.path is what the browser used, the stage included.
    assert (seen["path"], seen["stage_path"]) == ("/api/journeys/j-3/claim", "/v1/api/journeys/j-3/claim")
    assert response.raw.headers.getlist("Set-Cookie") == ["a=1; HttpOnly", "b=2; HttpOnly"]


def test_what_the_product_cached_from_another_environment_is_forgotten(
    stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A unit test earlier in the same process may leave the product's journey store bound to its own
    table: the stack's handlers then wrote there, and IAM refused them (a 502 on every write)."""
    from odvalidation.dal.store import store
    from odvalidation.settings import settings

    table = os.environ["TABLE_NAME"]
    with monkeypatch.context() as elsewhere:
        elsewhere.setenv("TABLE_NAME", "a-table-of-an-earlier-test")
        settings.cache_clear()
        store.cache_clear()
        assert store().table == "a-table-of-an-earlier-test"
    LocalStack._forget_cached_settings()
    assert store().table == table


def test_each_connection_to_the_front_sends_without_waiting_for_an_ack(
    stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The front writes an answer's headers and its body separately. With Nagle's algorithm on, the body
    then waits for the client's delayed ACK: 40 ms on every request, which API Gateway does not add (the
    test suites and `make dev` paid it on every page and call). Each accepted connection has TCP_NODELAY."""
    handler_class = stack._front.server.RequestHandlerClass
    setup = handler_class.setup
    nodelay: list[int] = []

    def setup_and_look(self: Any) -> None:
        setup(self)
        nodelay.append(self.connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

    monkeypatch.setattr(handler_class, "setup", setup_and_look)
    requests.get(f"{stack.base_url}/api/health", timeout=10).close()
    assert nodelay  # the request reached the front on a connection of its own
    assert all(nodelay), nodelay


def test_public_routes_reach_the_handler_without_a_token(
    stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    def api_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return {"statusCode": 200, "body": json.dumps({"resource": event["resource"]})}

    _stub("od-validation-api", monkeypatch, api_handler)
    response = requests.get(f"{stack.base_url}/api/public/certificates/c-1", timeout=10)
    assert response.json() == {"resource": "/api/public/{proxy+}"}


def test_binary_bodies_reach_the_handler_base64_encoded(
    stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    def web_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        raw = base64.b64decode(event["body"]) if event["isBase64Encoded"] else b""
        return {"statusCode": 200, "body": json.dumps({"bytes": len(raw), "has_pdf": b"%PDF" in raw})}

    _stub("od-validation-web", monkeypatch, web_handler)
    response = requests.post(
        f"{stack.base_url}/evidence",
        files={"file": ("e.pdf", b"%PDF-1.7\x00\xff", "application/pdf")},
        timeout=10,
    )
    assert response.json()["has_pdf"] is True


def test_the_service_is_under_the_templates_stage_and_nothing_is_outside_it(stack: LocalStack) -> None:
    assert stack.base_url == f"{stack.origin}/{stack.deployed.stage_name}"
    assert stack.deployed.global_environment["PUBLIC_BASE_URL"] == stack.base_url
    assert requests.get(f"{stack.base_url}/", timeout=10).status_code == 200
    for outside in ("/", "/sign-in", "/static/nhsuk-frontend.min.css", "/v2/sign-in"):
        reply = requests.get(stack.origin + outside, timeout=10)
        # What API Gateway answers at the execute-api address outside every stage.
        assert (reply.status_code, reply.json()) == (403, {"message": "Forbidden"}), outside
    missing = requests.get(f"{stack.base_url}/.no-route", timeout=10)
    assert missing.status_code in (403, 404)  # in the stage: a route's handler or API Gateway answers


BROWSER_IMAGE_ACCEPT = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"


def test_icons_reach_a_browser_intact_and_pages_stay_text(stack: LocalStack) -> None:
    # A browser asks for an image with image/avif first: the PNG must still arrive as PNG, not base64.
    icon = requests.get(
        f"{stack.base_url}/assets/images/nhsuk-icon-180.png",
        headers={"Accept": BROWSER_IMAGE_ACCEPT},
        timeout=10,
    )
    assert icon.status_code == 200
    assert icon.content.startswith(b"\x89PNG\r\n")
    favicon = requests.get(
        f"{stack.base_url}/assets/images/favicon.ico", headers={"Accept": BROWSER_IMAGE_ACCEPT}, timeout=10
    )
    assert favicon.content[:4] == b"\x00\x00\x01\x00"  # an ICO file's header
    page = requests.get(
        f"{stack.base_url}/sign-in",
        headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
        timeout=10,
    )
    assert page.text.lstrip().startswith("<!DOCTYPE html>")
    css = requests.get(
        f"{stack.base_url}/static/nhsuk-frontend.min.css", headers={"Accept": "text/css,*/*"}, timeout=10
    )
    assert "../assets/images/" in css.text


def test_a_base64_answer_is_decoded_only_for_a_binary_first_accept_type(
    stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    def web_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        body = base64.b64encode(b"%PDF-1.7 binary\xff").decode()
        return {
            "statusCode": 200,
            "headers": {"Content-Type": "application/pdf"},
            "body": body,
            "isBase64Encoded": True,
        }

    _stub("od-validation-web", monkeypatch, web_handler)
    monkeypatch.setattr(stack.deployed, "binary_media_types", ["application/pdf"])
    pdf_first = requests.get(f"{stack.base_url}/x.pdf", headers={"Accept": "application/pdf"}, timeout=10)
    browser = requests.get(f"{stack.base_url}/x.pdf", headers={"Accept": BROWSER_IMAGE_ACCEPT}, timeout=10)
    assert pdf_first.content == b"%PDF-1.7 binary\xff"
    # As API Gateway does: only the first Accept type counts, so the browser gets the base64 text.
    assert browser.content == base64.b64encode(b"%PDF-1.7 binary\xff")


def test_the_mailbox_shows_sent_email_escaped(stack: LocalStack) -> None:
    subject = f"<script>alert('{uuid.uuid4().hex[:6]}')</script>"
    stack.client("sesv2").send_email(
        FromEmailAddress=stack.deployed.global_environment["SENDER_EMAIL"],
        Destination={"ToAddresses": ["someone@example.org"]},
        Content={"Simple": {"Subject": {"Data": subject}, "Body": {"Text": {"Data": "<b>hello</b>"}}}},
    )
    page = requests.get(f"{stack.local_url}/mailbox", timeout=10)
    assert "&lt;script&gt;alert(" in page.text
    assert "<script>" not in page.text
    assert "<b>hello" not in page.text
    newest = requests.get(f"{stack.local_url}/mailbox.json", timeout=10).json()[0]
    assert newest["subject"] == subject
    assert newest["to"] == ["someone@example.org"]


def test_a_raw_email_counts_each_person_once(stack: LocalStack) -> None:
    # The product sends raw MIME with the same person in Destination and the To: header; SES delivers
    # (and bills) one email, and the mailbox and the cost benchmark must say so too.
    from odvalidation.dal import mail

    subject = f"Once {uuid.uuid4().hex[:6]}"
    mail.send(["Someone.Once@example.org"], subject, "text", "<p>html</p>")
    newest = next(e for e in stack.sent_emails() if e.subject == subject)
    assert newest.to == ["Someone.Once@example.org"]


def test_a_circular_dependency_fails_the_deploy_with_the_cycle_named(
    stack: LocalStack, tmp_path: Path
) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\n"
        "Resources:\n"
        "  First:\n"
        "    Type: AWS::SQS::Queue\n"
        "    Properties: {QueueName: !Sub '${Second.QueueName}-first'}\n"
        "  Second:\n"
        "    Type: AWS::SQS::Queue\n"
        "    Properties: {QueueName: !GetAtt First.QueueName}\n"
    )
    with pytest.raises(
        DeployError, match=r"circular dependency: (First -> Second -> First|Second -> First -> Second)"
    ):
        deploy(stack.endpoint_url, template)


def test_the_http_functions_take_one_request_at_a_time_and_the_tasks_do_not(stack: LocalStack) -> None:
    # Their Powertools resolver holds the current request in a module-level object: two requests at
    # once would answer one with the other's path parameters (a web page once failed that way).
    serial = {name.rsplit("-", 1)[-1] for name, ref in dispatch.HANDLERS.items() if ref.one_at_a_time}
    assert serial == {"api", "web", "list"}  # "list": the status-list function


def test_each_function_loads_the_domain_layer_then_its_own(stack: LocalStack) -> None:
    # SAM appends a function's own layers to the Globals' one: the token and PDF stacks reach only the
    # functions that import them, and every function has the domain package.
    lam = stack.client("lambda")

    def layers(function: str) -> list[str]:
        config = lam.get_function(FunctionName=f"od-validation-{function}")["Configuration"]
        return [layer["Arn"].split(":")[-2] for layer in config.get("Layers", [])]

    assert layers("api") == ["od-validation-domain", "od-validation-tokens"]
    assert layers("web") == ["od-validation-domain", "od-validation-tokens"]
    assert layers("issue-certificate") == [
        "od-validation-domain",
        "od-validation-tokens",
        "od-validation-pdf",
    ]
    assert layers("check-claim") == ["od-validation-domain"]
