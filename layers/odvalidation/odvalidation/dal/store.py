"""DynamoDB persistence behind a small interface: the domain services call `Store`, never boto3.

Every change to a journey is one `commit`: a TransactWriteItems that updates the journey on the
condition that its version is still the one that was read (no lost update), appends the audit
events, writes the items that belong with the change and keeps the reporting counters current.

Every request goes through one retry policy (dal/retry.py): transaction conflicts and throttling are
retried with jittered backoff and end, if DynamoDB stays busy, in `TransientError`; a failed
version condition becomes `StaleRead`, for the use case to read again and re-apply.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, partial
from typing import Any, TypeVar

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError
from pydantic import BaseModel

from ..domain.errors import Conflict, NotFound, StaleRead
from ..domain.models import AuditEvent, Journey
from ..settings import settings
from . import keys, read_cache
from .clients import client
from .retry import reasons, retried

M = TypeVar("M", bound=BaseModel)
_ser = TypeSerializer()
_de = TypeDeserializer()

_KEY_ATTRS = ("PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "expires_at")


def to_item(model: BaseModel, key: dict[str, str], **index: str) -> dict[str, Any]:
    data = model.model_dump(mode="json", exclude_none=True)
    data = _drop_empty(data)
    return {k: _ser.serialize(v) for k, v in {**data, **key, **index}.items()}


def _drop_empty(value: Any) -> Any:
    # DynamoDB refuses empty strings in key attributes only, but empty sets are invalid anywhere;
    # floats are not used by the models, so no Decimal conversion is needed here.
    if isinstance(value, dict):
        return {k: _drop_empty(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_drop_empty(v) for v in value]
    return value


def from_item[T: BaseModel](model: type[T], item: dict[str, Any]) -> T:
    data = {k: _de.deserialize(v) for k, v in item.items() if k not in _KEY_ATTRS}
    return model.model_validate(_plain(data))


def _plain(value: Any) -> Any:
    from decimal import Decimal

    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | set):
        return [_plain(v) for v in value]
    return value


@dataclass
class Change:
    """Everything one state change writes, committed atomically."""

    journey: Journey
    expected_version: int | None  # None: the journey is new
    events: list[AuditEvent] = field(default_factory=list)
    puts: list[dict[str, Any]] = field(default_factory=list)  # items made with to_item
    deletes: list[dict[str, str]] = field(default_factory=list)
    counters: dict[str, dict[str, int]] = field(default_factory=dict)  # scope -> deltas
    guards: list[dict[str, Any]] = field(default_factory=list)  # extra Put items with a not-exists condition
    updates: list[dict[str, Any]] = field(default_factory=list)  # raw Update operations (e.g. member loads)
    # Items that carry their own `version` (a panel), written on the condition that it is still the one
    # read: with the journey's change in one round trip, and a failed condition is a StaleRead.
    versioned: list[tuple[dict[str, Any], int]] = field(default_factory=list)
    # Keys that must still be absent when the change lands (another member's review, not yet in when
    # read): if one has appeared meanwhile, the change is a StaleRead, to be read again and re-applied.
    absent: list[dict[str, str]] = field(default_factory=list)


def journey_index(j: Journey) -> dict[str, str]:
    return {
        "GSI1PK": f"PRACTITIONER#{j.practitioner_id}",
        "GSI1SK": f"JOURNEY#{j.created_at.isoformat()}#{j.id}",
        "GSI2PK": f"COHORT#{j.cohort_id}",
        "GSI2SK": f"JOURNEY#{j.id}",
    }


class Store:
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    @property
    def db(self) -> Any:
        # The process's client (dal/clients.py), looked up per call rather than kept: the Store itself
        # is cached, and a process that starts again with new clients (clients.reset) must use them.
        return client("dynamodb")

    # ------------------------------------------------------------------ reads
    def get(self, key: dict[str, str], *, consistent: bool = True) -> dict[str, Any] | None:
        if consistent:  # an eventually consistent read is asked for as such: never from the cache
            kept = read_cache.lookup(key)
            if kept is not read_cache.MISSING:
                return kept
        out = retried(
            lambda: self.db.get_item(
                TableName=self.table, Key={k: {"S": v} for k, v in key.items()}, ConsistentRead=consistent
            ),
            what="GetItem",
        )
        item: dict[str, Any] | None = out.get("Item")
        if consistent:
            read_cache.remember(key, item)
        return item

    def get_model[T: BaseModel](self, model: type[T], key: dict[str, str]) -> T | None:
        item = self.get(key)
        return from_item(model, item) if item else None

    def query(
        self,
        pk: str,
        *,
        prefix: str | None = None,
        index: str | None = None,
        forward: bool = True,
        limit: int | None = None,
    ) -> Iterator[dict[str, Any]]:
        kept = None if index else read_cache.collection(pk, prefix or "")
        if kept is not None:  # the request read the whole partition already: answered from it
            kept = kept if forward else kept[::-1]
            yield from kept[:limit] if limit else kept
            return
        pk_name, sk_name = (f"{index}PK", f"{index}SK") if index else ("PK", "SK")
        expr = "#pk = :pk" + (" AND begins_with(#sk, :prefix)" if prefix else "")
        names = {"#pk": pk_name} | ({"#sk": sk_name} if prefix else {})
        values: dict[str, Any] = {":pk": {"S": pk}} | ({":prefix": {"S": prefix}} if prefix else {})
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": expr,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
            "ScanIndexForward": forward,
        }
        if index:
            kwargs["IndexName"] = index
        if limit:
            kwargs["Limit"] = limit
        count = 0
        while True:
            page = retried(lambda: self.db.query(**kwargs), what="Query")
            for item in page.get("Items", []):
                yield item
                count += 1
                if limit and count >= limit:
                    return
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def query_models[T: BaseModel](self, model: type[T], pk: str, **kw: Any) -> list[T]:
        return [from_item(model, item) for item in self.query(pk, **kw)]

    def journey(self, journey_id: str) -> Journey:
        found = self.get_model(Journey, keys.journey(journey_id))
        if found is None:
            raise NotFound(f"There is no journey '{journey_id}'.")
        return found

    def audit_trail(self, journey_id: str) -> list[AuditEvent]:
        return self.query_models(AuditEvent, f"JOURNEY#{journey_id}", prefix="AUDIT#")

    # ------------------------------------------------------------------ writes
    def put(self, item: dict[str, Any], *, only_if_new: bool = False) -> bool:
        """Write one item that is not part of a journey change. Returns False if it already existed."""
        read_cache.forget()
        kwargs: dict[str, Any] = {"TableName": self.table, "Item": item}
        if only_if_new:
            kwargs["ConditionExpression"] = "attribute_not_exists(PK)"
        try:
            retried(lambda: self.db.put_item(**kwargs), what="PutItem")
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def put_together(self, items: list[dict[str, Any]]) -> None:
        """Write a few items that belong together (none a journey change) in one transaction: one
        round trip, and all of them or none."""
        read_cache.forget()
        ops = [{"Put": {"TableName": self.table, "Item": item}} for item in items]
        # A cancelled transaction wrote nothing, so a conflict or a throttle is sent again as is.
        retried(lambda: self.db.transact_write_items(TransactItems=ops), what="TransactWriteItems")

    def put_versioned(self, item: dict[str, Any], expected_version: int) -> None:
        """Write an item that carries its own `version` (claims, panels): no lost update."""
        read_cache.forget()
        try:
            retried(
                lambda: self.db.put_item(
                    TableName=self.table,
                    Item=item,
                    ConditionExpression="attribute_not_exists(PK) OR version = :v",
                    ExpressionAttributeValues={":v": {"N": str(expected_version)}},
                ),
                what="PutItem",
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise StaleRead(
                    "Someone else saved this at the same time. Reload the page to see their changes, "
                    "then make yours again."
                ) from None
            raise

    def set_fields(self, key: dict[str, str], model: BaseModel, fields: Iterable[str]) -> bool:
        """Change only the named attributes of an existing item (a field that is None is removed), so
        attributes that others keep current (a member's load, their conflicts) are never overwritten
        by a stale copy. Returns False if there is no such item."""
        read_cache.forget()
        values = model.model_dump(mode="json", include=set(fields))
        sets = {name: value for name, value in values.items() if value is not None}
        removes = [name for name, value in values.items() if value is None]
        names = {f"#f{i}": name for i, name in enumerate(values)}
        alias = {name: placeholder for placeholder, name in names.items()}
        expression = ""
        if sets:
            expression += "SET " + ", ".join(f"{alias[n]} = :{alias[n][1:]}" for n in sets)
        if removes:
            expression += " REMOVE " + ", ".join(alias[n] for n in removes)
        if not expression:
            return True
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "Key": {k: {"S": v} for k, v in key.items()},
            "UpdateExpression": expression.strip(),
            "ConditionExpression": "attribute_exists(PK)",
            "ExpressionAttributeNames": names,
        }
        if sets:
            kwargs["ExpressionAttributeValues"] = {
                f":{alias[n][1:]}": _ser.serialize(v) for n, v in sets.items()
            }
        try:
            retried(lambda: self.db.update_item(**kwargs), what="UpdateItem")
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def delete(self, key: dict[str, str]) -> None:
        read_cache.forget()
        retried(
            lambda: self.db.delete_item(TableName=self.table, Key={k: {"S": v} for k, v in key.items()}),
            what="DeleteItem",
        )

    def commit(self, change: Change) -> Journey:
        """Write a journey change atomically; returns the journey as stored (version incremented)."""
        read_cache.forget()
        journey = change.journey.model_copy(
            update={"version": (change.expected_version or 0) + (0 if change.expected_version is None else 1)}
        )
        ops: list[dict[str, Any]] = []
        put: dict[str, Any] = {
            "TableName": self.table,
            "Item": to_item(journey, keys.journey(journey.id), **journey_index(journey)),
        }
        if change.expected_version is None:
            put["ConditionExpression"] = "attribute_not_exists(PK)"
        else:
            put["ConditionExpression"] = "version = :v"
            put["ExpressionAttributeValues"] = {":v": {"N": str(change.expected_version)}}
        ops.append({"Put": put})
        for index, event in enumerate(change.events):
            # Events of one change may share a time (the last review and "all reviews in"): the
            # index keeps them in the order the change lists them; the random part keeps two
            # changes at the same instant apart.
            seq = f"{index:02d}{secrets.token_hex(4)}"
            ops.append(
                {
                    "Put": {
                        "TableName": self.table,
                        "Item": to_item(
                            event, keys.journey_part(journey.id, keys.audit_sk(event.at.isoformat(), seq))
                        ),
                    }
                }
            )
        for item in change.puts:
            ops.append({"Put": {"TableName": self.table, "Item": item}})
        # Conditions that mean "read again" when they fail, indexed to tell them from the guards'.
        stale_if_failed = set(range(1 + len(change.events)))
        for item, expected in change.versioned:
            stale_if_failed.add(len(ops))
            ops.append(
                {
                    "Put": {
                        "TableName": self.table,
                        "Item": item,
                        "ConditionExpression": "attribute_not_exists(PK) OR version = :v",
                        "ExpressionAttributeValues": {":v": {"N": str(expected)}},
                    }
                }
            )
        for key in change.absent:
            stale_if_failed.add(len(ops))
            ops.append(
                {
                    "ConditionCheck": {
                        "TableName": self.table,
                        "Key": {k: {"S": v} for k, v in key.items()},
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                }
            )
        for item in change.guards:
            ops.append(
                {
                    "Put": {
                        "TableName": self.table,
                        "Item": item,
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                }
            )
        for update in change.updates:
            ops.append({"Update": {"TableName": self.table, **update}})
        for key in change.deletes:
            ops.append({"Delete": {"TableName": self.table, "Key": {k: {"S": v} for k, v in key.items()}}})
        for scope, deltas in change.counters.items():
            counter = _counter_update(self.table, scope, deltas)
            if counter:
                ops.append({"Update": counter})
        try:
            # A cancelled transaction wrote nothing, so a conflict or a throttle is sent again as is.
            retried(lambda: self.db.transact_write_items(TransactItems=ops), what="TransactWriteItems")
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            codes = reasons(exc)
            if codes and codes[0] == "ConditionalCheckFailed":
                if change.expected_version is None:
                    raise Conflict("This journey already exists.") from None
                raise StaleRead(
                    "This journey was changed by someone else a moment ago. Reload it and try again."
                ) from None
            if any(codes[i] == "ConditionalCheckFailed" for i in stale_if_failed if i < len(codes)):
                raise StaleRead(
                    "Someone else saved this at the same time. Reload the page to see their changes, "
                    "then make yours again."
                ) from None
            if "ConditionalCheckFailed" in codes:
                raise Conflict("You already have a journey in this cohort.") from None
            raise
        return journey

    def counters(self, scope_prefix: str) -> dict[str, dict[str, int]]:
        """All counter items under a scope prefix, e.g. 'ACADEMY#' (ten items, whatever the table size)."""
        out: dict[str, dict[str, int]] = {}
        for item in self.query(keys.COUNTERS_PK, prefix=scope_prefix):
            scope = item["SK"]["S"]
            out[scope] = {k: int(v["N"]) for k, v in item.items() if "N" in v and k not in _KEY_ATTRS}
        return out

    def replace_counters(self, values: dict[str, dict[str, int]]) -> None:
        """The repair command: overwrite counter items with values rebuilt from the journeys."""
        read_cache.forget()
        for scope, counts in values.items():
            item = {k: {"N": str(v)} for k, v in counts.items()} | {
                "PK": {"S": keys.COUNTERS_PK},
                "SK": {"S": scope},
            }
            retried(partial(self.db.put_item, TableName=self.table, Item=item), what="PutItem")

    def collection(self, pk: str, *, kept: bool = False) -> dict[str, dict[str, Any]]:
        """Every item of one item collection (one partition key), by sort key: one strongly
        consistent Query (and more pages only past 1 MB) where a page needs several of its items.
        `kept`: the collection is kept in the request's read cache (dal/read_cache.py), so the
        services' GetItems and Queries of this partition cost no round trip (an item it lacks: not
        there), until the request writes."""
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": {":pk": {"S": pk}},
            "ConsistentRead": True,
        }
        found: dict[str, dict[str, Any]] = {}
        while True:
            page = retried(lambda: self.db.query(**kwargs), what="Query")
            found.update((item["SK"]["S"], item) for item in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                if kept:
                    read_cache.keep_collection(pk, found)
                return found
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def batch_get(self, key_list: Iterable[dict[str, str]]) -> list[dict[str, Any]]:
        # Items this request has read already (dal/read_cache.py) are not asked for again.
        asked, kept = [], []
        for key in key_list:
            item = read_cache.lookup(key)
            if item is read_cache.MISSING:
                asked.append(key)
            elif item is not None:
                kept.append(item)
        if not asked:
            return kept
        return kept + self._batch_get(asked)

    def _batch_get(self, asked: list[dict[str, str]]) -> list[dict[str, Any]]:
        wanted = [{k: {"S": v} for k, v in key.items()} for key in asked]
        found: list[dict[str, Any]] = []
        for start in range(0, len(wanted), 100):
            request = {self.table: {"Keys": wanted[start : start + 100], "ConsistentRead": True}}
            while request:
                out = retried(partial(self.db.batch_get_item, RequestItems=request), what="BatchGetItem")
                got = out["Responses"].get(self.table, [])
                for item in got:  # consistent reads: as good as a GetItem of each for the request
                    read_cache.remember({"PK": item["PK"]["S"], "SK": item["SK"]["S"]}, item)
                found.extend(got)
                request = out.get("UnprocessedKeys") or {}
        returned = {(item["PK"]["S"], item["SK"]["S"]) for item in found}
        for key in asked:  # absent: as a GetItem that found nothing
            if (key["PK"], key["SK"]) not in returned:
                read_cache.remember(key, None)
        return found


def _counter_update(table: str, scope: str, deltas: dict[str, int]) -> dict[str, Any] | None:
    deltas = {k: v for k, v in deltas.items() if v}
    if not deltas:
        return None
    names = {f"#c{i}": name for i, name in enumerate(deltas)}
    values = {f":d{i}": {"N": str(v)} for i, v in enumerate(deltas.values())}
    return {
        "TableName": table,
        "Key": {"PK": {"S": keys.COUNTERS_PK}, "SK": {"S": scope}},
        "UpdateExpression": "ADD " + ", ".join(f"#c{i} :d{i}" for i in range(len(deltas))),
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": values,
    }


@cache
def store() -> Store:
    """The process's one Store (cached factory, as every function shares it)."""
    return Store(settings().table_name)


def now_iso(at: datetime) -> str:
    return at.isoformat()
