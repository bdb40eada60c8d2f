"""Make moto's DynamoDB behave like DynamoDB where the local stack depends on it.

moto keeps a table as a dict of partitions, but answers every Query by walking every item of the
table, and copies every table a transaction touches so that it can roll back. Both grow with the
table, so a local stack holding a national cohort slows with each journey; and the copy, taken
while another request thread writes, fails with "dictionary changed size during iteration".
DynamoDB itself reads only the partition asked for and isolates transactions. This module,
installed once per process by the local stack, gives moto the same properties without replacing
any of its logic:

- a Query is offered only the items of the partition it names (the base table's partition, or
  the items whose index hash key matches, from an index kept up to date on every write); moto
  then filters, sorts and pages them exactly as before;
- a transaction snapshots only the items it names, and restores those if it is cancelled;
- the results of item reads and writes, already DynamoDB's wire JSON, are written out directly
  rather than through moto's generic serializer (which walks the service model per attribute);
- Step Functions' interpreter reuses one Lambda client rather than building one per task, and
  parses a state machine's definition once rather than once per execution;
- DynamoDB requests run one at a time (moto's server answers each on its own thread), so a
  transaction is atomic to every reader, as in DynamoDB;
- when a test switches them on (local.moto_faults), transaction conflicts and throttling are
  answered as DynamoDB answers them; off, each request pays one attribute read for the check.
"""

from __future__ import annotations

import copy
import functools
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from local import moto_faults

_lock = threading.RLock()
_state = threading.local()
_installed = False
_generation = 0

# (hash value, range value or None): an item's primary key as moto keys its partitions.
PrimaryKey = tuple[Any, Any]


class _PartitionIndex:
    """For each global secondary index: index hash key value(s) -> {primary key: item}."""

    def __init__(self, table: Any) -> None:
        self.generation = _generation
        self.hash_attrs: dict[str, tuple[str, ...]] = {
            index.name: tuple(k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH")
            for index in table.global_indexes
        }
        self.partitions: dict[str, dict[tuple[Any, ...], dict[PrimaryKey, Any]]] = {
            name: {} for name in self.hash_attrs
        }
        self.entries: dict[PrimaryKey, list[tuple[str, tuple[Any, ...]]]] = {}
        for item in _every_item(table):
            self.add(_key_of(item), item)

    def add(self, key: PrimaryKey, item: Any) -> None:
        placed = []
        for name, attrs in self.hash_attrs.items():
            values = tuple(item.attrs.get(a) for a in attrs)
            if all(v is not None for v in values):
                self.partitions[name].setdefault(values, {})[key] = item
                placed.append((name, values))
        if placed:
            self.entries[key] = placed

    def remove(self, key: PrimaryKey) -> None:
        for name, values in self.entries.pop(key, []):
            partition = self.partitions[name].get(values)
            if partition is not None:
                partition.pop(key, None)
                if not partition:
                    del self.partitions[name][values]

    def refresh(self, table: Any, key: PrimaryKey) -> None:
        self.remove(key)
        item = _current(table, key)
        if item is not None:
            self.add(key, item)


def _every_item(table: Any) -> Iterator[Any]:
    for partition in list(table.items.values()):
        if table.range_key_attr:
            yield from list(partition.values())
        else:
            yield partition


def _key_of(item: Any) -> PrimaryKey:
    return (item.hash_key, item.range_key)


def _current(table: Any, key: PrimaryKey) -> Any:
    hash_value, range_value = key
    partition = table.items.get(hash_value)
    if partition is None:
        return None
    return partition.get(range_value) if table.range_key_attr else partition


def _index_of(table: Any) -> _PartitionIndex:
    # Kept on the table object: a table moto replaces (restore from backup) starts a fresh index.
    # An index from before an uninstall missed the writes made meanwhile: built again.
    index = table.__dict__.get("_od_partition_index")
    if index is None or index.generation != _generation:
        index = _PartitionIndex(table)
        table.__dict__["_od_partition_index"] = index
    return index


def _refresh(table: Any, key: PrimaryKey) -> None:
    """After a write to `key`: an index built already follows it (one not built yet is built on use)."""
    index = table.__dict__.get("_od_partition_index")
    if index is not None:
        index.refresh(table, key)


def _candidates(table: Any, hash_key: Any, index_name: str | None, conditions: list[Any]) -> list[Any] | None:
    """The items a Query can match, or None where moto's own walk must decide."""
    given = dict(conditions or [])
    if index_name is None:
        value = hash_key if hash_key is not None else given.get(table.hash_key_attr)
        if value is None:
            return None
        partition = table.items.get(value)
        if partition is None:
            return []
        return list(partition.values()) if table.range_key_attr else [partition]
    index = _index_of(table)
    attrs = index.hash_attrs.get(index_name)
    if attrs is None:  # a local secondary index, or a name moto will reject: its own path
        return None
    if not given and hash_key is not None and len(attrs) == 1:
        given = {attrs[0]: hash_key}
    if not all(a in given for a in attrs):
        return None
    return list(index.partitions[index_name].get(tuple(given[a] for a in attrs), {}).values())


def _table_key(table: Any, key_attrs: dict[str, Any]) -> PrimaryKey:
    from moto.dynamodb.models.dynamo_type import DynamoType

    hash_value = DynamoType(key_attrs[table.hash_key_attr])
    range_value = DynamoType(key_attrs[table.range_key_attr]) if table.range_key_attr else None
    return (hash_value, range_value)


def _touched(backend: Any, table_name: str, key_attrs: dict[str, Any]) -> tuple[Any, PrimaryKey] | None:
    table = backend.tables.get(table_name)
    if table is None:
        return None
    try:
        return table, _table_key(table, key_attrs)
    except (KeyError, TypeError, ValueError):
        return None


def _refresh_after(write: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a backend write (table name, then the key or the item) to keep the index current."""

    @functools.wraps(write)
    def wrapper(self: Any, table_name: str, key_or_item: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return write(self, table_name, key_or_item, *args, **kwargs)
        finally:
            touched = _touched(self, table_name, key_or_item)
            if touched is not None:
                _refresh(*touched)

    return wrapper


def _operation_key(op_type: str, op: dict[str, Any], table: Any) -> dict[str, Any]:
    if op_type == "Put":
        item = op["Item"]
        names = [table.hash_key_attr] + ([table.range_key_attr] if table.range_key_attr else [])
        return {n: item[n] for n in names}
    return dict(op["Key"])


def _transact_write_items(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def wrapper(self: Any, transact_items: list[dict[str, Any]]) -> Any:
        saved: dict[tuple[int, PrimaryKey], tuple[Any, Any]] = {}
        named: list[moto_faults.ItemRef] = []
        try:
            for entry in transact_items:
                op_type, op = next(iter(entry.items()))
                table = self.tables[op["TableName"]]
                key = _table_key(table, _operation_key(op_type, op, table))
                saved[(id(table), key)] = (table, copy.deepcopy(_current(table, key)))
                named.append((op["TableName"], key))
        except (KeyError, TypeError, ValueError, StopIteration, AttributeError):
            # Malformed or naming a missing table: moto's own path answers with the right error.
            return original(self, transact_items)
        faults = moto_faults.active()
        if faults is not None:
            faults.before_transaction(named)  # may cancel it, as DynamoDB would, before any write
        with _shallow_table_copies():
            try:
                result = original(self, transact_items)
            except Exception:
                for (_, key), (table, item) in saved.items():
                    _put_back(table, key, item)
                raise
            finally:
                for (_, key), (table, _) in saved.items():
                    _refresh(table, key)
        if faults is not None:
            faults.after_transaction(named)
        return result

    return wrapper


def _faulted(original: Callable[..., Any], *, write: bool) -> Callable[..., Any]:
    """A single-item request (one call of a DynamoHandler action) meets the injected faults, if any."""

    @functools.wraps(original)
    def wrapper(self: Any) -> Any:
        faults = moto_faults.active()
        if faults is not None:
            body = self.body or {}
            name = str(body.get("TableName", ""))
            touched = _touched(self.dynamodb_backend, name, body.get("Key") or body.get("Item") or {})
            if write and touched is not None:
                faults.before_write((name, touched[1]))
            else:
                faults.before_request(name)
        return original(self)

    return wrapper


def _put_back(table: Any, key: PrimaryKey, item: Any) -> None:
    hash_value, range_value = key
    if table.range_key_attr:
        partition = table.items[hash_value]
        if item is None:
            partition.pop(range_value, None)
        else:
            partition[range_value] = item
    elif item is None:
        table.items.pop(hash_value, None)
    else:
        table.items[hash_value] = item


@contextmanager
def _shallow_table_copies() -> Iterator[None]:
    # moto's transaction deep-copies each table it names; the items it names are saved above.
    _state.shallow = True
    try:
        yield
    finally:
        _state.shallow = False


def _table_deepcopy(self: Any, memo: dict[int, Any]) -> Any:
    if getattr(_state, "shallow", False):
        return self
    cls = self.__class__
    clone = cls.__new__(cls)
    memo[id(self)] = clone
    for name, value in self.__dict__.items():
        if name != "_od_partition_index":
            clone.__dict__[name] = copy.deepcopy(value, memo)
    return clone


def _query(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def wrapper(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
        offered = _candidates(self, hash_key, index_name, kwargs.get("hash_key_conditions") or [])
        _state.offered = (self, offered) if offered is not None else None
        try:
            return original(self, hash_key, *args, **kwargs)
        finally:
            _state.offered = None

    return wrapper


def _all_items(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def wrapper(self: Any) -> Any:
        offered = getattr(_state, "offered", None)
        if offered is not None and offered[0] is self:
            return offered[1]
        return original(self)

    return wrapper


def _serialised(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with _lock:
            return original(*args, **kwargs)

    return wrapper


# Operations whose results are already DynamoDB's wire JSON once moto has turned them into dicts.
_WIRE_JSON_OPERATIONS = frozenset(
    {"GetItem", "Query", "PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchGetItem"}
    | {"BatchWriteItem", "TransactGetItems"}
)


def _wire_json(value: Any) -> bool:
    """Plain JSON types only, and no binary attribute (which the serializer base64-encodes)."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and k not in ("B", "BS") and _wire_json(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_wire_json(v) for v in value)
    return isinstance(value, str | int | float | bool)


def _direct_json(original: Callable[..., Any]) -> Callable[..., Any]:
    # moto's generic serializer walks the service model for every attribute of every item: for
    # item reads and writes the result is already the wire format, so it is written out directly.
    @functools.wraps(original)
    def wrapper(self: Any, context: Any) -> Any:
        if context.operation_model.name in _WIRE_JSON_OPERATIONS and _wire_json(self.result):
            return 200, {"Content-Type": "application/x-amz-json-1.0"}, json.dumps(self.result)
        return original(self, context)

    return wrapper


def _reused_clients(original: Callable[..., Any]) -> Callable[..., Any]:
    # Step Functions' interpreter builds a new boto3 client (loading the service model from disk)
    # for every Lambda task it runs; a client is thread-safe, so one per region and port serves all.
    made: dict[tuple[Any, ...], Any] = {}

    @functools.wraps(original)
    def wrapper(region: str, service: str, state_credentials: Any = None) -> Any:
        from moto.core.models import botocore_stubber
        from moto.settings import moto_server_port

        key = (region, service, botocore_stubber.enabled, moto_server_port())
        with _lock:
            if key not in made:
                made[key] = original(region, service, state_credentials)
            return made[key]

    return wrapper


def _parse_once(original: Callable[..., Any]) -> Callable[..., Any]:
    # Step Functions' interpreter parses the state machine's ASL with ANTLR's pure-Python runtime
    # for every execution (a fifth of the local stack's CPU). The parse tree of a definition never
    # changes, so it is kept; each execution still gets fresh components built from it, as before.
    trees: dict[str, Any] = {}

    def parse(definition: str) -> tuple[Any, Any]:
        from moto.stepfunctions.parser.asl.parse.preprocessor import Preprocessor

        tree = trees.get(definition)
        if tree is None:
            program, tree = original(definition)
            with _lock:
                trees[definition] = tree
            return program, tree
        return Preprocessor().visit(tree), tree

    return parse


_originals: list[tuple[Any, str, Any]] = []


def _replace(owner: Any, name: str, value: Any) -> None:
    _originals.append((owner, name, owner.__dict__.get(name)))
    setattr(owner, name, value)


def install() -> None:
    """Apply the changes above to moto in this process (idempotent)."""
    global _installed, _generation
    with _lock:
        if _installed:
            return
        _generation += 1
        from moto import backends
        from moto.dynamodb.models import DynamoDBBackend
        from moto.dynamodb.models.table import Table
        from moto.dynamodb.responses import DynamoHandler, DynamoResult

        _replace(Table, "query", _query(Table.query))
        _replace(Table, "all_items", _all_items(Table.all_items))
        _replace(Table, "__deepcopy__", _table_deepcopy)
        for write in ("put_item", "update_item", "delete_item"):
            _replace(DynamoDBBackend, write, _refresh_after(getattr(DynamoDBBackend, write)))
        _replace(
            DynamoDBBackend,
            "transact_write_items",
            _transact_write_items(DynamoDBBackend.transact_write_items),
        )
        _replace(DynamoHandler, "call_action", _serialised(DynamoHandler.call_action))
        writes = {
            "get_item": False,
            "query": False,
            "put_item": True,
            "update_item": True,
            "delete_item": True,
        }
        for action, writes_item in writes.items():
            _replace(DynamoHandler, action, _faulted(getattr(DynamoHandler, action), write=writes_item))
        _replace(DynamoResult, "execute_result", _direct_json(DynamoResult.execute_result))
        from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils
        from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

        _replace(
            AmazonStateLanguageParser, "parse", staticmethod(_parse_once(AmazonStateLanguageParser.parse))
        )

        _replace(lambda_eval_utils, "boto_client_for", _reused_clients(lambda_eval_utils.boto_client_for))
        # moto's server looks each request's service up by listing its own package directory.
        modules = tuple(backends.list_of_moto_modules())
        _replace(backends, "list_of_moto_modules", lambda: modules)
        _installed = True


def uninstall() -> None:
    """Give moto back its own behaviour (for tests that compare the two)."""
    global _installed
    with _lock:
        while _originals:
            owner, name, value = _originals.pop()
            if value is None:
                delattr(owner, name)
            else:
                setattr(owner, name, value)
        _installed = False
