"""Bitstring status lists in the table (certificates/status_list.py says what a list is).

Items, under `PK = STATUSLIST#<list id>`:
- `SK = LIST`: the list's state: `academy_id`, `key_id` (the key that signs it and its credentials),
  `used` (positions handed out), `revoked` (a number set of the revoked positions), `version` (one more
  at every revocation) and the last signed list (`token`, `token_version`, `token_until`) so that a
  request signs again only after a change or when the copy is half way through its validity.
- `SK = INDEX#<n>`: one per position handed out (the certificate id): created only if absent, so two
  certificates can never share a position, whatever runs at once.
- `PK = STATUSLIST`, `SK = CURRENT#<academy>#<key fingerprint>`: which list of that academy and key
  is being filled (a number; absent means 0).

A revocation sets its bit with `revoke_update`, an Update that rides in the revocation's own
transaction, so the list says "revoked" from the moment the record does.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import partial
from typing import Any

from botocore.exceptions import ClientError

from ..certificates.status_list import LIST_SIZE, list_id
from ..settings import settings
from .clients import client
from .retry import retried

# Fill a list to half its positions, then start the next: a random free position is then found in a
# couple of tries, and a list never gets so full that its positions could be counted from its bits.
FILL_LIMIT = LIST_SIZE // 2
CLAIM_ATTEMPTS = 32


@dataclass(frozen=True)
class ListState:
    list_id: str
    academy_id: str
    key_id: str
    revoked: frozenset[int]
    version: int
    token: str | None
    token_version: int | None
    token_until: str | None


def _key(the_list_id: str, sk: str = "LIST") -> dict[str, Any]:
    return {"PK": {"S": f"STATUSLIST#{the_list_id}"}, "SK": {"S": sk}}


def _conditional_failed(exc: ClientError) -> bool:
    return exc.response["Error"]["Code"] == "ConditionalCheckFailedException"


def _current_number(academy_id: str, key_id: str) -> tuple[dict[str, Any], int]:
    fingerprint = list_id(academy_id, key_id, 0).rsplit("-", 2)[-2]
    key = {"PK": {"S": "STATUSLIST"}, "SK": {"S": f"CURRENT#{academy_id}#{fingerprint}"}}
    db = client("dynamodb")
    table = settings().table_name
    found = retried(lambda: db.get_item(TableName=table, Key=key, ConsistentRead=True), what="GetItem")
    return key, int(found.get("Item", {}).get("number", {}).get("N", "0"))


def allocate(academy_id: str, key_id: str, certificate_id: str) -> tuple[str, int]:
    """A free position for a new certificate: (list id, index). Each step is a conditional write, so
    concurrent issuances never get the same position; a position claimed by an issuance that then lost
    its race stays unused (its bit is never set), which costs one of 131,072 positions."""
    db = client("dynamodb")
    table = settings().table_name
    current_key, number = _current_number(academy_id, key_id)
    while True:
        the_list_id = list_id(academy_id, key_id, number)
        try:
            retried(
                partial(
                    db.update_item,
                    TableName=table,
                    Key=_key(the_list_id),
                    UpdateExpression="SET academy_id = :a, key_id = :k ADD used :one",
                    ConditionExpression="attribute_not_exists(used) OR used < :limit",
                    ExpressionAttributeValues={
                        ":a": {"S": academy_id},
                        ":k": {"S": key_id},
                        ":one": {"N": "1"},
                        ":limit": {"N": str(FILL_LIMIT)},
                    },
                ),
                what="UpdateItem",
            )
            break
        except ClientError as exc:
            if not _conditional_failed(exc):
                raise
            number += 1  # this list is full: fill the next one, and remember that for later issuances
            _advance(current_key, number)
    for _ in range(CLAIM_ATTEMPTS):
        index = secrets.randbelow(LIST_SIZE)
        try:
            retried(
                partial(
                    db.put_item,
                    TableName=table,
                    Item=_key(the_list_id, f"INDEX#{index}") | {"certificate_id": {"S": certificate_id}},
                    ConditionExpression="attribute_not_exists(PK)",
                ),
                what="PutItem",
            )
            return the_list_id, index
        except ClientError as exc:
            if not _conditional_failed(exc):
                raise
    raise RuntimeError(f"no free position found in status list {the_list_id}")


def _advance(current_key: dict[str, Any], number: int) -> None:
    """Remember that lists before `number` are full (only ever forward, whoever writes first)."""
    db = client("dynamodb")
    try:
        retried(
            lambda: db.update_item(
                TableName=settings().table_name,
                Key=current_key,
                UpdateExpression="SET #n = :n",
                ConditionExpression="attribute_not_exists(#n) OR #n < :n",
                ExpressionAttributeNames={"#n": "number"},
                ExpressionAttributeValues={":n": {"N": str(number)}},
            ),
            what="UpdateItem",
        )
    except ClientError as exc:
        if not _conditional_failed(exc):
            raise


def revoke_update(the_list_id: str, index: int) -> dict[str, Any]:
    """The Update (for a transaction's `updates`) that sets a position's bit and marks the list changed.
    Adding to a set is idempotent, so a revocation applied twice sets the same bit."""
    return {
        "Key": _key(the_list_id),
        "UpdateExpression": "ADD revoked :i, version :one",
        "ExpressionAttributeValues": {":i": {"NS": [str(index)]}, ":one": {"N": "1"}},
    }


def read(the_list_id: str) -> ListState | None:
    db = client("dynamodb")
    table = settings().table_name
    out = retried(
        lambda: db.get_item(TableName=table, Key=_key(the_list_id), ConsistentRead=True), what="GetItem"
    )
    item = out.get("Item")
    if not item or "key_id" not in item:
        return None
    return ListState(
        list_id=the_list_id,
        academy_id=item["academy_id"]["S"],
        key_id=item["key_id"]["S"],
        revoked=frozenset(int(n) for n in item.get("revoked", {}).get("NS", [])),
        version=int(item.get("version", {}).get("N", "0")),
        token=item.get("token", {}).get("S"),
        token_version=int(item["token_version"]["N"]) if "token_version" in item else None,
        token_until=item.get("token_until", {}).get("S"),
    )


def keep_token(state: ListState, token: str, until: str) -> None:
    """Keep a freshly signed list for the next requests, unless a revocation landed meanwhile (then the
    next request signs the newer state)."""
    db = client("dynamodb")
    try:
        retried(
            lambda: db.update_item(
                TableName=settings().table_name,
                Key=_key(state.list_id),
                UpdateExpression="SET #t = :t, token_version = :v, token_until = :u",
                ConditionExpression="attribute_not_exists(version) OR version = :v",
                ExpressionAttributeNames={"#t": "token"},
                ExpressionAttributeValues={
                    ":t": {"S": token},
                    ":v": {"N": str(state.version)},
                    ":u": {"S": until},
                },
            ),
            what="UpdateItem",
        )
    except ClientError as exc:
        if not _conditional_failed(exc):
            raise
