"""A small smoke of the stack-backed benchmarks (cost, scale, throughput) at tiny sizes, so that
`make bench` keeps working. Nothing is timed; the counts are checked for sense."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench import cost, scale, throughput
from bench.meter import Meter, item_size
from local.stack import LocalStack
from odvalidation.dal import clients

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]


@pytest.fixture
def meter(local_stack: LocalStack) -> Iterator[Meter]:
    m = Meter()
    m.install()
    clients.reset()  # the product's cached clients are made again, now with the hook
    db = local_stack.client("dynamodb")
    m.size_of = lambda table, key: item_size(
        db.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item") or {}
    )
    yield m
    m.uninstall()


def test_cost_of_a_short_journey_is_counted(local_stack: LocalStack, meter: Meter) -> None:
    _, (result,) = cost.run(local_stack, meter, ["further development (closed, signposted)"])
    assert result.transitions >= 3
    assert result.executions == 1
    assert result.invocations["await_step"] >= 3  # reflection, workshop, decision
    assert result.emails >= 1  # the signposting email
    assert result.wru > 0
    assert result.total > 0
    assert ("stepfunctions", "SendTaskSuccess") in result.calls
    # Round trips per request: the API routes that drove the journey and the pages viewed along it.
    routes = {r.route for r in result.requests}
    assert "POST /api/journeys" in routes
    assert "GET /journeys/<journey_id>/decision" in routes
    assert all(r.status for r in result.requests)
    journey_page = [r for r in result.requests if r.route == "GET /journeys/<journey_id>"]
    assert journey_page
    assert max(r.sequential for r in journey_page) <= 2  # one Query of its collection, one BatchGetItem


def test_scale_reads_the_same_counters_at_two_sizes(local_stack: LocalStack, meter: Meter) -> None:
    section = scale.run(local_stack, meter, (20, 60), repeats=1)
    by_name = {f.name: f for f in section.figures}
    assert by_name["National report: items read, largest / smallest size"].met
    assert by_name["Scan calls during the scale benchmark"].value == "0"


@pytest.mark.parametrize(
    ("environments", "api_part"), [(0, "Lambda: api"), (1, "Lambda: api (in its environments)")]
)
def test_throughput_completes_a_journey(
    local_stack: LocalStack, meter: Meter, environments: int, api_part: str
) -> None:
    section = throughput.run(
        local_stack, meter, journeys=1, threads=1, environments=environments, poll_every=0.1
    )
    assert section.figures[0].value == "1 of 1"
    # The profile names the parts that did the work: the API handler and DynamoDB behind it, wherever
    # the handler ran (this process, or a worker process that reports its CPU back).
    parts = {row[0]: row for row in section.tables[0][2]}
    assert api_part in parts
    assert parts[api_part][3] != "0 ms"
    assert any(p.startswith("moto: dynamodb") for p in parts)
