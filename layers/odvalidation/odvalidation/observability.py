"""The one Logger, Tracer and Metrics of the product; every function imports them from here."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

SERVICE = "od-validation"

logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE)
metrics = Metrics(namespace="SystemODValidation", service=SERVICE)
