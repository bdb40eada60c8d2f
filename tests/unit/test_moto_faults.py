"""local.moto_faults: with faults switched on, moto answers as DynamoDB does when transactions collide
or capacity runs out (the shapes botocore parses, what is and is not written); off, nothing changes."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from local import moto_faults, moto_tuning
from tests.moto_tables import journey_table_properties, moto_in_process

TABLE = "journeys-faults-test"
OTHER = "other-table"


@pytest.fixture
def db(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with moto_in_process(monkeypatch):
        moto_tuning.install()
        # No retries by botocore: each call below is one request, so its answer is seen as sent.
        client = boto3.client("dynamodb", config=Config(retries={"mode": "standard", "max_attempts": 0}))
        for name in (TABLE, OTHER):
            client.create_table(TableName=name, **journey_table_properties())
        yield client
    moto_tuning.uninstall()


def key(pk: str, sk: str = "META") -> dict[str, Any]:
    return {"PK": {"S": pk}, "SK": {"S": sk}}


def put(pk: str, table: str = TABLE, **attrs: str) -> dict[str, Any]:
    return {"Put": {"TableName": table, "Item": key(pk) | {k: {"S": v} for k, v in attrs.items()}}}


def counter(by: int = 1) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": TABLE,
            "Key": key("COUNTERS", "COHORT#c1"),
            "UpdateExpression": "ADD n :by",
            "ExpressionAttributeValues": {":by": {"N": str(by)}},
        }
    }


def code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


def test_a_transaction_naming_an_item_in_flight_is_cancelled_for_that_item_only(db: Any) -> None:
    with moto_faults.injected(window=5.0, tables={TABLE}) as faults:
        db.transact_write_items(TransactItems=[put("JOURNEY#a"), counter()])
        with pytest.raises(ClientError) as cancelled:
            db.transact_write_items(TransactItems=[put("JOURNEY#b"), counter()])
    assert code(cancelled) == "TransactionCanceledException"
    assert cancelled.value.response["CancellationReasons"] == [
        {"Code": "None"},
        {"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"},
    ]
    assert "[None, TransactionConflict]" in cancelled.value.response["Error"]["Message"]
    assert faults.counts["transaction_conflict"] == 1
    # Cancelled: none of it was written.
    assert "Item" not in db.get_item(TableName=TABLE, Key=key("JOURNEY#b"))
    assert db.get_item(TableName=TABLE, Key=key("COUNTERS", "COHORT#c1"))["Item"]["n"] == {"N": "1"}


def test_once_the_other_transaction_is_done_the_same_request_goes_through(db: Any) -> None:
    with moto_faults.injected(window=0.05, tables={TABLE}):
        db.transact_write_items(TransactItems=[put("JOURNEY#a"), counter()])
        time.sleep(0.06)
        db.transact_write_items(TransactItems=[put("JOURNEY#b"), counter()])
    assert db.get_item(TableName=TABLE, Key=key("COUNTERS", "COHORT#c1"))["Item"]["n"] == {"N": "2"}


def test_a_single_write_to_an_item_in_flight_meets_a_transaction_conflict(db: Any) -> None:
    with moto_faults.injected(window=5.0, tables={TABLE}):
        db.transact_write_items(TransactItems=[put("JOURNEY#a", stage="reflection")])
        with pytest.raises(ClientError) as refused:
            db.put_item(TableName=TABLE, Item=key("JOURNEY#a") | {"stage": {"S": "workshop"}})
        with pytest.raises(ClientError) as refused_update:
            db.update_item(
                TableName=TABLE,
                Key=key("JOURNEY#a"),
                UpdateExpression="SET stage = :s",
                ExpressionAttributeValues={":s": {"S": "workshop"}},
            )
        # Reads see the last committed state; other items are free.
        assert db.get_item(TableName=TABLE, Key=key("JOURNEY#a"))["Item"]["stage"] == {"S": "reflection"}
        db.put_item(TableName=TABLE, Item=key("JOURNEY#z"))
    assert code(refused) == "TransactionConflictException"
    assert code(refused_update) == "TransactionConflictException"
    assert db.get_item(TableName=TABLE, Key=key("JOURNEY#a"))["Item"]["stage"] == {"S": "reflection"}


def test_throttling_refuses_item_requests_and_cancels_transactions(db: Any) -> None:
    with moto_faults.injected(throttle_rate=0.999, tables={TABLE}) as faults:
        with pytest.raises(ClientError) as read:
            db.get_item(TableName=TABLE, Key=key("JOURNEY#a"))
        with pytest.raises(ClientError) as query:
            db.query(
                TableName=TABLE,
                KeyConditionExpression="PK = :pk",
                ExpressionAttributeValues={":pk": {"S": "JOURNEY#a"}},
            )
        with pytest.raises(ClientError) as write:
            db.put_item(TableName=TABLE, Item=key("JOURNEY#a"))
        with pytest.raises(ClientError) as transaction:
            db.transact_write_items(TransactItems=[put("JOURNEY#a"), counter()])
    for error in (read, query, write):
        assert code(error) == "ProvisionedThroughputExceededException"
    assert code(transaction) == "TransactionCanceledException"
    assert sorted(r["Code"] for r in transaction.value.response["CancellationReasons"]) == [
        "None",
        "ThrottlingError",
    ]
    assert faults.counts["request_throttled"] == 3
    assert "Item" not in db.get_item(TableName=TABLE, Key=key("JOURNEY#a"))


def test_rate_based_conflicts_are_reproducible_by_seed(db: Any) -> None:
    def outcomes(seed: int) -> list[str]:
        seen = []
        with moto_faults.injected(conflict_rate=0.5, seed=seed, tables={TABLE}):
            for n in range(20):
                try:
                    db.transact_write_items(TransactItems=[put(f"JOURNEY#{seed}-{n}"), counter()])
                    seen.append("ok")
                except ClientError as error:
                    seen.append(error.response["Error"]["Code"])
        return seen

    first = outcomes(11)
    assert set(first) == {"ok", "TransactionCanceledException"}
    assert 3 < first.count("ok") < 17
    assert outcomes(11) == first


def test_only_the_tables_named_are_faulted_and_nothing_is_by_default(db: Any) -> None:
    assert moto_faults.active() is None
    db.transact_write_items(TransactItems=[put("JOURNEY#a"), counter()])
    db.transact_write_items(TransactItems=[put("JOURNEY#b"), counter()])
    with moto_faults.injected(window=0.5, throttle_rate=0.999, tables={TABLE}) as faults:
        for n in range(3):
            db.transact_write_items(TransactItems=[put("X", table=OTHER, n=str(n))])
            db.get_item(TableName=OTHER, Key=key("X"))
    assert sum(faults.counts.values()) == 0
    assert moto_faults.active() is None


def test_one_set_of_faults_at_a_time() -> None:
    with moto_faults.injected(conflict_rate=0.1), pytest.raises(RuntimeError):  # noqa: SIM117
        with moto_faults.injected(conflict_rate=0.2):
            pass
    with pytest.raises(ValueError, match="probability"):
        moto_faults.Faults(conflict_rate=1.0)
