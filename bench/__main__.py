"""`python -m bench`: run every benchmark and write docs/performance.md.

`--quick` runs each at a tiny size (the smoke tests use the same entry points); `--only NAME`
runs one (coldstart, cost, scale, throughput, size, maketest); `--only coldstart --functions
notify,web --runs 25 --out /tmp/cold.md` measures some functions' cold starts only, with more rounds.
`cost` also writes the round trips per request and the monthly bill: all three come from the same
metered journeys.
"""

from __future__ import annotations

import argparse
import logging
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from local import quiet

from . import coldstart, size, testtime
from .common import ROOT, Section, render

ALL = ("size", "coldstart", "cost", "scale", "throughput", "maketest")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: check the benchmarks run")
    parser.add_argument("--only", choices=ALL, action="append")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "performance.md")
    parser.add_argument(
        "--journeys", type=int, default=48, help="throughput: how many journeys (1000 runs the full target)"
    )
    parser.add_argument(
        "--environments",
        type=int,
        default=0,
        help="throughput: run the handlers in this many worker processes at the start, as Lambda's execution "
        "environments (0, the default: in the stack's process; on 2 cores environments were not faster)",
    )
    parser.add_argument(
        "--functions",
        type=lambda text: [name for name in text.split(",") if name],
        default=None,
        help="coldstart: only these functions (comma-separated directory names under functions/); "
        "compare functions side by side in one run, as the machine's speed drifts between runs",
    )
    parser.add_argument(
        "--runs", type=int, default=15, help="coldstart: rounds per function (more on a noisy machine)"
    )
    parser.add_argument(
        "--update",
        action="store_true",
        help="replace only the sections run in the existing --out document (say, `--only cost --update` "
        "for sections 2 to 4) and keep the others",
    )
    args = parser.parse_args(argv)
    chosen = args.only or list(ALL)
    logging.basicConfig(level=logging.ERROR)
    # Keep the console readable: Powertools logs each invocation, and prints its EMF metrics with the
    # builtin print, which `make dev` sends to a DEBUG log instead (local/quiet.py).
    logging.getLogger("aws_lambda_powertools").setLevel(logging.ERROR)
    quiet.metrics_to_log()

    started = time.perf_counter()
    sections: dict[str, Section] = {}
    if "size" in chosen:
        sections["size"] = _timed("size", size.run)
    if "coldstart" in chosen:
        sections["coldstart"] = _timed(
            "coldstart",
            lambda: coldstart.run(runs=1 if args.quick else args.runs, functions=args.functions),
        )
    if {"cost", "scale", "throughput"} & set(chosen):
        from . import bill, cost, roundtrips, scale, throughput
        from .stackrun import metered_stack

        with metered_stack() as (stack, meter):
            quiet.product_logs_at(logging.WARNING)  # its INFO lines are for CloudWatch
            if "cost" in chosen:
                branches = ["further development (closed, signposted)"] if args.quick else None
                cost_section, results = _timed_pair("cost", lambda: cost.run(stack, meter, branches))
                sections["cost"] = cost_section
                sections["roundtrips"] = roundtrips.section([(r.branch, r.requests) for r in results])
                sections["bill"] = bill.section(results)
            # Throughput before scale: moto copies the whole table for every TransactWriteItems (to
            # roll back), so journeys after 20k loaded items would measure moto, not the product.
            if "throughput" in chosen:
                n, threads = (1, 1) if args.quick else (args.journeys, 12)
                sections["throughput"] = _timed(
                    "throughput", lambda: throughput.run(stack, meter, n, threads, args.environments)
                )
            if "scale" in chosen:
                sizes = (50, 200) if args.quick else scale.SIZES
                sections["scale"] = _timed(
                    "scale", lambda: scale.run(stack, meter, sizes, 2 if args.quick else 5)
                )
            scans = meter.scans
        scan_section = Section(
            "Scan calls", intro="Every DynamoDB call of the run went through one botocore hook."
        )
        scan_section.add("DynamoDB Scan calls in the whole run", str(scans), "0", scans == 0)
        sections["scans"] = scan_section

    if "maketest" in chosen:
        sections["maketest"] = testtime.section()

    order = ["coldstart", "roundtrips", "cost", "bill", "scale", "scans", "throughput", "maketest", "size"]
    ran = [sections[k] for k in order if k in sections]
    if args.update and args.out.exists():
        doc = _updated(args.out.read_text(), ran, time.perf_counter() - started)
    else:
        doc = _document(ran, time.perf_counter() - started, args.quick)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(doc)
    print(f"wrote {args.out} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return 0


def _timed(name: str, fn: object) -> Section:
    start = time.perf_counter()
    print(f"bench: {name}...", file=sys.stderr, flush=True)
    section: Section = fn()  # type: ignore[operator]
    print(f"bench: {name} took {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    return section


def _timed_pair(name: str, fn: object) -> tuple[Section, list[Any]]:
    start = time.perf_counter()
    print(f"bench: {name}...", file=sys.stderr, flush=True)
    section, results = fn()  # type: ignore[operator]
    print(f"bench: {name} took {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    return section, results


def _document(sections: list[Section], seconds: float, quick: bool) -> str:
    summary = [[s.title, "all met" if s.all_met else "**not all met**"] for s in sections if s.figures]
    head = [
        "# Performance",
        "",
        "Written by `make bench` (`python -m bench`); do not edit by hand. Each figure is a ratio or a "
        "count measured side by side in one run, so that it holds on a noisy machine; absolute times "
        "are shown only beside their baseline. `make test` runs a small smoke of each benchmark "
        "(`tests/unit/test_bench_smoke.py`, `tests/bench/test_bench_smoke.py`) and times itself "
        "(section 7).",
        "",
        f"Run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python {platform.python_version()}, "
        f"{platform.machine()}, in {seconds:.0f} s"
        + (" (**--quick: tiny sizes, not the real figures**)" if quick else "")
        + ".",
        "",
        "| Benchmark | Targets |",
        "| --- | --- |",
        *[f"| {t} | {v} |" for t, v in summary],
        "",
    ]
    return "\n".join(head + [render(s) for s in sections])


_RERUN = "Re-run since, alone: "


def _rerun_line(lines: list[str], i: int) -> str | None:
    return lines[i] if i < len(lines) and lines[i].startswith(_RERUN) else None


def _updated(existing: str, ran: list[Section], seconds: float) -> str:
    """The existing document with the sections just run in place of their old text (and their row of
    the summary table), and a line that says which were re-run, when: the other figures are older."""
    head, *chunks = existing.split("\n## ")
    by_title = {chunk.split("\n", 1)[0]: "## " + chunk for chunk in chunks}
    for section in ran:
        by_title[section.title] = render(section).rstrip("\n") + "\n"
    lines = head.split("\n")
    lines = [
        line
        for i, line in enumerate(lines)
        if not line.startswith(_RERUN)
        and not (line == "" and lines[i + 1 : i + 2] == [_rerun_line(lines, i + 1)])
    ]
    verdicts = {s.title: "all met" if s.all_met else "**not all met**" for s in ran if s.figures}
    lines = [
        next((f"| {t} | {v} |" for t, v in verdicts.items() if line.startswith(f"| {t} |")), line)
        for line in lines
    ]
    at = next(i for i, line in enumerate(lines) if line.startswith("Run on "))
    lines[at + 1 : at + 1] = [
        "",
        f"{_RERUN}{', '.join(s.title for s in ran)} on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC "
        f"(`python -m bench --only ... --update`, in {seconds:.0f} s).",
    ]
    return (
        "\n".join(lines).rstrip("\n") + "\n\n" + "\n".join(by_title[t].rstrip("\n") + "\n" for t in by_title)
    )


if __name__ == "__main__":
    raise SystemExit(main())
