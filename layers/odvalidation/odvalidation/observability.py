"""The one Logger and Metrics of the product; every function imports them from here.

No tracer: with `Tracing: Active` Lambda and Step Functions record each invocation's and each state's
segments themselves, and the X-Ray SDK (which Powertools' Tracer wraps) costs every cold start two
boto3 clients and a patch of botocore, and is in maintenance mode (docs/architecture.md, "Tracing").
"""

from __future__ import annotations

import warnings

from aws_lambda_powertools import Logger, Metrics

SERVICE = "od-validation"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace="SystemODValidation", service=SERVICE)
# Most requests send no email, so most flushes have no metric: expected, not a fault (Powertools
# warns on every empty flush unless told so; raise_on_empty_metrics would make it an error instead).
warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)
