"""Times as people in England read them: Europe/London (GMT in winter, BST in summer).

The service stores every instant in UTC; a page or an email that shows one to a person shows it here,
so "10:00" on the lead's form is "10:00" on the practitioner's page and in their email. The zone comes
from the `tzdata` package where the system has none (the Lambda runtime; icalendar depends on it).
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def in_uk(at: datetime) -> datetime:
    """The instant on the UK's clock (a naive datetime is taken to be UTC, as the service stores it)."""
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(LONDON)


def uk_date_time(at: datetime) -> str:
    """ "12 January 2027 at 10:00": the date and the 24-hour time in the UK."""
    local = in_uk(at)
    return f"{local:%-d %B %Y} at {local:%H:%M}"


def uk_day_date_time(at: datetime) -> str:
    """ "Tuesday 12 January 2027 at 10:00", for an invitation that names the weekday."""
    local = in_uk(at)
    return f"{local:%A %-d %B %Y} at {local:%H:%M}"
