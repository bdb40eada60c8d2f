"""One retry policy for DynamoDB's transient refusals, used by every write the store makes.

DynamoDB refuses a request for a moment, without doing any of it, in three ways:

- a transaction is cancelled because another transaction touches one of its items at the same time
  (`TransactionCanceledException` whose CancellationReasons name `TransactionConflict` for that
  item and `None` for the others). Every journey change also updates its cohort's and academy's
  counter items, so journeys of one cohort moving at once meet here. botocore does not retry it;
- a transaction is cancelled for capacity (`ThrottlingError`, `ProvisionedThroughputExceeded` or
  `RequestLimitExceeded` among the reasons), which botocore does not retry either;
- a single-item write meets a transaction in progress on its item (`TransactionConflictException`,
  not retried by botocore), or a request is throttled (`ThrottlingException`,
  `ProvisionedThroughputExceededException`, `RequestLimitExceeded`), which botocore's standard retry
  mode (dal/clients.py, 4 attempts) already retries with its own jittered backoff.

The first three are retried here with full-jitter exponential backoff a bounded number of times: a
cancelled transaction wrote nothing, so sending it again is safe. Throttling botocore has already
retried is not retried a second time (that would multiply the attempts against a table that is
shedding load); it is reported as `TransientError` at once. A cancellation with a
`ConditionalCheckFailed` reason is never retried here: sending the same request again would fail
the same way. The use case decides (services/common.py `reapplied`): it reads again and re-applies
its change when the change is still valid on what it finds.

When the attempts are used up, `TransientError` says so: Step Functions retries a task that raises
it (its Retry matches the error's class name), and the API answers 503 "busy, try again".
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from ..domain.errors import TransientError
from ..observability import logger

# Cancellation reasons that say "not now" rather than "no" (DynamoDB's documented reason codes are
# None, ConditionalCheckFailed, ItemCollectionSizeLimitExceeded, TransactionConflict,
# ProvisionedThroughputExceeded, ThrottlingError and ValidationError).
TRANSIENT_REASONS = frozenset(
    {"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded"}
)
# Error codes botocore's standard mode retries itself (botocore/retries/standard.py,
# ThrottledRetryableChecker): when one reaches the store, botocore has given up already.
RETRIED_BY_BOTOCORE = frozenset(
    {"ThrottlingException", "ProvisionedThroughputExceededException", "RequestLimitExceeded"}
)
# Error codes botocore does not retry but that pass: the store retries them.
RETRIED_HERE = frozenset({"TransactionConflictException"})


@dataclass(frozen=True)
class Backoff:
    """Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"): the n-th retry waits a
    uniformly random time in [0, min(cap, base * 2**n)], so callers that collided spread apart."""

    attempts: int = 8
    base: float = 0.025
    cap: float = 1.0

    def delay(self, retry: int, rng: random.Random) -> float:
        return rng.uniform(0.0, min(self.cap, self.base * 2**retry))


POLICY = Backoff()
# Jitter needs no secrecy; one generator per process.
_rng = random.Random()  # noqa: S311 # nosec B311


def backoff(retry: int) -> float:
    """The pause before the `retry`-th retry (from 0) under the one policy."""
    return POLICY.delay(retry, _rng)


def reasons(error: ClientError) -> list[str]:
    """The cancellation reason codes of a TransactionCanceledException, one per item in order."""
    return [str(r.get("Code", "None")) for r in error.response.get("CancellationReasons", [])]


def transient_cause(error: ClientError) -> str | None:
    """What made DynamoDB refuse for the moment, or None when asking again cannot help."""
    code = str(error.response.get("Error", {}).get("Code", ""))
    if code == "TransactionCanceledException":
        found = reasons(error)
        # Any reason that is neither transient nor 'None' (a failed condition, a validation error, an
        # item collection too large) would cancel the transaction again.
        if not found or any(r not in TRANSIENT_REASONS and r != "None" for r in found):
            return None
        return next(r for r in found if r in TRANSIENT_REASONS)
    if code in RETRIED_HERE or code in RETRIED_BY_BOTOCORE:
        return code
    return None


def busy(cause: str) -> TransientError:
    """The error a person (503) or the state machine (a Retry) sees; the cause is for the logs."""
    error = TransientError(
        "The service is busy and could not save this just now; nothing was changed. "
        "Please try again in a minute."
    )
    error.cause = cause
    return error


def retried[T](
    call: Callable[[], T],
    *,
    what: str,
    policy: Backoff | None = None,
    sleep: Callable[[float], Any] | None = None,
    rng: random.Random | None = None,
) -> T:
    """Run `call` (one DynamoDB request), retrying transient refusals by `policy` (POLICY unless
    given). Other errors, including a failed condition, pass through for the caller to interpret."""
    policy = policy or POLICY
    sleep = sleep or time.sleep
    rng = rng or _rng
    for attempt in range(policy.attempts):
        try:
            return call()
        except ClientError as error:
            cause = transient_cause(error)
            if cause is None:
                raise
            retried_already = error.response.get("Error", {}).get("Code") in RETRIED_BY_BOTOCORE
            if retried_already or attempt == policy.attempts - 1:
                logger.warning(
                    "DynamoDB stayed busy", extra={"operation": what, "cause": cause, "attempts": attempt + 1}
                )
                raise busy(cause) from error
            wait = policy.delay(attempt, rng)
            logger.info(
                "DynamoDB busy; retrying",
                extra={"operation": what, "cause": cause, "attempt": attempt + 1, "wait_s": round(wait, 3)},
            )
            sleep(wait)
    raise AssertionError("unreachable: the last attempt returns or raises")
