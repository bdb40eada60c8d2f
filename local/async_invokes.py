"""Lambda's asynchronous invocation (`InvocationType=Event`), played as Lambda plays it.

moto runs the function *inside* the Invoke call whatever the invocation type, and answers 202 only
after the handler has returned: the caller waits for the work, an error is never retried and never
reaches a dead-letter queue or a destination. So the stack patches moto's `LambdaFunction.invoke`:
an `Event` invocation is put on this module's queue and answered 202 at once, and `AsyncInvoker`
plays Lambda's side:

- a background thread (or a test's `drain()`) runs each queued event through local.dispatch, so the
  handler runs under its OWN role's IAM, never the caller's;
- on an error it tries again up to the function's `EventInvokeConfig.MaximumRetryAttempts` (0-2,
  Lambda's default 2: three tries in all). AWS waits about a minute, then two, between tries; the
  local stack retries at once (a test need not wait three minutes), after the other queued events;
- after the last failed try it sends what AWS sends: to the function's `DeadLetterConfig` target the
  event itself (message attributes `RequestID`, `ErrorCode`, `ErrorMessage`), and to
  `DestinationConfig.OnFailure` the invocation record (`requestContext` with `condition`
  "RetriesExhausted" and `approximateInvokeCount`, `requestPayload`, `responseContext`,
  `responsePayload`); on success, the record to `OnSuccess` ("Success"). Both are sent AS THE
  FUNCTION'S ROLE, as Lambda does: a role without `sqs:SendMessage` on the queue loses the record
  (on AWS, a `DestinationDeliveryFailures` metric; here an `Outcome.undelivered` and a log line).

Only SQS destinations are played (the template has no other; anything else fails the deploy).
Not imitated: `MaximumEventAgeInSeconds` (an event here never waits long enough to expire), the
waits between tries, reserved concurrency and throttling.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from local import dispatch, iam
from local.deployed import ACCOUNT_ID, REGION

if TYPE_CHECKING:
    from local.resources import Context, Created

log = logging.getLogger(__name__)

DEFAULT_RETRIES = 2  # Lambda's MaximumRetryAttempts when a function has no EventInvokeConfig


@dataclass(frozen=True)
class InvokeConfig:
    """A function's AWS::Lambda::EventInvokeConfig (and its DeadLetterConfig, set on the function)."""

    retries: int = DEFAULT_RETRIES
    on_failure: str | None = None  # destination ARN
    on_success: str | None = None
    dead_letter: str | None = None  # the function's DeadLetterConfig.TargetArn


# Function name -> its configuration, filled by the deploy (one stack per process, as moto's state is).
CONFIGS: dict[str, InvokeConfig] = {}


def _sqs_only(logical_id: str, arn: str | None) -> str | None:
    if arn and not str(arn).startswith("arn:aws:sqs:"):
        raise ValueError(f"{logical_id}: the local stack sends asynchronous records only to SQS, not {arn!r}")
    return str(arn) if arn else None


def event_invoke_config(ctx: Context, logical_id: str, p: dict[str, Any]) -> Created:
    """The deploy's handler for AWS::Lambda::EventInvokeConfig: kept here, and given to moto too so
    GetFunctionEventInvokeConfig answers as on AWS."""
    name = str(p["FunctionName"]).rsplit(":", 1)[-1]
    if str(p.get("Qualifier", "$LATEST")) != "$LATEST":
        raise ValueError(f"{logical_id}: the local stack plays only $LATEST, not {p['Qualifier']!r}")
    retries = int(p.get("MaximumRetryAttempts", DEFAULT_RETRIES))
    if not 0 <= retries <= 2:
        raise ValueError(f"{logical_id}: MaximumRetryAttempts must be 0-2, not {retries}")
    destinations = p.get("DestinationConfig") or {}
    config = InvokeConfig(
        retries=retries,
        on_failure=_sqs_only(logical_id, (destinations.get("OnFailure") or {}).get("Destination")),
        on_success=_sqs_only(logical_id, (destinations.get("OnSuccess") or {}).get("Destination")),
        dead_letter=CONFIGS.get(name, InvokeConfig()).dead_letter,
    )
    CONFIGS[name] = config
    args: dict[str, Any] = {"FunctionName": name, "MaximumRetryAttempts": retries}
    if destinations:
        args["DestinationConfig"] = destinations
    if "MaximumEventAgeInSeconds" in p:
        args["MaximumEventAgeInSeconds"] = int(p["MaximumEventAgeInSeconds"])
    ctx.client("lambda").put_function_event_invoke_config(**args)
    return f"{name}:$LATEST", {}


def dead_letter_config(function_name: str, target_arn: str | None) -> None:
    """The function's DeadLetterConfig (from the deploy's AWS::Lambda::Function handler)."""
    if not target_arn:
        return
    current = CONFIGS.get(function_name, InvokeConfig())
    CONFIGS[function_name] = InvokeConfig(
        current.retries, current.on_failure, current.on_success, _sqs_only(function_name, target_arn)
    )


@dataclass
class Invocation:
    function_name: str
    payload: str  # the request's body, as the caller sent it
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    tries: int = 0


@dataclass
class Outcome:
    """What became of one asynchronous invocation once Lambda is done with it."""

    function_name: str
    request_id: str
    tries: int
    succeeded: bool
    error: str | None = None  # the last try's error payload
    sent_to: list[str] = field(default_factory=list)  # queues that got its record or event
    undelivered: list[str] = field(default_factory=list)  # queues the function's role may not send to


def _record(inv: Invocation, condition: str, response: str, errored: bool) -> dict[str, Any]:
    """Lambda's invocation record, as it sends it to a destination."""
    try:
        request_payload: Any = json.loads(inv.payload) if inv.payload else {}
    except ValueError:
        request_payload = inv.payload
    try:
        response_payload: Any = json.loads(response) if response else None
    except ValueError:
        response_payload = response
    context: dict[str, Any] = {"statusCode": 200, "executedVersion": "$LATEST"}
    if errored:
        context["functionError"] = "Unhandled"
    return {
        "version": "1.0",
        "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "requestContext": {
            "requestId": inv.request_id,
            "functionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{inv.function_name}:$LATEST",
            "condition": condition,
            "approximateInvokeCount": inv.tries,
        },
        "requestPayload": request_payload,
        "responseContext": context,
        "responsePayload": response_payload,
    }


class AsyncInvoker:
    """Lambda's queue of asynchronous events. `accept()` is what Invoke(Event) does; `drain()` runs every
    queued event (and its retries) to the end now; `held()` keeps them queued meanwhile."""

    def __init__(self, sqs_client: Callable[[], Any]) -> None:
        self._sqs = sqs_client
        self._queue: deque[Invocation] = deque()
        self._changed = threading.Condition()
        self._running = 0
        self._holds = 0
        self.outcomes: list[Outcome] = []

    def accept(self, function_name: str, payload: str) -> str:
        inv = Invocation(function_name, payload)
        with self._changed:
            self._queue.append(inv)
            self._changed.notify_all()
        return inv.request_id

    @contextmanager
    def held(self) -> Iterator[None]:
        """No event runs while held: a test can ask twice before the function answers the first."""
        with self._changed:
            self._holds += 1
        try:
            yield
        finally:
            with self._changed:
                self._holds -= 1
                self._changed.notify_all()

    def _take(self) -> Invocation | None:
        with self._changed:
            if self._holds or not self._queue:
                return None
            self._running += 1
            return self._queue.popleft()

    def drain(self, timeout: float = 120.0) -> list[Outcome]:
        """Run every queued event, retries included, until none is queued or running (events the
        background thread took are waited for): what finished meanwhile is returned."""
        start = len(self.outcomes)
        while True:
            inv = self._take()
            if inv is not None:
                self._run(inv)
                continue
            with self._changed:
                if self._holds:
                    raise RuntimeError("drain() inside held(): the events would never run")
                if not self._queue and not self._running:
                    return self.outcomes[start:]
                if not self._changed.wait(timeout):
                    raise TimeoutError(f"asynchronous invocations still running after {timeout} s")

    def run(self, stop: threading.Event) -> None:
        """The background thread: run each event as it comes."""
        while not stop.is_set():
            inv = self._take()
            if inv is None:
                with self._changed:
                    self._changed.wait(0.2)
                continue
            try:
                self._run(inv)
            except Exception:
                log.exception("running an asynchronous invocation of %s failed", inv.function_name)

    def _run(self, inv: Invocation) -> None:
        try:
            inv.tries += 1
            try:
                event: Any = json.loads(inv.payload) if inv.payload else {}
            except ValueError:
                event = inv.payload
            response, errored = dispatch.invoke_in_process(inv.function_name, event)
            config = CONFIGS.get(inv.function_name, InvokeConfig())
            if errored and inv.tries <= config.retries:
                with self._changed:
                    self._queue.append(inv)  # AWS waits ~1 min, then ~2: locally, at once
                log.warning("%s failed try %d, to be retried: %s", inv.function_name, inv.tries, response)
                return
            self._settle(inv, config, response, errored)
        finally:
            with self._changed:
                self._running -= 1
                self._changed.notify_all()

    def _settle(self, inv: Invocation, config: InvokeConfig, response: str, errored: bool) -> None:
        outcome = Outcome(
            inv.function_name, inv.request_id, inv.tries, not errored, response if errored else None
        )
        sends: list[tuple[str, str, dict[str, Any]]] = []
        if errored:
            log.warning("%s failed all %d tries: %s", inv.function_name, inv.tries, response)
            if config.dead_letter:
                try:
                    message = json.loads(response).get("errorMessage", "")
                except (ValueError, AttributeError):
                    message = response
                attributes = {
                    "RequestID": {"DataType": "String", "StringValue": inv.request_id},
                    "ErrorCode": {"DataType": "Number", "StringValue": "200"},
                    "ErrorMessage": {"DataType": "String", "StringValue": str(message)[:1024] or "error"},
                }
                sends.append((config.dead_letter, inv.payload, attributes))
            if config.on_failure:
                record = _record(inv, "RetriesExhausted", response, errored)
                sends.append((config.on_failure, json.dumps(record), {}))
        elif config.on_success:
            sends.append((config.on_success, json.dumps(_record(inv, "Success", response, errored)), {}))
        for arn, body, attributes in sends:
            if self._send(inv.function_name, arn, body, attributes):
                outcome.sent_to.append(arn)
            else:
                outcome.undelivered.append(arn)
        self.outcomes.append(outcome)

    def _send(self, function_name: str, queue_arn: str, body: str, attributes: dict[str, Any]) -> bool:
        sqs = self._sqs()
        url = sqs.get_queue_url(QueueName=queue_arn.rsplit(":", 1)[-1])["QueueUrl"]
        registry = iam.registry()
        principal = registry.for_function(function_name) if registry else None
        try:
            with iam.acting_as(principal):  # Lambda sends it with the function's role
                args: dict[str, Any] = {"QueueUrl": url, "MessageBody": body}
                if attributes:
                    args["MessageAttributes"] = attributes
                sqs.send_message(**args)
        except Exception:
            log.exception("%s: Lambda could not send to %s", function_name, queue_arn)
            return False
        return True


# The stack's invoker while one runs (moto's patched Invoke hands Event invocations to it).
_active: AsyncInvoker | None = None
_installed = False
_install_lock = threading.Lock()


def use(invoker: AsyncInvoker | None) -> None:
    global _active
    _active = invoker


def install() -> None:
    """Answer Invoke(InvocationType=Event) with 202 at once and queue the event (idempotent)."""
    global _installed
    with _install_lock:
        if _installed:
            return
        from moto.awslambda.models import LambdaFunction

        original = LambdaFunction.invoke

        def invoke(self: Any, body: str, request_headers: Any, response_headers: Any) -> str | bytes:
            kind = request_headers.get("x-amz-invocation-type") or request_headers.get(
                "X-Amz-Invocation-Type"
            )
            invoker = _active
            if kind == "Event" and invoker is not None:
                text = body.decode() if isinstance(body, bytes) else str(body or "")
                response_headers["x-amzn-requestid"] = invoker.accept(self.function_name, text)
                return b""
            return original(self, body, request_headers, response_headers)

        LambdaFunction.invoke = invoke  # type: ignore[method-assign]
        _installed = True
