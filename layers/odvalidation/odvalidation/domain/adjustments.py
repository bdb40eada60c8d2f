"""Reasonable adjustments (issue 18): what a practitioner needs to take part on equal terms, asked for
by them and agreed by their academy lead. Pure rules, tested without AWS.

One adjustment per kind per journey: asking again changes it (and it needs agreeing again). What was last
agreed stays honoured while a change waits for the lead, and after a change is declined: a practitioner
never loses an agreed adjustment by asking for a different one. Withdrawing ends it.

Privacy: the request's details (the practitioner's own words) are for the practitioner and their academy
lead only. What others must know is derived here and nothing more: the panel chair is told the agreed
interview format and length (`interview_text`), never the details or the reason.
"""

# No `from __future__ import annotations`: see domain/models.py (pydantic evaluates annotations).

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints

from .errors import InvalidInput, InvalidTransition
from .history import ADJUSTMENT_ACTIONS
from .models import Id, Model

DETAILS_LIMIT = 2000
NOTE_LIMIT = 1000
MAX_WEEKS = 26  # half a year beyond the claim window and its one standard extension


class AdjustmentKind(StrEnum):
    MORE_TIME = "more_time"
    INTERVIEW = "interview"
    DOCUMENTS = "documents"
    OTHER = "other"


class AdjustmentState(StrEnum):
    REQUESTED = "requested"
    AGREED = "agreed"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class InterviewFormat(StrEnum):
    ONLINE = "online"
    IN_PERSON = "in_person"


class DocumentFormat(StrEnum):
    LARGE_PRINT = "large_print"
    SCREEN_READER = "screen_reader"
    EASY_READ = "easy_read"


KIND_TEXT = {
    AdjustmentKind.MORE_TIME: "More time for the claim",
    AdjustmentKind.INTERVIEW: "The interview's format and length",
    AdjustmentKind.DOCUMENTS: "Accessible documents",
    AdjustmentKind.OTHER: "Something else",
}
STATE_TEXT = {
    AdjustmentState.REQUESTED: "Waiting for your academy lead",
    AdjustmentState.AGREED: "Agreed",
    AdjustmentState.DECLINED: "Not agreed",
    AdjustmentState.WITHDRAWN: "Withdrawn",
}
FORMAT_TEXT = {InterviewFormat.ONLINE: "online", InterviewFormat.IN_PERSON: "in person"}
DOCUMENT_TEXT = {
    DocumentFormat.LARGE_PRINT: "large print",
    DocumentFormat.SCREEN_READER: "screen-reader friendly",
    DocumentFormat.EASY_READ: "easy read",
}
# The audit trail says that something happened, never what was asked (domain/history.py shows these
# only to the practitioner and their academy lead).
ACTIONS = ADJUSTMENT_ACTIONS

Details = Annotated[str, StringConstraints(strip_whitespace=True, max_length=DETAILS_LIMIT)]


class Terms(Model):
    """What is asked for (and, once agreed, what is honoured)."""

    weeks: int | None = Field(default=None, ge=1, le=MAX_WEEKS)
    interview_format: InterviewFormat | None = None
    interview_breaks: bool = False
    interview_minutes: int | None = Field(default=None, ge=15, le=240)
    document_format: DocumentFormat | None = None
    details: Details = ""  # the practitioner's own words: private to them and their academy lead


class Adjustment(Model):
    journey_id: Id
    kind: AdjustmentKind
    state: AdjustmentState
    requested: Terms
    agreed: Terms | None = None  # the terms last agreed: honoured until withdrawn or agreed anew
    lead_note: Annotated[str, StringConstraints(max_length=NOTE_LIMIT)] = ""
    requested_at: datetime
    decided_at: datetime | None = None
    decided_by: Id | None = None
    # The claim whose deadline carries the agreed time, and how much: a change adds only the difference.
    applied_claim: int = 0
    applied_weeks: int = 0


def checked(kind: AdjustmentKind, terms: Terms) -> Terms:
    """The terms with only what this kind asks for; InvalidInput saying what is missing."""
    if kind is AdjustmentKind.MORE_TIME:
        if terms.weeks is None:
            raise InvalidInput(f"Enter how many more weeks you need, from 1 to {MAX_WEEKS}.")
        return Terms(weeks=terms.weeks, details=terms.details)
    if kind is AdjustmentKind.INTERVIEW:
        if terms.interview_format is None:
            raise InvalidInput("Choose whether the interview is online or in person.")
        return Terms(
            interview_format=terms.interview_format,
            interview_breaks=terms.interview_breaks,
            interview_minutes=terms.interview_minutes,
            details=terms.details,
        )
    if kind is AdjustmentKind.DOCUMENTS:
        if terms.document_format is None:
            raise InvalidInput("Choose the format you need documents in.")
        return Terms(document_format=terms.document_format, details=terms.details)
    if not terms.details:
        raise InvalidInput("Describe the adjustment you need.")
    return Terms(details=terms.details)


def requested(
    existing: Adjustment | None, journey_id: str, kind: AdjustmentKind, terms: Terms, now: datetime
) -> Adjustment | None:
    """The adjustment after the practitioner asks (or changes what they asked); None when nothing
    changes (the same request sent twice, or asking again for exactly what is agreed)."""
    terms = checked(kind, terms)
    if existing is None:
        return Adjustment(
            journey_id=journey_id,
            kind=kind,
            state=AdjustmentState.REQUESTED,
            requested=terms,
            requested_at=now,
        )
    if existing.state is AdjustmentState.REQUESTED and existing.requested == terms:
        return None
    if existing.state is AdjustmentState.AGREED and existing.agreed == terms:
        return None
    return existing.model_copy(
        update={
            "state": AdjustmentState.REQUESTED,
            "requested": terms,
            "requested_at": now,
            "lead_note": "",
            "decided_at": None,
            "decided_by": None,
        }
    )


def decided(adjustment: Adjustment, *, agree: bool, note: str, by: str, now: datetime) -> Adjustment:
    """The lead's decision on a request waiting for them."""
    if adjustment.state is not AdjustmentState.REQUESTED:
        raise InvalidTransition(
            f"This request is {adjustment.state.value}, not waiting for a decision. "
            "The practitioner can change it, and a changed request comes back to you."
        )
    note = note.strip()
    if not agree and not note:
        raise InvalidInput("Say why the adjustment is not agreed: the practitioner reads your note.")
    if len(note) > NOTE_LIMIT:
        raise InvalidInput(f"The note must be {NOTE_LIMIT} characters or fewer.")
    return adjustment.model_copy(
        update={
            "state": AdjustmentState.AGREED if agree else AdjustmentState.DECLINED,
            "agreed": adjustment.requested if agree else adjustment.agreed,
            "lead_note": note,
            "decided_at": now,
            "decided_by": by,
        }
    )


def withdrawn(adjustment: Adjustment, now: datetime) -> Adjustment | None:
    """The practitioner no longer wants it: nothing is honoured from now (None: already withdrawn)."""
    if adjustment.state is AdjustmentState.WITHDRAWN:
        return None
    return adjustment.model_copy(
        update={"state": AdjustmentState.WITHDRAWN, "agreed": None, "requested_at": now}
    )


def agreed_weeks(adjustment: Adjustment | None) -> int:
    if adjustment is None or adjustment.kind is not AdjustmentKind.MORE_TIME or adjustment.agreed is None:
        return 0
    return adjustment.agreed.weeks or 0


def weeks_owed(adjustment: Adjustment, claim_number: int) -> int:
    """How many weeks the current claim's deadline must still move (negative: move back) so that it
    carries exactly the agreed time, on top of whatever the one standard extension gave."""
    applied = adjustment.applied_weeks if adjustment.applied_claim == claim_number else 0
    return agreed_weeks(adjustment) - applied


def moved_deadline(deadline: datetime, weeks: int, now: datetime) -> datetime:
    """The claim deadline moved by `weeks`; a deadline taken back into the past is refused (the claim
    would lapse at once), so that the practitioner asks their lead rather than losing the claim."""
    after = deadline + timedelta(weeks=weeks)
    if after <= now:
        raise InvalidTransition(
            "Without the agreed extra time your claim's deadline would already have passed. "
            "Ask your academy lead before withdrawing it."
        )
    return after


def interview_text(terms: Terms | None) -> str:
    """What the panel chair and the invitation say of an agreed interview adjustment: the format and the
    length, never the details ('' when there is nothing agreed)."""
    if terms is None or terms.interview_format is None:
        return ""
    parts = [FORMAT_TEXT[terms.interview_format]]
    if terms.interview_breaks:
        parts.append("with breaks")
    if terms.interview_minutes:
        parts.append(f"{terms.interview_minutes} minutes long")
    return ", ".join(parts)


def summary(kind: AdjustmentKind, terms: Terms | None) -> str:
    """A short description of the terms (without the details), for the practitioner and their lead."""
    if terms is None:
        return ""
    if kind is AdjustmentKind.MORE_TIME and terms.weeks:
        return f"{terms.weeks} more week{'s' if terms.weeks != 1 else ''} for the claim"
    if kind is AdjustmentKind.INTERVIEW:
        return "Interview " + interview_text(terms)
    if kind is AdjustmentKind.DOCUMENTS and terms.document_format:
        return "Documents in " + DOCUMENT_TEXT[terms.document_format]
    return "Described below"
