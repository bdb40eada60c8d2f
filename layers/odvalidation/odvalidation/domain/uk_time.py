"""Times as people in England read them: UK time (Europe/London), GMT in winter and BST in summer.

The service stores every instant in UTC. Every page and email that shows a time to a person formats it
here, and every form that asks for a UK time reads it here, so that "10:00" on the lead's form is
"10:00" on the panel's and the practitioner's pages and in the invitation, on either side of a clock
change. (A calendar file keeps UTC with its Z: the reader's calendar converts it.) The zone comes from
the `tzdata` package where the system has none (the Lambda runtime; icalendar depends on it).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def in_uk(at: datetime) -> datetime:
    """The same instant on the UK's clock. A naive time is UTC (as the service stores it)."""
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(LONDON)


def uk_when(at: datetime, *, weekday: bool = False) -> str:
    """ "12 January 2027 at 10:00" (or "Tuesday 12 January 2027 at 10:00"), in UK time."""
    local = in_uk(at)
    return f"{local:%A }{local:%-d %B %Y at %H:%M}" if weekday else f"{local:%-d %B %Y at %H:%M}"


def uk_day(at: datetime) -> str:
    """ "12 January 2027": the UK's date of an instant (23:30 UTC on 30 June is 1 July in the UK)."""
    return f"{in_uk(at):%-d %B %Y}"


def uk_clock(at: datetime) -> str:
    """ "10:00": the UK's time of day of an instant, as the lead's form takes it."""
    return f"{in_uk(at):%H:%M}"


def from_uk(day: date, at: time) -> datetime:
    """The instant (in UTC) a person means by a day and a time of day on the UK's clock."""
    return datetime.combine(day, at, tzinfo=LONDON).astimezone(UTC)
