"""Throughput: complete journeys (validated as leader) through the local stack in parallel threads,
with the CPU each part of the stack spent on them."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext

from local import scenario
from local.environments import Environments
from local.stack import LocalStack

from .common import Section
from .cpu import FRONT, CpuAccount
from .journeys import validated_leader
from .meter import Meter

# The rate must not fall as the table grows: the second half at least this share of the first's.
FLAT_AT_LEAST = 0.67
# Retired (issue 19): 1,000 journeys in 3 minutes on 2 cores. Its measured record stays in
# docs/throughput-1000.md (`python -m bench --only throughput --journeys 1000`).
RETIRED = (
    "Retired target (issue 19): 1,000 journeys in 3 minutes on 2 cores. Its measured record stays in "
    "[throughput-1000.md](throughput-1000.md) (2026-11-27): all 1,000 journeys completed, in 30.3 min "
    "(0.551 journeys/s), at a flat rate (second half / first half 1.07), spending 1.91 CPU-seconds per "
    "journey against the 0.36 s the target allowed; moto's server alone, answering some 380 AWS requests "
    "per journey in one process, spent 0.82 s of it (the 48-journey run of that day), so on this engine the target was "
    "out of reach whatever the product did (on AWS those requests are served by the services "
    "themselves). This benchmark stays as the check that the stack completes every journey at a flat "
    "rate; in the target's place, `make test` within 5 minutes (section 7)."
)
# Each journey's clients check back on the asynchronous workflow this often (the tests use 0.1 s):
# many journeys run at once, so the load is in the journeys, not in asking "is it done yet?".
POLL_EVERY = 0.5


def run(
    stack: LocalStack,
    meter: Meter,
    journeys: int = 24,
    threads: int = 4,
    environments: int = 0,
    poll_every: float = POLL_EVERY,
) -> Section:
    """environments > 0: the handlers run in that many execution environment processes (more when
    all are busy, as Lambda starts another), on the second core beside moto's server. On this 2-core
    machine that was not faster (the stack's own process is the limit), so it is not the default.
    poll_every: the smoke test, with one journey in flight, asks as often as the tests do."""
    with stack.environments(environments) if environments else nullcontext() as pool:
        return _run(stack, meter, journeys, threads, pool, poll_every)


def _run(
    stack: LocalStack,
    meter: Meter,
    journeys: int,
    threads: int,
    environments: Environments | None,
    poll_every: float,
) -> Section:
    # Casts first: people, panel pools and cohorts are set-up, not the journeys being timed.
    # One full cast (lead, cohort, three panel members) per thread, then practitioners join those
    # cohorts in turn, as a programme runs: the national panel pool stays the same size however many
    # journeys run (a pool of three per journey would be a pool far larger than the programme's), and
    # holds enough experts to seat every journey in flight.
    casts: list[scenario.Cast] = []
    for i in range(journeys + 1):
        casts.append(scenario.cast(stack, join=casts[i % threads] if i >= threads else None))
    for c in casts:
        for who in [c.lead, c.practitioner, *c.panel]:
            who.api.poll_every = poll_every
    # One journey untimed first: a 1,000-journey run pays for importing each handler and making its
    # first clients once, so the rate is the steady state's.
    validated_leader(stack, casts.pop())
    failures: list[str] = []
    finished: list[float] = []

    def one(c: scenario.Cast) -> None:
        try:
            validated_leader(stack, c)
            finished.append(time.perf_counter())
        except Exception as exc:
            failures.append(f"{type(exc).__name__}: {exc}"[:200])

    with CpuAccount(environments) as cpu:
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(one, casts))
        elapsed = time.perf_counter() - start
    done = len(finished)
    if environments is not None:
        # The hook that counts Scans sees only this process's clients: count the environments' at moto.
        meter.scans += cpu.entries.get("moto: dynamodb Scan", 0)
    rate = done / elapsed if elapsed else 0.0
    per_journey = cpu.process_seconds / max(1, done)
    section = Section(
        "6. Throughput",
        intro=(
            f"{journeys} complete journeys (validated as leader: every step, panel, interview, "
            f"certificate) driven through the HTTP API by {threads} threads at once, after one untimed "
            f"journey, in {threads} cohorts sharing a national pool of {3 * threads} panel members, each "
            f"journey's clients checking back on the workflow every {POLL_EVERY} s, on one local stack on "
            f"this {os.cpu_count()}-core machine: {_where(environments)} The "
            "rates of the run's first and second halves show whether the rate holds as the table grows."
        ),
    )
    section.add("Journeys completed", f"{done} of {journeys}", str(journeys), done == journeys)
    section.add("Journeys per second", f"{rate:.3f}")
    if done >= 4 * threads:
        # From the end of the first wave (all threads start together, so the first completions all
        # come late) to the midpoint, against the midpoint to the end: a table that slows as it grows
        # shows as a ratio below 1.
        finished.sort()
        mid = (threads + done) // 2
        early = (mid - threads) / (finished[mid - 1] - finished[threads - 1])
        late = (done - mid) / (finished[-1] - finished[mid - 1])
        section.add(
            "Rate in the run's second half / first half",
            f"{late / early:.2f}",
            f">= {FLAT_AT_LEAST} (flat: it does not fall as the table grows)",
            late / early >= FLAT_AT_LEAST,
        )
    section.add("CPU per journey (the whole process)", f"{per_journey:.2f} s")
    section.add(
        "CPU used / wall time" + (" (stack process and environments)" if environments else ""),
        f"{cpu.process_seconds / elapsed:.2f} cores",
        "",
    )
    rows = cpu.rows(max(1, done))
    section.table(
        "Where the CPU goes: each part's own CPU time per journey (thread CPU clocks; a part nested in "
        "another, such as a handler that moto runs for a Step Functions task, counts only in itself)",
        ["Part", "Calls per journey", "CPU per call", "CPU per journey", "Share"],
        [
            [
                name,
                # The front's handler runs once per kept-alive connection, not per request.
                "" if name == FRONT else _per(cpu.entries.get(name, 0), done),
                _ms(seconds * done / cpu.entries[name]) if cpu.entries.get(name) and name != FRONT else "",
                f"{seconds * 1000:.0f} ms",
                f"{share:.0%}",
            ]
            for name, seconds, share in rows
            if share >= 0.005
        ],
    )
    moto_parts = [(n, s) for n, s, _ in rows if n.startswith("moto")]
    moto_seconds = sum(s for _, s in moto_parts)
    moto_requests = sum(cpu.entries[n] for n, _ in moto_parts if n.startswith("moto: ")) / max(1, done)
    section.notes.append(
        f"This run spent {per_journey:.2f} CPU-seconds per journey, of which moto's server spent "
        f"{moto_seconds:.2f} s answering {moto_requests:.0f} AWS requests."
    )
    section.notes.append(RETIRED)
    if failures:
        section.notes.append("Failures: " + "; ".join(failures[:5]))
    return section


def _where(environments: Environments | None) -> str:
    if environments is None:
        return (
            "moto's server, Step Functions' interpreter, the handlers and the HTTP front all share one "
            "process."
        )
    return (
        "moto's server, Step Functions' interpreter and the HTTP front share one process; the handlers "
        f"run in execution environments, worker processes as Lambda's ({environments.size} at the start, "
        f"{environments.count()} by the end: another starts when all are busy)."
    )


def _per(count: int, journeys: int) -> str:
    return f"{count / max(1, journeys):.1f}" if count else ""


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"
