"""Review drafts and changed reviews (issue 16.4) on moto's in-process DynamoDB: a draft may be partial,
is its author's alone and pre-fills the form; a submitted review can be changed until the review is due
or the interview starts, and is refused after; changing a review never resumes the workflow again, but
the disagreements read afterwards follow the change."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from local.deploy import load_template
from odvalidation import clock
from odvalidation.dal import clients, keys
from odvalidation.dal.store import Change, journey_index, store, to_item
from odvalidation.domain.access import Caller
from odvalidation.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from odvalidation.domain.frameworks import framework
from odvalidation.domain.models import (
    Claim,
    DraftJudgement,
    ElementJudgement,
    Interview,
    Journey,
    Judgement,
    MemberKind,
    Panel,
    PanelSeat,
    Recommendation,
    Role,
    Stage,
)
from odvalidation.domain.review_window import closed_because
from odvalidation.services import panel_reviews, review_drafts
from odvalidation.services.common import updated
from odvalidation.settings import settings

FRAMEWORK = "nw-cipd-combined@1.0"
ELEMENTS = [e.id for e in framework(FRAMEWORK).elements][:2]
J = "jDrafts1"
ANA = Caller(id="ana", roles=frozenset({Role.PANEL}))
BEN = Caller(id="ben", roles=frozenset({Role.PANEL}))
LEAD = Caller(id="nwlead", roles=frozenset({Role.ACADEMY_LEAD}), academy_id="north-west")


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    for k, v in {
        "AWS_DEFAULT_REGION": "eu-west-2",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "TABLE_NAME": "drafts-test",
    }.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    clients.reset()
    settings.cache_clear()
    store.cache_clear()
    resumed: list[Any] = []
    # The workflow is outside the table: what the service asks of it is recorded. (The reminders' deletes
    # and the leads' alert are the workflow's next task, alerts.after_reviews_in, not the review's.)
    monkeypatch.setattr(panel_reviews.workflow, "resume", lambda token, out: resumed.append((token, out)))
    with mock_aws():
        boto3.client("dynamodb").create_table(
            TableName="drafts-test",
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[
                {"AttributeName": n, "AttributeType": "S"}
                for n in ("PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK")
            ],
            KeySchema=[
                {"AttributeName": "PK", "KeyType": "HASH"},
                {"AttributeName": "SK", "KeyType": "RANGE"},
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": ix,
                    "KeySchema": [
                        {"AttributeName": f"{ix}PK", "KeyType": "HASH"},
                        {"AttributeName": f"{ix}SK", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
                for ix in ("GSI1", "GSI2")
            ],
        )
        _claim_under_review()
        yield resumed
    clients.reset()
    settings.cache_clear()
    store.cache_clear()
    clock.reset()


def _claim_under_review() -> None:
    now = clock.now()
    journey = Journey(
        id=J,
        practitioner_id="pat",
        cohort_id="north-west-3",
        academy_id="north-west",
        framework_key=FRAMEWORK,
        stage=Stage.PANEL_REVIEW,
        created_at=now,
        updated_at=now,
        stage_entered_at=now,
        claim_number=1,
        task_token="token-1",
        waiting_step="panel_review",
    )
    db = store()
    db.commit(Change(journey=journey, expected_version=None, events=[]))
    claim = Claim(journey_id=J, number=1, revalidation=True, elements=ELEMENTS, updated_at=now)
    panel = Panel(
        journey_id=J,
        claim_number=1,
        seats=[
            PanelSeat(member_id="ana", kind=MemberKind.EXPERT, chair=True, declared=True),
            PanelSeat(member_id="ben", kind=MemberKind.PEER, declared=True),
        ],
        assigned_at=now,
        review_due=now.date() + timedelta(days=28),
    )
    for sk, model in (("CLAIM#1", claim), ("PANEL#1", panel)):
        db.put(to_item(model, keys.journey_part(J, sk)))
    for seat in panel.seats:
        db.put(to_item(seat, keys.journey_part(J, f"SEAT#1#{seat.member_id}")))
    assert journey_index(journey)  # the journey is indexed as the services expect


def full(grade: Judgement = Judgement.EVIDENCED, comment: str = "") -> list[ElementJudgement]:
    return [ElementJudgement(element_id=e, judgement=grade, comment=comment) for e in ELEMENTS]


def actions() -> list[str]:
    return [e.action for e in store().audit_trail(J)]


def test_a_partial_draft_is_saved_kept_private_and_changes_nothing(table: list[Any]) -> None:
    journey = store().journey(J)
    partial = [DraftJudgement(element_id=ELEMENTS[0], judgement=Judgement.PARTLY, comment="Half way")]
    draft = review_drafts.save_draft(ANA, J, partial, None)
    assert draft.recommendation is None
    # Saved twice: the same single draft.
    review_drafts.save_draft(ANA, J, partial, None)
    found = review_drafts.my_draft(ANA, journey)
    assert found is not None
    assert found.judgements == partial
    # Nobody else reads it: not the other member, not the lead (their own key has none), and it is not a
    # review (the reviews, the workflow, the audit trail and the journey are untouched).
    assert review_drafts.my_draft(BEN, journey) is None
    assert review_drafts.my_draft(LEAD, journey) is None
    with pytest.raises(Forbidden):
        panel_reviews.reviews_for(ANA, J)
    reviews, flags = panel_reviews.reviews_for(LEAD, J)
    assert reviews == []
    assert flags == []
    assert actions() == []
    assert store().journey(J).version == journey.version
    assert table == []


def test_a_draft_nobody_saves_again_is_left_to_the_tables_ttl(table: list[Any]) -> None:
    """DynamoDB deletes an item once its `expires_at` (the table's TimeToLiveSpecification) has passed; moto
    does not, so the attribute is what is checked. Each save moves it on; the draft reads the same."""
    partial = [DraftJudgement(element_id=ELEMENTS[0], judgement=Judgement.PARTLY)]
    first = review_drafts.save_draft(ANA, J, partial, None)
    sk = review_drafts.draft_sk(1, ANA.id)

    def expiry() -> int:
        item = store().get(keys.journey_part(J, sk))
        assert item is not None
        return int(item["expires_at"]["N"])

    assert expiry() == int((first.saved_at + timedelta(days=180)).timestamp())
    clock.advance(timedelta(days=10))
    again = review_drafts.save_draft(ANA, J, partial, None)
    assert expiry() == int((again.saved_at + review_drafts.DRAFT_KEEP).timestamp())
    assert review_drafts.my_draft(ANA, store().journey(J)) == again
    journeys = load_template()["Resources"]["JourneyTable"]["Properties"]
    assert journeys["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}


def test_a_draft_names_only_elements_of_the_claim(table: list[Any]) -> None:
    with pytest.raises(InvalidInput, match="not part of this claim"):
        review_drafts.save_draft(ANA, J, [DraftJudgement(element_id="9.9")], None)


def test_submitting_removes_the_draft_and_submitting_twice_is_one_review(table: list[Any]) -> None:
    review_drafts.save_draft(ANA, J, [DraftJudgement(element_id=ELEMENTS[0], comment="x")], None)
    panel_reviews.submit_review(ANA, J, full(), Recommendation.PRACTITIONER)
    panel_reviews.submit_review(ANA, J, full(), Recommendation.PRACTITIONER)  # a retry
    assert store().get(keys.journey_part(J, "REVIEWDRAFT#1#ana")) is None
    assert actions() == ["submitted review"]
    reviews, _ = panel_reviews.reviews_for(ANA, J)
    assert len(reviews) == 1
    # A draft once the review is in is refused: the member changes the review instead.
    with pytest.raises(Conflict, match="Save changes"):
        review_drafts.save_draft(ANA, J, [], None)


def test_a_review_changed_before_it_is_due_is_what_everyone_reads(table: list[Any]) -> None:
    panel_reviews.submit_review(ANA, J, full(Judgement.EVIDENCED), Recommendation.LEADER)
    panel_reviews.submit_review(BEN, J, full(Judgement.NOT_YET), Recommendation.NOT_YET)
    assert len(table) == 1  # the last review in resumed the workflow
    _, flags = panel_reviews.reviews_for(LEAD, J)
    assert any(f.startswith(f"Element {ELEMENTS[0]}:") for f in flags)
    changed = panel_reviews.submit_review(
        BEN, J, full(Judgement.EVIDENCED, "On reflection"), Recommendation.LEADER
    )
    assert changed.changed_at is not None
    # Read again: no disagreement left; the workflow was not resumed a second time.
    reviews, flags = panel_reviews.reviews_for(LEAD, J)
    assert flags == []
    assert {j.comment for r in reviews if r.member_id == "ben" for j in r.judgements} == {"On reflection"}
    assert len(table) == 1
    assert actions().count("changed review") == 1
    # The same change sent again (a retry): nothing more recorded.
    panel_reviews.submit_review(BEN, J, full(Judgement.EVIDENCED, "On reflection"), Recommendation.LEADER)
    assert actions().count("changed review") == 1


def test_after_the_due_date_drafts_and_changes_are_refused(table: list[Any]) -> None:
    panel_reviews.submit_review(ANA, J, full(), Recommendation.LEADER)
    clock.advance(timedelta(days=29))
    with pytest.raises(Conflict, match=r"The review was due on .*can no longer be changed"):
        panel_reviews.submit_review(ANA, J, full(Judgement.PARTLY), Recommendation.LEADER)
    with pytest.raises(Conflict, match="a draft can no longer be saved: submit your review now"):
        review_drafts.save_draft(BEN, J, [], None)
    # A member who is late may still submit (the overdue reminder asks them to).
    panel_reviews.submit_review(BEN, J, full(), Recommendation.LEADER)
    assert len(table) == 1


def test_once_the_interview_has_started_a_review_cannot_be_changed(table: list[Any]) -> None:
    panel_reviews.submit_review(ANA, J, full(), Recommendation.LEADER)
    at = clock.now() + timedelta(days=2)
    store().put(
        to_item(
            Interview(journey_id=J, claim_number=1, at=at, location="Room 1"),
            keys.journey_part(J, "INTERVIEW#1"),
        )
    )
    panel_reviews.submit_review(ANA, J, full(Judgement.PARTLY), Recommendation.LEADER)  # before it: fine
    clock.advance(timedelta(days=2, minutes=1))
    with pytest.raises(Conflict, match="The interview started on"):
        panel_reviews.submit_review(ANA, J, full(Judgement.NOT_YET), Recommendation.LEADER)
    reviews, _ = panel_reviews.reviews_for(ANA, J)
    assert {j.judgement for j in reviews[0].judgements} == {Judgement.PARTLY}


def test_the_window_closes_at_the_first_of_due_date_and_interview() -> None:
    now = clock.now()
    due = now.date()
    assert closed_because(now, due, None) is None  # due today: still open
    assert closed_because(now + timedelta(days=1), due, None) == f"The review was due on {due:%-d %B %Y}"
    soon = Interview(journey_id=J, claim_number=1, at=now - timedelta(minutes=1), location="Room 1")
    assert (closed_because(now, due, soon) or "").startswith("The interview started on")
    later = Interview(journey_id=J, claim_number=1, at=now + timedelta(days=3), location="Room 1")
    assert closed_because(now, None, later) is None


def test_no_one_but_a_seated_member_saves_a_draft(table: list[Any]) -> None:
    with pytest.raises(NotFound):
        review_drafts.save_draft(LEAD, J, [], None)


def test_the_last_review_landing_between_a_reviewers_read_and_write_still_closes_the_step_once(
    table: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 19: a review reads the journey's items in one Query, which is no snapshot. Ben's review lands
    after Ana's read saw it missing (and, the Query reading items one by one, without her seeing the
    journey change): her transaction requires it still absent, so it is read again, she is the last,
    and the step closes once."""
    real = panel_reviews.journey_items

    def read_then_ben_lands(journey_id: str) -> Any:
        found = real(journey_id)
        if not any(sk == "REVIEW#1#ben" for sk in found[1]):
            ben = panel_reviews.Review(
                journey_id=J,
                claim_number=1,
                member_id="ben",
                judgements=full(),
                recommendation=Recommendation.PRACTITIONER,
                submitted_at=clock.now(),
            )
            boto3.client("dynamodb").put_item(
                TableName="drafts-test", Item=to_item(ben, keys.journey_part(J, "REVIEW#1#ben"))
            )
        return found

    monkeypatch.setattr(panel_reviews, "journey_items", read_then_ben_lands)
    panel_reviews.submit_review(ANA, J, full(), Recommendation.PRACTITIONER)
    assert table == [("token-1", {"reviews": 2, "flags": 0})]  # resumed once, by the last review in
    assert actions().count("all reviews in") == 1
    journey = store().journey(J)
    assert journey.task_token is None
    assert journey.resume_token == "token-1"


def test_a_collection_read_whole_answers_the_requests_reads_until_it_writes(table: list[Any]) -> None:
    """dal/read_cache.py: inside a read-only request, the journey's items read in one Query answer its
    GetItems (an item not there included), Queries and BatchGetItems of that partition; a write forgets."""
    from odvalidation.dal import read_cache
    from odvalidation.services.common import journey_items

    db = store()
    client = boto3.client("dynamodb")
    with read_cache.reading():
        journey, items = journey_items(J)
        assert journey.id == J
        assert "PANEL#1" in items
        # Changed behind the request's back: what it read stands (no second read).
        client.delete_item(TableName="drafts-test", Key={"PK": {"S": f"JOURNEY#{J}"}, "SK": {"S": "PANEL#1"}})
        assert db.get(keys.journey_part(J, "PANEL#1")) is not None
        assert db.get(keys.journey_part(J, "INTERVIEW#1")) is None  # not there: known without asking
        assert [i["SK"]["S"] for i in db.query(f"JOURNEY#{J}", prefix="SEAT#1#")] == [
            "SEAT#1#ana",
            "SEAT#1#ben",
        ]
        assert len(db.batch_get([keys.journey_part(J, "PANEL#1"), keys.journey_part(J, "CLAIM#1")])) == 2
        db.put(to_item(journey, keys.journey_part(J, "NOTE#1")))  # a write: everything is read again
        assert db.get(keys.journey_part(J, "PANEL#1")) is None
        assert db.batch_get([keys.journey_part(J, "PANEL#1")]) == []


def test_a_versioned_item_or_an_absent_key_in_a_change_is_a_stale_read_when_it_moved(
    table: list[Any],
) -> None:
    """dal/store.py: a panel written with the journey's change on its version, and a key required still
    absent, make the change a StaleRead (read again) when they moved, never a half-written change."""
    from odvalidation.domain.errors import StaleRead
    from odvalidation.services.common import updated

    db = store()
    journey = db.journey(J)
    panel_item = db.get(keys.journey_part(J, "PANEL#1"))
    assert panel_item is not None
    change = updated(journey, actor="ana", action="declared no conflict of interest")
    change.versioned.append((panel_item, 7))  # the panel read was version 7: it is not
    with pytest.raises(StaleRead):
        db.commit(change)
    change = updated(journey, actor="ana", action="submitted review")
    change.absent.append(keys.journey_part(J, "SEAT#1#ben"))  # there
    with pytest.raises(StaleRead):
        db.commit(change)
    assert db.journey(J).version == journey.version  # nothing written
    assert "declared no conflict of interest" not in actions()


def test_events_written_together_read_back_in_the_order_they_happened(table: list[Any]) -> None:
    """The last review and "all reviews in" are one transaction with one time: the trail must still say
    the review came first. Twenty changes of two such events each: were their order left to the random
    part of the key, all twenty would come back in order about once in a million runs."""
    journey = store().journey(J)
    for n in range(20):
        change = updated(journey, actor="ana", action=f"first {n}")
        at = change.events[0].at
        change.events.append(change.events[0].model_copy(update={"actor": "system", "action": f"then {n}"}))
        assert change.events[1].at == at
        journey = store().commit(change)
    trail = [a for a in actions() if a.startswith(("first", "then"))]
    assert trail == [f"{word} {n}" for n in range(20) for word in ("first", "then")]
