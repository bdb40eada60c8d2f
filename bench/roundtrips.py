"""Round trips per request: for every API route and page of one complete journey of each branch, the
AWS calls its handler made while the person waited, made one after another (calls overlapping in time
count once), and the DynamoDB items it read and wrote.

The requests are those of the cost benchmark's run (bench/cost.py meters each one: bench/meter.py
`Request`), so both figures come from the same journeys.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from .common import Section, median
from .meter import Request

MEDIAN_GOAL = 2
MAX_GOAL = 4

# Why a route needs more than the goal, where the count alone does not say (read from the code).
WHY: dict[str, str] = {}


def _sequence(r: Request) -> str:
    ops = Counter(f"{service} {op}" for _, _, service, op in sorted(r.calls))
    return ", ".join(f"{op} x{n}" if n > 1 else op for op, n in ops.items())


def section(branches: list[tuple[str, list[Request]]]) -> Section:
    requests = [r for _, rs in branches for r in rs if not r.poll]
    by_route: dict[str, list[Request]] = defaultdict(list)
    for r in requests:
        by_route[f"{r.function}: {r.route}"].append(r)
    sequential = [r.sequential for r in requests]
    mid = median([float(n) for n in sequential]) if sequential else 0.0
    most = max(sequential, default=0)
    s = Section(
        "2. Round trips per request",
        intro=(
            "Every HTTP request of one complete journey of each branch (the cost benchmark's run): the "
            "API routes the journey is driven through and the pages each person views along it "
            "(bench/pages.py: the decision page before deciding, the claim pages before submitting, the "
            "panel's and the lead's pages after the review, each person's pages at the end, and "
            "signing in). *Sequential AWS calls*: calls the handler made while the request waited, "
            "timed by a botocore hook (`before-call` to `after-call`); calls that overlap in time were "
            "made in parallel and count once. *Items*: DynamoDB items read (each GetItem's item, each "
            "Query's `ScannedCount`) and written (each Put, Update, Delete, transaction write). The "
            "harness's own look-ups (its polling) are left out. Cognito's token check is API "
            "Gateway's, before the handler, and not counted."
        ),
    )
    s.add("Requests metered", str(len(requests)))
    s.add("Median request: sequential AWS calls", f"{mid:g}", f"<= {MEDIAN_GOAL}", mid <= MEDIAN_GOAL)
    s.add("Most sequential AWS calls in one request", str(most), f"<= {MAX_GOAL}", most <= MAX_GOAL)
    over = sorted(
        (route for route, rs in by_route.items() if max(r.sequential for r in rs) > MEDIAN_GOAL),
        key=lambda route: -max(r.sequential for r in by_route[route]),
    )
    s.add("Routes with a request above the median goal", str(len(over)), "listed below")
    rows = []
    for route, rs in sorted(by_route.items(), key=lambda kv: kv[0].split(" ", 2)[-1]):
        seq = [r.sequential for r in rs]
        rows.append(
            [
                route,
                str(len(rs)),
                f"{median([float(n) for n in seq]):g}",
                str(max(seq)),
                f"{median([float(r.items_read) for r in rs]):g} / {max(r.items_read for r in rs)}",
                f"{median([float(r.items_written) for r in rs]):g} / {max(r.items_written for r in rs)}",
                ", ".join(str(c) for c in sorted({r.status for r in rs})),
            ]
        )
    s.table(
        "Per route (function: method and route template)",
        [
            "Route",
            "Requests",
            "Sequential AWS calls, median",
            "Most",
            "Items read, median / most",
            "Items written, median / most",
            "Statuses",
        ],
        rows,
    )
    worst_rows = []
    for route in over:
        worst = max(by_route[route], key=lambda r: r.sequential)
        flag = "above the most allowed" if worst.sequential > MAX_GOAL else "above the median goal"
        worst_rows.append([route, f"{worst.sequential} ({flag})", _sequence(worst), WHY.get(route, "")])
    s.table(
        "Routes above the goal: the calls of the request that made the most, in order",
        ["Route", "Sequential calls", "Calls", "Why"],
        worst_rows,
    )
    return s
