"""Status list positions and the signed list, against DynamoDB and KMS (moto): positions are unique
and random, a full list hands over to the next, a revocation's bit rides in a transaction, and the list
is signed again exactly when it changed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import jwt
import pytest
from moto import mock_aws
from openbadgeslib.ob3.status import decode_encoded_list, set_indices

from odvalidation.certificates import status_list as sl
from odvalidation.dal import clients, signing, status_lists
from odvalidation.dal.signing import signing_jwks
from odvalidation.domain.errors import NotFound
from odvalidation.services import status_lists as service
from odvalidation.settings import settings

TABLE = "statuslist-test"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("TABLE_NAME", TABLE)
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://od.example.org")
    settings.cache_clear()
    clients.reset()
    signing.reset()
    with mock_aws():
        boto3.client("dynamodb", region_name="eu-west-2").create_table(
            TableName=TABLE,
            KeySchema=[
                {"AttributeName": "PK", "KeyType": "HASH"},
                {"AttributeName": "SK", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "PK", "AttributeType": "S"},
                {"AttributeName": "SK", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        kms = boto3.client("kms", region_name="eu-west-2")
        key = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
        yield key
    settings.cache_clear()
    clients.reset()
    signing.reset()


def payload(token: str) -> dict[str, Any]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def test_positions_are_unique_random_and_in_the_academy_s_list(aws: str) -> None:
    taken = [status_lists.allocate("london", aws, f"cert-{n}") for n in range(40)]
    assert {list_id for list_id, _ in taken} == {sl.list_id("london", aws, 0)}
    indexes = [index for _, index in taken]
    assert len(set(indexes)) == 40
    assert all(0 <= i < sl.LIST_SIZE for i in indexes)
    assert indexes != sorted(indexes)  # drawn at random, not in issuing order
    assert status_lists.allocate("kss", aws, "cert-x")[0] == sl.list_id("kss", aws, 0)


def test_a_taken_position_is_never_handed_out_again(aws: str, monkeypatch: pytest.MonkeyPatch) -> None:
    draws = iter([7, 7, 7, 9])
    monkeypatch.setattr(status_lists.secrets, "randbelow", lambda _n: next(draws))
    assert status_lists.allocate("london", aws, "first")[1] == 7
    assert status_lists.allocate("london", aws, "second")[1] == 9


def test_a_full_list_hands_over_to_the_next(aws: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(status_lists, "FILL_LIMIT", 2)
    lists = [status_lists.allocate("london", aws, f"cert-{n}")[0] for n in range(5)]
    assert lists == [sl.list_id("london", aws, n) for n in (0, 0, 1, 1, 2)]


def test_the_signed_list_shows_a_revocation_at_once_and_is_signed_again_only_then(
    aws: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    list_id, index = status_lists.allocate("london", aws, "cert-1")
    signs: list[bytes] = []
    real_sign = signing.KmsSigner.sign
    monkeypatch.setattr(signing.KmsSigner, "sign", lambda self, m: signs.append(m) or real_sign(self, m))

    first = service.signed_list(list_id)
    assert service.signed_list(list_id) == first  # kept: no second signature
    assert len(signs) == 1
    body = payload(first)
    assert body["iss"] == body["issuer"] == "https://od.example.org/academies/london"
    assert body["jti"] == body["id"] == sl.list_url("https://od.example.org", list_id)
    assert set_indices(decode_encoded_list(body["credentialSubject"]["encodedList"])) == frozenset()
    jwk = next(k for k in signing_jwks(aws)["keys"] if k["kid"] == jwt.get_unverified_header(first)["kid"])
    jwt.decode(first, jwt.PyJWK(jwk).key, algorithms=["ES256"])  # signed with the certificate key

    db = boto3.client("dynamodb", region_name="eu-west-2")
    update = status_lists.revoke_update(list_id, index)
    for _ in range(2):  # applied twice (a retried revocation): the same bit
        db.transact_write_items(TransactItems=[{"Update": {"TableName": TABLE, **update}}])
    after = service.signed_list(list_id)
    assert len(signs) == 2
    assert set_indices(decode_encoded_list(payload(after)["credentialSubject"]["encodedList"])) == {index}


def test_an_unknown_list_is_not_found(aws: str) -> None:
    with pytest.raises(NotFound):
        service.signed_list("london-00000000-0")
