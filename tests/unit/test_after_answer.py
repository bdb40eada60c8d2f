"""What a request sets off after its answer (issue 19, services/after_answer.py): the workflow's
NotifySubmitted and NotifyReviewsIn tasks and the asynchronous invitation event. Each runs at least once
and may run again (Step Functions and Lambda retry), so each is checked for what a second run does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from odvalidation.domain.models import EmailRecord, Journey, Stage
from odvalidation.services import after_answer

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
JOURNEY = Journey(
    id="jAfterAnswer1",
    practitioner_id="pat",
    cohort_id="north-west-3",
    academy_id="north-west",
    framework_key="nw-cipd-combined@1.0",
    stage=Stage.INTERVIEW,
    created_at=NOW,
    updated_at=NOW,
    stage_entered_at=NOW,
    claim_number=1,
)


@pytest.fixture
def done(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    calls: list[Any] = []
    monkeypatch.setattr(
        after_answer.schedule_store, "cancel", lambda jid, purpose: calls.append(("cancel", purpose))
    )
    monkeypatch.setattr(
        after_answer.alerts, "reviews_in", lambda journey, flags: calls.append(("alert", flags))
    )
    monkeypatch.setattr(
        after_answer.notifications, "send", lambda journey, kind: calls.append(("send", kind)) or [object()]
    )
    return calls


def test_a_submitted_claims_reminders_are_deleted_before_its_confirmation_is_sent(done: list[Any]) -> None:
    assert after_answer.claim_submitted(JOURNEY) == 1
    assert sorted(done[:3]) == [("cancel", p) for p in sorted(after_answer.CLAIM_REMINDERS)]
    assert done[3:] == [("send", "claim_submitted")]


def test_all_reviews_in_deletes_the_reviewers_reminders_and_alerts_the_leads_with_the_flags(
    done: list[Any],
) -> None:
    after_answer.reviews_in(JOURNEY, 2)
    assert sorted(done) == sorted([("alert", 2), *(("cancel", p) for p in after_answer.REVIEW_REMINDERS)])


def test_an_invitation_event_run_again_sends_only_to_whoever_has_not_had_one_since_it_was_arranged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    arranged = NOW
    records = [
        # Sent for this interview before the first run failed part-way: not sent again.
        EmailRecord(
            journey_id=JOURNEY.id, kind="interview_invitation", to=["ana@nhs.net"], subject="s", sent_at=NOW
        ),
        # A failure recorded, and an invitation to an earlier arrangement: both sent again.
        EmailRecord(
            journey_id=JOURNEY.id,
            kind="interview_invitation",
            to=["ben@nhs.net"],
            subject="s",
            sent_at=NOW,
            error="x",
        ),
        EmailRecord(
            journey_id=JOURNEY.id,
            kind="interview_invitation",
            to=["pat@nhs.net"],
            subject="s",
            sent_at=NOW - timedelta(days=3),
        ),
        EmailRecord(
            journey_id=JOURNEY.id, kind="panel_assigned", to=["cat@nhs.net"], subject="s", sent_at=NOW
        ),
    ]
    asked: dict[str, Any] = {}

    def send_panel_email(journey: Journey, kind: str, **kw: Any) -> list[Any]:
        asked.update(kw, kind=kind)
        return [object(), object()]

    monkeypatch.setattr(after_answer.notifications, "emails", lambda journey_id: records)
    monkeypatch.setattr(after_answer.notifications, "send_panel_email", send_panel_email)
    assert after_answer.interview_invited(JOURNEY, arranged) == 2
    assert asked == {"kind": "interview_invitation", "include_practitioner": True, "skip": {"ana@nhs.net"}}
