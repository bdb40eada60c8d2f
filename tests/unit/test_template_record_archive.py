"""Static checks of the whole-record archive's resources (issue 18) in template.yaml: the archive is
gone a week after it is made, a request cannot fail silently, and the worker may write
nowhere but exports/. S3 lifecycle rules do not run in the local stack (moto stores them), so the
expiry is checked here."""

from __future__ import annotations

from typing import Any

from tests.unit.test_template import as_list, template, translated


def _resources() -> dict[str, Any]:
    resources: dict[str, Any] = template()["Resources"]
    return resources


def test_the_archives_expire_after_seven_days_in_every_version() -> None:
    bucket = _resources()["EvidenceBucket"]["Properties"]
    rules = {r["Id"]: r for r in bucket["LifecycleConfiguration"]["Rules"]}
    rule = rules["ExpireRecordArchives"]
    assert rule["Status"] == "Enabled"
    assert rule["Prefix"] == "exports/"
    assert rule["ExpirationInDays"] == 7
    # The bucket is versioned: the expiry only hides the object; its hidden version goes the next day.
    assert bucket["VersioningConfiguration"]["Status"] == "Enabled"
    assert rule["NoncurrentVersionExpiration"]["NoncurrentDays"] <= 1
    # The same bucket: encrypted under the data key, no public access.
    assert (
        bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"][
            "SSEAlgorithm"
        ]
        == "aws:kms"
    )
    assert all(bucket["PublicAccessBlockConfiguration"].values())


def test_a_request_that_keeps_failing_reaches_a_watched_dead_letter_queue() -> None:
    """Asynchronously invoked: Lambda tries it services/record_archive.TRIES times (the last marks the
    request failed), then sends the event to the shared dead-letter queue, which DeadLetterAlarm watches.
    Nothing polls for requests (an SQS event source would be polled, and billed, all month)."""
    from odvalidation.services.record_archive import TRIES

    resources = _resources()
    config = resources["RecordArchiveFunction"]["Properties"]["EventInvokeConfig"]
    assert config["MaximumRetryAttempts"] + 1 == TRIES
    # Once: the dead-letter queue of every function (Globals), and no on-failure destination beside it.
    assert "DestinationConfig" not in config
    assert template()["Globals"]["Function"]["DeadLetterQueue"] == {
        "Type": "SQS",
        "TargetArn": {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]},
    }
    alarm = resources["DeadLetterAlarm"]["Properties"]
    assert alarm["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": ["DeadLetterQueue", "QueueName"]}}
    ]
    assert alarm["Threshold"] == 1
    kinds = {r["Type"] for r in resources.values()}
    assert "AWS::Lambda::EventSourceMapping" not in kinds
    # SAM grants the function's role sqs:SendMessage on its dead-letter queue (Lambda sends as that role).
    role = translated()["Resources"]["RecordArchiveFunctionRole"]["Properties"]
    sends = [
        s
        for p in role["Policies"]
        for s in as_list(p["PolicyDocument"]["Statement"])
        if "sqs:SendMessage" in as_list(s["Action"])
    ]
    assert {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]} in [s["Resource"] for s in sends]


def test_only_the_api_and_web_functions_may_ask_for_an_archive_and_name_the_function() -> None:
    resources = translated()["Resources"]
    invokers = {}
    for logical_id, resource in resources.items():
        if resource["Type"] != "AWS::IAM::Role":
            continue
        for policy in resource["Properties"].get("Policies", []):
            for statement in as_list(policy["PolicyDocument"]["Statement"]):
                if "lambda:InvokeFunction" in as_list(statement["Action"]):
                    invokers[logical_id] = as_list(statement["Resource"])
    archive = {"Fn::GetAtt": ["RecordArchiveFunction", "Arn"]}
    assert {k for k, v in invokers.items() if archive in v} == {"ApiFunctionRole", "WebFunctionRole"}
    # The same two hand the interview's invitations to the Notify function (issue 19), and nothing else.
    notify = {"Fn::GetAtt": ["NotifyFunction", "Arn"]}
    assert {k for k, v in invokers.items() if notify in v} == {"ApiFunctionRole", "WebFunctionRole"}
    assert all(
        set(map(str, v)) <= {str(archive), str(notify)}
        for k, v in invokers.items()
        if k in {"ApiFunctionRole", "WebFunctionRole"}
    )
    # The ARN the functions are given is the one granted (built from the stack's name, as FunctionName is).
    env = template()["Globals"]["Function"]["Environment"]["Variables"]["RECORD_ARCHIVE_FUNCTION_ARN"]
    name = _resources()["RecordArchiveFunction"]["Properties"]["FunctionName"]["Fn::Sub"]
    assert env["Fn::Sub"].endswith(f":function:{name}")


def test_the_worker_writes_only_under_exports_and_reads_only_journeys_evidence() -> None:
    role = translated()["Resources"]["RecordArchiveFunctionRole"]["Properties"]
    writes, reads = [], []
    for policy in role["Policies"]:
        for statement in as_list(policy["PolicyDocument"]["Statement"]):
            actions = as_list(statement["Action"])
            resources = [
                r["Fn::Sub"] if isinstance(r, dict) and "Fn::Sub" in r else str(r)
                for r in as_list(statement["Resource"])
            ]
            if "s3:PutObject" in actions:
                writes += resources
            if "s3:GetObject" in actions:
                reads += resources
    assert writes
    assert all("evidence" in w and w.endswith("/exports/*") for w in writes), writes
    evidence_reads = [r for r in reads if "evidence" in r]
    assert evidence_reads
    assert all(r.endswith("/journeys/*") for r in evidence_reads), reads
