"""A small sampling profiler over every thread (cProfile sees one thread; the local stack runs the
HTTP front, moto's server, Step Functions' interpreter and the handlers on many)."""

from __future__ import annotations

import sys
import threading
from collections import Counter
from types import FrameType

# Frames where a thread waits rather than works: their samples are idle time, not cost.
_IDLE = {
    "wait",
    "select",
    "poll",
    "sleep",
    "accept",
    "recv_into",
    "readinto",
    "acquire",
    "_wait_for_tstate_lock",
    "get",
    "join",
    "serve_forever",
    "readline",
    "recv",
}


def _package(filename: str) -> str:
    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    for marker in ("/odvalidation/", "/local/", "/functions/", "/bench/"):
        if marker in filename:
            return marker.strip("/")
    return "python stdlib" if "/lib/python" in filename else filename.rsplit("/", 1)[-1]


class Sampler:
    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.samples = 0  # busy thread-samples
        self.idle = 0
        self.cumulative: Counter[str] = Counter()
        self.own: Counter[str] = Counter()
        self.packages: Counter[str] = Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="bench-sampler", daemon=True)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        me = threading.get_ident()
        while not self._stop.wait(self.interval):
            for ident, frame in sys._current_frames().items():
                if ident != me:
                    self._take(frame)

    def _take(self, frame: FrameType | None) -> None:
        if frame is None:
            return
        if frame.f_code.co_name in _IDLE:
            self.idle += 1
            return
        self.samples += 1
        self.own[f"{_name(frame)} (line {frame.f_lineno})"] += 1
        self.packages[_package(frame.f_code.co_filename)] += 1
        seen: set[str] = set()
        while frame is not None:
            name = _name(frame)
            if name not in seen:
                seen.add(name)
                self.cumulative[name] += 1
            frame = frame.f_back

    def top(self, n: int = 15) -> list[tuple[str, float]]:
        """Cumulative shares, leaving out the thread and server plumbing every sample sits under."""
        plumbing = ("/lib/python3", "werkzeug/", "<frozen")
        ranked = [(k, v) for k, v in self.cumulative.most_common() if not any(p in k for p in plumbing)]
        return [(k, v / max(1, self.samples)) for k, v in ranked[:n]]

    def top_own(self, n: int = 10) -> list[tuple[str, float]]:
        return [(k, v / max(1, self.samples)) for k, v in self.own.most_common(n)]

    def top_packages(self, n: int = 10) -> list[tuple[str, float]]:
        return [(k, v / max(1, self.samples)) for k, v in self.packages.most_common(n)]


def _name(frame: FrameType) -> str:
    code = frame.f_code
    filename = code.co_filename
    short = (
        filename.split("site-packages/", 1)[-1]
        if "site-packages/" in filename
        else filename.rsplit("/main/", 1)[-1]
    )
    return f"{short}:{code.co_firstlineno} {code.co_qualname}"
