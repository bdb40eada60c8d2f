"""What the product and the local stack print that nobody asked for: Powertools' warning on an empty
flush of metrics (most requests send no email), and, locally, the metrics' EMF JSON on the terminal.
Each runs in a fresh interpreter: warning filters and the metrics' output are process-wide."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EMPTY_FLUSH = "No application metrics to publish"


def python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-W", "default", "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "", "POWERTOOLS_TRACE_DISABLED": "true", "AWS_DEFAULT_REGION": "eu-west-2"},
    )


def test_an_empty_flush_of_the_products_metrics_warns_nothing() -> None:
    quiet = python("from odvalidation.observability import metrics\nmetrics.flush_metrics()")
    assert EMPTY_FLUSH not in quiet.stderr
    # The same flush of a Metrics the product did not configure warns: the check above can fail.
    loud = python(
        "import odvalidation.observability\nfrom aws_lambda_powertools import Metrics\n"
        "import warnings\nwarnings.resetwarnings()\nwarnings.simplefilter('default')\n"
        "Metrics(namespace='x', service='y').flush_metrics()"
    )
    assert EMPTY_FLUSH in loud.stderr


def test_the_products_metrics_still_print_emf_for_cloudwatch() -> None:
    out = python(
        "from odvalidation.observability import metrics\n"
        "metrics.add_metric(name='EmailSent', unit='Count', value=1)\nmetrics.flush_metrics()"
    )
    assert '"EmailSent"' in out.stdout


def test_the_local_stack_sends_metrics_to_its_log_not_the_terminal() -> None:
    flush = (
        "from odvalidation.observability import metrics\n"
        "metrics.add_metric(name='EmailSent', unit='Count', value=1)\nmetrics.flush_metrics()"
    )
    quiet = python(f"from local import quiet\nquiet.configure(verbose=False)\n{flush}")
    assert quiet.stdout == ""
    assert quiet.stderr == ""
    verbose = python(f"from local import quiet\nquiet.configure(verbose=True)\n{flush}")
    assert verbose.stdout == ""
    assert "DEBUG local.metrics" in verbose.stderr
    assert '"EmailSent"' in verbose.stderr
