"""Rules a hostile client once got round (issue: the public API's review): on moto's in-process DynamoDB,
through the services every client goes through.

- an interview is arranged within a year (year 9999 was accepted, and its invitation never sent);
- the calendar file cannot overflow whatever date is stored;
- "the interview took place" waits for the arranged start time, as the outcome does;
- a review names each element once (two opposite judgements for one element were stored);
- a narrative saved from an older window is refused, not written over the newer one;
- refusals say what happened and what to do (an outcome already recorded, a decision sent while the
  journey moves on from the workshop, a certificate that is not the caller's)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from odvalidation import clock
from odvalidation.dal import keys
from odvalidation.dal.store import store, to_item
from odvalidation.domain.access import Caller
from odvalidation.domain.claims import bumped, stale_elements
from odvalidation.domain.errors import Conflict, InvalidInput, InvalidTransition, NotFound
from odvalidation.domain.models import (
    CertificateRecord,
    Claim,
    DraftJudgement,
    ElementJudgement,
    Interview,
    Journey,
    Judgement,
    Level,
    Outcome,
    OutcomeRecord,
    Readiness,
    Recommendation,
    Role,
    Stage,
)
from odvalidation.domain.models.interview import FURTHEST_AHEAD
from odvalidation.services import (
    certificates,
    claim_development,
    interviews,
    notifications,
    panel_reviews,
    preparation,
    review_drafts,
)
from odvalidation.services.common import updated
from tests.unit.test_review_drafts import ANA, ELEMENTS, LEAD, J, actions, full, table

__all__ = ["table"]  # the fixture: a journey under panel review, its claim and a panel of two

PAT = Caller(id="pat", roles=frozenset({Role.PRACTITIONER}), academy_id="north-west")


def _set(**fields: Any) -> Journey:
    db = store()
    return db.commit(updated(db.journey(J), actor="test", action="moved by the test", update=fields))


def _at_interview(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The journey waiting at step 6; the invitations handed to Notify are recorded, not sent."""
    invoked: list[Any] = []
    monkeypatch.setattr(interviews, "invoke_async", lambda arn, event: invoked.append(event))
    _set(stage=Stage.INTERVIEW, waiting_step="interview", task_token="token-6")
    return invoked


# ------------------------------------------------------------------ the interview's date


def test_an_interview_is_arranged_within_a_year_and_year_9999_is_refused(
    table: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    invoked = _at_interview(monkeypatch)
    with pytest.raises(InvalidInput, match="within a year") as refused:
        interviews.schedule_interview(LEAD, J, datetime(9999, 12, 31, 23, 59, 59), "R", 60)
    latest = clock.now() + FURTHEST_AHEAD
    assert f"{latest:%-d %B %Y}" in refused.value.message
    with pytest.raises(InvalidInput, match="within a year"):
        interviews.schedule_interview(LEAD, J, latest + timedelta(minutes=1), "R", 60)
    assert store().get(keys.journey_part(J, "INTERVIEW#1")) is None
    assert invoked == []
    # Just inside the year: arranged, and the invitations go.
    arranged = interviews.schedule_interview(LEAD, J, latest - timedelta(minutes=1), "R", 60)
    assert arranged.at == latest - timedelta(minutes=1)
    assert len(invoked) == 1


def test_the_calendar_file_cannot_overflow_whatever_date_is_stored() -> None:
    last = Interview(
        journey_id=J, claim_number=1, at=datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC), location="R"
    )
    assert last.ends_at == datetime.max.replace(tzinfo=UTC)
    journey = Journey(
        id=J,
        practitioner_id="pat",
        cohort_id="north-west-3",
        academy_id="north-west",
        framework_key="nw-cipd-combined@1.0",
        stage=Stage.INTERVIEW,
        created_at=clock.now(),
        updated_at=clock.now(),
        stage_entered_at=clock.now(),
    )
    calendar = notifications._ics(journey, last, [])
    assert b"DTSTART:99991231T235959Z" in calendar
    ordinary = last.model_copy(update={"at": datetime(2027, 3, 1, 10, 0, tzinfo=UTC), "duration_minutes": 90})
    assert ordinary.ends_at == datetime(2027, 3, 1, 11, 30, tzinfo=UTC)


# ------------------------------------------------------------------ held, and the outcome


def test_the_interview_is_recorded_as_held_only_once_its_time_has_come(
    table: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    _at_interview(monkeypatch)
    at = (clock.now() + timedelta(days=15)).replace(microsecond=0)
    interviews.schedule_interview(LEAD, J, at, "Room 4", 60)
    with pytest.raises(InvalidTransition, match="record that it took place after it has started") as early:
        interviews.record_interview_held(LEAD, J)
    assert f"{at:%-d %B %Y} at {at:%H:%M}" in early.value.message
    stored = store().get_model(Interview, keys.journey_part(J, "INTERVIEW#1"))
    assert stored is not None
    assert stored.held_at is None
    assert "interview held" not in actions()

    clock.advance(at - clock.now())  # the start time itself
    held = interviews.record_interview_held(LEAD, J)
    assert held.held_at is not None
    assert at <= held.held_at <= clock.now()
    assert actions().count("interview held") == 1


def test_a_second_different_outcome_is_told_what_is_recorded(table: list[Any]) -> None:
    recorded_at = clock.now()
    record = OutcomeRecord(
        journey_id=J,
        claim_number=1,
        outcome=Outcome.PRACTITIONER,
        recorded_by="ana",
        recorded_at=recorded_at,
    )
    store().put(to_item(record, keys.journey_part(J, "OUTCOME#1")))
    journey = _set(stage=Stage.VALIDATED, waiting_step=None, task_token=None)
    message = interviews._not_now(journey, record)
    assert message.startswith("The outcome is already recorded: system od practitioner, on ")
    assert "tell the academy lead" in message
    moving = journey.model_copy(update={"stage": Stage.INTERVIEW})
    assert "Wait a moment and try again" in interviews._not_now(moving, None)


# ------------------------------------------------------------------ one judgement per element


def test_a_review_naming_an_element_twice_is_refused_and_nothing_is_stored(table: list[Any]) -> None:
    judgements = [
        *full(),
        ElementJudgement(element_id=ELEMENTS[0], judgement=Judgement.NOT_YET, comment="The opposite"),
    ]
    with pytest.raises(InvalidInput, match=f"Element {ELEMENTS[0]} is given twice") as refused:
        panel_reviews.submit_review(ANA, J, judgements, Recommendation.LEADER)
    assert refused.value.details == [f"Element {ELEMENTS[0]} is given more than once."]
    assert store().get(keys.journey_part(J, review_drafts.review_sk(1, ANA.id))) is None
    assert actions() == []
    # The draft is held to the same rule, in the same words.
    twice = [DraftJudgement(element_id=ELEMENTS[1]), DraftJudgement(element_id=ELEMENTS[1])]
    with pytest.raises(InvalidInput, match=f"Element {ELEMENTS[1]} is given twice"):
        review_drafts.save_draft(ANA, J, twice, None)
    # A submitted review cannot be changed into one with a duplicate either.
    panel_reviews.submit_review(ANA, J, full(), Recommendation.LEADER)
    with pytest.raises(InvalidInput, match="given twice"):
        panel_reviews.submit_review(ANA, J, judgements, Recommendation.LEADER)


# ------------------------------------------------------------------ narratives from two windows


def test_stale_and_bumped_narrative_versions() -> None:
    claim = Claim(
        journey_id=J,
        number=1,
        narratives={"2.1": "newer"},
        narrative_versions={"2.1": 3},
        updated_at=clock.now(),
    )
    assert stale_elements(claim, {"2.1": "older window"}, {"2.1": 2}) == ["2.1"]
    assert stale_elements(claim, {"2.1": "newer"}, {"2.1": 2}) == []  # a retry of what is there
    assert stale_elements(claim, {"2.1": "mine"}, {"2.1": 3}) == []
    assert stale_elements(claim, {"2.1": "no version sent"}, {}) == []
    assert stale_elements(claim, {"1.1": "first words"}, {"1.1": 0}) == []
    assert bumped(claim, {"2.1": "newer", "1.1": "first"}) == {"2.1": 3, "1.1": 1}


def test_a_save_from_an_older_window_is_refused_and_the_newer_text_kept(table: list[Any]) -> None:
    _set(stage=Stage.CLAIM_DEVELOPMENT, waiting_step="claim_development", task_token="token-4")
    store().put(
        to_item(
            Claim(journey_id=J, number=1, level=Level.PRACTITIONER, updated_at=clock.now()),
            keys.journey_part(J, "CLAIM#1"),
        )
    )
    element = ELEMENTS[0]
    # Two windows open on version 0; the first saves (version 1), then the second.
    first = claim_development.save_claim(PAT, J, narratives={element: "Newer text"}, seen={element: 0})
    assert first.narrative_versions[element] == 1
    for stale in (0, 0, 0):
        with pytest.raises(Conflict, match=f"Element {element} was changed in another window"):
            claim_development.save_claim(PAT, J, narratives={element: "Older text"}, seen={element: stale})
    kept = store().get_model(Claim, keys.journey_part(J, "CLAIM#1"))
    assert kept is not None
    assert kept.narratives[element] == "Newer text"
    # The same save again (its answer lost) is not a clash; a save from the current version goes in.
    claim_development.save_claim(PAT, J, narratives={element: "Newer text"}, seen={element: 0})
    again = claim_development.save_claim(PAT, J, narratives={element: "Newest"}, seen={element: 1})
    assert again.narratives[element] == "Newest"
    assert again.narrative_versions[element] == 2


# ------------------------------------------------------------------ refusals that fit the caller


def test_a_decision_sent_while_attendance_moves_the_journey_on_is_told_to_wait(table: list[Any]) -> None:
    _set(stage=Stage.WORKSHOP, workshop_attended=True, waiting_step=None, task_token=None)
    with pytest.raises(InvalidTransition, match="Wait a moment and try again"):
        preparation.record_decision(PAT, J, Readiness.READY_NOW, None)
    _set(stage=Stage.CLAIM_DEVELOPMENT)
    with pytest.raises(InvalidTransition, match="its stage is claim development"):
        preparation.record_decision(PAT, J, Readiness.READY_NOW, None)


def test_someone_elses_certificate_is_not_found_for_a_practitioner_and_forbidden_for_another_lead(
    table: list[Any],
) -> None:
    now = clock.now()
    record = CertificateRecord(
        id="ABCD-EFGH-JKMN-PQRS",
        journey_id=J,
        practitioner_id="pat",
        holder_name="Pat",
        academy_id="north-west",
        level=Level.PRACTITIONER,
        framework_key="nw-cipd-combined@1.0",
        element_ids=ELEMENTS,
        valid_from=now,
        valid_until=now + timedelta(days=1095),
        issued_at=now,
    )
    store().put(certificates.certificate_item(record))
    assert certificates.mine(PAT, record.id).id == record.id
    assert certificates.mine(LEAD, record.id).id == record.id
    other = Caller(id="someone", roles=frozenset({Role.PRACTITIONER}), academy_id="north-west")
    with pytest.raises(NotFound, match="no such certificate among yours"):
        certificates.mine(other, record.id)
    elsewhere = Caller(id="ldn", roles=frozenset({Role.ACADEMY_LEAD}), academy_id="london")
    with pytest.raises(Exception, match="Only a lead of this academy"):
        certificates.mine(elsewhere, record.id)
