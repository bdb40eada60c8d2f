"""A quiet terminal for `make dev`: the banner, then one short line per request.

What would otherwise scroll past: fontTools' subsetting at INFO (a certificate's PDF), the metrics
Powertools prints as CloudWatch EMF JSON on stdout (in AWS, Lambda's stdout is the log group, where
CloudWatch reads them; here it is the terminal), the product's JSON log lines at INFO, and the access
lines of the demo data loaded before the banner. `--verbose` shows them all (the metrics at DEBUG).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any

ACCESS_LOG = "local.http_front"
METRICS_LOG = "local.metrics"
PRODUCT_LOG = "od-validation"  # odvalidation.observability.SERVICE: Powertools names its logger so


class _Formatter(logging.Formatter):
    """The time and the message for our INFO lines; level and logger too for anything else."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s", datefmt="%H:%M:%S")
        self._short = logging.Formatter("%(asctime)s %(message)s", datefmt="%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        if record.levelno == logging.INFO and record.name.startswith("local"):
            return self._short.format(record)
        return super().format(record)


def configure(*, verbose: bool = False) -> None:
    """Logging for `python -m local`: warnings from everyone, our own request lines, and, with
    `verbose`, every library's INFO as well."""
    handler = logging.StreamHandler()
    handler.setFormatter(_Formatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO if verbose else logging.WARNING)
    logging.getLogger("local").setLevel(logging.DEBUG if verbose else logging.INFO)
    logging.getLogger("botocore").setLevel(logging.WARNING)  # its INFO is every credential lookup
    metrics_to_log()


def product_logs_at(level: int) -> None:
    """The product's logger is Powertools' own (its level from POWERTOOLS_LOG_LEVEL, INFO in the
    template): its INFO lines are for CloudWatch, its warnings and errors for whoever runs it. Called
    once the stack has set the functions' environment, which the product's logger reads when made."""
    from odvalidation.observability import logger

    logger.setLevel(level)


def metrics_to_log() -> None:
    """Powertools prints each flush of metrics (EMF JSON) with the builtin print; here the same JSON
    goes to the log at DEBUG instead of the terminal. The module's own name `print` shadows the builtin
    for that module alone, so nothing else's output changes."""
    from aws_lambda_powertools.metrics.provider.cloudwatch_emf import cloudwatch

    log = logging.getLogger(METRICS_LOG)

    def emf_to_log(*values: Any, **_: Any) -> None:
        log.debug("%s", " ".join(str(v) for v in values))

    cloudwatch.print = emf_to_log  # type: ignore[attr-defined]


@contextlib.contextmanager
def hushed(name: str = ACCESS_LOG) -> Iterator[None]:
    """A logger held at WARNING for the block (the demo data's requests before the banner)."""
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(max(level, logging.WARNING))
    try:
        yield
    finally:
        logger.setLevel(level)
