"""Reasonable adjustments (issue 18): the rules of asking, agreeing and honouring, without AWS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from odvalidation.domain import adjustments as rules
from odvalidation.domain.adjustments import (
    AdjustmentKind,
    AdjustmentState,
    DocumentFormat,
    InterviewFormat,
    Terms,
)
from odvalidation.domain.errors import InvalidInput, InvalidTransition
from odvalidation.domain.history import history_for
from odvalidation.domain.models import AuditEvent

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
MORE = AdjustmentKind.MORE_TIME


def _agreed(weeks: int) -> rules.Adjustment:
    asked = rules.requested(None, "j-1", MORE, Terms(weeks=weeks, details="Private words"), NOW)
    assert asked is not None
    return rules.decided(asked, agree=True, note="", by="lead-1", now=NOW)


def test_each_kind_asks_for_its_own_field_and_drops_the_others() -> None:
    with pytest.raises(InvalidInput, match="how many more weeks"):
        rules.checked(MORE, Terms(details="x"))
    with pytest.raises(InvalidInput, match="online or in person"):
        rules.checked(AdjustmentKind.INTERVIEW, Terms(weeks=3))
    with pytest.raises(InvalidInput, match="format you need"):
        rules.checked(AdjustmentKind.DOCUMENTS, Terms())
    with pytest.raises(InvalidInput, match="Describe"):
        rules.checked(AdjustmentKind.OTHER, Terms())
    kept = rules.checked(MORE, Terms(weeks=4, document_format=DocumentFormat.LARGE_PRINT))
    assert kept == Terms(weeks=4)


def test_a_change_needs_agreeing_again_while_the_agreed_terms_stay_honoured() -> None:
    agreed = _agreed(6)
    assert agreed.state is AdjustmentState.AGREED
    assert rules.agreed_weeks(agreed) == 6
    changed = rules.requested(agreed, "j-1", MORE, Terms(weeks=10), NOW)
    assert changed is not None
    assert changed.state is AdjustmentState.REQUESTED
    assert rules.agreed_weeks(changed) == 6  # still honoured until the lead decides
    declined = rules.decided(changed, agree=False, note="Ten is too many; six stands.", by="lead-1", now=NOW)
    assert declined.state is AdjustmentState.DECLINED
    assert rules.agreed_weeks(declined) == 6


def test_the_same_request_twice_changes_nothing() -> None:
    asked = rules.requested(None, "j-1", MORE, Terms(weeks=3), NOW)
    assert asked is not None
    assert rules.requested(asked, "j-1", MORE, Terms(weeks=3), NOW) is None
    assert rules.requested(_agreed(3), "j-1", MORE, Terms(weeks=3, details="Private words"), NOW) is None


def test_the_lead_decides_once_and_a_refusal_carries_a_note() -> None:
    asked = rules.requested(None, "j-1", MORE, Terms(weeks=3), NOW)
    assert asked is not None
    with pytest.raises(InvalidInput, match="Say why"):
        rules.decided(asked, agree=False, note="  ", by="lead-1", now=NOW)
    agreed = rules.decided(asked, agree=True, note="", by="lead-1", now=NOW)
    with pytest.raises(InvalidTransition, match="not waiting for a decision"):
        rules.decided(agreed, agree=False, note="no", by="lead-1", now=NOW)


def test_withdrawing_ends_what_was_agreed() -> None:
    gone = rules.withdrawn(_agreed(4), NOW)
    assert gone is not None
    assert gone.state is AdjustmentState.WITHDRAWN
    assert rules.agreed_weeks(gone) == 0
    assert rules.withdrawn(gone, NOW) is None


def test_the_deadline_carries_exactly_the_agreed_weeks_on_top_of_anything_else() -> None:
    agreed = _agreed(6)
    assert rules.weeks_owed(agreed, claim_number=1) == 6
    applied = agreed.model_copy(update={"applied_claim": 1, "applied_weeks": 6})
    assert rules.weeks_owed(applied, claim_number=1) == 0
    # A new claim (after "not yet") gets the agreed time again.
    assert rules.weeks_owed(applied, claim_number=2) == 6
    # Changed to 8 and agreed: only the difference moves the deadline.
    more = applied.model_copy(update={"agreed": Terms(weeks=8)})
    assert rules.weeks_owed(more, claim_number=1) == 2
    # Withdrawn: the weeks come off again.
    gone = rules.withdrawn(applied, NOW)
    assert gone is not None
    assert rules.weeks_owed(gone, claim_number=1) == -6


def test_a_deadline_is_never_taken_back_into_the_past() -> None:
    deadline = NOW + timedelta(weeks=2)
    assert rules.moved_deadline(deadline, 3, NOW) == NOW + timedelta(weeks=5)
    assert rules.moved_deadline(deadline, -1, NOW) == NOW + timedelta(weeks=1)
    with pytest.raises(InvalidTransition, match="already have passed"):
        rules.moved_deadline(deadline, -2, NOW)


def test_the_chair_is_told_the_format_and_length_never_the_details() -> None:
    terms = Terms(
        interview_format=InterviewFormat.ONLINE,
        interview_breaks=True,
        interview_minutes=90,
        details="SECRET-REASON",
    )
    text = rules.interview_text(terms)
    assert text == "online, with breaks, 90 minutes long"
    assert "SECRET" not in text
    assert rules.interview_text(None) == ""
    assert rules.interview_text(Terms(weeks=3)) == ""


def test_adjustment_events_are_shown_only_to_those_who_may_read_adjustments() -> None:
    events = [
        AuditEvent(journey_id="j-1", at=NOW, actor="p-1", action="adjustment requested"),
        AuditEvent(journey_id="j-1", at=NOW, actor="p-1", action="submitted claim"),
    ]
    others = history_for(events, sees_evidence=True, sees_panel_choice=True)
    assert [e.action for e in others] == ["submitted claim"]
    theirs = history_for(events, sees_evidence=True, sees_panel_choice=False, sees_adjustments=True)
    assert [e.action for e in theirs] == ["adjustment requested", "submitted claim"]
    assert all(e.reason is None for e in theirs)
