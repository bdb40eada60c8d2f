"""Lambda execution environments as worker processes, so that handlers can use a core of their own.

By default the local stack calls a handler on the thread that invokes it (local.dispatch): simple, and
a test can swap a handler in place. But then moto's server, Step Functions' interpreter and every
handler share one interpreter and one core. With environments, each invocation goes to an idle worker
process, as AWS gives each concurrent invocation an execution environment of its own: the worker keeps
the handler modules it has imported (a warm start), runs one invocation at a time, reaches moto over
HTTP as an in-process handler does, and reads the product clock that the invoker passes along.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import queue
import signal
import threading
import time
from collections import Counter
from datetime import timedelta
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, NamedTuple

from local import dispatch, iam


class Spent(NamedTuple):
    """What the environments spent on one function: invocations and CPU seconds in the workers."""

    invocations: int
    cpu_seconds: float


def _serve(
    conn: Connection, handlers: dict[str, dict[str, Any]], roles: dict[str, Any] | None = None
) -> None:
    """A worker's loop: (function, event, clock offset in seconds) in; (payload, errored, the
    invocation's CPU, the process's CPU so far) out."""
    from local import iam
    from odvalidation import clock

    if roles is not None:  # the stack's roles: the worker's calls are authorised as in-process ones are
        iam.restore(roles)

    # Ctrl-C in a terminal reaches the whole process group: the stack stops its environments itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name, ref in handlers.items():
        dispatch.HANDLERS[name] = dispatch.HandlerRef(**ref)
    # Initialised before it takes traffic, as with provisioned concurrency: every handler imported, so
    # no invocation pays a cold start and the pool's CPU is the steady state's.
    for name in handlers:
        with contextlib.suppress(Exception):  # a missing handler fails its invocation, not the pool
            dispatch.load(name)
    conn.send("ready")
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        function_name, event, offset = message
        # The invoker's clock may have moved on since the last invocation (advance_clock in a demo).
        clock.reset()
        clock.advance(timedelta(seconds=offset))
        started = time.thread_time()
        payload, errored = dispatch.run_here(function_name, event)
        conn.send((payload, errored, time.thread_time() - started, time.process_time()))


READY_WITHIN = 120.0


class _Worker(NamedTuple):
    process: BaseProcess
    conn: Connection


class Environments:
    """A pool of worker processes that run handlers. Start it after the stack's environment is set:
    a worker inherits os.environ (endpoints, table names) when it is spawned."""

    def __init__(self, size: int, most: int = 16) -> None:
        # When every environment is busy another starts, as Lambda scales out (and so a handler that
        # waits on another invocation cannot wait for itself); `most` bounds that growth.
        self.size = size
        self.most = max(size, most)
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()
        self._all: list[_Worker] = []
        self._lock = threading.Lock()
        self._spent: Counter[str] = Counter()
        self._cpu: Counter[str] = Counter()
        self._process_cpu: dict[int, float] = {}
        self._launched = 0
        self._live = 0  # environments started or starting: what `most` bounds

    def start(self) -> Environments:
        # Launched together, then awaited: each spends a second or two importing every handler.
        with self._lock:
            self._live += self.size
        for launched in [self._launch() for _ in range(self.size)]:
            self._idle.put(self._ready(*launched))
        return self

    def stop(self) -> None:
        with self._lock:
            workers, self._all = self._all, []
        for worker in workers:
            with contextlib.suppress(OSError):
                worker.conn.send(None)
        for worker in workers:
            worker.process.join(timeout=5)
            if worker.process.is_alive():
                worker.process.kill()
            worker.conn.close()

    def _spawn(self) -> _Worker:
        return self._ready(*self._launch())

    def _launch(self) -> tuple[BaseProcess, Connection]:
        handlers = {name: ref.model_dump() for name, ref in dispatch.HANDLERS.items()}
        parent, child = self._context.Pipe()
        with self._lock:
            self._launched += 1
            number = self._launched
        process = self._context.Process(
            target=_serve,
            args=(child, handlers, iam.snapshot() if iam.registry() else None),
            name=f"lambda-environment-{number}",
            daemon=True,
        )
        process.start()
        child.close()
        return process, parent

    def _ready(self, process: BaseProcess, conn: Connection) -> _Worker:
        if not conn.poll(READY_WITHIN) or conn.recv() != "ready":
            process.kill()
            raise RuntimeError(f"an execution environment was not ready within {READY_WITHIN} s")
        worker = _Worker(process, conn)
        with self._lock:
            self._all.append(worker)
        return worker

    def _take(self) -> _Worker:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            grow = self._live < self.most
            if grow:
                self._live += 1  # counted before it starts, so threads finding none idle cannot overshoot
        return self._spawn() if grow else self._idle.get()

    def invoke(self, function_name: str, event: Any) -> tuple[str, bool]:
        from odvalidation import clock

        worker = self._take()
        try:
            worker.conn.send((function_name, event, clock.offset().total_seconds()))
            payload, errored, cpu, process_cpu = worker.conn.recv()
        except (EOFError, OSError) as exc:
            # The environment died mid-invocation (as Runtime.ExitError in AWS): replace it.
            with self._lock:
                if worker in self._all:
                    self._all.remove(worker)
            worker.process.join(timeout=5)
            worker.conn.close()
            self._idle.put(self._spawn())  # its replacement: the count of live environments is unchanged
            error = {"errorType": "Runtime.ExitError", "errorMessage": f"the environment exited: {exc!r}"}
            return json.dumps(error), True
        with self._lock:
            self._spent[function_name] += 1
            self._cpu[function_name] += cpu
            self._process_cpu[worker.process.pid or 0] = process_cpu
        self._idle.put(worker)
        return payload, errored

    def count(self) -> int:
        """How many environments there are now."""
        with self._lock:
            return len(self._all)

    def spent(self) -> dict[str, Spent]:
        """Per deployed function name, what the workers spent on it so far."""
        with self._lock:
            return {name: Spent(self._spent[name], self._cpu[name]) for name in self._spent}

    def cpu_seconds(self) -> float:
        """The CPU the worker processes had used (user and system) when they last answered."""
        with self._lock:
            return sum(self._process_cpu.values())
