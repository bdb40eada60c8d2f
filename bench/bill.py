"""The monthly AWS bill of one deployment at the programme's scale, and of a month with no users.

Built from two things this run measured and one it reads: the cost of one complete journey of each
branch and of each page view (bench/cost.py, bench/roundtrips.py: the same metered run), and the
resources in template.yaml that cost money whether or not anyone uses them (keys, alarms, secrets,
parameters, point-in-time recovery, stored evidence and logs). Every price is a Europe (London)
eu-west-2 list price with the AWS pricing page it comes from; every figure that is not measured or
read from the template is named as an assumption beside its value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from local.deploy import load_template

from .common import Section
from .cost import PRICES, JourneyCost
from .meter import Request

PRICE_DATE = "2026-12-04"
IDLE_POLLERS = 5  # Lambda's pollers of an SQS event source at rest (an estimate: see the bill's line)
LONG_POLL_SECONDS = 20
MONTHLY_TARGET = 5.00
IDLE_TARGET = 3.00

# The programme's scale (issue 19).
ACADEMIES = 10
JOURNEYS_A_YEAR = 300
PAGE_VIEWS_A_MONTH = 5000
EVIDENCE_MB_A_CLAIM = 50

# Assumptions: not measured here, named in the report beside their value.
BRANCH_MIX = {  # share of journeys ending each way
    "validated as leader": 0.30,
    "validated as practitioner": 0.30,
    "not yet, then validated on a second claim": 0.10,
    "deferred 12-18 months, re-engaged, validated": 0.10,
    "further development (closed, signposted)": 0.10,
    "claim deadline missed (lapsed)": 0.10,
}
CLAIMS_A_YEAR = JOURNEYS_A_YEAR  # one claim of stored evidence per journey
LOG_BYTES_PER_INVOCATION = 1500  # Lambda's START/END/REPORT lines and one or two structured log lines
TABLE_BYTES_PER_JOURNEY = 100_000  # a journey's items, its audit trail and its share of the counters
CERTIFICATE_BYTES = 60_000  # PDF and credential of one certificate
RECORD_ARCHIVES_A_MONTH = 10  # whole-record downloads and subject access requests (issue 18)
ARCHIVE_SECONDS = 20  # RecordArchiveFunction's run for one archive (gathering a claim's evidence)
ARCHIVE_FILES = 12  # objects read for one archive: a claim's evidence and a certificate's files

P = "https://aws.amazon.com"
# (US$ per unit, what the unit is, pricing page, how this figure was checked)
FIXED_PRICES: dict[str, tuple[float, str, str, str]] = {
    "kms_key": (
        1.00,
        "per KMS key a month (symmetric or asymmetric, prorated hourly)",
        f"{P}/kms/pricing/",
        "page",
    ),
    "alarm": (0.10, "per standard-resolution alarm metric a month", f"{P}/cloudwatch/pricing/", "page*"),
    "custom_metric": (
        0.30,
        "per custom metric a month (first 10,000; prorated hourly)",
        f"{P}/cloudwatch/pricing/",
        "page*",
    ),
    "log_ingest": (0.5985, "per GB of logs ingested (Standard class)", f"{P}/cloudwatch/pricing/", "page*"),
    "log_storage": (0.0315, "per GB-month of logs stored", f"{P}/cloudwatch/pricing/", "page*"),
    "xray_trace": (5.00 / 1e6, "per trace recorded ($5.00 per 1M)", f"{P}/xray/pricing/", "page*"),
    "secret": (0.40, "per Secrets Manager secret a month", f"{P}/secrets-manager/pricing/", "page"),
    "advanced_parameter": (
        0.05,
        "per Advanced SSM parameter a month (Standard: no charge)",
        f"{P}/systems-manager/pricing/",
        "as known",
    ),
    "s3_gb_month": (0.024, "per GB-month, S3 Standard, first 50 TB", f"{P}/s3/pricing/", "page"),
    "ddb_gb_month": (
        0.297,
        "per GB-month, DynamoDB Standard table storage",
        f"{P}/dynamodb/pricing/on-demand/",
        "assumed",
    ),
    "pitr_gb_month": (
        0.2376,
        "per GB-month, point-in-time recovery",
        f"{P}/dynamodb/pricing/on-demand/",
        "assumed",
    ),
    "sqs_request": (
        0.40 / 1e6,
        "per SQS standard-queue request ($0.40 per 1M; the first 1M a month are free, not subtracted)",
        f"{P}/sqs/pricing/",
        "as known",
    ),
    "hosted_zone": (0.50, "per Route 53 hosted zone a month", f"{P}/route53/pricing/", "as known"),
    "dashboard": (3.00, "per CloudWatch dashboard a month", f"{P}/cloudwatch/pricing/", "page*"),
}
CHECKED = {
    "page": "the page's list price, found in a stored copy of the page or a transcription of it",
    "page*": "eu-west-2 value from a transcription of the page's London prices (April 2025)",
    "as known": "the published list price as known on the date, not found in a stored copy: check it",
    "assumed": "London's storage price not found: the US list price x 1.188, the ratio of London's "
    "on-demand write price to the US one; storage here is megabytes, so the error is fractions of a cent",
}


@dataclass
class Line:
    name: str
    monthly: float
    idle: float
    basis: str


def _usd(value: float) -> str:
    return f"${value:.2f}" if round(value, 2) == value else "$" + f"{value:.10f}".rstrip("0")


def _resources() -> dict[str, list[dict[str, Any]]]:
    by_type: dict[str, list[dict[str, Any]]] = {}
    for r in load_template()["Resources"].values():
        by_type.setdefault(str(r.get("Type")), []).append(r.get("Properties") or {})
    return by_type


def _function(logical_id: str) -> dict[str, Any] | None:
    """A function's properties in template.yaml (None when the template has no such function)."""
    found = load_template()["Resources"].get(logical_id)
    return dict(found.get("Properties") or {}) if found else None


def _request_cost(r: Request) -> float:
    """A page view's own cost: API Gateway, Lambda request and duration, DynamoDB reads."""
    p = {k: v[0] for k, v in PRICES.items()}
    gb_s = math.ceil(r.seconds * 1000) / 1000 * r.memory_mb / 1024
    return p["apigw_request"] + p["lambda_request"] + gb_s * p["lambda_gb_s"] + r.rru * p["ddb_rru"]


def lines(results: list[JourneyCost]) -> tuple[list[Line], dict[str, float]]:
    f = {k: v[0] for k, v in FIXED_PRICES.items()}
    by_branch = {r.branch: r for r in results}
    mix = {b: w for b, w in BRANCH_MIX.items() if b in by_branch}
    weight = sum(mix.values()) or 1.0
    journeys = JOURNEYS_A_YEAR / 12
    per_journey = sum(by_branch[b].total * w for b, w in mix.items()) / weight
    invocations_per_journey = sum(sum(by_branch[b].invocations.values()) * w for b, w in mix.items()) / weight
    emails_per_journey = sum(by_branch[b].emails * w for b, w in mix.items()) / weight
    pages = [
        r for res in results for r in res.requests if r.function == "web" and r.method == "GET" and not r.poll
    ]
    per_page = sum(_request_cost(r) for r in pages) / len(pages) if pages else 0.0
    invocations = journeys * invocations_per_journey + PAGE_VIEWS_A_MONTH
    res = _resources()
    out: list[Line] = []

    out.append(
        Line(
            "Journeys: every AWS request a journey makes (section 3's cost, by the assumed mix of branches)",
            journeys * per_journey,
            0.0,
            f"{journeys:.0f} journeys a month x ${per_journey:.5f}",
        )
    )
    out.append(
        Line(
            "Page views: API Gateway, Lambda and DynamoDB reads of a metered page (section 2's pages)",
            PAGE_VIEWS_A_MONTH * per_page,
            0.0,
            f"{PAGE_VIEWS_A_MONTH:,} pages x ${per_page:.6f} (mean of {len(pages)} metered GETs)",
        )
    )
    # Lambda decrypts its environment with the customer-managed key once per cold start; at this
    # traffic nearly every invocation is a cold start, so count one per invocation (an upper bound).
    out.append(
        Line(
            "KMS requests: each cold start decrypts the function's environment (one per invocation, at most)",
            invocations * PRICES["kms_request"][0],
            0.0,
            f"{invocations:,.0f} invocations",
        )
    )
    # Tracing: Active: Lambda and Step Functions record a trace per request they sample (at this rate
    # the default rule's one a second takes nearly all); one trace per invocation is the upper bound.
    out.append(
        Line(
            "X-Ray traces recorded by Lambda and Step Functions (Tracing: Active)",
            invocations * f["xray_trace"],
            0.0,
            f"{invocations:,.0f} traces at most",
        )
    )
    ingested_gb = invocations * LOG_BYTES_PER_INVOCATION / 1e9
    retention = [p.get("RetentionInDays") for p in res.get("AWS::Logs::LogGroup", [])]
    months_kept = min(12.0, min((int(d) for d in retention if isinstance(d, int)), default=3650) / 30.4)
    out.append(
        Line("CloudWatch Logs ingested", ingested_gb * f["log_ingest"], 0.0, f"{ingested_gb * 1000:.0f} MB")
    )
    out.append(
        Line(
            "CloudWatch Logs stored",
            ingested_gb * months_kept * f["log_storage"],
            ingested_gb * months_kept * f["log_storage"],
            f"{months_kept:.0f} months of logs kept"
            + (
                " (no log group with a retention in the template: a year is counted)" if not retention else ""
            ),
        )
    )
    # Powertools Metrics: EmailSent (EmailFailed only on failures). A metric is billed for the hours
    # in which it is published: at most one hour per email.
    metric_hours = min(730.0, journeys * emails_per_journey)
    out.append(
        Line(
            "CloudWatch custom metric EmailSent (billed for the hours it is published)",
            metric_hours / 730 * f["custom_metric"],
            0.0,
            f"{metric_hours:.0f} metric-hours at most",
        )
    )
    keys = len(res.get("AWS::KMS::Key", []))
    out.append(Line("KMS keys", keys * f["kms_key"], keys * f["kms_key"], f"{keys} keys in the template"))
    alarms = len(res.get("AWS::CloudWatch::Alarm", []))
    out.append(
        Line(
            "CloudWatch alarms", alarms * f["alarm"], alarms * f["alarm"], f"{alarms} alarms in the template"
        )
    )
    secrets = len(res.get("AWS::SecretsManager::Secret", []))
    out.append(
        Line(
            "Secrets Manager secrets",
            secrets * f["secret"],
            secrets * f["secret"],
            f"{secrets} in the template",
        )
    )
    params = res.get("AWS::SSM::Parameter", [])
    advanced = sum(1 for p in params if p.get("Tier") == "Advanced")
    out.append(
        Line(
            "SSM parameters",
            advanced * f["advanced_parameter"],
            advanced * f["advanced_parameter"],
            f"{len(params)} in the template, {advanced} Advanced",
        )
    )
    # An SQS event source mapping is polled all month, messages or none: Lambda keeps long polls open
    # (20 s each; five at once when it starts, the number it scales down to is not published), and
    # every ReceiveMessage is a billed request. An estimate, so it is shown as one; only a template
    # with such a mapping has the line (the record archive is invoked asynchronously: nothing polls).
    mappings = len(res.get("AWS::Lambda::EventSourceMapping", []))
    if mappings:
        polls = mappings * IDLE_POLLERS * 730 * 3600 / LONG_POLL_SECONDS
        out.append(
            Line(
                "SQS: Lambda's polling of event source mappings (estimated)",
                polls * f["sqs_request"],
                polls * f["sqs_request"],
                f"{mappings} event source mapping(s) x {IDLE_POLLERS} long polls of {LONG_POLL_SECONDS} s "
                f"= {polls:,.0f} requests a month",
            )
        )
    # The whole record: an asynchronous invoke is one Lambda request (the invocation it queues), then
    # the archive function's run at its memory, its S3 reads and one PUT, and the "ready" email.
    archive = _function("RecordArchiveFunction")
    if archive is not None:
        p = {k: v[0] for k, v in PRICES.items()}
        gb_s = ARCHIVE_SECONDS * int(archive.get("MemorySize", 128)) / 1024
        each = (
            p["lambda_request"]
            + gb_s * p["lambda_gb_s"]
            + ARCHIVE_FILES * p["s3_get"]
            + p["s3_put"]
            + p["ses_email"]
        )
        out.append(
            Line(
                "Whole-record archives: an asynchronous invoke, the archive's run, its S3 reads and email",
                RECORD_ARCHIVES_A_MONTH * each,
                0.0,
                f"{RECORD_ARCHIVES_A_MONTH} archives x ${each:.5f} ({ARCHIVE_SECONDS} s at "
                f"{archive.get('MemorySize', 128)} MB, {ARCHIVE_FILES} objects read)",
            )
        )
    zones = len(res.get("AWS::Route53::HostedZone", []))
    dashboards = len(res.get("AWS::CloudWatch::Dashboard", []))
    if zones or dashboards:
        fixed = zones * f["hosted_zone"] + dashboards * f["dashboard"]
        out.append(
            Line("Route 53 zones and dashboards", fixed, fixed, f"{zones} zones, {dashboards} dashboards")
        )
    evidence_gb = CLAIMS_A_YEAR * EVIDENCE_MB_A_CLAIM / 1024
    certificates_gb = JOURNEYS_A_YEAR * CERTIFICATE_BYTES / 1e9
    s3 = (evidence_gb + certificates_gb) * f["s3_gb_month"]
    out.append(
        Line(
            "S3: a year of stored evidence, certificates and status list objects",
            s3,
            s3,
            f"{evidence_gb:.1f} GB of evidence ({CLAIMS_A_YEAR} claims x {EVIDENCE_MB_A_CLAIM} MB), "
            f"{certificates_gb * 1000:.0f} MB of certificates; status lists are a few KB",
        )
    )
    table_gb = JOURNEYS_A_YEAR * TABLE_BYTES_PER_JOURNEY / 1e9
    tables = res.get("AWS::DynamoDB::Table", [])
    pitr = sum(
        1
        for t in tables
        if (t.get("PointInTimeRecoverySpecification") or {}).get("PointInTimeRecoveryEnabled")
    )
    ddb = table_gb * f["ddb_gb_month"] + (table_gb * f["pitr_gb_month"] if pitr else 0.0)
    out.append(
        Line(
            "DynamoDB storage and point-in-time recovery",
            ddb,
            ddb,
            f"{table_gb * 1000:.0f} MB (a year of journeys); PITR on {pitr} of {len(tables)} tables",
        )
    )
    context = {
        "journeys": journeys,
        "per_journey": per_journey,
        "per_page": per_page,
        "invocations": invocations,
    }
    return out, context


def section(results: list[JourneyCost]) -> Section:
    bill, ctx = lines(results)
    monthly = sum(line.monthly for line in bill)
    idle = sum(line.idle for line in bill)
    s = Section(
        "4. Monthly bill",
        intro=(
            f"One deployment at the programme's scale: {ACADEMIES} academies, {JOURNEYS_A_YEAR} journeys a "
            f"year ({ctx['journeys']:.0f} a month), {PAGE_VIEWS_A_MONTH:,} page views a month, a year of "
            f"stored evidence at {EVIDENCE_MB_A_CLAIM} MB a claim. Per-use lines come from this run's "
            "metered journeys and pages; fixed lines from the resources in template.yaml (read at run "
            "time, so a key, alarm, secret or parameter added to the template is priced here). No free "
            "tier is subtracted (an account usually runs other workloads), except Cognito's: its 10,000 "
            "monthly active users on the Essentials and Lite plans do not expire, and the programme has "
            "a few hundred. *A month with no users*: the fixed lines and what stays stored."
        ),
    )
    s.add(
        "Monthly bill at the programme's scale",
        f"${monthly:.2f}",
        f"<= ${MONTHLY_TARGET:.2f}",
        monthly <= MONTHLY_TARGET,
    )
    s.add("A month with no users", f"${idle:.2f}", f"<= ${IDLE_TARGET:.2f}", idle <= IDLE_TARGET)
    s.table(
        "By line (US$ a month)",
        ["Line", "At scale", "No users", "Basis"],
        [[line.name, f"{line.monthly:.3f}", f"{line.idle:.3f}", line.basis] for line in bill],
    )
    s.notes.append(
        "Assumptions (not measured here): the mix of branches "
        + ", ".join(f"{b} {w:.0%}" for b, w in BRANCH_MIX.items())
        + f"; one claim of evidence per journey; {LOG_BYTES_PER_INVOCATION:,} bytes of logs per invocation; "
        f"{TABLE_BYTES_PER_JOURNEY // 1000} KB of table items per journey; {CERTIFICATE_BYTES // 1000} KB per "
        f"certificate; {RECORD_ARCHIVES_A_MONTH} whole-record archives a month of {ARCHIVE_SECONDS} s and "
        f"{ARCHIVE_FILES} objects each; every invocation a cold start and a trace (upper bounds at this traffic). The "
        "journeys' own cost includes the pages viewed along them, so the page views are counted twice "
        "for those few: the bill errs high."
    )
    s.notes.append(
        f"Prices (US$, Europe (London) eu-west-2, list prices, written down on {PRICE_DATE}; the per-request "
        "prices are section 3's):\n\n"
        + "\n".join(
            f"- {_usd(v)} {unit} - {url} ({CHECKED[how]})" for v, unit, url, how in FIXED_PRICES.values()
        )
    )
    return s
