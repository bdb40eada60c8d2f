"""Static checks of the whole-record archive's resources (issue 18) in template.yaml: the archive is
gone a week after it is made, the queue cannot lose a request silently, and the worker may write
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
    resources = _resources()
    queue = resources["RecordArchiveQueue"]["Properties"]
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {
        "Fn::GetAtt": ["RecordArchiveDeadLetterQueue", "Arn"]
    }
    assert queue["RedrivePolicy"]["maxReceiveCount"] == 3
    assert queue["SqsManagedSseEnabled"] is True
    timeout = resources["RecordArchiveFunction"]["Properties"]["Timeout"]
    assert queue["VisibilityTimeout"] >= 6 * timeout  # as Lambda advises for an SQS source
    alarm = resources["RecordArchiveDeadLetterAlarm"]["Properties"]
    assert alarm["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": ["RecordArchiveDeadLetterQueue", "QueueName"]}}
    ]
    assert alarm["Threshold"] == 1
    mapping = resources["RecordArchiveRequests"]["Properties"]
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": ["RecordArchiveQueue", "Arn"]}


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
