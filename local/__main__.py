"""`python -m local`: the whole service on 127.0.0.1 (moto, template.yaml deployed, the HTTP front).

Runs until Ctrl-C (or SIGTERM), then closes the servers and joins their threads.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import logging
import signal
import sys
import threading
from types import FrameType

from local import quiet
from local.stack import LocalStack


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local", description=__doc__)
    parser.add_argument(
        "--port", type=int, default=3000, help="HTTP front port (default 3000, else a free one)"
    )
    parser.add_argument(
        "--moto-port", type=int, default=4566, help="moto port (default 4566, else a free one)"
    )
    parser.add_argument("--no-demo-data", action="store_true", help="start empty: no demo users or journeys")
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="show every library's INFO, the product's INFO, the metrics and the demo data's requests",
    )
    parser.add_argument(
        "--environments",
        type=int,
        default=0,
        help="run handlers in this many worker processes, as Lambda's execution environments (more start "
        "when all are busy); 0, the default, runs them in this process",
    )
    args = parser.parse_args(argv)
    quiet.configure(verbose=args.verbose)

    stopping = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)

    print("Starting the local stack (moto, then template.yaml deployed into it)...", flush=True)
    stack = LocalStack(moto_port=args.moto_port, http_port=args.port).start()
    quiet.product_logs_at(logging.INFO if args.verbose else logging.WARNING)
    extras = contextlib.ExitStack()
    try:
        if args.environments > 0:
            extras.enter_context(stack.environments(args.environments))
        if not args.no_demo_data and importlib.util.find_spec("local.demo_data") is not None:
            print("Loading demo data...", flush=True)
            # Its requests are not the newcomer's: the banner follows at once, then their own.
            with contextlib.nullcontext() if args.verbose else quiet.hushed():
                importlib.import_module("local.demo_data").load(stack)
        environments = (
            f"  Handlers run in {args.environments} execution environment processes (more when all are busy).\n"
            if args.environments > 0
            else ""
        )
        print(
            "\nSystem OD Validation is running locally.\n"
            # Under the API's stage, as after sam deploy; the local pages are outside it, at the root.
            f"  The service:  {stack.base_url}/\n"
            f"  Demo users:   {stack.local_url}/\n"
            f"  Mailbox:      {stack.local_url}/mailbox\n"
            f"  AWS (moto):   {stack.endpoint_url}  (AWS_ENDPOINT_URL for the CLI or boto3)\n"
            f"{environments}"
            "Move the clock: curl -X POST -d '{\"days\": 30}' " + f"{stack.local_url}/clock\n"
            "Ctrl-C stops it.",
            flush=True,
        )
        stopping.wait()
    finally:
        print("\nStopping...", flush=True)
        extras.close()
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
