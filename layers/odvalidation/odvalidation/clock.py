"""The one source of "now" for the product.

In AWS the offset is always zero. The local stack moves it forward so that a six-month claim window
can be demonstrated (and tested) in seconds: schedules, deadlines and certificates all read this clock.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_offset = timedelta(0)


def now() -> datetime:
    return datetime.now(UTC) + _offset


def offset() -> timedelta:
    """How far the clock has been moved on (local stack: passed to handlers in other processes)."""
    return _offset


def advance(by: timedelta) -> datetime:
    """Move the clock forward (local stack and tests only)."""
    global _offset
    if by < timedelta(0):
        raise ValueError("the clock only moves forward")
    _offset += by
    return now()


def reset() -> None:
    global _offset
    _offset = timedelta(0)
