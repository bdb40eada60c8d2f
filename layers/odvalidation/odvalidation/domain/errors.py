"""Domain errors. The API maps each kind to one HTTP status in one place (api/errors.py)."""

from __future__ import annotations


class DomainError(Exception):
    """Base: the message is written for the person who made the request."""

    def __init__(self, message: str, *, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class NotFound(DomainError):
    """The thing does not exist, or the caller may not know that it does (404)."""


class Forbidden(DomainError):
    """The caller is signed in but has no reason to see or do this (403)."""


class InvalidInput(DomainError):
    """The request is understood but its content breaks a rule (422)."""


class InvalidTransition(DomainError):
    """The journey is not at a step where this can happen (409)."""


class Conflict(DomainError):
    """Someone else changed the record first; reload and try again (409)."""


class StaleRead(Conflict):
    """A versioned write found the record changed since it was read. A use case whose change is still
    valid on the new state reads again and re-applies it (services/common.py `reapplied`); only when
    that keeps happening does the person see the 409."""


class Unavailable(DomainError):
    """A service the request needs did not answer; nothing was changed, so trying again is safe (503)."""


class TransientError(Unavailable):
    """DynamoDB stayed busy (transaction conflicts, throttling) through the bounded retries; nothing was
    written. The class name is the contract: the state machine's Retry matches the errorType
    "TransientError" (tools/make_asl.py), and the API answers 503 "busy, try again"."""

    cause: str = ""  # what DynamoDB said (TransactionConflict, ThrottlingError...): for the logs


class FrameworkError(DomainError):
    """A framework data file is malformed; the message names the element."""
