"""Demo data for `make dev`: invented people, cohorts in several academies, and journeys at different
steps, all made through the HTTP API as a client would (so the data is exactly what the product makes)."""

from __future__ import annotations

from . import scenario
from .stack import LocalStack


def load(stack: LocalStack) -> None:
    north_west = scenario.cast(stack, academy="north-west", cohort_number=1, tag="nw")
    validated = scenario.register(north_west)
    scenario.reflect(north_west, validated)
    scenario.attend_workshop(north_west, validated)
    scenario.decide(north_west, validated, "ready_now")
    scenario.build_claim(north_west, validated)
    north_west.practitioner.api.wait_for(validated, lambda j: True, what="evidence checked")
    scenario.submit(north_west, validated)
    scenario.review(north_west, validated)
    scenario.interview(north_west, validated, "system_od_leader")
    north_west.practitioner.api.wait_for(validated, lambda j: bool(j["certificate_id"]), what="certificate")

    london = scenario.cast(
        stack, academy="london", cohort_number=2, tag="ldn", framework_key="global-practice@1.0"
    )
    in_claim = scenario.register(london)
    scenario.reflect(london, in_claim)
    scenario.attend_workshop(london, in_claim)
    scenario.decide(london, in_claim, "ready_now")
    london.practitioner.api.wait_step(in_claim, "claim_development")

    print("Demo users (password for all: " + scenario.PASSWORD + "):")
    for user in stack.demo_users.values():
        print(f"  {user.email:45} {', '.join(user.groups)}")
