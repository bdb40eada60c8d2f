"""Round trips per request: for every API route and page of one complete journey of each branch, the
AWS calls its handler made while the person waited, made one after another (calls made at once count as
their longest branch), and the DynamoDB items it read and wrote.

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
WHY: dict[str, str] = {
    "web: GET /panel": "Three round trips however many claims the member sits on "
    "(services/panel_overview.py): their seats (a Query of GSI1), the seats' journeys (BatchGetItem), "
    "then every panel, claim, practitioner and the member's own review (one BatchGetItem): each step "
    "needs the keys the one before gave.",
    "api: POST /api/journeys/<journey_id>/outcome": "The journey's items in one Query (journey, panel, interview, outcome "
    "and the claim's evidence; services/common.journey_items); the transaction; then at once the resume "
    "and the tagging of every evidence object for expiry (S3 PutObjectTagging, one call per object: S3 "
    "has no batch tagging; dal/parallel.py, 8 at a time): 3 with up to 8 files, one more for each further 8 "
    "(the journey has 10 files: 4). A failed tag still answers 503 and the chair's "
    "retry tags what is left",
    "api: POST /api/journeys/<journey_id>/interview": "The journey's items in one Query, the transaction, then the "
    "invitations handed to the Notify function (an asynchronous Lambda invoke, dal/invoke.py): the emails "
    "are sent after the answer, and a retried event skips whoever was invited already",
    "web: GET /panel/<journey_id>/reviews": "The journey's items in one Query (panel, claim, every review, the "
    "member's draft, the interview: kept for the request, dal/read_cache.py), then the practitioner and "
    "every reviewer in one BatchGetItem (services.panel_reviews.read_ahead).",
    "web: GET /panel/<journey_id>/review": "The claim in two round trips (its journey, then one "
    "BatchGetItem of panel, claim, practitioner, own review, own draft and interview); the form adds "
    "the claim's evidence (a Query), pre-filled from the review or the draft the batch brought.",
    "web: GET /sign-in": "Only the first sign-in page a new stack serves: the session secret is made "
    "(ssm GetParameter finds none, PutParameter, GetParameter; dal/session_secret.py). After that, one "
    "read per cold start, or none.",
    "web: GET /home": "By role: the person's journeys (a Query), then at once what each journey's row "
    "needs (its cohort; its interview at that step; after the outcome, whether feedback was given); a "
    "supporter's journeys; a panel member's seats (three round trips, as GET /panel).",
    "api: POST /api/journeys/<journey_id>/interview/held": "The journey and its interview in one Query, then it is recorded "
    "held in one transaction.",
    "web: GET /lead": "Three round trips however many cohorts and alerts: the cohorts and the alerts (a "
    "Query each) at once, then each cohort's journeys (a Query each, at once) beside the alerts' "
    "journeys (one BatchGetItem), then the interviews of claims at that step and the alerts' panels, "
    "interviews and practitioners (one BatchGetItem each)",
    "api: PUT /api/journeys/<journey_id>/panel/review": "The journey's items in one Query (panel, claim, every review, "
    "the member's draft, the interview); one transaction (the review, its draft removed, the trail and, "
    "for the last review in, the step closed; the reviews not yet in must still be absent, so the last "
    "two reviewers cannot both leave it open); then the last review resumes the workflow. The "
    "reminders' deletes and the leads' alert are the workflow's next task (NotifyReviewsIn), after the "
    "answer",
    "api: POST /api/journeys/<journey_id>/submission": "The journey's items in one Query (the claim and its evidence), "
    "the transaction, then the resume. The confirmation email and the reminders' deletes are the "
    "workflow's next task (NotifySubmitted), after the answer",
    "api: GET /api/journeys/<journey_id>": "The journey's own items in one Query (services/journey_page.py); "
    "the rest are the caller's and the cohort's reads.",
    "web: GET /journeys/<journey_id>/claim/<element_id>": "The claim pages read the journey's status "
    "(one Query) and then the element's evidence, the supporter and the upload policy apart.",
    "web: GET /journeys/<journey_id>/claim": "As the element page: status, then supporter and cohort apart.",
    "web: GET /journeys/<journey_id>/check": "As the claim page.",
    "api: POST /api/journeys/<journey_id>/panel/declaration": "The journey, its panel (the key needs the journey's claim "
    "number), then one transaction: the panel (versioned), the seat's copy and the trail",
    "api: POST /api/journeys": "The cohort, the caller's profile and any enrolment in one BatchGetItem, the journey "
    "written in a transaction, then its execution started (which needs the written journey)",
    "api: PUT /api/journeys/<journey_id>/reflection": "The journey and its reflection in one Query, the step written in "
    "a transaction, then the workflow resumed (SendTaskSuccess): the resume must follow the write.",
    "api: POST /api/cohorts/<cohort_id>/attendance": "The cohort and every journey named in one BatchGetItem, then "
    "each journey's transaction and resume, the journeys at once: three round trips however many.",
    "api: POST /api/journeys/<journey_id>/decision": "Read, write, then resume the workflow.",
    "web: GET /lead/assignments/<journey_id>": "The journey, then at once the claim, the panel pool, the "
    "practitioner's name and why no panel was formed",
    "web: GET /lead/cohorts/<cohort_id>": "The cohort, then its journeys and the people they name.",
    "api: PUT /api/journeys/<journey_id>/claim": "Reads the journey and the claim, then writes the claim.",
    "api: POST /api/journeys/<journey_id>/evidence": "The journey (GetItem; the claim is not read: an upload "
    "link needs only the journey), then the evidence item and its upload grant in one "
    "TransactWriteItems (services/uploads.py): an item never exists without the grant that lets its "
    "upload complete",
    "api: GET /api/journeys/<journey_id>/panel": "The journey, the panel and its members apart.",
    "web: GET /reports": "One Query of counters per scope shown (national, academy, cohort).",
}


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
            "seen by a botocore hook; calls made at once from worker threads (dal/parallel.py) are "
            "counted for the request whose context they carry, and each such wave counts as its longest "
            "branch (by groups of 8, the most made at once), as on AWS where each call waits on the "
            "network: counted from how the calls were made, not timed, so a busy machine does not "
            "change the figure. *Items*: DynamoDB items read (each GetItem's item, each "
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
