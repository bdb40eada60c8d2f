"""SQS event source mappings, delivered in the background as Lambda's poller delivers them.

moto can map a queue to a function, but it then invokes the function *inside* the SendMessage call
that queued the message: the sender waits for the consumer, a failure is never retried and never
reaches the dead-letter queue. That is not what a queue is for (the whole-record archive is queued so
that a page need not wait for it). So the deploy records each `AWS::Lambda::EventSourceMapping`
here instead of creating it in moto, and `Poller` plays Lambda's side:

- it looks at each mapped queue (in process, through moto's backend: no request while a queue is
  empty) and, when a message is visible, receives up to `BatchSize` with ReceiveMessage over HTTP, so
  moto counts the receive and applies the queue's `RedrivePolicy` (`maxReceiveCount`) as SQS does;
- it invokes the function with Lambda's SQS event (`Records` with `messageId`, `receiptHandle`,
  `body`, `attributes.ApproximateReceiveCount`, `eventSource`, `eventSourceARN`);
- on success it deletes the batch, or, with `FunctionResponseTypes: [ReportBatchItemFailures]`, all
  but the `batchItemFailures` the function names; a failed message is made visible again at once
  (AWS waits for the queue's visibility timeout: locally a retry need not take twelve minutes).

Not imitated: batching windows, filter criteria, scaling, `MaximumConcurrency`.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from local import dispatch
from local.deployed import ACCOUNT_ID, REGION

if TYPE_CHECKING:
    from collections.abc import Callable

    from local.resources import Context, Created

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Mapping:
    queue_arn: str
    function_name: str
    batch_size: int = 10
    reports_item_failures: bool = False
    enabled: bool = True


@dataclass
class Delivered:
    function_name: str
    message_ids: list[str]
    failed: list[str] = field(default_factory=list)
    error: str | None = None


# Event source arn -> mapping, filled by the deploy (one stack per process, as moto's state is).
MAPPINGS: dict[str, Mapping] = {}


def event_source_mapping(ctx: Context, logical_id: str, p: dict[str, Any]) -> Created:
    """The deploy's handler for AWS::Lambda::EventSourceMapping (SQS sources only: the template has no
    other; anything else fails the deploy rather than being ignored)."""
    source = str(p.get("EventSourceArn", ""))
    if not source.startswith("arn:aws:sqs:"):
        raise ValueError(f"{logical_id}: the local stack delivers only SQS event sources, not {source!r}")
    function = str(p["FunctionName"]).rsplit(":", 1)[-1]
    MAPPINGS[source] = Mapping(
        queue_arn=source,
        function_name=function,
        batch_size=int(p.get("BatchSize", 10)),
        reports_item_failures="ReportBatchItemFailures" in (p.get("FunctionResponseTypes") or []),
        enabled=bool(p.get("Enabled", True)),
    )
    return logical_id, {}


def _visible(queue_name: str) -> int:
    from moto.sqs.models import sqs_backends

    queue = sqs_backends[ACCOUNT_ID][REGION].queues.get(queue_name)
    return 0 if queue is None else int(queue.approximate_number_of_messages)


def _event(mapping: Mapping, messages: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": m.get("MessageAttributes", {}),
                "md5OfBody": m.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": mapping.queue_arn,
                "awsRegion": REGION,
            }
            for m in messages
        ]
    }


def _failed_ids(mapping: Mapping, payload: str, errored: bool, ids: list[str]) -> list[str]:
    if errored:
        return ids
    if not mapping.reports_item_failures:
        return []
    try:
        answer = json.loads(payload) if payload else {}
    except ValueError:
        return ids  # Lambda fails the whole batch on an answer it cannot read
    failures = answer.get("batchItemFailures") if isinstance(answer, dict) else None
    return [str(f.get("itemIdentifier")) for f in failures or [] if isinstance(f, dict)]


class Poller:
    """Delivers every mapped queue's messages to its function; `deliver()` runs one pass now."""

    def __init__(self, sqs_client: Callable[[], Any]) -> None:
        self._sqs = sqs_client
        self._lock = threading.Lock()
        self.delivered: list[Delivered] = []

    @contextmanager
    def held(self) -> Iterator[None]:
        """No delivery while held: a test can send twice before the worker answers the first."""
        with self._lock:
            yield

    def deliver(self) -> list[Delivered]:
        done: list[Delivered] = []
        with self._lock:  # one pass at a time: the background thread and a test's call
            for mapping in list(MAPPINGS.values()):
                if not mapping.enabled:
                    continue
                name = mapping.queue_arn.rsplit(":", 1)[-1]
                while _visible(name):
                    batch = self._deliver_batch(mapping, name)
                    if batch is None:
                        break
                    done.append(batch)
                    if batch.failed:
                        break  # visible again at once: the next pass retries it
        self.delivered += done
        return done

    def _deliver_batch(self, mapping: Mapping, queue_name: str) -> Delivered | None:
        sqs = self._sqs()
        url = sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
        messages = sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=min(mapping.batch_size, 10),
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return None  # moved to the dead-letter queue on this receive, or taken by someone else
        ids = [m["MessageId"] for m in messages]
        payload, errored = dispatch.invoke_in_process(mapping.function_name, _event(mapping, messages))
        failed = set(_failed_ids(mapping, payload, errored, ids))
        for m in messages:
            if m["MessageId"] in failed:
                sqs.change_message_visibility(
                    QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0
                )
            else:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        error = payload if errored else None
        if failed:
            log.warning(
                "%s failed %d of %d SQS message(s): %s", mapping.function_name, len(failed), len(ids), error
            )
        return Delivered(mapping.function_name, ids, sorted(failed), error)

    def run(self, stop: threading.Event, every: float = 0.2) -> None:
        while not stop.wait(every):
            try:
                self.deliver()
            except Exception:
                log.exception("delivering SQS messages failed")
