"""The AWS calls a person waits for, per route, stay where issue 19 brought them (bench/roundtrips.py
measures the same way for docs/performance.md section 2).

One complete journey (validated as a practitioner) is driven through the HTTP API with the pages each
person views along it, on the shared local stack with the benchmark's meter hooked in: every call a handler
makes while its request waits is counted, and calls made at once (dal/parallel.py) count as their longest
branch. A change that reads or writes one item after another again fails here.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from bench import cost
from bench.meter import Meter, Request, item_size
from local.stack import LocalStack
from odvalidation.dal import clients

pytestmark = pytest.mark.xdist_group("local_stack")

# Route -> the most sequential AWS calls one request may make (measured, then held). Exact: calls made at
# once (dal/parallel.py) are counted from how they were made (bench/meter.py: a wave counts its longest
# branch), not from whether their threads happened to overlap on this machine.
CEILING = {
    # The journey (GetItem), then the evidence item and its grant in one TransactWriteItems.
    "api: POST /api/journeys/<journey_id>/evidence": 2,
    # The journey's items (one Query: panel, interview, outcome, evidence); the transaction; the resume
    # with the tagging of every object at once: 8 at a time, so the journey's 10 files take two.
    "api: POST /api/journeys/<journey_id>/outcome": 4,
    # The journey's items (one Query), the transaction, the invitations handed to Notify (an
    # asynchronous invoke): the emails are sent after the answer.
    "api: POST /api/journeys/<journey_id>/interview": 3,
    # The journey and its interview (one Query), the transaction.
    "api: POST /api/journeys/<journey_id>/interview/held": 2,
    # The journey's items (one Query: claim, evidence); the transaction; the resume. The confirmation and
    # the reminders' deletes are the workflow's NotifySubmitted task, after the answer.
    "api: POST /api/journeys/<journey_id>/submission": 3,
    # The cohort, the profile and the enrolment in one BatchGetItem; the transaction; the execution.
    "api: POST /api/journeys": 3,
    # Journey; panel; one transaction (the panel versioned, the seat's copy, the trail).
    "api: POST /api/journeys/<journey_id>/panel/declaration": 3,
    # The journey's items (one Query: panel, claim, every review, own draft, interview); one transaction
    # (the review, its draft removed, the trail and, for the last review, the step closed); the resume.
    # The reminders' deletes and the leads' alert are the workflow's NotifyReviewsIn task.
    "api: PUT /api/journeys/<journey_id>/panel/review": 3,
    # Cohorts and alerts at once, then journeys (Queries at once) and alerts' journeys, then one
    # BatchGetItem each of interviews and of alerts' facts and names (at once).
    "web: GET /lead": 3,
    # The cohort and the journeys in one BatchGetItem; each journey's transaction and resume, at once.
    "api: POST /api/cohorts/<cohort_id>/attendance": 3,
    # The journey and its reflection in one Query; the transaction; the resume.
    "api: PUT /api/journeys/<journey_id>/reflection": 3,
    # The journey's items in one Query, then the practitioner and the reviewers in one BatchGetItem.
    "web: GET /panel/<journey_id>/reviews": 2,
}


@pytest.fixture(scope="module")
def requests(local_stack: LocalStack) -> dict[str, list[Request]]:
    meter = Meter()
    meter.install()  # hooks the clients made from now on: the product's are made again
    clients.reset()
    db = local_stack.client("dynamodb")
    meter.size_of = lambda table, key: item_size(
        db.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item") or {}
    )
    try:
        result = cost.run_branch(local_stack, meter, "validated as practitioner")
    finally:
        meter.uninstall()
        clients.reset()
    by_route: dict[str, list[Request]] = defaultdict(list)
    for r in result.requests:
        if not r.poll:
            by_route[f"{r.function}: {r.route}"].append(r)
    return by_route


@pytest.mark.parametrize("route", sorted(CEILING))
def test_the_route_makes_no_more_sequential_calls_than_it_did(
    requests: dict[str, list[Request]], route: str
) -> None:
    made = requests.get(route)
    assert made, f"the journey made no request to {route}"
    worst = max(made, key=lambda r: r.sequential)
    calls = [f"{service} {op}" for _, _, service, op in sorted(worst.calls)]
    assert worst.sequential <= CEILING[route], (route, worst.sequential, calls)


def test_an_upload_link_reads_only_the_journey_and_writes_item_and_grant_together(
    requests: dict[str, list[Request]],
) -> None:
    for r in requests["api: POST /api/journeys/<journey_id>/evidence"]:
        assert [op for _, _, _, op in sorted(r.calls)] == ["GetItem", "TransactWriteItems"]
        assert r.items_written == 2  # the evidence item and its upload grant


def test_the_median_request_makes_at_most_two_sequential_calls(requests: dict[str, list[Request]]) -> None:
    counts = sorted(r.sequential for rs in requests.values() for r in rs)
    assert counts[len(counts) // 2] <= 2, counts


def test_no_request_makes_more_than_four_sequential_calls(requests: dict[str, list[Request]]) -> None:
    """Issue 19's ceiling for every route and page the journey used, listed or not: what a request need
    not wait for (emails, the reminders' deletes, the leads' alerts) is done after its answer."""
    over = {
        route: [f"{service} {op}" for _, _, service, op in sorted(worst.calls)]
        for route, made in requests.items()
        if (worst := max(made, key=lambda r: r.sequential)).sequential > 4
    }
    assert not over, over
