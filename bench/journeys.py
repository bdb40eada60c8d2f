"""The branches of a journey, driven through the HTTP API exactly as tests/e2e/test_journey_branches.py
drives them (local.scenario), so the benchmark measures what the end-to-end tests prove works."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from local import scenario
from local.stack import LocalStack
from odvalidation import clock


def _claim_and_review(c: scenario.Cast, journey_id: str, level: str, recommendation: str) -> None:
    scenario.build_claim(c, journey_id, level)
    scenario.wait_claim_complete(c, journey_id)
    scenario.submit(c, journey_id)
    scenario.review(c, journey_id, recommendation)


def _certificate(c: scenario.Cast, journey_id: str) -> None:
    c.practitioner.api.wait_for(journey_id, lambda j: bool(j["certificate_id"]), what="certificate")


def validated_leader(stack: LocalStack, c: scenario.Cast) -> str:
    journey_id = scenario.to_claim_development(c)
    _claim_and_review(c, journey_id, "system_od_leader", "system_od_leader")
    scenario.interview(c, journey_id, "system_od_leader")
    _certificate(c, journey_id)
    return journey_id


def validated_practitioner(stack: LocalStack, c: scenario.Cast) -> str:
    journey_id = scenario.to_claim_development(c)
    _claim_and_review(c, journey_id, "system_od_practitioner", "system_od_practitioner")
    scenario.interview(c, journey_id, "system_od_practitioner")
    _certificate(c, journey_id)
    return journey_id


def not_yet_then_validated(stack: LocalStack, c: scenario.Cast) -> str:
    journey_id = scenario.to_claim_development(c)
    _claim_and_review(c, journey_id, "system_od_leader", "not_yet")
    scenario.interview(c, journey_id, "not_yet")
    c.practitioner.api.wait_stage(journey_id, "not_yet_validated")
    c.practitioner.api.post(f"/api/journeys/{journey_id}/new-claim")
    _claim_and_review(c, journey_id, "system_od_leader", "system_od_leader")
    scenario.interview(c, journey_id, "system_od_leader")
    _certificate(c, journey_id)
    return journey_id


def deferred_then_validated(stack: LocalStack, c: scenario.Cast) -> str:
    journey_id = scenario.register(c)
    scenario.reflect(c, journey_id)
    scenario.attend_workshop(c, journey_id)
    reengage_on = (clock.now() + timedelta(days=400)).date().isoformat()
    scenario.decide(c, journey_id, "ready_12_18_months", reengage_on)
    c.practitioner.api.wait_stage(journey_id, "deferred")
    stack.advance_clock(days=401)
    scenario.decide(c, journey_id, "ready_now")
    _claim_and_review(c, journey_id, "system_od_leader", "system_od_leader")
    scenario.interview(c, journey_id, "system_od_leader")
    _certificate(c, journey_id)
    return journey_id


def further_development(stack: LocalStack, c: scenario.Cast) -> str:
    journey_id = scenario.register(c)
    scenario.reflect(c, journey_id)
    scenario.attend_workshop(c, journey_id)
    scenario.decide(c, journey_id, "further_development")
    c.practitioner.api.wait_stage(journey_id, "closed")
    return journey_id


def claim_lapsed(stack: LocalStack, c: scenario.Cast) -> str:
    journey_id = scenario.to_claim_development(c)
    c.practitioner.api.wait_step(journey_id, "claim_development")
    c.practitioner.api.put(f"/api/journeys/{journey_id}/claim", {"narratives": {"1.1": "A start."}})
    stack.advance_clock(days=200)
    c.practitioner.api.wait_stage(journey_id, "lapsed")
    return journey_id


BRANCHES: dict[str, Callable[[LocalStack, scenario.Cast], str]] = {
    "validated as leader": validated_leader,
    "validated as practitioner": validated_practitioner,
    "not yet, then validated on a second claim": not_yet_then_validated,
    "deferred 12-18 months, re-engaged, validated": deferred_then_validated,
    "further development (closed, signposted)": further_development,
    "claim deadline missed (lapsed)": claim_lapsed,
}
