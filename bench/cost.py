"""Cost per journey: every AWS call, Lambda invocation and duration, state transition and email of
one complete journey of each branch on the local stack, priced at eu-west-2 list prices."""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from local import scenario
from local.stack import LocalStack

from .common import Section
from .journeys import BRANCHES
from .meter import OUTSIDE, POLL, Meter, Request
from .pages import end_of_journey, viewing_pages

PRICE_DATE = "2026-11-27"
COST_TARGET = 0.005
TRANSITIONS_TARGET = 40

# US dollars, Europe (London) eu-west-2, on-demand list prices; storage and free tiers aside.
PRICES: dict[str, tuple[float, str, str]] = {
    "lambda_request": (0.20 / 1e6, "$0.20 per 1M requests", "AWS Lambda Pricing"),
    "lambda_gb_s": (0.0000133334, "$0.0000133334 per GB-second, Arm (first tier)", "AWS Lambda Pricing"),
    "sfn_transition": (
        0.025 / 1000,
        "$0.025 per 1,000 state transitions (Standard)",
        "AWS Step Functions Pricing",
    ),
    "ddb_wru": (
        0.7425 / 1e6,
        "$0.7425 per 1M write request units (on-demand, Standard table)",
        "Amazon DynamoDB Pricing for On-Demand Capacity",
    ),
    "ddb_rru": (
        0.1485 / 1e6,
        "$0.1485 per 1M read request units (on-demand, Standard table)",
        "Amazon DynamoDB Pricing for On-Demand Capacity",
    ),
    "s3_put": (
        0.0053 / 1000,
        "$0.0053 per 1,000 PUT, COPY, POST, LIST requests (S3 Standard)",
        "Amazon S3 Pricing",
    ),
    "s3_get": (
        0.00042 / 1000,
        "$0.00042 per 1,000 GET, SELECT and other requests (S3 Standard)",
        "Amazon S3 Pricing",
    ),
    "ses_email": (0.10 / 1000, "$0.10 per 1,000 outbound emails", "Amazon SES Pricing"),
    "kms_request": (
        0.03 / 10000,
        "$0.03 per 10,000 requests (symmetric)",
        "AWS Key Management Service Pricing",
    ),
    "kms_asymmetric": (
        0.15 / 10000,
        "$0.15 per 10,000 asymmetric requests (ECC sign, get public key)",
        "AWS Key Management Service Pricing",
    ),
    "scheduler_invocation": (
        1.00 / 1e6,
        "$1.00 per 1M scheduled invocations",
        "Amazon EventBridge Pricing (Scheduler)",
    ),
    "apigw_request": (
        3.50 / 1e6,
        "$3.50 per 1M REST API requests (first 333M)",
        "Amazon API Gateway Pricing",
    ),
}

S3_PUT_CLASS = {"PutObject", "CopyObject", "ListObjectsV2", "ListObjects", "PutObjectTagging", "PostObject"}
S3_GET_CLASS = {"GetObject", "HeadObject", "GetObjectTagging"}
KMS_ASYMMETRIC = {"Sign", "Verify", "GetPublicKey"}


@dataclass
class JourneyCost:
    branch: str
    journey_id: str
    transitions: int
    executions: int
    calls: Counter[tuple[str, str]]  # (service, op) made by handlers
    invocations: Counter[str]
    gb_seconds: float
    rru: float
    wru: float
    emails: int
    uploads: int
    fired_schedules: int
    api_requests: int
    polls: int
    lines: dict[str, float]
    requests: list[Request]

    @property
    def total(self) -> float:
        return sum(self.lines.values())


def state_transitions(stack: LocalStack, journey_id: str) -> tuple[int, int]:
    """(states entered, executions) over every execution of the journey's state machine."""
    sfn = stack.client("stepfunctions")
    arn = stack.deployed.global_environment["STATE_MACHINE_ARN"]
    transitions = executions = 0
    pages = sfn.get_paginator("list_executions").paginate(stateMachineArn=arn)
    for page in pages:
        for ex in page["executions"]:
            described = sfn.describe_execution(executionArn=ex["executionArn"])
            if json.loads(described.get("input") or "{}").get("journey_id") != journey_id:
                continue
            executions += 1
            token = None
            while True:
                kw: dict[str, Any] = {"executionArn": ex["executionArn"], "maxResults": 1000}
                if token:
                    kw["nextToken"] = token
                history = sfn.get_execution_history(**kw)
                transitions += sum(1 for e in history["events"] if e["type"].endswith("StateEntered"))
                token = history.get("nextToken")
                if not token:
                    break
    return transitions, executions


def price(meter: Meter, emails: int, uploads: int, fired: int, transitions: int) -> dict[str, Any]:
    """Priced lines and the counts behind them, for what the meter saw since its reset."""
    handler_calls: Counter[tuple[str, str]] = Counter()
    for (function, service, op), n in meter.calls.items():
        if function not in (OUTSIDE, POLL):
            handler_calls[(service, op)] += n
    billable = [i for i in meter.invocations if not i.poll]
    # Lambda bills duration rounded up to the millisecond, at the function's memory.
    gb_s = sum(math.ceil(i.seconds * 1000) / 1000 * i.memory_mb / 1024 for i in billable)
    front = sum(1 for i in billable if i.function in ("api", "web"))
    s3_put = sum(n for (s, op), n in handler_calls.items() if s == "s3" and op in S3_PUT_CLASS) + uploads
    s3_get = sum(n for (s, op), n in handler_calls.items() if s == "s3" and op in S3_GET_CLASS)
    kms_asym = sum(n for (s, op), n in handler_calls.items() if s == "kms" and op in KMS_ASYMMETRIC)
    kms_sym = sum(n for (s, op), n in handler_calls.items() if s == "kms" and op not in KMS_ASYMMETRIC)
    rru = sum(v for k, v in meter.rru.items() if k not in (OUTSIDE, POLL))
    wru = sum(v for k, v in meter.wru.items() if k not in (OUTSIDE, POLL))
    p = {k: v[0] for k, v in PRICES.items()}
    lines = {
        "Lambda requests": len(billable) * p["lambda_request"],
        "Lambda duration": gb_s * p["lambda_gb_s"],
        "Step Functions transitions": transitions * p["sfn_transition"],
        "DynamoDB writes": wru * p["ddb_wru"],
        "DynamoDB reads": rru * p["ddb_rru"],
        "S3 requests": s3_put * p["s3_put"] + s3_get * p["s3_get"],
        "SES email": emails * p["ses_email"],
        "KMS requests": kms_asym * p["kms_asymmetric"] + kms_sym * p["kms_request"],
        "Scheduler invocations": fired * p["scheduler_invocation"],
        "API Gateway requests": front * p["apigw_request"],
    }
    return {
        "lines": lines,
        "handler_calls": handler_calls,
        "gb_s": gb_s,
        "rru": rru,
        "wru": wru,
        "front": front,
        "invocations": Counter(i.function for i in billable),
        "polls": sum(1 for i in meter.invocations if i.poll),
    }


def run_branch(stack: LocalStack, meter: Meter, branch: str) -> JourneyCost:
    c = scenario.cast(stack)  # people, panel pool and cohort: set-up, not the journey's cost
    uploads = 0
    original_upload = scenario.upload

    def counted_upload(*args: Any, **kwargs: Any) -> str:
        nonlocal uploads
        uploads += 1  # a browser's presigned POST straight to S3: one S3 POST request
        return original_upload(*args, **kwargs)

    emails_before = sum(len(m.to) for m in stack.sent_emails())
    fired_before = len(stack.fired)
    meter.reset()
    scenario.upload = counted_upload
    _poll_while_waiting(c, meter)
    try:
        with viewing_pages(stack, meter) as tour:
            journey_id = BRANCHES[branch](stack, c)
            _settle(stack, c, journey_id)
            end_of_journey(tour, c, journey_id)
    finally:
        scenario.upload = original_upload
    emails = sum(len(m.to) for m in stack.sent_emails()) - emails_before
    fired = len(stack.fired) - fired_before
    transitions, executions = state_transitions(stack, journey_id)
    priced = price(meter, emails, uploads, fired, transitions)
    return JourneyCost(
        branch=branch,
        journey_id=journey_id,
        transitions=transitions,
        executions=executions,
        calls=priced["handler_calls"],
        invocations=priced["invocations"],
        gb_seconds=priced["gb_s"],
        rru=priced["rru"],
        wru=priced["wru"],
        emails=emails,
        uploads=uploads,
        fired_schedules=fired,
        api_requests=priced["front"],
        polls=priced["polls"],
        lines=priced["lines"],
        requests=list(meter.requests),
    )


def _poll_while_waiting(c: scenario.Cast, meter: Meter) -> None:
    """Mark the harness's polling (ApiClient.wait_for) so that its requests are not billed to the
    journey: a person loads a page per step, not ten a second."""
    for person in [c.practitioner, c.lead, *c.panel]:
        api = person.api
        if getattr(api, "_bench_wrapped", False):
            continue
        original = api.wait_for

        def wait_for(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
            meter.polling.set()
            try:
                return _original(*args, **kwargs)
            finally:
                meter.polling.clear()

        api.wait_for = wait_for  # type: ignore[method-assign]
        api._bench_wrapped = True  # type: ignore[attr-defined]


def _settle(stack: LocalStack, c: scenario.Cast, journey_id: str) -> None:
    """Wait until no execution of the journey is running (the last notification may still be in flight)."""
    import time

    sfn = stack.client("stepfunctions")
    arn = stack.deployed.global_environment["STATE_MACHINE_ARN"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        running = [
            e
            for e in sfn.list_executions(stateMachineArn=arn, statusFilter="RUNNING")["executions"]
            if e["name"].startswith(journey_id)
        ]
        # A journey that ends at a callback step (closed, lapsed) leaves no execution waiting.
        if not running:
            return
        time.sleep(0.2)


def run(
    stack: LocalStack, meter: Meter, branches: list[str] | None = None
) -> tuple[Section, list[JourneyCost]]:
    results = [run_branch(stack, meter, b) for b in (branches or list(BRANCHES))]
    section = Section(
        "3. Cost per journey",
        intro=(
            "One complete journey of each branch, driven through the HTTP API on the local stack "
            "(`local.scenario`, as the end-to-end tests do), with the pages each person views along it "
            "(section 2). Counted: every AWS call a Lambda handler "
            "made (a botocore `after-call` hook on every client in the process, attributed to the "
            "handler running on that thread), every Lambda invocation (wrapping "
            "`local.dispatch.invoke_in_process`, which the HTTP front, Step Functions' tasks, S3 "
            "notifications and schedules all go through), the state transitions of every execution "
            "of the journey (`get_execution_history`: each `...StateEntered` event), emails sent (by "
            "recipient), evidence uploads (a browser's presigned POST to S3) and schedules fired. "
            "Not counted: setting up the cast (people, panel pool, cohort), the local stack's own "
            "calls, and the harness's polling of the journey (shown in its own column). DynamoDB "
            "request units are computed from item sizes by DynamoDB's rules (1 KB per write unit, "
            "4 KB per read unit, x2 in a transaction, x0.5 for eventually consistent reads). Lambda "
            "duration is the handler's time on this machine, at the function's memory size. "
            "Storage (DynamoDB, S3, KMS key-months) and free tiers are left out."
        ),
    )
    rows = []
    for r in results:
        ok_cost = r.total <= COST_TARGET
        ok_tr = r.transitions <= TRANSITIONS_TARGET
        section.add(f"{r.branch}: cost", f"${r.total:.5f}", f"<= ${COST_TARGET}", ok_cost)
        section.add(f"{r.branch}: state transitions", str(r.transitions), f"<= {TRANSITIONS_TARGET}", ok_tr)
        rows.append(
            [
                r.branch,
                str(r.executions),
                str(r.transitions),
                str(sum(r.invocations.values())),
                f"{r.gb_seconds:.2f}",
                f"{r.rru:.1f} / {r.wru:.0f}",
                str(sum(n for (s, _), n in r.calls.items() if s == "s3") + r.uploads),
                str(r.emails),
                str(sum(n for (s, _), n in r.calls.items() if s == "kms")),
                str(r.fired_schedules),
                str(r.polls),
                f"${r.total:.5f}",
            ]
        )
    section.table(
        "Per branch",
        [
            "Branch",
            "Executions",
            "State transitions",
            "Lambda invocations",
            "GB-s",
            "DynamoDB RRU / WRU",
            "S3 requests",
            "Emails",
            "KMS requests",
            "Schedules fired",
            "Harness polls (not billed)",
            "Cost",
        ],
        rows,
    )
    lines = list(results[0].lines)
    section.table(
        "Cost by line (US$)",
        ["Line", *[r.branch for r in results]],
        [[line, *[f"{r.lines[line]:.6f}" for r in results]] for line in lines],
    )
    ops = sorted({k for r in results for k in r.calls})
    section.table(
        "AWS calls made by the handlers, by service and operation",
        ["Service", "Operation", *[r.branch for r in results]],
        [[s, op, *[str(r.calls.get((s, op), 0)) for r in results]] for s, op in ops],
    )
    functions = sorted({f for r in results for f in r.invocations})
    section.table(
        "Lambda invocations by function",
        ["Function", *[r.branch for r in results]],
        [[f, *[str(r.invocations.get(f, 0)) for r in results]] for f in functions],
    )
    seen = meter.services_seen
    section.notes.append(
        "Prices (US$, Europe (London) eu-west-2, on-demand list prices, first tier; the AWS pricing "
        f"page each comes from is named; written down on {PRICE_DATE}. Step Functions' London price "
        "was checked against its page; the others are the published list prices as known then: "
        "check them against the pages before quoting a figure):\n\n"
        + "\n".join(f"- {text} - *{source}*" for _, text, source in PRICES.values())
        + "\n\nS3 and DynamoDB encryption use the customer-managed KMS key with S3 Bucket Keys "
        "enabled, so their KMS requests are a few per day, not per object, and are left out. "
        "API Gateway is not in the issue's list but is billed per request, so it is priced too."
    )
    section.notes.append(
        "Services each function was seen calling in these journeys (a check on the cold-start "
        "floor's clients): " + "; ".join(f"`{f}`: {', '.join(sorted(s))}" for f, s in sorted(seen.items()))
    )
    return section, results
