"""The one Logger, Tracer and Metrics of the product; every function imports them from here."""

from __future__ import annotations

import warnings

from aws_lambda_powertools import Logger, Metrics, Tracer

SERVICE = "od-validation"

logger = Logger(service=SERVICE)
# Only the AWS SDK is traced: patching every library X-Ray knows costs start-up time for calls we do not make.
tracer = Tracer(service=SERVICE, patch_modules=("botocore",))
metrics = Metrics(namespace="SystemODValidation", service=SERVICE)
# Most requests send no email, so most flushes have no metric: expected, not a fault (Powertools
# warns on every empty flush unless told so; raise_on_empty_metrics would make it an error instead).
warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)
