"""Environment variables, parsed into one model once per process.

Every function gets the same variables (template.yaml `Globals`), so the local stack can run all
handlers in one process; what a function may *do* is limited by its IAM role, not by what it knows.
"""

from __future__ import annotations

import os
from functools import cache
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field


class Settings(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    table_name: str = Field(default="od-validation", alias="TABLE_NAME")
    idempotency_table_name: str = Field(default="od-validation-idempotency", alias="IDEMPOTENCY_TABLE_NAME")
    evidence_bucket: str = Field(default="od-validation-evidence", alias="EVIDENCE_BUCKET")
    certificate_bucket: str = Field(default="od-validation-certificates", alias="CERTIFICATE_BUCKET")
    state_machine_arn: str = Field(default="", alias="STATE_MACHINE_ARN")
    sender_email: str = Field(default="no-reply@od-validation.example.org", alias="SENDER_EMAIL")
    public_base_url: str = Field(default="http://127.0.0.1:3000", alias="PUBLIC_BASE_URL")
    signing_key_id: str = Field(default="", alias="SIGNING_KEY_ID")
    user_pool_id: str = Field(default="", alias="USER_POOL_ID")
    user_pool_client_id: str = Field(default="", alias="USER_POOL_CLIENT_ID")
    scheduler_group: str = Field(default="default", alias="SCHEDULER_GROUP")
    scheduler_role_arn: str = Field(default="", alias="SCHEDULER_ROLE_ARN")
    scheduled_function_arn: str = Field(default="", alias="SCHEDULED_FUNCTION_ARN")
    certificate_validity_days: int = Field(default=3 * 365, alias="CERTIFICATE_VALIDITY_DAYS", ge=1)
    suppression_threshold: int = Field(default=5, alias="SUPPRESSION_THRESHOLD", ge=0)
    evidence_retention_days: int = Field(default=365, alias="EVIDENCE_RETENTION_DAYS", ge=1)
    # The function that makes a person's whole record, invoked asynchronously (services/record_archive.py).
    record_archive_function_arn: str = Field(default="", alias="RECORD_ARCHIVE_FUNCTION_ARN")
    # The journey's emails, invoked asynchronously for what a request need not wait for (issue 19).
    notify_function_arn: str = Field(default="", alias="NOTIFY_FUNCTION_ARN")
    upload_max_bytes: int = Field(default=25 * 1024 * 1024, alias="UPLOAD_MAX_BYTES", ge=1)
    # Only the local stack sets this: it tells the API to verify tokens itself (moto has no authorizer).
    verify_tokens_locally: bool = Field(default=False, alias="VERIFY_TOKENS_LOCALLY")
    jwks_url: str = Field(default="", alias="JWKS_URL")
    secure_cookies: bool = Field(default=True, alias="SECURE_COOKIES")
    # The secret itself is read from Parameter Store (dal/session_secret.py), made on first use under
    # DataKey; SESSION_SECRET is only set by in-process harnesses that run without a stack.
    session_secret_parameter: str = Field(default="", alias="SESSION_SECRET_PARAMETER")
    data_key_id: str = Field(default="", alias="DATA_KEY_ID")
    session_secret: str = Field(default="", alias="SESSION_SECRET")

    @property
    def base_path(self) -> str:
        """The public base URL's path without its last slash: "/v1" at API Gateway's execute-api address
        (the stage), "" where a custom domain maps the API at its root."""
        return urlsplit(self.public_base_url).path.rstrip("/")

    def public_url(self, path: str = "/") -> str:
        """The absolute URL of a path within the service ("/journeys/j-1"), for email, the QR code and
        anything else read away from the page that made it. Paths inside the service never carry the
        base path; it is added here (and, for pages, by odvalidation.web.urls), once."""
        return self.public_base_url.rstrip("/") + path


@cache
def settings() -> Settings:
    return Settings.model_validate(dict(os.environ))
