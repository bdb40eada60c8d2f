"""Issue 18: a practitioner downloads their whole record as one archive, made in the background (an
asynchronous invoke of RecordArchiveFunction) and offered by a short-lived link; an academy lead produces it for a subject
access request. Through the local stack's HTTP front with real Cognito tokens, S3 over HTTP."""

from __future__ import annotations

import io
import json
import time
import zipfile
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from local import scenario
from local.client import ApiClient
from local.stack import LocalStack

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]


def _wait_ready(local_stack: LocalStack, api: ApiClient, path: str) -> dict[str, Any]:
    """Run the asynchronous invocations to the end (no sleeping), then the request is ready."""
    local_stack.async_invokes.drain()
    status = dict(api.get(path))
    assert status["status"] == "ready", status
    return status


def _archive(url: str) -> zipfile.ZipFile:
    assert urlsplit(url).hostname == "127.0.0.1"
    response = requests.get(url, timeout=30)
    assert response.status_code == 200, response.text
    assert 'filename="od-validation-record-' in response.headers["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(response.content))


def test_a_practitioner_downloads_their_whole_record(local_stack: LocalStack) -> None:
    c = scenario.cast(local_stack)
    journey_id = scenario.to_claim_development(c)
    ids = scenario.part_written_claim(c, journey_id)
    supporter = scenario.name_supporter(local_stack, c, journey_id)
    supporter.api.post(
        f"/api/journeys/{journey_id}/comments", {"element_id": "1.1", "text": "Say who the partners were."}
    )
    api = c.practitioner.api
    assert api.get("/api/me/record")["status"] == "none"
    api.get("/api/me/record/link", expect=404)  # nothing asked for yet

    with local_stack.async_invokes.held():  # the worker waits until both have asked
        asked = api.post("/api/me/record", expect=202)
        again = api.post("/api/me/record", expect=202)
    # Asking twice while it is prepared is the same request.
    assert again["requested_at"] == asked["requested_at"]
    ready = _wait_ready(local_stack, api, "/api/me/record")
    assert ready["files"] >= 4  # two evidence files, record.json, record.html
    assert ready["requested_at"] == asked["requested_at"]

    # The email points to the page, never to the file.
    local_stack.wait_for_email(
        c.practitioner.email, "Your record is ready", body_containing="/account/record"
    )
    mail = next(m for m in local_stack.sent_emails() if "Your record is ready" in m.subject)
    assert "X-Amz" not in mail.body
    assert "exports/" not in mail.body

    link = api.get("/api/me/record/link")
    assert link["expires_in"] == 900
    assert parse_qs(urlsplit(link["url"]).query)["X-Amz-Expires"] == ["900"]
    archive = _archive(link["url"])
    names = archive.namelist()
    assert {"record.html", "record.json"} <= set(names)
    evidence = [n for n in names if n.startswith(f"evidence/{journey_id}/")]
    assert len(evidence) == 2
    assert {archive.read(n) for n in evidence} == {scenario.PDF}
    data = json.loads(archive.read("record.json"))
    (journey,) = data["journeys"]
    assert journey["journey"]["id"] == journey_id
    assert "task_token" not in journey["journey"]
    narratives = journey["claims"][0]["narratives"]
    assert narratives["1.1"] == "I mapped the partners of the place and how each shapes the others."
    assert {e["id"] for e in journey["evidence"]} == set(ids.values())
    assert journey["supporter_comments"][0]["text"] == "Say who the partners were."
    assert journey["reflection"]["career_note"] == "Ten years in OD."
    assert journey["decisions"][0]["readiness"] == "ready_now"
    actions = [e["action"] for e in journey["history"]]
    assert "whole record requested" in actions
    html = archive.read("record.html").decode()
    assert "I mapped the partners of the place" in html
    assert "Say who the partners were." in html
    # Nobody else's id: the supporter's comments and the lead's actions are labelled, not named.
    for other in (supporter.id, c.lead.id):
        assert other not in archive.read("record.json").decode()

    history = [e["action"] for e in api.journey(journey_id)["history"]]
    assert {"whole record requested", "whole record ready", "whole record downloaded"} <= set(history)

    # Another practitioner has no record of their own, and cannot reach this one.
    other = scenario.cast(local_stack, join=c)
    other.practitioner.api.get("/api/me/record/link", expect=404)
    other.practitioner.api.post("/api/me/record", expect=422)  # no journey: nothing to download
    other.practitioner.api.get(f"/api/journeys/{journey_id}/record", expect=403)
    other.practitioner.api.post(f"/api/journeys/{journey_id}/record", {"reason": "I want it"}, expect=403)
    # Nor can the practitioner use the leads' route for their own journey.
    api.get(f"/api/journeys/{journey_id}/record/link", expect=403)


def test_an_academy_lead_produces_the_record_for_a_subject_access_request(local_stack: LocalStack) -> None:
    c = scenario.cast(local_stack)
    journey_id = scenario.to_claim_development(c)
    path = f"/api/journeys/{journey_id}/record"
    c.lead.api.post(path, {"reason": ""}, expect=422)  # a subject access request says why
    asked = c.lead.api.post(path, {"reason": "Subject access request received 4 December"}, expect=202)
    assert asked["reason"] == "Subject access request received 4 December"
    _wait_ready(local_stack, c.lead.api, path)
    local_stack.wait_for_email(
        c.lead.email,
        "The record you asked for is ready",
        body_containing=f"/lead/journeys/{journey_id}/record",
    )
    archive = _archive(c.lead.api.get(f"{path}/link")["url"])
    data = json.loads(archive.read("record.json"))
    assert [j["journey"]["id"] for j in data["journeys"]] == [journey_id]
    history = c.lead.api.journey(journey_id)["history"]
    requested = next(e for e in history if e["action"] == "whole record requested")
    assert requested["reason"] == "subject access request: Subject access request received 4 December"
    assert requested["actor"] == c.lead.id
    # The practitioner's own request is a separate one: the lead's archive is not theirs to download.
    c.practitioner.api.get("/api/me/record/link", expect=404)


def test_a_download_link_expires(local_stack: LocalStack) -> None:
    """The local stack refuses a presigned GET past its expiry, as S3 does (moto would serve it)."""
    s3 = local_stack.client("s3")
    bucket = local_stack.deployed.global_environment["EVIDENCE_BUCKET"]
    s3.put_object(Bucket=bucket, Key="exports/test/expiry.zip", Body=b"PK")
    url = s3.generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": "exports/test/expiry.zip"}, ExpiresIn=1
    )
    assert requests.get(url, timeout=10).status_code == 200
    time.sleep(2.1)
    expired = requests.get(url, timeout=10)
    assert expired.status_code == 403
    assert "Request has expired" in expired.text


def _dead_letters(local_stack: LocalStack, request_id: str) -> list[dict[str, Any]]:
    """The shared dead-letter queue's messages about this request (taken off the queue)."""
    sqs = local_stack.client("sqs")
    url = sqs.get_queue_url(QueueName=local_stack.deployed.attributes["DeadLetterQueue"]["QueueName"])[
        "QueueUrl"
    ]
    found: list[dict[str, Any]] = []
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"])
        if not messages.get("Messages"):
            return found
        for m in messages["Messages"]:
            if request_id in m["Body"]:
                found.append(m)
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


def test_a_failed_try_is_retried_and_one_that_keeps_failing_is_marked_failed_and_dead_lettered(
    local_stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    from odvalidation.services import record_archive, record_contents

    c = scenario.cast(local_stack)
    scenario.register(c)
    api = c.practitioner.api
    tries: list[str] = []
    build = record_contents.build
    fail_first = 2

    def broken(whole: Any) -> Any:
        tries.append(api.get("/api/me/record")["status"])
        if len(tries) <= fail_first:
            raise RuntimeError("the archive could not be written")
        return build(whole)

    # Handlers run in this process (the default dispatch): the worker's build fails as told.
    monkeypatch.setattr(record_contents, "build", broken)

    # Two failed tries, then one that works: Lambda's retries mend it, and meanwhile the page said
    # "being prepared" (true: Lambda was to try again), never "failed".
    with local_stack.async_invokes.held():  # run by drain() below, not before it begins
        api.post("/api/me/record", expect=202)
    [outcome] = [
        o for o in local_stack.async_invokes.drain() if o.function_name == "od-validation-record-archive"
    ]
    assert (outcome.succeeded, outcome.tries, outcome.sent_to) == (True, 3, [])
    assert tries == ["preparing"] * 3
    assert api.get("/api/me/record")["status"] == "ready"

    # Every try fails: the third (MaximumRetryAttempts 2) marks it failed, and Lambda sends the event to
    # the function's dead-letter queue, once, with why it failed (what an operator replays, as sent).
    tries.clear()
    fail_first = 3
    with local_stack.async_invokes.held():  # run by drain() below, not before it begins
        api.post("/api/me/record", expect=202)
    [outcome] = [
        o for o in local_stack.async_invokes.drain() if o.function_name == "od-validation-record-archive"
    ]
    assert (outcome.succeeded, outcome.tries, outcome.undelivered) == (False, 3, [])
    assert len(tries) == 3
    failed = api.get("/api/me/record")
    assert failed["status"] == "failed"
    request = record_archive.current(c.practitioner.id, "self")
    assert request is not None
    [dead] = _dead_letters(local_stack, request.request_id)
    assert json.loads(dead["Body"]) == {
        "person_id": c.practitioner.id,
        "scope": "self",
        "request_id": request.request_id,
    }
    assert dead["MessageAttributes"]["ErrorMessage"]["StringValue"] == "the archive could not be written"

    # Failed: the person may ask again at once (not "being prepared" for an hour).
    monkeypatch.undo()
    api.post("/api/me/record", expect=202)
    local_stack.async_invokes.drain()
    assert api.get("/api/me/record")["status"] == "ready"
