"""`make dev` (python -m local) as a newcomer sees it: the banner within one screen, then one short line
per request; no library INFO, no metrics JSON, no warnings."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREEN = 24  # rows of the smallest terminal a newcomer might have
BANNER_END = "Ctrl-C stops it."


class Terminal:
    """The merged stdout and stderr of `python -m local`, line by line as they come."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def until(self, text: str, timeout: float) -> list[str]:
        seen: list[str] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            seen.append(line)
            if line == text:
                return seen
        raise AssertionError(f"no {text!r} within {timeout} s; the terminal showed:\n" + "\n".join(seen))

    def more(self, wait: float = 1.0) -> list[str]:
        time.sleep(wait)
        out = []
        while not self.lines.empty():
            out.append(self.lines.get())
        return out


@pytest.fixture(scope="module")
def terminal() -> Iterator[Terminal]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTHONWARNINGS"))}
    process = subprocess.Popen(
        [sys.executable, "-m", "local", "--port", "0", "--moto-port", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield Terminal(process)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:  # pragma: no cover - only if stopping hangs
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


@pytest.fixture(scope="module")
def banner(terminal: Terminal) -> list[str]:
    return terminal.until(BANNER_END, timeout=300)


def test_the_banner_fits_one_screen(banner: list[str]) -> None:
    assert len(banner) <= SCREEN, "\n".join(banner)
    shown = "\n".join(banner)
    for noise in ("INFO", "Warning", '{"_aws"', "fontTools", "Traceback"):
        assert noise not in shown, shown
    assert any("The service:" in line for line in banner)


def test_each_request_is_one_short_line(terminal: Terminal, banner: list[str]) -> None:
    base = next(line.split()[-1] for line in banner if "The service:" in line)
    local = next(line.split()[-1] for line in banner if "Demo users:" in line)
    assert base.endswith("/v1/")  # the service under the API's stage; the local pages outside it
    for url in (base, local, base + "api/health"):
        try:
            urllib.request.urlopen(url, timeout=30).close()
        except urllib.error.HTTPError as refused:
            refused.close()  # a 401 is a request like any other
    lines = terminal.more()
    assert len(lines) == 3, lines
    assert lines[0].endswith("GET /v1/ 200")
    assert lines[1].endswith("GET /_local/ 200")
    assert lines[2].endswith("GET /v1/api/health 401 (no token)")
    assert all(len(line) < 80 for line in lines), lines
