"""The local stack's changes to moto's DynamoDB (local.moto_tuning) answer exactly as moto does,
keep transactions all-or-nothing, and stay correct under concurrent requests.

The table is built from template.yaml's own JourneyTable properties, so the test cannot drift from
the table the product uses."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from local import moto_tuning
from tests.moto_tables import journey_table_properties, moto_in_process

TABLE = "journeys-tuning-test"


@pytest.fixture
def db(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with moto_in_process(monkeypatch):
        client = boto3.client("dynamodb")
        client.create_table(TableName=TABLE, **journey_table_properties())
        yield client
    moto_tuning.uninstall()


def _s(v: str) -> dict[str, str]:
    return {"S": v}


def _item(rng: random.Random, n: int) -> dict[str, Any]:
    journey = f"JOURNEY#{rng.randrange(30)}"
    item = {"PK": _s(journey), "SK": _s(f"EVENT#{n:05d}"), "n": {"N": str(n)}}
    if rng.random() < 0.7:
        item["GSI1PK"] = _s(f"COHORT#{rng.randrange(4)}")
        item["GSI1SK"] = _s(f"{rng.randrange(100):03d}#{n}")
    if rng.random() < 0.5:
        item["GSI2PK"] = _s(f"STAGE#{rng.choice(['a', 'b', 'c'])}")
        item["GSI2SK"] = _s(f"{n:05d}")
    return item


def _queries(db: Any) -> list[Any]:
    """A fixed set of reads covering the base table and both indexes, with conditions and paging."""
    answers: list[Any] = []

    def query(**kw: Any) -> None:
        pages, start = [], None
        while True:
            extra: dict[str, Any] = {"ExclusiveStartKey": start} if start else {}
            page = db.query(TableName=TABLE, **kw, **extra)
            pages.append((page["Items"], page["Count"], page["ScannedCount"]))
            start = page.get("LastEvaluatedKey")
            if not start:
                break
        answers.append(pages)

    for j in (0, 7, 29, 31):
        for n in (j, j * 3, j * 5):
            answers.append(
                db.get_item(TableName=TABLE, Key={"PK": _s(f"JOURNEY#{j}"), "SK": _s(f"EVENT#{n:05d}")})
            )
        query(KeyConditionExpression="PK = :p", ExpressionAttributeValues={":p": _s(f"JOURNEY#{j}")})
        query(
            KeyConditionExpression="PK = :p AND begins_with(SK, :e)",
            ExpressionAttributeValues={":p": _s(f"JOURNEY#{j}"), ":e": _s("EVENT#000")},
            ScanIndexForward=False,
            Limit=3,
        )
    for c in range(5):
        query(
            IndexName="GSI1",
            KeyConditionExpression="GSI1PK = :c",
            ExpressionAttributeValues={":c": _s(f"COHORT#{c}")},
            Limit=7,
        )
        query(
            IndexName="GSI1",
            KeyConditionExpression="GSI1PK = :c AND GSI1SK BETWEEN :a AND :b",
            ExpressionAttributeValues={
                ":c": _s(f"COHORT#{c}"),
                ":a": _s("020"),
                ":b": _s("070"),
                ":z": {"N": "50"},
            },
            FilterExpression="n > :z",
        )
    for stage in "abcd":
        query(
            IndexName="GSI2",
            KeyConditionExpression="GSI2PK = :s",
            ExpressionAttributeValues={":s": _s(f"STAGE#{stage}")},
            ScanIndexForward=False,
            ReturnConsumedCapacity="TOTAL",
        )
    for answer in answers:  # request ids and checksums differ per call, not per engine
        if isinstance(answer, dict):
            answer.pop("ResponseMetadata", None)
    return answers


def _write_randomly(db: Any, rng: random.Random, rounds: int) -> None:
    written: list[dict[str, Any]] = []
    for n in range(rounds):
        roll = rng.random()
        if roll < 0.5 or not written:
            item = _item(rng, n)
            db.put_item(TableName=TABLE, Item=item)
            written.append(item)
        elif roll < 0.7:
            victim = rng.choice(written)
            # Moves the item to another index partition, or out of GSI2 altogether.
            db.update_item(
                TableName=TABLE,
                Key={"PK": victim["PK"], "SK": victim["SK"]},
                UpdateExpression="SET GSI1PK = :c, GSI1SK = :k REMOVE GSI2PK",
                ExpressionAttributeValues={":c": _s(f"COHORT#{rng.randrange(4)}"), ":k": _s(f"{n:03d}")},
            )
        elif roll < 0.8:
            victim = rng.choice(written)
            db.delete_item(TableName=TABLE, Key={"PK": victim["PK"], "SK": victim["SK"]})
        else:
            fresh = _item(rng, n)
            victim = rng.choice(written)
            ops: list[dict[str, Any]] = [
                {"Put": {"TableName": TABLE, "Item": fresh}},
                {
                    "Update": {
                        "TableName": TABLE,
                        "Key": {"PK": victim["PK"], "SK": victim["SK"]},
                        "UpdateExpression": "SET GSI2PK = :s, GSI2SK = :k",
                        "ExpressionAttributeValues": {":s": _s("STAGE#c"), ":k": _s(f"{n:05d}")},
                    }
                },
            ]
            if rng.random() < 0.5:  # a cancelled transaction must leave no trace in the table or an index
                ops.append(
                    {
                        "ConditionCheck": {
                            "TableName": TABLE,
                            "Key": {"PK": _s("JOURNEY#none"), "SK": _s("none")},
                            "ConditionExpression": "attribute_exists(PK)",
                        }
                    }
                )
            outcome = "written"
            try:
                db.transact_write_items(TransactItems=ops)
                written.append(fresh)
            except ClientError as exc:
                outcome = exc.response["Error"]["Code"]
            assert outcome in ("written", "TransactionCanceledException")


def test_queries_answer_exactly_as_moto_does_after_any_mix_of_writes(db: Any) -> None:
    for seed in range(2):
        rng = random.Random(seed)
        _write_randomly(db, rng, 120)
        moto_tuning.uninstall()
        expected = _queries(db)
        moto_tuning.install()
        assert _queries(db) == expected
        # Writes made while tuned keep the partition index in step with moto's own walk.
        _write_randomly(db, rng, 120)
        tuned = _queries(db)
        moto_tuning.uninstall()
        assert tuned == _queries(db)


def test_a_cancelled_transaction_leaves_items_and_indexes_as_they_were(db: Any) -> None:
    moto_tuning.install()
    first = {"PK": _s("JOURNEY#1"), "SK": _s("JOURNEY"), "GSI1PK": _s("COHORT#1"), "GSI1SK": _s("a")}
    db.put_item(TableName=TABLE, Item=first)
    before = db.query(
        TableName=TABLE,
        IndexName="GSI1",
        KeyConditionExpression="GSI1PK = :c",
        ExpressionAttributeValues={":c": _s("COHORT#1")},
    )["Items"]

    with pytest.raises(ClientError) as raised:
        db.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": TABLE, "Item": {**first, "SK": _s("OTHER"), "GSI1SK": _s("b")}}},
                {
                    "Update": {
                        "TableName": TABLE,
                        "Key": {"PK": first["PK"], "SK": first["SK"]},
                        "UpdateExpression": "SET GSI1PK = :moved",
                        "ExpressionAttributeValues": {":moved": _s("COHORT#2")},
                    }
                },
                {
                    "ConditionCheck": {
                        "TableName": TABLE,
                        "Key": {"PK": _s("JOURNEY#9"), "SK": _s("JOURNEY")},
                        "ConditionExpression": "attribute_exists(PK)",
                    }
                },
            ]
        )
    assert raised.value.response["Error"]["Code"] == "TransactionCanceledException"
    after = db.query(
        TableName=TABLE,
        IndexName="GSI1",
        KeyConditionExpression="GSI1PK = :c",
        ExpressionAttributeValues={":c": _s("COHORT#1")},
    )["Items"]
    assert after == before
    assert "Item" not in db.get_item(TableName=TABLE, Key={"PK": first["PK"], "SK": _s("OTHER")})
    moved = db.query(
        TableName=TABLE,
        IndexName="GSI1",
        KeyConditionExpression="GSI1PK = :c",
        ExpressionAttributeValues={":c": _s("COHORT#2")},
    )
    assert moved["Items"] == []


def test_concurrent_transactions_and_queries_neither_fail_nor_see_half_a_transaction(db: Any) -> None:
    # moto alone deep-copies the table inside a transaction while other threads write: "dictionary
    # changed size during iteration". Each transaction writes a pair; a reader must see both or neither.
    moto_tuning.install()
    errors: list[BaseException] = []
    halves: list[int] = []

    def writer(w: int) -> None:
        try:
            for n in range(40):
                pair = [
                    {
                        "Put": {
                            "TableName": TABLE,
                            "Item": {"PK": _s(f"PAIR#{w}-{n}"), "SK": _s(side), "GSI2PK": _s("PAIRS")}
                            | {"GSI2SK": _s(f"{w}-{n}-{side}")},
                        }
                    }
                    for side in ("left", "right")
                ]
                db.transact_write_items(TransactItems=pair)
        except BaseException as exc:  # any failure fails the test below
            errors.append(exc)

    def reader() -> None:
        try:
            for _ in range(40):
                items = db.query(
                    TableName=TABLE,
                    IndexName="GSI2",
                    KeyConditionExpression="GSI2PK = :p",
                    ExpressionAttributeValues={":p": _s("PAIRS")},
                )["Items"]
                if len(items) % 2:
                    halves.append(len(items))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(3)]
    threads += [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert halves == []
    assert db.describe_table(TableName=TABLE)["Table"]["ItemCount"] == 240


def test_a_state_machine_is_parsed_once_and_each_execution_gets_its_own_components(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from moto.stepfunctions.parser.asl.parse import asl_parser

    lexed: list[str] = []

    class CountingLexer(asl_parser.ASLLexer):
        def __init__(self, stream: Any) -> None:
            lexed.append("once")
            super().__init__(stream)

    monkeypatch.setattr(asl_parser, "ASLLexer", CountingLexer)
    definition = (Path(__file__).parents[2] / "statemachine" / "journey.asl.json").read_text()
    moto_tuning.install()
    try:
        first, tree = asl_parser.AmazonStateLanguageParser.parse(definition)
        second, same_tree = asl_parser.AmazonStateLanguageParser.parse(definition)
    finally:
        moto_tuning.uninstall()
    assert lexed == ["once"]
    assert same_tree is tree
    # Components hold an execution's progress: two executions must never share them.
    assert second is not first
    assert type(second) is type(first)
