"""The local stack's SQS delivery (local/sqs_events.py) and presigned GET expiry (local/s3_presigned.py),
as AWS answers them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from local import s3_presigned, sqs_events

SIGNED = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def _query(expires: int | str = 900, at: datetime = SIGNED) -> str:
    return (
        f"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date={at:%Y%m%dT%H%M%SZ}&X-Amz-Expires={expires}"
        "&X-Amz-SignedHeaders=host&X-Amz-Signature=abc"
    )


def test_a_presigned_get_works_until_its_expiry_and_not_after() -> None:
    assert s3_presigned.expired(_query(), SIGNED + timedelta(seconds=900)) is None
    refused = s3_presigned.expired(_query(), SIGNED + timedelta(seconds=901))
    assert refused is not None
    assert (refused.status, refused.code, refused.message) == (403, "AccessDenied", "Request has expired")


@pytest.mark.parametrize("expires", [0, 604801, "soon"])
def test_an_expiry_s3_would_not_accept_is_refused(expires: int | str) -> None:
    refused = s3_presigned.expired(_query(expires), SIGNED)
    assert refused is not None
    assert refused.status == 400


def test_an_unsigned_request_passes() -> None:
    assert s3_presigned.expired("versionId=1", SIGNED) is None


MAPPING = sqs_events.Mapping(
    queue_arn="arn:aws:sqs:eu-west-2:1:q", function_name="f", reports_item_failures=True
)


def test_a_batch_answer_names_the_messages_to_offer_again() -> None:
    ids = ["m1", "m2", "m3"]
    answer = json.dumps({"batchItemFailures": [{"itemIdentifier": "m2"}]})
    assert sqs_events._failed_ids(MAPPING, answer, False, ids) == ["m2"]
    assert sqs_events._failed_ids(MAPPING, json.dumps({"batchItemFailures": []}), False, ids) == []
    # An error fails the whole batch; so does an answer Lambda cannot read.
    assert sqs_events._failed_ids(MAPPING, "{}", True, ids) == ids
    assert sqs_events._failed_ids(MAPPING, "not json", False, ids) == ids
    # Without ReportBatchItemFailures a successful invocation deletes the whole batch, whatever it says.
    plain = sqs_events.Mapping(queue_arn=MAPPING.queue_arn, function_name="f")
    assert sqs_events._failed_ids(plain, answer, False, ids) == []


def test_only_sqs_sources_are_delivered() -> None:
    with pytest.raises(ValueError, match="only SQS"):
        sqs_events.event_source_mapping(
            None,  # type: ignore[arg-type]
            "Stream",
            {"EventSourceArn": "arn:aws:dynamodb:eu-west-2:1:table/t/stream/x", "FunctionName": "f"},
        )
