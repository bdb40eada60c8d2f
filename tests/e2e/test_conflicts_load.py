"""Many journeys of ONE cohort moving at once, through the public HTTP API with real tokens, while the
local stack's DynamoDB answers as DynamoDB does under contention: transactions that name an item
another is writing are cancelled with TransactionConflict (every journey change updates its cohort's
and academy's counter items, so these journeys collide on them), more are cancelled at random, and
requests are throttled. Every journey must complete its steps with no error anyone sees, and the
cohort's and academy's counters must be exact: equal to a rebuild from the journeys' audit trails."""

from __future__ import annotations

import secrets
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from local import scenario
from local.client import ApiClient
from local.stack import LocalStack
from odvalidation.dal.store import store
from odvalidation.domain import reporting as r
from odvalidation.domain.models import AuditEvent, Journey
from odvalidation.services import journeys as js

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]

# An academy no other test uses, so that its counters are this test's alone.
ACADEMY = "west-midlands"
JOURNEYS = 8
POLL = 0.25  # as people would ask, not as fast as a test can


def _rebuilt(cohort_ids: list[str]) -> dict[str, dict[str, int]]:
    histories: list[tuple[Journey, list[AuditEvent]]] = []
    for cohort_id in cohort_ids:
        for journey in store().query_models(Journey, f"COHORT#{cohort_id}", index="GSI2", prefix="JOURNEY#"):
            histories.append((journey, store().audit_trail(journey.id)))
    return {scope: r.normalise(counts) for scope, counts in r.rebuild(histories).items()}


def _one_journey(stack: LocalStack, c: scenario.Cast, n: int) -> str:
    """One practitioner's steps 1 to 3, with the lead recording their workshop attendance."""
    me = scenario.cast(stack, join=c, tag=f"{secrets.token_hex(3)}{n}")
    me.practitioner.api.poll_every = POLL
    # A client of the lead's own for this thread (a requests.Session is not shared between threads).
    lead_api = ApiClient(stack.base_url, stack.token_for(c.lead.email), poll_every=POLL)
    me.lead = scenario.Person(email=c.lead.email, name=c.lead.name, api=lead_api, id=c.lead.id)
    journey_id = scenario.register(me)
    me.practitioner.api.wait_step(journey_id, "reflection", timeout=60)
    scenario.reflect(me, journey_id)
    me.practitioner.api.wait_step(journey_id, "workshop", timeout=60)
    scenario.attend_workshop(me, journey_id)
    me.practitioner.api.wait_step(journey_id, "decision", timeout=60)
    scenario.decide(me, journey_id, "ready_now")
    me.practitioner.api.wait_step(journey_id, "claim_development", timeout=60)
    return journey_id


def test_journeys_of_one_cohort_moving_at_once_all_complete_with_exact_counters(
    local_stack: LocalStack,
) -> None:
    c = scenario.cast(local_stack, academy=ACADEMY)
    # About 250 requests and transactions meet the faults: at 3% throttling, all of them escaping it
    # has odds of 1 in 2,000 (at 1% it was 1 in 12, as the draws' order follows the threads' timing).
    with (
        local_stack.inject_dynamodb_faults(
            window=0.02, conflict_rate=0.1, throttle_rate=0.03, seed=13
        ) as faults,
        ThreadPoolExecutor(max_workers=JOURNEYS) as pool,
    ):
        # Any error a person would see (a 409, a 503, a 500) fails the journey's thread and this test.
        journey_ids = list(pool.map(lambda n: _one_journey(local_stack, c, n), range(JOURNEYS)))
    injected: dict[str, Any] = dict(faults.counts)

    # DynamoDB did refuse: the journeys met real conflicts on shared items, and throttling.
    assert injected.get("transaction_conflict", 0) > 0, injected
    assert injected.get("transaction_conflict_by_rate", 0) > 0, injected
    assert injected.get("request_throttled", 0) + injected.get("transaction_throttled", 0) > 0, injected

    # Every journey completed its steps: waiting at claim development, no failure recorded.
    for journey_id in journey_ids:
        journey = store().journey(journey_id)
        assert journey.stage.value == "claim_development"
        assert journey.waiting_step == "claim_development"
        assert journey.failure is None
        assert journey.workshop_attended

    # The counters are exact: each change counted once, however often its transaction was sent.
    cohorts = [k.id for k in js.academy_cohorts(ACADEMY)]
    rebuilt = _rebuilt(cohorts)
    cohort_scope, academy_scope = r.cohort_scope(ACADEMY, c.cohort_id), r.academy_scope(ACADEMY)
    stored = store().counters("")
    assert r.normalise(stored[cohort_scope]) == rebuilt[cohort_scope]
    assert r.normalise(stored[academy_scope]) == rebuilt[academy_scope]
    # And what the lead sees: the cohort report counts every one of them.
    report = c.lead.api.get(f"/api/reports/cohorts/{c.cohort_id}")["report"]
    assert report["expressions_of_interest"] == JOURNEYS
    assert report["workshop_attended"] == JOURNEYS
    assert report["in_claim_development"] == JOURNEYS
