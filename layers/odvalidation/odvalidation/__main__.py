"""Command line: `python -m odvalidation <command> ...`.

Commands register themselves in COMMANDS through `command(...)`; add one by writing a function that takes
the parsed arguments and returns an exit code, and a function that adds its arguments to a subparser.

    python -m odvalidation verify certificate.jwt --base-url https://od.example.org
    python -m odvalidation verify certificate.jwt --jwks jwks.json          # offline: signature and dates
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
