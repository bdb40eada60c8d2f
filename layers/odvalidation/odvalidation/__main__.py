"""Command line: `python -m odvalidation <command> ...`.

Commands register themselves in COMMANDS through `command(...)`; add one by writing a function that takes
the parsed arguments and returns an exit code, and a function that adds its arguments to a subparser.

    python -m odvalidation verify certificate.jwt --base-url https://od.example.org
    python -m odvalidation verify certificate.jwt --jwks jwks.json          # offline: signature and dates
    python -m odvalidation cohort-status --academy north-west --cohort 2 --base-url URL --token TOKEN
    python -m odvalidation cohort-status --academy north-west --cohort 2 --local   # `make dev`'s stack
    python -m odvalidation repair-counters [--dry-run]
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

Handler = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Handler]] = {}


def command(
    name: str, help_text: str, configure: Callable[[argparse.ArgumentParser], None]
) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        COMMANDS[name] = (help_text, configure, handler)
        return handler

    return register


# --- verify -----------------------------------------------------------------------------------------


class FetchError(Exception):
    pass


def _fetch_json(url: str, *, timeout: float = 10.0) -> Any:
    """GET one URL (http or https only) and parse its JSON body."""
    if urllib.parse.urlsplit(url).scheme not in {"http", "https"}:
        raise FetchError(f"only http(s) URLs can be fetched, not {url!r}")
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310 (scheme checked)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (scheme checked)
            return json.loads(response.read(1_000_000))
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise FetchError(f"{url} answered HTTP {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise FetchError(f"could not reach {url}: {getattr(exc, 'reason', exc)}") from None
    except json.JSONDecodeError:
        raise FetchError(f"{url} did not answer with JSON") from None


def _configure_verify(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="the credential file (.jwt) the holder gave you")
    parser.add_argument(
        "--base-url",
        "--status-url-base",
        dest="base_url",
        help=(
            "the issuing service, e.g. https://od.example.org: "
            "its public keys and the live status come from there"
        ),
    )
    parser.add_argument("--jwks", type=Path, help="verify offline with this public key file (JWKS JSON)")
    parser.add_argument("--name", help="also check that the certificate belongs to this person")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


@command("verify", "check a certificate's signature and its live status", _configure_verify)
def verify(args: argparse.Namespace) -> int:
    from .certificates.credential import certificate_id_of, holder_matches, status_url
    from .certificates.jws import InvalidCredential, verify_credential
    from .certificates.verification import VerificationResult, VerificationStatus, invalid, offline_status
    from .clock import now

    at = now()
    if not args.base_url and not args.jwks:
        print("Give --base-url (to check online) or --jwks (to check offline).", file=sys.stderr)
        return 2
    try:
        raw = args.file.read_bytes()
    except OSError as exc:
        print(f"Cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2

    base = args.base_url.rstrip("/") if args.base_url else None
    result: VerificationResult
    credential: dict[str, Any] = {}
    try:
        if args.jwks:
            jwks = json.loads(args.jwks.read_text(encoding="utf-8"))
        else:
            jwks = _fetch_json(f"{base}/.well-known/jwks.json")
        if not isinstance(jwks, dict):
            raise FetchError("the issuer's public keys are not a JWKS")
        credential = verify_credential(raw, jwks)
        certificate_id = certificate_id_of(credential)
        if base is None:
            result = offline_status(credential, at)
        else:
            # Only the status URL of the given service is fetched, never one named inside the file.
            body = _fetch_json(status_url(base, certificate_id))
            if body is None:
                result = VerificationResult(
                    status=VerificationStatus.UNKNOWN,
                    reason="The issuing service does not know this certificate.",
                    checked_at=at,
                    certificate_id=certificate_id,
                )
            else:
                result = VerificationResult.model_validate(body)
                if result.certificate_id not in (None, certificate_id):
                    result = invalid("The service answered about a different certificate.", at)
    except InvalidCredential as exc:
        result = invalid(exc.reason, at)
    except (OSError, ValueError, FetchError) as exc:
        # Could not check: not the same as "invalid", so say so and do not claim anything about the file.
        print(f"Could not check the certificate: {exc}", file=sys.stderr)
        return 2

    name_ok = True
    if args.name and result.status is not VerificationStatus.INVALID:
        name_ok = holder_matches(credential, args.name)
    if args.json:
        print(json.dumps({**result.model_dump(mode="json"), "name_matches": name_ok if args.name else None}))
    else:
        print(result.summary())
        if args.name:
            print(f"Name {'matches' if name_ok else 'DOES NOT match'}: {args.name}")
    return 0 if result.ok and name_ok else 1


# --- reporting: cohort-status and repair-counters ------------------------------------------------------

LOCAL_ENDPOINT = "http://127.0.0.1:4566"  # `make dev`'s moto


def _use_local_stack() -> None:
    """Point the product's data layer at `make dev`'s local stack (moto on 127.0.0.1:4566)."""
    import os

    os.environ.setdefault("AWS_ENDPOINT_URL", LOCAL_ENDPOINT)
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",  # nosec B105 - moto's fake credentials
        "AWS_DEFAULT_REGION": "eu-west-2",
    }.items():
        os.environ.setdefault(key, value)
    if "TABLE_NAME" not in os.environ:
        from .dal.clients import client

        # The local deploy names the table after its logical id (no Scan: this lists tables, not items).
        names = client("dynamodb").list_tables().get("TableNames", [])
        found = [n for n in names if "JourneyTable" in n] or [
            n for n in names if "idempotency" not in n.lower()
        ]
        if not found:
            raise FetchError(f"no journey table at {os.environ['AWS_ENDPOINT_URL']}: is `make dev` running?")
        os.environ["TABLE_NAME"] = found[0]
    from .dal import clients
    from .settings import settings

    settings.cache_clear()
    clients.reset()


def _get_json(url: str, token: str, *, timeout: float = 30.0) -> Any:
    """GET an API route with the user's ID token; the API's own message on an error."""
    if urllib.parse.urlsplit(url).scheme not in {"http", "https"}:
        raise FetchError(f"only http(s) URLs can be fetched, not {url!r}")
    request = urllib.request.Request(  # noqa: S310 (scheme checked)
        url, headers={"Accept": "application/json", "Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (scheme checked)
            return json.loads(response.read(5_000_000))
    except urllib.error.HTTPError as exc:
        try:
            message = json.loads(exc.read(100_000)).get("message", "")
        except (ValueError, AttributeError):
            message = ""
        raise FetchError(f"the service answered HTTP {exc.code}: {message or exc.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise FetchError(f"could not reach {url}: {getattr(exc, 'reason', exc)}") from None


def _pct(value: Any) -> str:
    return "" if value is None else f"{value:g}%"


def cohort_status_text(detail: dict[str, Any]) -> str:
    """A cohort report (the API's JSON) as a readable table for a terminal."""
    c, rep, fb = detail["cohort"], detail["report"], detail["feedback"]
    width = 44
    lines = [
        f"{c['name']} ({detail['academy_name']})",
        f"Workshop {c['workshop_date']}, framework {detail.get('framework_name', c['framework_key'])}; "
        f"figures as of {rep['as_of']}",
        "",
        f"{'The pipeline':{width}} {'Number':>7}  {'% of interest':>13}",
    ]
    lines += [
        f"{s['label']:{width}} {s['count']:>7}  {_pct(s['pct_of_interest']):>13}" for s in rep["funnel"]
    ]
    lines += ["", f"{'Readiness decisions':{width}} {'Number':>7}  {'% of decided':>13}"]
    lines += [
        f"{s['label']:{width}} {s['count']:>7}  {_pct(s['pct_of_decided']):>13}" for s in rep["readiness"]
    ]
    lines += ["", f"{'Outcomes':{width}} {'Number':>7}  {'% interviewed':>13}"]
    lines += [
        f"{s['label']:{width}} {s['count']:>7}  {_pct(s['pct_of_interviewed']):>13}" for s in rep["outcomes"]
    ]
    lines += [
        "",
        f"{'Now in claim development':{width}} {rep['in_claim_development']:>7}",
        f"{'Now under review':{width}} {rep['under_review']:>7}",
        f"{'Now deferred':{width}} {rep['deferred']:>7}",
        f"{'Withdrawn':{width}} {rep['withdrawn']:>7}",
    ]
    for title, key in (
        ("Claim deadlines", "claim_deadlines"),
        ("Deferrals due to re-engage", "deferrals_due"),
    ):
        if detail[key]:
            lines.append(f"{title}: " + ", ".join(f"{m['label']}: {m['count']}" for m in detail[key]))
    times = [t for t in rep["time_in_step"] if t["stays"]]
    if times:
        lines += ["", f"{'Time in each step':{width}} {'Median':>15}  {'90th pct':>15}  Average"]
        lines += [
            f"{t['label']:{width}} {t['median']['label']:>15}  {t['p90']['label']:>15}  {t['mean']}"
            for t in times
        ]
    lines += ["", f"Participant feedback: {fb['responses']} responses"]
    lines += [f"  {q['question']}: {q['average']}" for q in fb["questions"] if q["responses"]]
    return "\n".join(lines)


def _configure_cohort_status(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--academy", required=True, help="the academy's id, e.g. north-west")
    parser.add_argument("--cohort", required=True, type=int, help="the cohort's number in its academy")
    parser.add_argument("--base-url", help="the service, e.g. https://od.example.org (with --token)")
    parser.add_argument("--token", help="your ID token (or set OD_TOKEN)")
    parser.add_argument("--local", action="store_true", help="read `make dev`'s local stack directly")
    parser.add_argument("--json", action="store_true", help="print the API's JSON")


@command("cohort-status", "one cohort's pipeline, readiness, outcomes and feedback", _configure_cohort_status)
def cohort_status(args: argparse.Namespace) -> int:
    import os

    from .domain.errors import DomainError

    cohort_id = f"{args.academy}-{args.cohort}"
    try:
        if args.local:
            _use_local_stack()
            from .domain.access import Caller
            from .domain.models import Role
            from .services import reports

            local = Caller(id="cli:local", name="Local stack", roles=frozenset({Role.NATIONAL_LEAD}))
            detail = reports.cohort_report(local, cohort_id).model_dump(mode="json")
        else:
            token = args.token or os.environ.get("OD_TOKEN")
            if not args.base_url or not token:
                print("Give --base-url and --token (or OD_TOKEN), or --local.", file=sys.stderr)
                return 2
            path = f"/api/reports/cohorts/{urllib.parse.quote(cohort_id, safe='')}"
            detail = _get_json(args.base_url.rstrip("/") + path, token)
    except FetchError as exc:
        print(f"Could not get the cohort's status: {exc}", file=sys.stderr)
        return 1
    except DomainError as exc:  # --local: no such cohort, or not yours to see
        print(f"Could not get the cohort's status: {exc.message}", file=sys.stderr)
        return 1
    print(json.dumps(detail, indent=2) if args.json else cohort_status_text(detail))
    return 0


def _configure_repair(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dry-run", action="store_true", help="report the differences, write nothing")
    parser.add_argument("--local", action="store_true", help="repair `make dev`'s local stack")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


@command(
    "repair-counters",
    "rebuild the reporting counters from the journeys and their audit trails, and fix any that differ",
    _configure_repair,
)
def repair_counters(args: argparse.Namespace) -> int:
    try:
        if args.local:
            _use_local_stack()
    except FetchError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    from .services import reports

    result = reports.repair_counters(dry_run=args.dry_run)
    if args.json:
        print(result.model_dump_json(indent=2))
        return 1 if result.problems else 0
    print(f"Checked {result.cohorts} cohorts and {result.journeys} journeys.")
    for d in result.differences:
        print(f"  {d.scope} {d.key}: stored {d.stored}, rebuilt {d.rebuilt}")
    for problem in result.problems:
        print(f"  Problem: {problem}")
    if result.problems:
        print("Nothing was written: put the journeys above right first.")
        return 1
    if not result.differences:
        print("The counters agree with the journeys.")
    elif args.dry_run:
        print(f"{len(result.differences)} differences found; nothing written (--dry-run).")
    else:
        print(f"Fixed {len(result.differences)} differences in {len(result.written)} counter items.")
    return 0


# --- entry point --------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m odvalidation", description="System OD Validation tools")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (help_text, configure, handler) in COMMANDS.items():
        sub = subparsers.add_parser(name, help=help_text, description=help_text)
        configure(sub)
        sub.set_defaults(handler=handler)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())
