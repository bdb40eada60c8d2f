"""Throughput: complete journeys (validated as leader) through the local stack in parallel threads,
with a sampling profile of where the time goes."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor

from local import scenario
from local.stack import LocalStack

from .common import Section
from .journeys import validated_leader
from .meter import Meter
from .sampler import Sampler

TARGET_JOURNEYS = 1000
TARGET_SECONDS = 180.0


def run(stack: LocalStack, meter: Meter, journeys: int = 12, threads: int = 4) -> Section:
    # Casts first: people, panel pools and cohorts are set-up, not the journeys being timed.
    casts = [scenario.cast(stack) for _ in range(journeys)]
    failures: list[str] = []

    def one(c: scenario.Cast) -> None:
        try:
            validated_leader(stack, c)
        except Exception as exc:
            failures.append(f"{type(exc).__name__}: {exc}"[:200])

    with Sampler() as sampler:
        start = time.perf_counter()
        cpu_start = time.process_time()
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(one, casts))
        elapsed = time.perf_counter() - start
        cpu = time.process_time() - cpu_start
    done = journeys - len(failures)
    rate = done / elapsed if elapsed else 0.0
    projected = TARGET_JOURNEYS / rate if rate else float("inf")
    cores = os.cpu_count() or 0
    section = Section(
        "4. Throughput",
        intro=(
            f"{journeys} complete journeys (validated as leader: every step, panel, interview, "
            f"certificate) driven through the HTTP API by {threads} threads at once, on one local stack "
            f"in one process on this {cores}-core machine: moto's server, Step Functions' interpreter, "
            "the handlers and the HTTP front all share it. The 1,000-journey figure is extrapolated "
            "linearly from the measured rate: a longer run would only add more of the same work."
        ),
    )
    section.add("Journeys completed", f"{done} of {journeys}", str(journeys), done == journeys)
    section.add("Journeys per second", f"{rate:.3f}", f">= {TARGET_JOURNEYS / TARGET_SECONDS:.2f}")
    section.add(
        "1,000 journeys, extrapolated",
        f"{projected / 60:.1f} min",
        f"<= {TARGET_SECONDS / 60:.0f} min on 2 cores",
        projected <= TARGET_SECONDS,
    )
    busy = sampler.samples / max(1, sampler.samples + sampler.idle)
    section.add(
        "CPU used by the process / wall time",
        f"{cpu / elapsed:.2f} cores",
        "",
    )
    section.table(
        "Where the time goes: busy thread-samples by package (own frame)",
        ["Package", "Share of busy samples"],
        [[p, f"{share:.0%}"] for p, share in sampler.top_packages()],
    )
    section.table(
        "Top functions by cumulative share of busy samples (all threads)",
        ["Function", "Cumulative"],
        [[f"`{name}`", f"{share:.0%}"] for name, share in sampler.top(15)],
    )
    section.table(
        "Lines where samples stood (own frame): a C call such as a lock or socket wait shows as the "
        "Python line that made it",
        ["Line", "Share of samples"],
        [[f"`{name}`", f"{share:.0%}"] for name, share in sampler.top_own(12)],
    )
    section.notes.append(
        f"Profile: a sampler reading every thread's stack each 5 ms ({sampler.samples} busy samples; "
        f"{busy:.0%} of thread-samples were busy, the rest waiting on sockets, locks or sleeps)."
    )
    if failures:
        section.notes.append("Failures: " + "; ".join(failures[:5]))
    return section
