"""Domain errors become HTTP answers here, and only here, with a message a person can act on."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)

from ..domain import errors as e
from ..observability import logger
from .identity import Unauthenticated

STATUS: list[tuple[type[e.DomainError], int]] = [
    (Unauthenticated, 401),
    (e.Forbidden, 403),
    (e.NotFound, 404),
    (e.InvalidTransition, 409),
    (e.Conflict, 409),
    (e.InvalidInput, 422),
    (e.FrameworkError, 422),
    # DynamoDB stayed busy through the store's bounded retries: nothing was written, try again.
    (e.TransientError, 503),
    (e.Unavailable, 503),
]
# How long a client should wait before trying a 503 again (seconds): the store's retries span about
# this long, so a second try meets different traffic.
RETRY_AFTER = "2"


def _json(status: int, message: str, details: list[str] | None = None) -> Response[Any]:
    body: dict[str, Any] = {"message": message}
    if details:
        body["details"] = details
    headers = {"Retry-After": RETRY_AFTER} if status == 503 else None
    return Response(
        status_code=status, content_type=content_types.APPLICATION_JSON, body=body, headers=headers
    )


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    return ".".join(parts) or "request"


def _body_unreadable(errors: list[Any]) -> str | None:
    """A refusal of the body as a whole (none sent, or not JSON), said as such: pydantic's own words
    ("request: Field required", "14: JSON decode error") name no field a person could correct."""
    for err in errors:
        kind, loc = err.get("type"), tuple(err.get("loc", ()))
        if kind == "json_invalid":
            at = next((p for p in loc if isinstance(p, int)), None)
            where = f" (the error is near character {at})" if at is not None else ""
            return f"The request body is not valid JSON{where}: send a complete JSON object."
        if kind == "missing" and loc == ("body",):
            return "The request has no body: send a JSON object with the fields this operation takes."
    return None


def register(app: APIGatewayRestResolver) -> None:
    @app.exception_handler(e.DomainError)
    def domain_error(exc: e.DomainError) -> Response[Any]:
        status = next((code for kind, code in STATUS if isinstance(exc, kind)), 400)
        if isinstance(exc, e.TransientError):
            logger.warning("busy: answered 503", extra={"cause": exc.cause})
        return _json(status, exc.message, exc.details)

    @app.exception_handler(RequestValidationError)
    def invalid_request(exc: RequestValidationError) -> Response[Any]:
        errors = list(exc.errors())
        if whole := _body_unreadable(errors):
            return _json(422, whole)
        details = [f"{_field(tuple(err.get('loc', ())))}: {err.get('msg', 'is not valid')}" for err in errors]
        return _json(422, "The request is not valid. " + (details[0] if details else ""), details)

    # Powertools' own 415 body has no "message"; every refusal here says what to do.
    @app.exception_handler(RequestUnsupportedContentType)
    def unsupported_type(exc: RequestUnsupportedContentType) -> Response[Any]:
        return _json(415, "Send the request body as JSON, with the header Content-Type: application/json.")

    @app.exception_handler(ValueError)
    def bad_value(exc: ValueError) -> Response[Any]:
        logger.info("bad value", extra={"error": str(exc)})
        return _json(400, f"The request could not be understood: {exc}")
