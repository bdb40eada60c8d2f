"""`make test`'s own time (install excluded), recorded by the run itself and reported by `make bench`.

`make test` calls `python -m bench.testtime start` after installing and `... stop` when every step has
passed; stop writes .make-test-time.json (not committed: it describes this machine's last run). The
report shows that run with its commit, cores and whether it started from a fresh clone (no lint, type
or test caches yet), so the figure is always a measured one, never a guess.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime

from .common import ROOT, Section

TARGET_SECONDS = 300
RECORD = ROOT / ".make-test-time.json"
STARTED = ROOT / ".make-test-time.start"
CACHES = (".pytest_cache", ".mypy_cache", ".ruff_cache")


def start() -> None:
    fresh = not any((ROOT / c).exists() for c in CACHES)
    STARTED.write_text(json.dumps({"started": time.time(), "fresh": fresh}))


def stop() -> None:
    began = json.loads(STARTED.read_text())
    seconds = time.time() - began["started"]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    record = {
        "seconds": round(seconds, 1),
        "fresh_clone": began["fresh"],
        "cores": os.cpu_count(),
        "commit": commit.stdout.strip() or "unknown",
        "finished": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    RECORD.write_text(json.dumps(record, indent=1) + "\n")
    STARTED.unlink(missing_ok=True)
    print(f"make test took {seconds:.0f} s (install excluded; target {TARGET_SECONDS} s)", file=sys.stderr)


def section() -> Section:
    s = Section(
        "7. make test",
        intro=(
            "Wall time of `make test` with the install excluded (lint, type check, template and state "
            "machine checks, security checks, unit, integration, end-to-end, benchmark smoke and browser "
            "tests), measured by the run itself (bench/testtime.py) and recorded in .make-test-time.json; "
            "this report shows the last recorded run on this machine. The target is for a fresh clone "
            "on 2 cores."
        ),
    )
    if not RECORD.exists():
        s.add(
            "make test, install excluded",
            "not measured: run `make test`, then `make bench`",
            f"<= {TARGET_SECONDS} s",
            False,
        )
        return s
    r = json.loads(RECORD.read_text())
    met = r["seconds"] <= TARGET_SECONDS
    s.add("make test, install excluded", f"{r['seconds']:.0f} s", f"<= {TARGET_SECONDS} s", met)
    s.add("That run: from a fresh clone", "yes" if r["fresh_clone"] else "no (caches from an earlier run)")
    s.add("That run: cores", str(r["cores"]), "2")
    s.add("That run: commit, finished", f"{r['commit']}, {r['finished']}")
    return s


if __name__ == "__main__":
    {"start": start, "stop": stop}[sys.argv[1]]()
