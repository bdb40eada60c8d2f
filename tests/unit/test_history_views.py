"""Who sees what of a journey's history (domain/history.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from odvalidation.domain.history import A_PANEL_MEMBER, history_for
from odvalidation.domain.models import AuditEvent

AT = datetime(2027, 3, 1, tzinfo=UTC)


def event(action: str, actor: str = "p-1", reason: str | None = None) -> AuditEvent:
    return AuditEvent(journey_id="j-1", at=AT, actor=actor, action=action, reason=reason)


TRAIL = [
    event("evidence verified", reason="element 3.2: board-minutes.pdf"),
    event("opened evidence", actor="m-2", reason="element 3.2: board-minutes.pdf"),
    event("declared a conflict of interest", actor="m-1", reason="She is my line manager."),
    event("seat reassigned", actor="system:panel-assignment", reason="m-4"),
    event("submitted claim"),
]


def test_someone_who_may_not_open_evidence_reads_no_evidence_names() -> None:
    shown = history_for(TRAIL, sees_evidence=False, sees_panel_choice=True)
    assert "board-minutes.pdf" not in str([e.reason for e in shown])
    assert [e.action for e in shown] == [e.action for e in TRAIL]  # the events themselves stay


def test_the_practitioner_is_not_told_who_declared_a_conflict_or_why() -> None:
    shown = history_for(TRAIL, sees_evidence=True, sees_panel_choice=False)
    conflict = shown[2]
    assert conflict.actor == A_PANEL_MEMBER
    assert conflict.reason is None
    assert shown[3].reason is None
    assert shown[0].reason == "element 3.2: board-minutes.pdf"  # their own evidence


def test_leads_and_the_panel_see_the_whole_trail() -> None:
    assert history_for(TRAIL, sees_evidence=True, sees_panel_choice=True) == TRAIL
