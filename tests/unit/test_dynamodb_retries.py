"""The one retry policy for DynamoDB's transient refusals (odvalidation.dal.retry), the store that uses
it, and the use cases that read again after a stale write (services.common.reapplied).

The policy's own tests use ClientErrors shaped as DynamoDB sends them; the store's run on moto with
local.moto_faults injecting DynamoDB's real cancellations and throttling."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.retries import standard
from moto import mock_aws
from samtranslator.yaml_helper import yaml_parse

from local import moto_faults, moto_tuning
from odvalidation.dal import clients, keys, retry
from odvalidation.dal.store import Change, store
from odvalidation.domain import reporting
from odvalidation.domain.errors import Conflict, StaleRead, TransientError
from odvalidation.domain.models import Journey, Stage
from odvalidation.services import common
from odvalidation.services.counting import counter_changes
from odvalidation.settings import settings

TABLE = "journeys-retry-test"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def cancelled(*codes: str) -> ClientError:
    """A TransactionCanceledException as botocore parses DynamoDB's answer."""
    return ClientError(
        {
            "Error": {"Code": "TransactionCanceledException", "Message": f"Transaction cancelled [{codes}]"},
            "CancellationReasons": [{"Code": c} for c in codes],
        },
        "TransactWriteItems",
    )


def failed(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": code}}, "PutItem")


class Flaky:
    """A DynamoDB call that refuses with the given errors, then answers."""

    def __init__(self, *errors: ClientError) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "done"


@pytest.fixture
def slept() -> list[float]:
    return []


def run(call: Flaky, slept: list[float], policy: retry.Backoff | None = None) -> str:
    return retry.retried(call, what="test", policy=policy, sleep=slept.append, rng=random.Random(7))


# ------------------------------------------------------------------ the policy


def test_a_transaction_conflict_is_sent_again_until_it_lands(slept: list[float]) -> None:
    call = Flaky(cancelled("None", "TransactionConflict"), cancelled("TransactionConflict", "None", "None"))
    assert run(call, slept) == "done"
    assert call.calls == 3
    assert len(slept) == 2


@pytest.mark.parametrize(
    "reason", ["ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded"]
)
def test_a_transaction_cancelled_for_capacity_is_sent_again(reason: str, slept: list[float]) -> None:
    call = Flaky(cancelled("None", reason, "None"))
    assert run(call, slept) == "done"
    assert call.calls == 2


def test_a_single_item_write_that_met_a_transaction_is_sent_again(slept: list[float]) -> None:
    call = Flaky(failed("TransactionConflictException"))
    assert run(call, slept) == "done"
    assert call.calls == 2


def test_retries_are_bounded_and_end_in_a_transient_error(slept: list[float]) -> None:
    policy = retry.Backoff(attempts=4, base=0.01, cap=0.05)
    call = Flaky(*[cancelled("None", "TransactionConflict")] * 10)
    with pytest.raises(TransientError) as raised:
        run(call, slept, policy)
    assert call.calls == 4
    assert len(slept) == 3
    assert raised.value.cause == "TransactionConflict"
    assert "try again" in raised.value.message
    # The class name is what the state machine's Retry matches.
    assert type(raised.value).__name__ == "TransientError"


@pytest.mark.parametrize(
    "reasons",
    [
        ("ConditionalCheckFailed", "None"),
        # A failed condition cancels the retry too, whatever else collided.
        ("ConditionalCheckFailed", "TransactionConflict"),
        ("None", "ValidationError"),
        ("None", "ItemCollectionSizeLimitExceeded", "TransactionConflict"),
    ],
)
def test_a_cancellation_asking_again_cannot_cure_is_not_retried(
    reasons: tuple[str, ...], slept: list[float]
) -> None:
    call = Flaky(cancelled(*reasons))
    with pytest.raises(ClientError):
        run(call, slept)
    assert call.calls == 1
    assert slept == []


@pytest.mark.parametrize(
    "code", ["ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"]
)
def test_throttling_botocore_has_retried_is_not_retried_again(code: str, slept: list[float]) -> None:
    call = Flaky(failed(code))
    with pytest.raises(TransientError) as raised:
        run(call, slept)
    assert call.calls == 1
    assert raised.value.cause == code


def test_other_errors_pass_through(slept: list[float]) -> None:
    call = Flaky(failed("ConditionalCheckFailedException"))
    with pytest.raises(ClientError):
        run(call, slept)
    assert call.calls == 1


def test_botocore_retries_throttling_itself_but_never_a_transaction_conflict() -> None:
    """The split above rests on botocore's standard retry mode (dal/clients.py uses it)."""
    throttled = set(standard.ThrottledRetryableChecker._THROTTLED_ERROR_CODES)
    transient = set(standard.TransientRetryableChecker._TRANSIENT_ERROR_CODES)
    assert throttled >= retry.RETRIED_BY_BOTOCORE
    for code in ("TransactionCanceledException", "TransactionConflictException"):
        assert code not in throttled | transient
    assert clients._CONFIG.retries["mode"] == "standard"


def test_the_jitter_is_full_and_bounded() -> None:
    policy = retry.Backoff(attempts=8, base=0.025, cap=1.0)
    rng = random.Random(1)
    for n in range(policy.attempts):
        ceiling = min(policy.cap, policy.base * 2**n)
        delays = [policy.delay(n, rng) for _ in range(200)]
        assert all(0.0 <= d <= ceiling for d in delays)
        # Full jitter: spread over the whole range, so two callers that collided rarely collide again.
        assert min(delays) < ceiling * 0.1
        assert max(delays) > ceiling * 0.9
    worst = sum(min(policy.cap, policy.base * 2**n) for n in range(policy.attempts - 1))
    assert worst < 3.0  # a request gives up within seconds, well inside API Gateway's 29 s


# ------------------------------------------------------------------ the store, on moto with faults


def _table_properties() -> dict[str, Any]:
    template = yaml_parse((Path(__file__).parents[2] / "template.yaml").read_text())
    props = template["Resources"]["JourneyTable"]["Properties"]
    keep = ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "BillingMode")
    return {k: props[k] for k in keep if k in props}


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for k, v in {
        "AWS_DEFAULT_REGION": "eu-west-2",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "TABLE_NAME": TABLE,
    }.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    # Short pauses: the tests count attempts, not seconds.
    monkeypatch.setattr(retry, "POLICY", retry.Backoff(attempts=8, base=0.001, cap=0.004))
    clients.reset()
    settings.cache_clear()
    store.cache_clear()
    with mock_aws():
        moto_tuning.install()
        boto3.client("dynamodb").create_table(TableName=TABLE, **_table_properties())
        yield TABLE
    moto_tuning.uninstall()
    clients.reset()
    settings.cache_clear()
    store.cache_clear()


def new_journey(n: int, cohort: str = "c1") -> Journey:
    return Journey(
        id=f"j{n}",
        practitioner_id=f"p{n}",
        cohort_id=cohort,
        academy_id="north-west",
        framework_key="nw-cipd-combined@1.0",
        stage=Stage.REFLECTION,
        created_at=T0,
        updated_at=T0,
        stage_entered_at=T0,
    )


def created(j: Journey) -> Change:
    return Change(journey=j, expected_version=None, counters=counter_changes(None, j, T0))


def test_journeys_of_one_cohort_all_land_through_conflicts_and_the_counters_are_exact(table: str) -> None:
    with moto_faults.injected(conflict_rate=0.5, throttle_rate=0.1, seed=3, tables={table}) as faults:
        for n in range(30):
            store().commit(created(new_journey(n)))
    assert faults.counts["transaction_conflict_by_rate"] > 5
    assert faults.counts["transaction_throttled"] > 0
    for n in range(30):
        assert store().journey(f"j{n}").version == 0
    # Counted once each: a cancelled transaction added nothing, a retried one added once.
    expected: dict[str, list[dict[str, int]]] = {}
    for n in range(30):
        for scope, deltas in counter_changes(None, new_journey(n), T0).items():
            expected.setdefault(scope, []).append(deltas)
    stored = store().counters("")
    assert {s: reporting.normalise(stored[s]) for s in expected} == {
        s: reporting.combine(d) for s, d in expected.items()
    }


def test_a_change_that_stays_in_conflict_fails_busy_and_writes_nothing(table: str) -> None:
    store().commit(created(new_journey(1)))
    before = store().counters("")
    j = store().journey("j1")
    change = Change(
        journey=j.model_copy(update={"stage": Stage.WORKSHOP}),
        expected_version=j.version,
        counters=counter_changes(j, j.model_copy(update={"stage": Stage.WORKSHOP}), T0),
    )
    with (
        moto_faults.injected(conflict_rate=0.99, seed=1, tables={table}) as faults,
        pytest.raises(TransientError),
    ):
        store().commit(change)
    assert faults.counts["transaction_conflict_by_rate"] == retry.POLICY.attempts
    assert store().journey("j1").version == j.version
    assert store().counters("") == before


def test_a_transaction_held_by_another_cancels_and_lands_once_it_is_done(
    table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window model: a transaction writing the cohort's counters holds them for a moment; the next
    journey's transaction, which names the same counters, is cancelled, retried, and lands."""
    # A window far longer than two requests take, and pauses that add up to more than it.
    monkeypatch.setattr(retry, "POLICY", retry.Backoff(attempts=12, base=0.1, cap=0.2))
    monkeypatch.setattr(retry, "_rng", random.Random(0))
    with moto_faults.injected(window=0.3, tables={table}) as faults:
        store().commit(created(new_journey(1)))
        store().commit(created(new_journey(2)))
    assert faults.counts["transaction_conflict"] >= 1
    assert store().journey("j2").version == 0


def test_a_stale_version_is_not_sent_again_by_the_store(table: str) -> None:
    store().commit(created(new_journey(1)))
    j = store().journey("j1")
    store().commit(Change(journey=j, expected_version=j.version))
    with moto_faults.injected(tables={table}) as faults, pytest.raises(StaleRead):
        store().commit(Change(journey=j, expected_version=j.version))
    assert faults.counts["transaction_conflict"] == 0


# ------------------------------------------------------------------ use cases read again


def test_a_use_case_reads_again_and_re_applies_when_its_write_was_stale(table: str) -> None:
    store().commit(created(new_journey(1)))
    runs: list[int] = []

    @common.reapplied()
    def note(journey_id: str) -> Journey:
        j = store().journey(journey_id)
        runs.append(j.version)
        if len(runs) == 1:  # someone else's change lands between this read and this write
            store().commit(common.updated(j, actor="other", action="other change"))
        return store().commit(common.updated(j, actor="me", action="my change"))

    stored = note("j1")
    assert runs == [0, 1]
    assert stored.version == 2
    actions = [e.action for e in store().audit_trail("j1")]
    assert "other change" in actions
    assert "my change" in actions


def test_a_use_case_that_keeps_losing_gives_a_person_409_and_a_task_a_transient_error(table: str) -> None:
    store().commit(created(new_journey(1)))

    def always_stale(journey_id: str) -> Journey:
        j = store().journey(journey_id)
        store().commit(common.updated(j, actor="other", action="other change"))
        return store().commit(common.updated(j, actor="me", action="my change"))

    with pytest.raises(StaleRead) as person:
        common.reapplied()(always_stale)("j1")
    assert isinstance(person.value, Conflict)
    with pytest.raises(TransientError):
        common.reapplied(task=True)(always_stale)("j1")
    assert store().journey("j1").version == 2 * common.REAPPLY_ATTEMPTS


def test_a_version_conflict_on_a_versioned_item_is_a_stale_read(table: str) -> None:
    item = {"PK": {"S": "JOURNEY#j9"}, "SK": {"S": "CLAIM#1"}, "version": {"N": "1"}}
    store().put_versioned(item, 0)
    with pytest.raises(StaleRead):
        store().put_versioned(item, 0)


def test_keys_of_the_counters_are_the_ones_every_journey_shares() -> None:
    """Why conflicts are expected at all: two journeys of one cohort name the same counter items."""
    a, b = new_journey(1), new_journey(2)
    assert set(counter_changes(None, a, T0)) == set(counter_changes(None, b, T0))
    assert keys.COUNTERS_PK


def test_botocore_sends_a_throttled_request_again_but_a_cancelled_transaction_once(table: str) -> None:
    """Counted on the wire: the store's policy must do for conflicts what botocore does not."""
    sent: list[str] = []
    # botocore's max_attempts counts retries, not the first request.
    client = boto3.client("dynamodb", config=Config(retries={"mode": "standard", "max_attempts": 1}))
    client.meta.events.register("before-send.dynamodb.*", lambda request, **_: sent.append(request.url))
    item = {"PK": {"S": "A"}, "SK": {"S": "B"}}
    with (
        moto_faults.injected(conflict_rate=0.999, tables={table}),
        pytest.raises(ClientError) as cancelled_error,
    ):
        client.transact_write_items(TransactItems=[{"Put": {"TableName": table, "Item": item}}])
    assert cancelled_error.value.response["CancellationReasons"] == [
        {"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"}
    ]
    assert len(sent) == 1
    sent.clear()
    with moto_faults.injected(throttle_rate=0.999, tables={table}), pytest.raises(ClientError) as throttled:
        client.get_item(TableName=table, Key=item)
    assert throttled.value.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
    assert len(sent) == 2


def test_the_api_answers_busy_with_a_503_a_person_can_act_on() -> None:
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver

    from odvalidation.api import errors

    app = APIGatewayRestResolver()
    errors.register(app)

    @app.post("/api/things")
    def save() -> dict[str, str]:
        raise retry.busy("TransactionConflict")

    event = {
        "httpMethod": "POST",
        "path": "/api/things",
        "resource": "/api/things",
        "headers": {},
        "multiValueHeaders": {},
        "requestContext": {"requestId": "r1", "stage": "v1"},
        "body": None,
        "isBase64Encoded": False,
    }
    answer = app.resolve(event, {})
    assert answer["statusCode"] == 503
    assert "try again" in answer["body"]
    assert "TransactionConflict" not in answer["body"]
    assert answer["multiValueHeaders"]["Retry-After"] == ["2"]
