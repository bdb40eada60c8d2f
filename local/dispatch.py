"""In-process Lambda: moto would start Docker to run a function; here the handler is imported and called.

moto routes every invocation (the Lambda API, Step Functions tasks, S3 notifications) through
`LambdaFunction._invoke_lambda`, so replacing that one method is enough.
"""

from __future__ import annotations

import importlib
import json
import threading
import time
import traceback
import uuid
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from local import iam
from local.deployed import ACCOUNT_ID, REGION

if TYPE_CHECKING:
    from local.environments import Environments


class HandlerRef(BaseModel):
    """Where a deployed function's code lives: `functions.<dir>.app` and its `handler` attribute."""

    model_config = ConfigDict(frozen=True)

    module: str
    attribute: str = "handler"
    memory_mb: int = 128
    timeout_s: int = 3
    # One invocation at a time: the HTTP functions' Powertools resolver keeps the current request in a
    # module-level object, as one Lambda execution environment would run them.
    one_at_a_time: bool = False


class HandlerMissingError(RuntimeError):
    """The function is deployed but its handler module has not been written (yet)."""


# Deployed function name -> handler. Filled by the deploy; tests may add their own functions.
HANDLERS: dict[str, HandlerRef] = {}

_lock = threading.Lock()
_installed = False
# Set while the stack runs handlers in worker processes (LocalStack.environments).
_environments: Environments | None = None
# A function whose module keeps per-request state in a module-level object (the Powertools resolver of
# the api and web functions holds the current event) runs one invocation at a time. The task functions
# keep none and run concurrently, as Lambda scales them out.
_function_locks: dict[str, threading.RLock] = {}


class LambdaContext:
    """The parts of the Lambda context object that handlers (and Powertools) read."""

    def __init__(self, function_name: str, ref: HandlerRef) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.aws_request_id = str(uuid.uuid4())
        self.memory_limit_in_mb = ref.memory_mb
        self.invoked_function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{function_name}"
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"
        self._deadline = time.monotonic() + ref.timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def load(function_name: str) -> tuple[Any, HandlerRef]:
    ref = HANDLERS.get(function_name)
    if ref is None:
        raise HandlerMissingError(f"no handler is mapped for Lambda function {function_name!r}")
    try:
        module = importlib.import_module(ref.module)
    except ModuleNotFoundError as exc:
        if exc.name and ref.module.startswith(exc.name):
            raise HandlerMissingError(
                f"the handler module {ref.module} of Lambda function {function_name!r} does not exist yet"
            ) from exc
        raise
    handler = getattr(module, ref.attribute, None)
    if handler is None:
        raise HandlerMissingError(f"{ref.module} has no attribute {ref.attribute!r} ({function_name})")
    return handler, ref


def invoke_in_process(function_name: str, event: Any) -> tuple[str, bool]:
    """Run the function; return (JSON payload, errored) as Lambda would. Every invocation comes here
    (the HTTP front, Step Functions' tasks, S3 notifications, schedules): on this thread, or in an
    execution environment process when the stack runs them (local.environments)."""
    environments = _environments
    if environments is not None:
        return environments.invoke(function_name, event)
    return run_here(function_name, event)


def run_here(function_name: str, event: Any) -> tuple[str, bool]:
    """Call the function's handler on this thread."""
    if isinstance(event, str | bytes):
        event = json.loads(event) if event else {}
    try:
        handler, ref = load(function_name)
        # Every AWS call the handler makes is authorised against its function's role (local.iam).
        with iam.as_function(function_name):
            if ref.one_at_a_time:
                with _lock:
                    function_lock = _function_locks.setdefault(function_name, threading.RLock())
                with function_lock:
                    result = handler(event, LambdaContext(function_name, ref))
            else:
                result = handler(event, LambdaContext(function_name, ref))
        return json.dumps(result, default=str), False
    except Exception as exc:
        # Lambda's error shape: Step Functions matches Retry/Catch on errorType (the exception class).
        payload = {
            "errorType": type(exc).__name__,
            "errorMessage": str(exc),
            "stackTrace": traceback.format_exception(exc)[-5:],
        }
        return json.dumps(payload), True


def _invoke_lambda(self: Any, event: Any = None) -> tuple[str, bool, str]:
    payload, errored = invoke_in_process(self.function_name, event)
    return payload, errored, ""


def use(environments: Environments | None) -> None:
    """Send every invocation to these environments (None: run handlers on the invoking thread again)."""
    global _environments
    _environments = environments


def install() -> None:
    """Replace moto's Docker invocation with in-process dispatch (idempotent, process-wide)."""
    global _installed
    with _lock:
        if _installed:
            return
        from moto.awslambda.models import LambdaFunction

        LambdaFunction._invoke_lambda = _invoke_lambda  # type: ignore[method-assign]
        _installed = True
