"""Counting what the product asks of AWS: every botocore call in this process, every Lambda
invocation the local stack makes, and the request units DynamoDB would bill.

Calls are attributed to the Lambda function whose handler made them (a thread-local set while the
handler runs), so the local stack's own calls (deploying, firing schedules, the benchmark's
setup) are kept apart from what a deployed product would pay for.
"""

from __future__ import annotations

import contextvars
import json
import math
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import botocore.handlers

from odvalidation.dal import parallel

OUTSIDE = "(outside a handler)"
# What the calls being made belong to, in context variables rather than thread-locals: a handler that
# makes calls at once in worker threads (dal/parallel.py) copies its context into them, so their calls
# are counted for its function and its request, as a deployed product would pay for them.
_function: contextvars.ContextVar[str] = contextvars.ContextVar("bench_function", default=OUTSIDE)
_request: contextvars.ContextVar[Request | None] = contextvars.ContextVar("bench_request", default=None)
_muted: contextvars.ContextVar[bool] = contextvars.ContextVar("bench_muted", default=False)
# Where a call made now belongs in its request's sequence: one branch of a wave (dal/parallel.py).
_branch: contextvars.ContextVar[list[Step] | None] = contextvars.ContextVar("bench_branch", default=None)
POLL = "api (harness polling)"


def item_size(item: dict[str, Any]) -> int:
    """An item's size by DynamoDB's rules (attribute names plus values), near enough for units."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(value: dict[str, Any]) -> int:
    (kind, v), *_ = value.items()
    if kind in ("S", "B"):
        return len(v.encode() if isinstance(v, str) else v)
    if kind == "N":
        return math.ceil(len(str(v).lstrip("-").replace(".", "")) / 2) + 1
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(len(k.encode()) + _value_size(x) + 1 for k, x in v.items())
    if kind == "L":
        return 3 + sum(_value_size(x) + 1 for x in v)
    return sum(len(str(x)) for x in v)  # SS, NS, BS


@dataclass
class Invocation:
    function: str
    seconds: float
    memory_mb: int
    poll: bool


@dataclass
class Wave:
    """Calls made at once (dal/parallel.py): one branch per item, each the calls its item made."""

    branches: list[list[Step]]


Step = str | Wave


def rounds(steps: list[Step]) -> int:
    """Calls one after another in `steps`: a wave counts its longest branch, by groups of MOST_AT_ONCE."""
    total = 0
    for step in steps:
        if isinstance(step, Wave):
            group = parallel.MOST_AT_ONCE
            total += sum(
                max(rounds(b) for b in step.branches[i : i + group])
                for i in range(0, len(step.branches), group)
            )
        else:
            total += 1
    return total


@dataclass
class Request:
    """One HTTP request the front passed to a handler, and the AWS calls made while it waited."""

    function: str  # api or web
    method: str
    path: str
    route: str = ""  # the resolver's route template, e.g. GET /api/journeys/<journey_id>
    status: int = 0
    poll: bool = False
    calls: list[tuple[float, float, str, str]] = field(default_factory=list)  # start, end, service, op
    steps: list[Step] = field(default_factory=list)  # the calls as made: "service Op", or a Wave
    items_read: int = 0
    items_written: int = 0
    rru: float = 0.0
    seconds: float = 0.0  # the handler's time
    memory_mb: int = 128

    @property
    def sequential(self) -> int:
        """AWS calls made one after another while the request waited: each call is one, and a wave of
        calls made at once (dal/parallel.py) is as many as its longest branch, as on AWS, where each
        call waits on the network; past MOST_AT_ONCE branches the rest queue, one group after another.
        Counted from how the calls were made, not from when they ended: on a busy machine, calls made
        at once on threads may happen not to overlap."""
        return rounds(self.steps)


def _written(op: str, params: dict[str, Any]) -> int:
    """Items a DynamoDB call writes (a transaction's condition checks write nothing)."""
    if op in ("PutItem", "UpdateItem", "DeleteItem"):
        return 1
    if op == "BatchWriteItem":
        return sum(len(r) for r in params.get("RequestItems", {}).values())
    if op == "TransactWriteItems":
        return sum(1 for t in params.get("TransactItems", []) if "ConditionCheck" not in t)
    return 0


@dataclass
class Meter:
    """Counts since the last reset(). Thread-safe enough for counting (one lock)."""

    calls: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # (function, service, op)
    # function -> read / write request units (halves: eventually consistent reads cost half a unit)
    rru: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    wru: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    items_read: Counter[str] = field(default_factory=Counter)  # function -> items DynamoDB read
    invocations: list[Invocation] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)  # HTTP requests, in the order they ended
    scans: int = 0  # never reset: the whole run must have none
    services_seen: dict[str, set[str]] = field(default_factory=dict)  # never reset: function -> services
    _lock: threading.Lock = field(default_factory=threading.Lock)
    polling: threading.Event = field(default_factory=threading.Event)
    size_of: Any = None  # callable(table, key) -> item size, for updates (set by the benchmark)
    active: bool = False

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self.rru.clear()
            self.wru.clear()
            self.items_read.clear()
            self.invocations.clear()
            self.requests.clear()

    # ------------------------------------------------------------------ botocore hooks
    def _before(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["bench_params"] = params
        context["bench_started"] = time.perf_counter()

    def _after(self, model: Any, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        if not self.active or _muted.get():
            return
        service = model.service_model.service_name
        op = model.name
        function = _function.get()
        params = context.get("bench_params") or {}
        with self._lock:
            self.calls[(function, service, op)] += 1
            if service == "dynamodb" and op == "Scan":
                self.scans += 1
            if function not in (OUTSIDE, POLL):
                self.services_seen.setdefault(function, set()).add(service)
        request = _request.get()
        if request is not None:
            with self._lock:  # calls made at once end in several threads
                request.calls.append(
                    (context.get("bench_started", time.perf_counter()), time.perf_counter(), service, op)
                )
                branch = _branch.get()
                (request.steps if branch is None else branch).append(f"{service} {op}")
        if service == "dynamodb":
            r, w, n = self._units(op, params, parsed)
            with self._lock:
                self.rru[function] += r
                self.wru[function] += w
                self.items_read[function] += n
            if request is not None:
                with self._lock:
                    request.rru += r
                    request.items_read += n
                    request.items_written += _written(op, params)

    def _units(self, op: str, params: dict[str, Any], parsed: dict[str, Any]) -> tuple[float, float, int]:
        """(read units, write units, items read) of one DynamoDB call."""
        if op == "GetItem":
            item = parsed.get("Item")
            factor = 1.0 if params.get("ConsistentRead") else 0.5
            return factor * max(1, math.ceil(item_size(item or {}) / 4096)), 0.0, 1 if item else 0
        if op == "Query":
            items = parsed.get("Items", [])
            factor = 1.0 if params.get("ConsistentRead") else 0.5
            total = sum(item_size(i) for i in items)
            read = int(parsed.get("ScannedCount", len(items)))
            return factor * max(1, math.ceil(total / 4096)), 0.0, read
        if op == "BatchGetItem":
            units, n = 0.0, 0
            for table, items in parsed.get("Responses", {}).items():
                factor = 1.0 if params.get("RequestItems", {}).get(table, {}).get("ConsistentRead") else 0.5
                units += sum(factor * max(1, math.ceil(item_size(i) / 4096)) for i in items)
                n += len(items)
            return units, 0.0, n
        if op == "PutItem":
            return 0.0, max(1, math.ceil(item_size(params.get("Item", {})) / 1024)), 0
        if op == "UpdateItem":
            return 0.0, self._update_units(params.get("TableName", ""), params.get("Key", {})), 0
        if op == "DeleteItem":
            return 0.0, 1.0, 0
        if op == "BatchWriteItem":
            w = 0.0
            for requests in params.get("RequestItems", {}).values():
                for r in requests:
                    put = r.get("PutRequest")
                    w += max(1, math.ceil(item_size(put["Item"]) / 1024)) if put else 1
            return 0.0, w, 0
        if op == "TransactWriteItems":
            w = 0.0
            for t in params.get("TransactItems", []):
                if "Put" in t:
                    w += 2 * max(1, math.ceil(item_size(t["Put"]["Item"]) / 1024))
                elif "Update" in t:
                    w += 2 * self._update_units(t["Update"]["TableName"], t["Update"]["Key"])
                else:
                    w += 2
            return 0.0, w, 0
        if op == "TransactGetItems":
            items = [r.get("Item") or {} for r in parsed.get("Responses", [])]
            return sum(2 * max(1, math.ceil(item_size(i) / 4096)) for i in items), 0.0, len(items)
        return 0.0, 0.0, 0

    def _update_units(self, table: str, key: dict[str, Any]) -> float:
        # An update is billed on the item's size after it: read it back, uncounted.
        if self.size_of is None:
            return 1.0
        with muted():
            size = self.size_of(table, key)
        return float(max(1, math.ceil(size / 1024)))

    # ------------------------------------------------------------------ Lambda
    def record_invocation(self, function: str, seconds: float, memory_mb: int, poll: bool) -> None:
        with self._lock:
            self.invocations.append(Invocation(function, seconds, memory_mb, poll))

    # ------------------------------------------------------------------ install
    def install(self) -> None:
        """Hook every botocore client created from now on (and boto3's default session's)."""
        self.active = True
        handlers = self._handlers()
        for event, handler in handlers:
            if (event, handler) not in botocore.handlers.BUILTIN_HANDLERS:
                botocore.handlers.BUILTIN_HANDLERS.append((event, handler))
        import boto3

        if boto3.DEFAULT_SESSION is not None:
            for event, handler in handlers:
                boto3.DEFAULT_SESSION.events.register(event, handler)
        _wrap_dispatch(self)
        _wrap_parallel()

    def uninstall(self) -> None:
        """Stop counting; clients made meanwhile keep the (now idle) hook."""
        self.active = False
        import boto3

        for pair in self._handlers():
            if pair in botocore.handlers.BUILTIN_HANDLERS:
                botocore.handlers.BUILTIN_HANDLERS.remove(pair)
            if boto3.DEFAULT_SESSION is not None:
                boto3.DEFAULT_SESSION.events.unregister(*pair)
        from local import dispatch

        dispatch.invoke_in_process = getattr(
            dispatch.invoke_in_process, "__wrapped__", dispatch.invoke_in_process
        )

    def _handlers(self) -> list[tuple[str, Any]]:
        return [("before-parameter-build", self._before), ("after-call", self._after)]


@contextmanager
def muted() -> Iterator[None]:
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


@contextmanager
def as_function(name: str) -> Iterator[None]:
    token = _function.set(name)
    try:
        yield
    finally:
        _function.reset(token)


def _wrap_parallel() -> None:
    """Record each set of calls dal/parallel.py makes at once as a Wave of its request (`at_once` calls
    `each`, so both are seen). Each item's calls run in a copy of the caller's context, so the branch
    set here is the one its calls, and any wave inside it, are recorded in."""
    original = getattr(parallel.each, "__wrapped__", parallel.each)

    def each(call: Callable[[Any], Any], items: Iterable[Any]) -> list[Any]:
        todo = list(items)
        request = _request.get()
        if request is None or len(todo) <= 1:
            return original(call, todo)
        wave = Wave([[] for _ in todo])
        branch = _branch.get()
        (request.steps if branch is None else branch).append(wave)  # list.append is atomic

        def in_branch(numbered: tuple[int, Any]) -> Any:
            _branch.set(wave.branches[numbered[0]])  # this item's own copy of the context
            return call(numbered[1])

        return original(in_branch, list(enumerate(todo)))

    each.__wrapped__ = original  # type: ignore[attr-defined]
    parallel.each = each


def _wrap_dispatch(meter: Meter) -> None:
    """Count every invocation (HTTP front, Step Functions tasks, S3 notifications, schedules)."""
    from local import dispatch

    original = getattr(dispatch.invoke_in_process, "__wrapped__", dispatch.invoke_in_process)

    def counted(function_name: str, event: Any) -> tuple[str, bool]:
        ref = dispatch.HANDLERS.get(function_name)
        short = _short(function_name)
        poll = (
            meter.polling.is_set()
            and short == "api"
            and isinstance(event, dict)
            and event.get("httpMethod") == "GET"
        )
        http = isinstance(event, dict) and "httpMethod" in event
        request = Request(short, event["httpMethod"], event.get("path", ""), poll=poll) if http else None
        token = _request.set(request)
        start = time.perf_counter()
        with as_function(POLL if poll else short):
            try:
                result = original(function_name, event)
                if request is not None:
                    request.status = _status(result[0])
                return result
            finally:
                _request.reset(token)
                meter.record_invocation(
                    POLL if poll else short, time.perf_counter() - start, ref.memory_mb if ref else 128, poll
                )
                if request is not None and meter.active:
                    request.seconds = time.perf_counter() - start
                    request.memory_mb = ref.memory_mb if ref else 128
                    request.route = f"{request.method} {_route(ref.module if ref else '', request)}"
                    with meter._lock:
                        meter.requests.append(request)

    counted.__wrapped__ = original  # type: ignore[attr-defined]
    dispatch.invoke_in_process = counted


def _status(payload: str) -> int:
    try:
        return int(json.loads(payload).get("statusCode", 0))
    except (ValueError, AttributeError):
        return 0


def _route(module: str, request: Request) -> str:
    """The route template the handler's Powertools resolver matched (its first match, as it does)."""
    from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver

    handler_module = sys.modules.get(module)
    resolver = getattr(handler_module, "app", None)
    if not isinstance(resolver, ApiGatewayResolver):
        from odvalidation.web import site  # the web function's routes live in its site module

        resolver = site.app
    path = resolver._remove_prefix(request.path)
    for route in resolver._static_routes + resolver._dynamic_routes:
        if route.method == request.method and route.rule.match(path):
            return str(route.path)
    return path


def _short(function_name: str) -> str:
    """'od-validation-local-assign-panel' -> 'assign_panel' (the functions/<dir> name)."""
    from local import dispatch

    ref = dispatch.HANDLERS.get(function_name)
    if ref is not None and ref.module.startswith("functions."):
        return ref.module.split(".")[1]
    return function_name
