"""How long a panel member's review stays open to change (issue 16.4): a draft can be saved, and a
submitted review changed, until the review is due or the interview starts, whichever comes first.
Pure: the caller gives the time, the due date and the interview."""

from __future__ import annotations

from datetime import date, datetime

from .models import Interview
from .uk_time import uk_when


def closed_because(now: datetime, review_due: date | None, interview: Interview | None) -> str | None:
    """Why the review can no longer be drafted or changed, as the start of a sentence a person reads;
    None while it may be. The review is due by the end of its due day (as the overdue reminder counts
    it: the day after is overdue)."""
    if interview is not None and interview.has_taken_place(now):
        return f"The interview started on {uk_when(interview.at)}"
    if review_due is not None and now.date() > review_due:
        return f"The review was due on {review_due:%-d %B %Y}"
    return None
