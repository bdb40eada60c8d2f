"""Cold start: each function's handler module imported in a fresh interpreter, against a floor.

Clients are created lazily (odvalidation.dal.clients.client), so no function creates one at import;
each creates its clients on its first request. So both sides of the ratio include those clients:

- function: import `functions.<dir>.app` (which builds its module-level objects: the resolver, the
  Powertools logger and metrics), then create one client per AWS service the function uses
  through the product's own `client()`;
- floor: `import boto3`, then `boto3.client()` for the same services, with the same Config.

Each is a fresh `python` subprocess (interpreter start-up itself is not counted: the time is taken
inside, around the imports), with the environment a deployed function gets (template Globals, with
invented values; the Lambda runtime's LAMBDA_TASK_ROOT, which Powertools reads to know it runs in
Lambda). Function and floor runs are interleaved in rounds, and each ratio is the median over the
rounds of the ratio within one: a machine whose speed drifts (a shared host) slows both sides of a round alike.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
from collections import defaultdict

from local.deploy import load_template

from .common import ROOT, Section, median

TARGET = 1.3
BEFORE = ROOT / "bench" / "coldstart_before_tracer.json"
# Over the floor plus the libraries the standards require: what the product's own code may add.
OWN_TARGET = 1.1

# The AWS services each function calls at run time (read from the code: dal/ is the only boto3).
# The journeys benchmark lists the services each function was actually seen calling, as a check.
SERVICES: dict[str, tuple[str, ...]] = {
    "api": ("dynamodb", "s3", "stepfunctions", "scheduler", "kms", "sesv2"),
    "web": ("dynamodb", "s3", "stepfunctions", "scheduler", "kms", "sesv2", "cognito-idp"),
    "await_step": ("dynamodb", "scheduler"),
    "record_stage": ("dynamodb", "stepfunctions", "scheduler"),
    "check_claim": ("dynamodb",),
    "assign_panel": ("dynamodb",),
    "notify": ("dynamodb", "sesv2"),
    "issue_certificate": ("dynamodb", "s3", "kms", "scheduler", "sesv2"),
    "record_failure": ("dynamodb",),
    "scheduled": ("dynamodb", "stepfunctions", "scheduler", "sesv2"),
    "evidence_uploaded": ("dynamodb", "s3"),
    "post_confirmation": ("cognito-idp",),
    "status_list": ("dynamodb", "kms"),
    "record_archive": ("dynamodb", "s3", "sesv2"),
}

# The API and web functions include a route module on the first request whose path is one of its routes
# (odvalidation/lazy_routes.py): their cold start is measured with the first request's routes loaded, the
# heaviest such request, so that no work leaves the measured window. Which one that is changes with the
# code (the reports were the API's heaviest until they stopped loading the journey use cases), so each run
# measures it (`heaviest_first_requests`) rather than trusting a path written here.
_ROUTE_PATHS = """
import json, sys
import functions.%s.app as m
index = getattr(getattr(m, "app", None), "index", None)
firsts = {} if index is None else {module: paths[0] for module, paths in index.routes.items()}
print(json.dumps(firsts))
"""
_FIRST_REQUEST_CPU = """
import sys, time
import functions.%s.app as m
t = time.process_time()
m.app.load_routes_for(sys.argv[1])
print(time.process_time() - t)
"""


def heaviest_first_requests(
    names: list[str], runs: int = 5
) -> dict[str, tuple[str, list[tuple[str, float]]]]:
    """For each function whose resolver includes route modules on first use: the first path of each route
    module (a path parameter `<name>` given as its name), with the CPU seconds a fresh interpreter that has
    imported the function spends loading that path's routes (median of `runs`, interleaved), heaviest
    first: the import is the same whatever the path, so the heaviest is the costliest cold request."""
    found: dict[str, tuple[str, list[tuple[str, float]]]] = {}
    for name in names:
        env = lambda_env(name)
        firsts: dict[str, str] = json.loads(
            python(["-c", _ROUTE_PATHS % name], env).stdout.strip().splitlines()[-1]
        )
        if not firsts:
            continue
        paths = sorted({re.sub(r"<([^>]+)>", r"\1", path) for path in firsts.values()})
        cpu: dict[str, list[float]] = defaultdict(list)
        for i in range(runs):
            for path in paths if i % 2 == 0 else paths[::-1]:
                out = python(["-c", _FIRST_REQUEST_CPU % name, path], env)
                cpu[path].append(float(out.stdout.strip().splitlines()[-1]))
        ranked = sorted(
            ((path, statistics.median(times)) for path, times in cpu.items()), key=lambda r: -r[1]
        )
        found[name] = (ranked[0][0], ranked)
    return found


# The function that serves the site's pages, server-rendered with jinja2 as the standards require: jinja2
# is among its required libraries, as the REST resolver is for every function behind API routes.
RENDERS_PAGES = ("web",)

_PROBE = """
import json, sys, time
kind, target, services = sys.argv[1], sys.argv[2], [s for s in sys.argv[3].split(",") if s]
flags = sys.argv[4].split(",")
first_request = sys.argv[5] if len(sys.argv) > 5 else ""
t0 = time.perf_counter()
if kind == "function":
    import importlib
    module = importlib.import_module(target)
    if first_request:
        module.app.load_routes_for(first_request)
    t1 = time.perf_counter()
    from odvalidation.dal.clients import client
    for s in services:
        client(s)
else:
    if kind == "paused":
        # As a function's own start-up does (odvalidation/startup.py).
        import gc
        gc.disable()
    import boto3
    from botocore.config import Config
    if kind in ("stack", "paused"):
        # The libraries the project's standards require in every function, built as the product does.
        from aws_lambda_powertools import Logger, Metrics
        from pydantic import BaseModel
        class Event(BaseModel):
            id: str
        Logger(service="bench"), Metrics(namespace="bench")
        if "routes" in flags:
            # A function behind API routes must also route and validate with Powertools (and so OpenAPI).
            from aws_lambda_powertools.event_handler import APIGatewayRestResolver
            app = APIGatewayRestResolver(enable_validation=True)
            @app.post("/events")
            def post(event: Event) -> Event:
                return event
        if "pages" in flags:
            # One that serves the site's pages renders them server-side with jinja2, autoescaped.
            from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
    t1 = time.perf_counter()
    config = Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=5, read_timeout=20)
    for s in services:
        boto3.client(s, config=config)
    if kind == "paused":
        # ...and makes its clients without it too (odvalidation/heap.py).
        gc.freeze()
        gc.enable()
t2 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "total": t2 - t0}))
"""


def _percent(fraction: float) -> str:
    return f"{100 * fraction:+.0f}%"


def _middle_half(ratios: list[float]) -> str:
    """The rounds' ratios from the first quartile to the third: how far one run's median may move."""
    if len(ratios) < 4:
        return "-"
    low, _, high = statistics.quantiles(ratios, n=4)
    return f"{low:.2f}-{high:.2f}x"


def function_dirs() -> list[str]:
    """Every function in template.yaml (CodeUri: functions/<dir>/)."""
    text = (ROOT / "template.yaml").read_text()
    return sorted(set(re.findall(r"CodeUri:\s*functions/([a-z_]+)/", text)))


def lambda_env(function: str) -> dict[str, str]:
    """What a deployed function's environment holds (values invented: nothing is called at import)."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "SYSTEMROOT")}
    arn = "arn:aws:states:eu-west-2:123456789012:stateMachine:od-validation-journey"
    env.update(
        {
            "PYTHONPATH": str(ROOT),
            "AWS_REGION": "eu-west-2",
            "AWS_DEFAULT_REGION": "eu-west-2",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_LAMBDA_FUNCTION_NAME": f"od-validation-{function}",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
            "LAMBDA_TASK_ROOT": str(ROOT / "functions" / function),
            "AWS_XRAY_CONTEXT_MISSING": "IGNORE_ERROR",
            "TABLE_NAME": "od-validation-JourneyTable",
            "IDEMPOTENCY_TABLE_NAME": "od-validation-IdempotencyTable",
            "EVIDENCE_BUCKET": "od-validation-evidence-123456789012",
            "CERTIFICATE_BUCKET": "od-validation-certificates-123456789012",
            "STATE_MACHINE_ARN": arn,
            "SENDER_EMAIL": "no-reply@example.org",
            "PUBLIC_BASE_URL": "https://od-validation.example.org",
            "SIGNING_KEY_ID": "alias/od-validation-signing",
            "USER_POOL_ID": "eu-west-2_example",
            "USER_POOL_CLIENT_ID": "exampleclient",
            "SCHEDULER_GROUP": "od-validation",
            "SCHEDULER_ROLE_ARN": "arn:aws:iam::123456789012:role/od-validation-scheduler",
            "SCHEDULED_FUNCTION_ARN": "arn:aws:lambda:eu-west-2:123456789012:function:od-validation-scheduled",
            "CERTIFICATE_VALIDITY_DAYS": "1095",
            "EVIDENCE_RETENTION_DAYS": "365",
            "SUPPRESSION_THRESHOLD": "5",
            "SESSION_SECRET": "bench-session-secret-not-a-real-one",
            "JWKS_URL": "https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_example/.well-known/jwks.json",
            "POWERTOOLS_SERVICE_NAME": "od-validation",
            "POWERTOOLS_METRICS_NAMESPACE": "SystemODValidation",
            "POWERTOOLS_LOG_LEVEL": "INFO",
            "PYDANTIC_DISABLE_PLUGINS": "__all__",
        }
    )
    return env


def behind_routes() -> set[str]:
    """The functions that serve API routes (an `Api` event in template.yaml)."""
    template = load_template()
    return {
        str(r["Properties"]["CodeUri"]).strip("/").split("/")[-1]
        for r in template["Resources"].values()
        if r.get("Type") == "AWS::Serverless::Function"
        and any(e.get("Type") == "Api" for e in (r["Properties"].get("Events") or {}).values())
    }


def python(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """A fresh interpreter in the project, with `env` (a deployed function's: lambda_env) and no other."""
    return subprocess.run(
        [sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )


def _probe(
    kind: str,
    target: str,
    services: tuple[str, ...],
    env: dict[str, str],
    flags: tuple[str, ...] = (),
    first_request: str = "",
) -> dict[str, float]:
    args = [kind, target, ",".join(services), ",".join(flags) or "-", first_request]
    out = python(["-c", _PROBE, *args], env)
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def dominant_imports(function: str, top: int = 8) -> list[tuple[str, float, float]]:
    """(package, self ms summed over its modules, cumulative ms of its first import), from
    `python -X importtime`, biggest self time first."""
    out = python(["-X", "importtime", "-c", f"import functions.{function}.app"], lambda_env(function))
    per_package: dict[str, float] = defaultdict(float)
    cumulative: dict[str, float] = {}
    for line in out.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)", line)
        if m:
            name = m.group(4)
            per_package[name.split(".")[0]] += int(m.group(1)) / 1000
            if "." not in name:
                cumulative[name] = max(cumulative.get(name, 0.0), int(m.group(2)) / 1000)
    ranked = sorted(per_package.items(), key=lambda kv: -kv[1])[:top]
    return [(p, ms, cumulative.get(p, ms)) for p, ms in ranked]


def run(runs: int = 15, functions: list[str] | None = None) -> Section:
    names = functions or function_dirs()
    unknown = [n for n in names if n not in SERVICES]
    if unknown:
        raise RuntimeError(f"bench/coldstart.py does not know which services {unknown} use: add them")
    samples: dict[str, dict[str, list[float]]] = {
        n: {f"{side}_{part}": [] for side in "fbsp" for part in ("import", "total")} for n in names
    }
    envs = {n: lambda_env(n) for n in names}
    http = behind_routes()
    flags = {
        n: (*(("routes",) if n in http else ()), *(("pages",) if n in RENDERS_PAGES else ())) for n in names
    }
    # Warm the file system cache and the bytecode cache once, so run 1 is not the odd one out.
    for n in names:
        _probe("function", f"functions.{n}.app", SERVICES[n], envs[n])
    heaviest = heaviest_first_requests([n for n in names if n in http])
    first_request = {n: path for n, (path, _) in heaviest.items()}
    for i in range(runs):
        for n in names:
            sides = [
                ("function", f"functions.{n}.app", "f"),
                ("floor", "boto3", "b"),
                ("stack", "boto3", "s"),
                ("paused", "boto3", "p"),
            ]
            for kind, target, side in sides if i % 2 == 0 else sides[::-1]:
                first = first_request.get(n, "") if kind == "function" else ""
                r = _probe(kind, target, SERVICES[n], envs[n], flags=flags[n], first_request=first)
                samples[n][f"{side}_import"].append(r["import"])
                samples[n][f"{side}_total"].append(r["total"])

    section = Section(
        "1. Cold start",
        intro=(
            f"Fresh interpreter per run, {runs} rounds of interleaved runs (function, floor, floor + required "
            "libraries, the same paused). Each ratio is the median, over the rounds, of the ratio within a "
            "round, so that a drift in the machine's speed slows both sides alike; absolute times are medians. "
            "*Function*: import `functions.<dir>.app` (building its module-level objects) with the "
            "environment a deployed function gets, then create its boto3 clients through "
            "`odvalidation.dal.clients.client` (no client is created at import; each is created on the first "
            "request). *Floor*: `import boto3` and `boto3.client()` for the same services. Ratio = function / "
            "floor. Interpreter start-up is not in either side. *Floor + required libraries*: the floor plus "
            "what the project's standards require in every function: pydantic (building one model) and "
            "Powertools' Logger and Metrics; in a function behind API routes, Powertools' REST resolver with "
            "validation (one route with a pydantic body), as the standards require routing with validation "
            "and OpenAPI; in the one that serves the site's pages (`web`), jinja2, as they require "
            "server-rendered pages with jinja2. The ratio to it is the target's figure. *Paused*: the same "
            "libraries loaded, and the clients made, with the garbage collector paused, as a function pauses it "
            "for its start-up and its clients (`odvalidation/startup.py`, `odvalidation/heap.py`); the pause "
            "speeds the libraries' loading too, so the ratio to it is "
            "what the product's own code adds, like for like. No tracer on any side: Lambda records each "
            "invocation's segment itself (`Tracing: Active`). The machine is shared with other work, so "
            "absolute times drift between runs; the per-round ratios are the figures."
        ),
    )
    section.notes.append(
        "Imported on first use, so in neither side: fpdf2, segno and the signing code in "
        "`issue_certificate` (on its first certificate; an idempotent retry renders nothing); jinja2 "
        "and the email templates in `notify` and `scheduled` (on their first email: a reminder that has "
        "nothing left to remind of sends none)."
    )
    if heaviest:
        section.notes.append(
            "`api` and `web` include a route module on the first request whose path is one of its routes "
            "(`odvalidation/lazy_routes.py`); their *function* side loads, after the import, the routes of "
            "their heaviest first request, measured in this run (the first path of each route module; CPU "
            "that a fresh interpreter, the function imported, spends loading its routes; median of 5): "
            + "; ".join(
                f"`{n}`: `{path}`, {1000 * ranked[0][1]:.0f} ms"
                + (
                    f" (next `{ranked[1][0]}`, {1000 * ranked[1][1]:.0f} ms; lightest {1000 * ranked[-1][1]:.0f})"
                    if len(ranked) > 1
                    else ""
                )
                for n, (path, ranked) in heaviest.items()
            )
            + ". So a cold request's route loading is in the figure."
        )
    section.notes.append(
        "*Its middle half of rounds*: the per-round ratios to the floor plus the required libraries, from "
        "the first quartile to the third. On a shared machine one round's ratio moves by a tenth or more, "
        "so a median near the target whose middle half spans it can fall on either side in the next run."
    )
    rows: list[list[str]] = []
    over: list[str] = []
    headroom: list[str] = []
    record = json.loads(BEFORE.read_text())
    before: dict[str, dict[str, float]] = record["functions"]
    section.notes.append(
        "*With the Tracer*: the same benchmark's figures before Powertools' Tracer and the X-Ray SDK were "
        f"dropped ({BEFORE.name}: {record['measured']}), kept as a record; *Gained* is that ratio less "
        "this run's. Both are ratios to a floor measured in the same rounds, so they compare across runs "
        "on a shared machine where absolute times do not."
    )
    for n in names:
        s = samples[n]
        f_total, b_total, s_total = median(s["f_total"]), median(s["b_total"]), median(s["s_total"])
        ratio = median([f / b for f, b in zip(s["f_total"], s["b_total"], strict=True)])
        required = median([r / b for r, b in zip(s["s_total"], s["b_total"], strict=True)])
        per_round = [f / r for f, r in zip(s["f_total"], s["s_total"], strict=True)]
        own = median(per_round)
        like = median([f / p for f, p in zip(s["f_total"], s["p_total"], strict=True)])
        paused = median([p / b for p, b in zip(s["p_total"], s["b_total"], strict=True)])
        if ratio > TARGET:
            over.append(n)
            headroom.append(
                f"`{n}`: {required:.2f}x unpaused, {paused:.2f}x paused; so its own code may add at most "
                f"{_percent(TARGET / paused - 1)} to them, against {_percent(like - 1)} now"
            )
        was = before.get(n, {})
        rows.append(
            [
                n,
                ", ".join(SERVICES[n]),
                f"{median(s['f_import']) * 1000:.0f} ms",
                f"{f_total * 1000:.0f} ms",
                f"{b_total * 1000:.0f} ms",
                f"{ratio:.2f}x",
                "met" if ratio <= TARGET else "**not met**",
                f"{s_total * 1000:.0f} ms ({required:.2f}x)",
                f"{paused:.2f}x",
                f"{own:.2f}x",
                _middle_half(per_round),
                f"{like:.2f}x",
                f"{was['ratio']:.2f}x, {was['own']:.2f}x" if was else "-",
                f"{was['ratio'] - ratio:+.2f}x" if was else "-",
            ]
        )
        section.add(f"`{n}` cold start / floor", f"{ratio:.2f}x", f"<= {TARGET}x", ratio <= TARGET)
        section.add(
            f"`{n}` cold start / (floor + required libraries)",
            f"{own:.2f}x",
            f"<= {OWN_TARGET}x",
            own <= OWN_TARGET,
        )
    section.table(
        "Per function (absolute times only beside their floor)",
        [
            "Function",
            "Clients (floor's too)",
            "Import only",
            "Import + clients",
            "Floor",
            "Ratio",
            "Target",
            "Floor + required libraries (/ floor)",
            "The same paused (/ floor)",
            "Function / that",
            "Its middle half of rounds",
            "Function / that paused",
            "With the Tracer (/ floor, / that)",
            "Gained (/ floor)",
        ],
        rows,
    )
    if headroom:
        section.notes.append(
            f"*Where the {TARGET}x target is not met, what the required libraries leave*: the floor plus the "
            "required libraries alone, as a ratio to the floor, unpaused and paused; and so what the "
            f"function's own code may add to them, paused (as it runs), for the function to be within "
            f"{TARGET}x, against what it adds in this run (*Function / that paused*). Where the room is "
            "negative, no code of the product's could meet the target while it loads those libraries: "
            + "; ".join(headroom)
            + "."
        )
    for n in over:
        dominant = dominant_imports(n)
        section.table(
            f"`{n}`: what its import spends (python -X importtime; one run, so only the shares count)",
            ["Top-level package", "Self time of its modules", "`import <package>` cumulative"],
            [[p, f"{ms:.0f} ms", f"{cum:.0f} ms" if cum >= 1 else "-"] for p, ms, cum in dominant],
        )
    return section


if __name__ == "__main__":
    from .common import render

    print(render(run(runs=int(sys.argv[1]) if len(sys.argv) > 1 else 5)))
