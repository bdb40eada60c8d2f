"""Write docs/security.md's table of each function's AWS actions against its grants.

The grants are the template's own, resolved as the deploy resolves them (aws-sam-translator expands
the SAM policy templates; local/iam_template.py). What each function really does comes from a traced
run: a local stack, whose IAM check (local/iam.py) records every action a call needed and whether the
function's role allowed it, runs one practitioner's whole journey and the lead's and the person's own
actions around it. Nothing in the table is written by hand.

    .venv/bin/python tools/iam_table.py           # rewrite the table in docs/security.md
    .venv/bin/python tools/iam_table.py --check   # exit 1 if the table there differs

tests/e2e/test_iam_enforcement.py runs the same traced run on its stack and fails when the doc drifts.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from local import iam, iam_template, scenario  # noqa: E402
from local.deployed import ACCOUNT_ID, REGION, TEMPLATE, DeployedStack  # noqa: E402
from local.stack import LocalStack  # noqa: E402
from odvalidation.domain.frameworks import framework  # noqa: E402

DOC = REPO / "docs" / "security.md"
START = "<!-- iam-table:start: written by tools/iam_table.py from template.yaml and a traced run -->"
END = "<!-- iam-table:end -->"
STATE_MACHINE, SCHEDULER = "state machine", "scheduler"


def traced_run(stack: LocalStack) -> None:
    """One practitioner's journey from registration to certificate, with what happens around it: a
    file replaced, a lead's invitation, the certificate downloaded and verified, expiry reminders that
    fall due, the certificate revoked, the person's whole record made and downloaded, and the
    practitioner's erasure."""
    from local.client import ApiClient
    from odvalidation.dal import signing

    # As from a cold start: a public key cached by an earlier test's certificate (the stack's functions
    # share this process) would hide the issuing function's kms:GetPublicKey from the trace.
    signing.reset()
    c = scenario.cast(stack)
    journey_id = scenario.to_claim_development(c)
    scenario.build_claim(c, journey_id)
    scenario.wait_claim_complete(c, journey_id)
    first = framework(c.framework_key).elements[0].id
    scenario.upload(c.practitioner.api, journey_id, first, scenario.PDF, "replacement.pdf")
    scenario.wait_claim_complete(c, journey_id)
    scenario.submit(c, journey_id)
    scenario.review(c, journey_id)
    scenario.interview(c, journey_id, "system_od_leader")
    done = c.practitioner.api.wait_for(journey_id, lambda j: bool(j["certificate_id"]), what="certificate")
    certificate_id = str(done["journey"]["certificate_id"])
    c.practitioner.api.get(f"/api/certificates/{certificate_id}")
    ApiClient(stack.base_url).get(f"/api/public/certificates/{certificate_id}/status")
    c.lead.api.post(
        "/api/invitations",
        {
            "email": f"invited.{journey_id.lower()}@example.nhs.uk",
            "name": "Invited Member",
            "role": "panel",
            "academy_id": c.academy,
        },
    )
    # The person's whole record: the API invokes the archive function asynchronously; run it now.
    c.practitioner.api.post("/api/me/record", expect=202)
    stack.async_invokes.drain()
    c.practitioner.api.get("/api/me/record/link")
    # The expiry reminders fall due: the local scheduler fires them as the schedules' role.
    stack.advance_clock(days=3 * 365 - 89)
    c.lead.api.post(f"/api/certificates/{certificate_id}/revocation", {"reason": "Issued in error."})
    c.practitioner.api.post("/api/me/erasure", {"confirm": True})


def _readable(text: str, deployed: DeployedStack) -> str:
    """Physical names and ARNs as the template's logical ids, so the table does not change between
    deploys (KMS key ids are random)."""
    arns = {attrs["Arn"]: logical for logical, attrs in deployed.attributes.items() if "Arn" in attrs}
    # Resources whose Ref is their ARN and that have no Arn attribute (a secret: random suffix).
    arns.update({ref: logical for logical, ref in deployed.physical_ids.items() if ref.startswith("arn:")})
    for arn in sorted(arns, key=len, reverse=True):
        text = text.replace(arn, f"{{{arns[arn]}}}")
    return text.replace(ACCOUNT_ID, "{account}").replace(REGION, "{region}")


def principals(deployed: DeployedStack) -> dict[str, str]:
    """Table label -> role ARN: each function, the state machine and the scheduler."""
    registry = iam.registry()
    assert registry is not None, "no local stack enforces IAM in this process"
    found = {name.removeprefix("od-validation-"): arn for name, arn in sorted(registry.functions.items())}
    for logical, kind in deployed.types.items():
        if kind == "AWS::StepFunctions::StateMachine":
            found[STATE_MACHINE] = deployed.arn(f"{logical}Role")
    found[SCHEDULER] = deployed.global_environment["SCHEDULER_ROLE_ARN"]
    return found


def render(deployed: DeployedStack, traced: dict[tuple[str, str, str, str], str]) -> str:
    roles = iam_template.roles(TEMPLATE, deployed)
    used: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    for (label, action, resource, how), decision in traced.items():
        used[label.removeprefix("od-validation-")].add((action, resource, decision if how == "call" else how))
    lines = [
        "| Function or service role | Action granted | On | Used in the traced run |",
        "| --- | --- | --- | --- |",
    ]
    for label, role_arn in principals(deployed).items():
        calls = used.get(label, set())
        covered: set[tuple[str, str, str]] = set()
        for s in roles[role_arn].statements:
            if s.effect != "Allow":
                continue
            on = "<br>".join(f"`{_readable(r, deployed)}`" for r in s.resources)
            for action in s.actions:
                hits = {
                    c
                    for c in calls
                    if iam.matches(action, c[0], ignore_case=True)
                    and any(iam.matches(r, c[1]) for r in s.resources)
                }
                covered |= hits
                presigned = any(c[2] == "presigned" for c in hits)
                mark = "yes" if hits else "no"
                lines.append(f"| {label} | `{action}` | {on} | {mark}{' (presigned)' if presigned else ''} |")
        for action, resource, decision in sorted(calls - covered):
            lines.append(
                f"| {label} | `{action}` | `{_readable(resource, deployed)}` | **REFUSED**: {decision} |"
            )
    return "\n".join(lines)


def section(table: str) -> str:
    return f"{START}\n{table}\n{END}"


def current(doc: Path = DOC) -> str:
    text = doc.read_text()
    if START not in text or END not in text:
        return ""
    return text[text.index(START) : text.index(END) + len(END)]


def write(table: str, doc: Path = DOC) -> None:
    text = doc.read_text()
    old = current(doc)
    doc.write_text(
        text.replace(old, section(table)) if old else text.rstrip("\n") + "\n\n" + section(table) + "\n"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="fail if docs/security.md's table differs")
    args = parser.parse_args()
    with LocalStack(fire_schedules_every=None) as stack:
        iam.clear_trace()
        traced_run(stack)
        table = render(stack.deployed, iam.trace())
    if args.check:
        if current() != section(table):
            print("docs/security.md's IAM table is out of date: run tools/iam_table.py", file=sys.stderr)
            return 1
        return 0
    write(table)
    print(f"wrote the IAM table to {DOC.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
