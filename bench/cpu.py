"""Where the CPU goes on the local stack: each part's own CPU seconds, from its thread's CPU clock.

Every part runs on threads of this one process (moto's server answers each connection on its own
thread; the HTTP front likewise; handlers run on the thread that invoked them). A part's time is
`time.thread_time()` between entering and leaving it, less the time of any part nested inside it
on the same thread (a Lambda handler that moto's server runs for a Step Functions task, say), so
the parts add up without counting anything twice. What no part claims (the harness's own HTTP
client, Step Functions' interpreter, the schedule firer) is the process's CPU time less the parts.
"""

from __future__ import annotations

import functools
import re
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from local.environments import Spent

if TYPE_CHECKING:
    from local.environments import Environments

MOTO = "moto's server: HTTP serving (sockets, parsing, threads)"
FRONT = "HTTP front (API Gateway stand-in)"


ENVIRONMENTS_OWN = "Execution environments' own work (pipes, unpickling, first imports)"
HANDOFF = "Handing invocations to environments (pickling, pipes; stack process)"


class CpuAccount:
    """CPU by part. With execution environments (local.environments) the handlers run in worker
    processes: each reports the CPU of every invocation, and the process total is the stack's
    process and the workers together."""

    def __init__(self, environments: Environments | None = None) -> None:
        self._environments = environments
        self._env_start: dict[str, Spent] = {}
        self._env_cpu_start = 0.0
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self.entries: Counter[str] = Counter()
        self._local = threading.local()
        self._lock = threading.Lock()
        self._undo: list[tuple[Any, str, Any]] = []
        self.process_start = 0.0
        self.process_seconds = 0.0

    @contextmanager
    def part(self, name: str) -> Iterator[None]:
        stack: list[list[float]] = self._local.__dict__.setdefault("stack", [])
        frame = [time.thread_time(), 0.0]  # start, CPU of parts nested inside
        stack.append(frame)
        try:
            yield
        finally:
            stack.pop()
            spent = time.thread_time() - frame[0]
            if stack:
                stack[-1][1] += spent
            with self._lock:
                self.seconds[name] += spent - frame[1]
                self.entries[name] += 1

    def _wrap(self, owner: Any, attribute: str, name: Callable[..., str] | str) -> None:
        original = getattr(owner, attribute)

        @functools.wraps(original)
        def accounted(*args: Any, **kwargs: Any) -> Any:
            with self.part(name(*args) if callable(name) else name):
                return original(*args, **kwargs)

        self._undo.append((owner, attribute, owner.__dict__.get(attribute)))
        setattr(owner, attribute, accounted)

    def __enter__(self) -> CpuAccount:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication
        from werkzeug.serving import WSGIRequestHandler

        from local import dispatch, http_front

        self._wrap(WSGIRequestHandler, "handle", MOTO)
        self._wrap(DomainDispatcherApplication, "__call__", lambda _app, environ, _start: _operation(environ))
        self._wrap(http_front._RequestHandler, "handle", FRONT)
        if self._environments is None:
            self._wrap(dispatch, "invoke_in_process", lambda function, _event: f"Lambda: {_short(function)}")
        else:
            self._wrap(dispatch, "invoke_in_process", HANDOFF)
            self._env_start = self._environments.spent()
            self._env_cpu_start = self._environments.cpu_seconds()
        self.process_start = time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.process_seconds = time.process_time() - self.process_start
        if self._environments is not None:
            workers = self._environments.cpu_seconds() - self._env_cpu_start
            in_handlers = 0.0
            for function, spent in self._environments.spent().items():
                before = self._env_start.get(function, Spent(0, 0.0))
                name = f"Lambda: {_short(function)} (in its environments)"
                self.seconds[name] += spent.cpu_seconds - before.cpu_seconds
                self.entries[name] += spent.invocations - before.invocations
                in_handlers += spent.cpu_seconds - before.cpu_seconds
            self.seconds[ENVIRONMENTS_OWN] += max(0.0, workers - in_handlers)
            self.process_seconds += workers
        while self._undo:
            owner, attribute, original = self._undo.pop()
            if original is None:  # inherited: remove the wrapper to uncover it again
                delattr(owner, attribute)
            else:
                setattr(owner, attribute, original)

    def rows(self, journeys: int) -> list[tuple[str, float, float]]:
        """(part, CPU seconds per journey, share of the process's CPU), largest first."""
        total = max(self.process_seconds, 1e-9)
        parts = sorted(self.seconds.items(), key=lambda kv: -kv[1])
        rest = self.process_seconds - sum(self.seconds.values())
        out = [(name, s / journeys, s / total) for name, s in parts]
        out.append(
            (
                "Everything else (harness's HTTP client, Step Functions' interpreter, schedules)",
                rest / journeys,
                rest / total,
            )
        )
        return out


def _operation(environ: dict[str, Any]) -> str:
    """`moto: <service> <operation>` from the request: the JSON protocols name the operation in
    X-Amz-Target; the REST ones (S3, Lambda, SES v2, Scheduler) by method; SigV4 names the service."""
    scope = re.search(r"/([a-z0-9-]+)/aws4_request", environ.get("HTTP_AUTHORIZATION", ""))
    service = scope.group(1) if scope else "unsigned"
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    operation = target.rsplit(".", 1)[-1] if target else environ.get("REQUEST_METHOD", "")
    return f"moto: {service} {operation}"


def _short(function_name: str) -> str:
    # Deployed names are "<stack>-<Function>"; the handler folder is the useful name.
    from local import dispatch

    ref = dispatch.HANDLERS.get(function_name)
    return ref.module.split(".")[1] if ref else function_name
