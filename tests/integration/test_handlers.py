"""Each Lambda handler against moto (the local stack), invoked through Lambda with the sample event
kept in events/, and invoked twice where Step Functions or S3 may deliver twice: one effect."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from local import scenario
from local.stack import LocalStack

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]
EVENTS = Path(__file__).resolve().parents[2] / "events"


def event(name: str, **values: str) -> dict[str, Any]:
    text = (EVENTS / f"{name}.json").read_text()
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    assert "{{" not in text, f"{name}.json has an unfilled placeholder"
    return dict(json.loads(text))


def invoke(stack: LocalStack, function: str, payload: dict[str, Any]) -> dict[str, Any]:
    out = stack.client("lambda").invoke(FunctionName=f"od-validation-{function}", Payload=json.dumps(payload))
    body = json.loads(out["Payload"].read())
    return dict(body) if isinstance(body, dict) else {"value": body}


@pytest.fixture(scope="module")
def claim(local_stack: LocalStack) -> tuple[scenario.Cast, str]:
    """A journey waiting at claim development, with a verified PDF for element 1.1."""
    c = scenario.cast(local_stack)
    journey_id = scenario.to_claim_development(c)
    c.practitioner.api.wait_step(journey_id, "claim_development")
    scenario.upload(c.practitioner.api, journey_id, "1.1", scenario.PDF, "plan.pdf")
    return c, journey_id


def test_every_function_has_a_sample_event() -> None:
    functions = {p.name for p in (EVENTS.parent / "functions").iterdir() if (p / "app.py").exists()}
    samples = {
        p.stem.split("_get_")[0].split("_post_")[0].split("_public_")[0] for p in EVENTS.glob("*.json")
    }
    assert functions <= samples, f"no sample event for {sorted(functions - samples)}"


def test_await_step_invoked_again_with_the_same_token_changes_nothing(
    local_stack: LocalStack, claim: tuple[scenario.Cast, str]
) -> None:
    _c, journey_id = claim
    from odvalidation.services.common import db

    before = db().journey(journey_id)
    assert before.task_token
    payload = event(
        "await_step",
        journey_id=journey_id,
        task_token=before.task_token,
        execution_arn=before.execution_arn or "",
    )
    assert invoke(local_stack, "await-step", payload) == {"waiting": "claim_development"}
    assert db().journey(journey_id).version == before.version


def test_scheduled_reminder_emails_the_practitioner(
    local_stack: LocalStack, claim: tuple[scenario.Cast, str]
) -> None:
    c, journey_id = claim
    assert invoke(local_stack, "scheduled", event("scheduled", journey_id=journey_id)) == {
        "done": "claim_reminder"
    }
    reminders = [
        m
        for m in local_stack.sent_emails()
        if c.practitioner.email in m.to and "is due in 30 days" in m.subject
    ]
    assert reminders
    assert "1 of 15 elements evidenced" in reminders[-1].body


def test_notify_sends_and_records_the_email(
    local_stack: LocalStack, claim: tuple[scenario.Cast, str]
) -> None:
    c, journey_id = claim
    assert invoke(local_stack, "notify", event("notify", journey_id=journey_id)) == {"sent": 1}
    from odvalidation.services.notifications import emails

    assert any(r.kind == "signposting" and r.to == [c.practitioner.email] for r in emails(journey_id))


def test_evidence_uploaded_is_idempotent_and_quarantines_strangers(
    local_stack: LocalStack, claim: tuple[scenario.Cast, str]
) -> None:
    c, journey_id = claim
    bucket = local_stack.deployed.physical_ids["EvidenceBucket"]
    item = c.practitioner.api.journey(journey_id)["evidence"][0]
    assert item["status"] == "verified"
    again = invoke(
        local_stack, "evidence-uploaded", event("evidence_uploaded", bucket=bucket, key=item["key"])
    )
    assert again == {"checked": 1, "verified": 1}
    stranger = f"journeys/{journey_id}/claim-1/1.1/not-issued-by-us"
    local_stack.client("s3").put_object(Bucket=bucket, Key=stranger, Body=b"%PDF-1.4 x")
    keys = [o["Key"] for o in local_stack.client("s3").list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert stranger not in keys  # the S3 event ran the check: moved out of the journey's prefix
    assert f"quarantine/unbound/{stranger}" in keys  # no upload was granted for it


def test_check_claim_and_assign_panel_refuse_a_claim_not_submitted(
    local_stack: LocalStack, claim: tuple[scenario.Cast, str]
) -> None:
    _, journey_id = claim
    assert (
        invoke(local_stack, "check-claim", event("check_claim", journey_id=journey_id))["complete"] is False
    )
    refused = invoke(local_stack, "assign-panel", event("assign_panel", journey_id=journey_id))
    assert refused["errorType"] == "InvalidTransition"


def test_record_stage_continuation_is_idempotent(
    local_stack: LocalStack, claim: tuple[scenario.Cast, str]
) -> None:
    _, journey_id = claim
    from odvalidation.services.common import db

    first = invoke(local_stack, "record-stage", event("record_stage", journey_id=journey_id))
    # A retry can come after the new execution has already moved the journey on (recorded itself and
    # its task token): it must still find that execution, not start a second one.
    deadline = time.monotonic() + 20
    while db().journey(journey_id).execution_arn != first["continued_in"]:
        assert time.monotonic() < deadline, "the continuation never reached the journey"
        time.sleep(0.05)
    second = invoke(local_stack, "record-stage", event("record_stage", journey_id=journey_id))
    assert first["continued_in"] == second["continued_in"]


def test_record_failure_marks_the_current_execution_only(
    local_stack: LocalStack, claim: tuple[scenario.Cast, str]
) -> None:
    _c, journey_id = claim
    from odvalidation.services.common import db

    journey = db().journey(journey_id)
    stale = invoke(
        local_stack,
        "record-failure",
        event(
            "record_failure",
            journey_id=journey_id,
            execution_arn="arn:aws:states:eu-west-2:1:execution:x:old",
        ),
    )
    assert stale == {"recorded": False, "stale": True}
    assert db().journey(journey_id).failure is None
    other = scenario.cast(local_stack)
    fresh = scenario.register(other)
    waiting = other.practitioner.api.wait_step(fresh, "reflection")["journey"]
    arn = db().journey(fresh).execution_arn or ""
    assert invoke(
        local_stack, "record-failure", event("record_failure", journey_id=fresh, execution_arn=arn)
    ) == {"recorded": True}
    failed = other.practitioner.api.journey(fresh)["journey"]
    assert failed["failure"].startswith("States.Timeout")
    assert failed["stage"] == waiting["stage"]  # the stage is kept: the journey resumes from it
    other.lead.api.post(f"/api/journeys/{fresh}/resume")
    resumed = other.practitioner.api.wait_step(fresh, "reflection")
    assert resumed["journey"]["failure"] is None
    assert journey.id == journey_id


def test_issue_certificate_twice_gives_one_certificate(local_stack: LocalStack) -> None:
    c = scenario.cast(local_stack)
    journey_id = scenario.to_claim_development(c)
    scenario.build_claim(c, journey_id)
    scenario.wait_claim_complete(c, journey_id)
    scenario.submit(c, journey_id)
    scenario.review(c, journey_id)
    scenario.interview(c, journey_id, "system_od_leader")
    issued = c.practitioner.api.wait_for(journey_id, lambda j: bool(j["certificate_id"]), what="certificate")
    certificate_id = issued["journey"]["certificate_id"]
    retried = invoke(local_stack, "issue-certificate", event("issue_certificate", journey_id=journey_id))
    assert retried == {"certificate_id": certificate_id, "issued": False}
    bucket = local_stack.deployed.physical_ids["CertificateBucket"]
    listed = (
        local_stack.client("s3").list_objects_v2(Bucket=bucket, Prefix="certificates/").get("Contents", [])
    )
    mine = [o["Key"] for o in listed if certificate_id in o["Key"]]
    assert sorted(key.rsplit("/", 1)[-1] for key in mine) == [
        "badge.png",
        "certificate.pdf",
        "credential.jwt",
    ]
    status = invoke(local_stack, "api", event("api_public_status", certificate_id=certificate_id))
    assert status["statusCode"] == 200
    assert json.loads(status["body"])["status"] == "valid"
    list_id = local_stack.client("dynamodb").get_item(
        TableName=local_stack.deployed.global_environment["TABLE_NAME"],
        Key={"PK": {"S": f"CERT#{certificate_id}"}, "SK": {"S": "CERT"}},
    )["Item"]["status_list_id"]["S"]
    status_list = invoke(local_stack, "status-list", event("status_list", list_id=list_id))
    assert status_list["statusCode"] == 200
    assert status_list["multiValueHeaders"]["Content-Type"] == ["application/vc+jwt"]
    assert status_list["body"].count(".") == 2  # a compact JWS


def test_api_and_web_handlers_answer_their_sample_events(
    local_stack: LocalStack, claim: tuple[scenario.Cast, str]
) -> None:
    c, _ = claim
    me = invoke(local_stack, "api", event("api_get_me", sub=c.practitioner.id, email=c.practitioner.email))
    assert me["statusCode"] == 200
    assert json.loads(me["body"])["id"] == c.practitioner.id
    again = invoke(
        local_stack,
        "api",
        event("api_post_journey", sub=c.practitioner.id, email=c.practitioner.email, cohort_id=c.cohort_id),
    )
    assert again["statusCode"] == 200  # registering twice returns the same journey
    assert json.loads(again["body"])["id"] == json.loads(me["body"])["journeys"][0]["id"]
    start = invoke(local_stack, "web", event("web_get_start"))
    assert start["statusCode"] == 200
    assert "System OD Validation" in start["body"]


def test_a_second_object_posted_with_a_used_link_does_not_replace_the_checked_one(
    local_stack: LocalStack, claim: tuple[scenario.Cast, str]
) -> None:
    c, journey_id = claim
    api = c.practitioner.api
    link = api.post(
        f"/api/journeys/{journey_id}/evidence",
        {
            "element_id": "1.2",
            "filename": "data.pdf",
            "content_type": "application/pdf",
            "size": len(scenario.PDF),
        },
    )
    import requests

    def post(content: bytes) -> str:
        response = requests.post(
            link["url"], data=link["fields"], files={"file": ("data.pdf", content)}, timeout=30
        )
        response.raise_for_status()
        items = {e["id"]: e for e in api.journey(journey_id)["evidence"]}
        return str(items[link["evidence_id"]]["status"])

    assert post(scenario.PDF) == "verified"
    # The same upload link used again, within its lifetime: its grant was used by the first file, so the
    # second is put aside and the checked file stays the evidence.
    assert post(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64) == "verified"
    bucket = local_stack.deployed.physical_ids["EvidenceBucket"]
    key = {e["id"]: e for e in api.journey(journey_id)["evidence"]}[link["evidence_id"]]["key"]
    current = local_stack.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    assert current == scenario.PDF


def test_a_file_larger_than_declared_is_refused_by_the_policy(
    local_stack: LocalStack, claim: tuple[scenario.Cast, str]
) -> None:
    import base64

    import requests

    c, journey_id = claim
    api = c.practitioner.api
    link = api.post(
        f"/api/journeys/{journey_id}/evidence",
        {"element_id": "1.3", "filename": "small.pdf", "content_type": "application/pdf", "size": 20},
    )
    policy = json.loads(base64.b64decode(link["fields"]["policy"]))
    assert ["content-length-range", 1, 20] in policy["conditions"]
    response = requests.post(
        link["url"], data=link["fields"], files={"file": ("small.pdf", scenario.PDF)}, timeout=30
    )
    assert response.status_code == 400  # S3 refuses it, and so does the local stack
    assert "<Code>EntityTooLarge</Code>" in response.text
    item = {e["id"]: e for e in api.journey(journey_id)["evidence"]}[link["evidence_id"]]
    assert item["status"] == "pending"


def test_post_confirmation_makes_a_self_registered_person_a_practitioner_once(
    local_stack: LocalStack,
) -> None:
    import secrets

    idp = local_stack.client("cognito-idp")
    address = f"trigger.{secrets.token_hex(3)}@example.nhs.uk"
    sub = idp.admin_create_user(
        UserPoolId=local_stack.user_pool_id, Username=address, MessageAction="SUPPRESS"
    )["User"]["Username"]
    values = {
        "user_pool_id": local_stack.user_pool_id,
        "username": sub,
        "client_id": local_stack.user_pool_client_id,
        "email": address,
    }

    def groups() -> list[str]:
        listed = idp.admin_list_groups_for_user(UserPoolId=local_stack.user_pool_id, Username=sub)
        return [g["GroupName"] for g in listed["Groups"]]

    reset = event("post_confirmation", trigger_source="PostConfirmation_ConfirmForgotPassword", **values)
    assert invoke(local_stack, "post-confirmation", reset) == reset  # a password reset: no group
    assert groups() == []
    confirmed = event("post_confirmation", trigger_source="PostConfirmation_ConfirmSignUp", **values)
    assert invoke(local_stack, "post-confirmation", confirmed) == confirmed  # Cognito needs the event back
    assert invoke(local_stack, "post-confirmation", confirmed) == confirmed  # a retry: one membership
    assert groups() == ["practitioner"]


def test_record_archive_delivered_twice_makes_one_archive(
    local_stack: LocalStack, claim: tuple[scenario.Cast, str]
) -> None:
    """Lambda delivers an asynchronous event at least once: the same request's event again finds the
    archive made and leaves it (one archive, one "ready" in the history, one email)."""
    from odvalidation.services import record_archive

    c, journey_id = claim
    api = c.practitioner.api
    with local_stack.async_invokes.held():  # run by drain() below, not before it begins
        api.post("/api/me/record", expect=202)
    [outcome] = [
        o for o in local_stack.async_invokes.drain() if o.function_name == "od-validation-record-archive"
    ]
    assert outcome.succeeded
    assert api.get("/api/me/record")["status"] == "ready"
    made = record_archive.current(c.practitioner.id, "self")
    assert made is not None
    assert made.key
    emails = len([m for m in local_stack.sent_emails() if m.to == [c.practitioner.email]])
    payload = event("record_archive", person_id=c.practitioner.id, scope="self", request_id=made.request_id)
    for _ in range(2):
        assert invoke(local_stack, "record-archive", payload) == {"made": False}
    again = record_archive.current(c.practitioner.id, "self")
    assert again is not None
    assert (again.key, again.ready_at, again.status) == (made.key, made.ready_at, made.status)
    history = [e["action"] for e in api.journey(journey_id)["history"]]
    assert history.count("whole record ready") == 1
    assert len([m for m in local_stack.sent_emails() if m.to == [c.practitioner.email]]) == emails
