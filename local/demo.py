"""`make demo`: on a fresh local stack, one practitioner walks all six steps to a certificate through
the HTTP API, as a client would, printing each step as it happens."""

from __future__ import annotations

import sys
import time

from . import scenario
from .stack import LocalStack


def main() -> int:
    started = time.monotonic()

    def say(text: str) -> None:
        print(f"[{time.monotonic() - started:5.1f}s] {text}", flush=True)

    with LocalStack(fire_schedules_every=0.5) as stack:
        say(f"local stack up: API at {stack.base_url}")
        c = scenario.cast(stack, tag="demo", cohort_number=3)
        say(f"academy lead {c.lead.name} created cohort {c.cohort_id}; panel pool of {len(c.panel)}")
        journey_id = scenario.register(c)
        say(f"{c.practitioner.name} expressed interest: journey {journey_id}")
        scenario.reflect(c, journey_id)
        say("step 1: reflection submitted (a rating and a note for each of 15 framework elements)")
        scenario.attend_workshop(c, journey_id)
        say("step 2: workshop attendance recorded by the lead")
        scenario.decide(c, journey_id, "ready_now")
        say("step 3: decision - ready to make a claim now")
        scenario.build_claim(c, journey_id)
        say("step 4: narratives written and a PDF uploaded straight to S3 for every element")
        status = scenario.wait_claim_complete(c, journey_id)
        say(
            f"        {status['completeness']['evidenced']} of {status['completeness']['total']} elements evidenced"
        )
        scenario.submit(c, journey_id)
        say("step 5: claim submitted; completeness checked; panel assigned and emailed")
        scenario.review(c, journey_id)
        say("        three panel members declared no conflict and reviewed every element")
        scenario.interview(c, journey_id, "system_od_leader")
        say("step 6: interview held; the chair recorded the outcome: system OD leader")
        final = c.practitioner.api.wait_for(
            journey_id, lambda j: bool(j["certificate_id"]), what="certificate"
        )
        cert = final["journey"]["certificate_id"]
        status = c.practitioner.api.get(f"/api/public/certificates/{cert}/status")
        say(f"certificate {cert}: {status['status']}")
        links = c.practitioner.api.get(f"/api/certificates/{cert}")["links"]
        print(f"\nVerify it:       {stack.base_url}/verify/{cert}")
        print(f"Status (JSON):   {stack.base_url}/api/public/certificates/{cert}/status")
        print(f"PDF (5 minutes): {links.get('pdf')}")
        print(f"Emails sent:     {len(stack.sent_emails())}")
        say("done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
