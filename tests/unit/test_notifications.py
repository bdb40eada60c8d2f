"""The practitioner's outcome email: one email, to the practitioner only, that tells the outcome and asks
for feedback on the process (no second email about the same event: SES bills each recipient)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from odvalidation.domain.models import Journey, Outcome, Person, Stage
from odvalidation.services import notifications

AT = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
PRACTITIONER = Person(id="p1", name="Rowan Achterberg", email="rowan@example.nhs.uk")


@pytest.fixture
def outbox(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    def send(to: list[str], subject: str, text: str, html: str, attachments: Any = None) -> str:
        sent.append({"to": to, "subject": subject, "text": text, "html": html})
        return f"m-{len(sent)}"

    monkeypatch.setattr(notifications.mail, "send", send)
    monkeypatch.setattr(notifications, "person", lambda pid: PRACTITIONER if pid == PRACTITIONER.id else None)
    monkeypatch.setattr(notifications, "_record", lambda journey, kind, to, subject, mid, error=None: kind)
    return sent


def journey(stage: Stage, outcome: Outcome) -> Journey:
    return Journey(
        id="j1",
        practitioner_id=PRACTITIONER.id,
        cohort_id="c1",
        academy_id="north-west",
        framework_key="global-practice@1.0",
        stage=stage,
        outcome=outcome,
        created_at=AT,
        updated_at=AT,
        stage_entered_at=AT,
    )


@pytest.mark.parametrize(
    ("stage", "outcome", "subject", "link"),
    [
        (Stage.VALIDATED, Outcome.LEADER, "You have been validated as a system OD leader", "certificate"),
        (
            Stage.NOT_YET_VALIDATED,
            Outcome.NOT_YET,
            "Your claim: developmental feedback",
            "Read your feedback",
        ),
    ],
)
def test_the_outcome_is_one_email_that_also_asks_for_feedback(
    outbox: list[dict[str, Any]], stage: Stage, outcome: Outcome, subject: str, link: str
) -> None:
    records = notifications.send(journey(stage, outcome), "outcome")
    assert records == ["outcome"]
    assert len(outbox) == 1
    (mail,) = outbox
    assert mail["to"] == [PRACTITIONER.email]
    assert mail["subject"].startswith(subject)
    assert link in mail["text"]
    for part in (mail["text"], mail["html"]):
        assert "Tell us how the validation process was for you" in part
        assert "/journeys/j1/feedback" in part
