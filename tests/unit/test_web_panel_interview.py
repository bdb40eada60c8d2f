"""The arranged interview on the panel's pages (a browser walk found it shown nowhere to the panel), the
chair's outcome action only once the interview has taken place, claims told apart and finished claims
shown as done on the member's list. In-process, with the fakes of tests/unit/test_web_panel.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from odvalidation import clock
from odvalidation.domain.models import (
    ElementJudgement,
    Interview,
    Judgement,
    Outcome,
    Recommendation,
    Review,
    Stage,
)
from odvalidation.services import adjustments, seats
from tests.browser.harness import WebClient
from tests.unit.test_web_panel import JOURNEY, LEADER_ELEMENTS, Claim1
from tests.unit.test_web_panel import member as member  # the fixture, shared
from tests.unit.test_web_panel import web as web  # the fixture, shared

# 09:00 UTC on 12 July 2027 is 10:00 in the UK (BST); 10:00 UTC on 12 January 2027 is 10:00 (GMT).
SUMMER = datetime(2027, 7, 12, 9, 0, tzinfo=UTC)
WINTER = datetime(2027, 1, 12, 10, 0, tzinfo=UTC)
PLACE = "Room 4, Mersey House"


def at_interview(claim: Claim1, at: datetime, *, chair: bool) -> None:
    """Every member has reviewed; the lead has arranged the interview."""
    claim.journey.stage = Stage.INTERVIEW
    claim.panel.seats[0].chair = chair
    claim.panel.seats[0].declared = True
    claim.reviews.append(
        Review(
            journey_id=JOURNEY,
            claim_number=1,
            member_id=claim.me,
            judgements=[
                ElementJudgement(element_id=e, judgement=Judgement.EVIDENCED) for e in LEADER_ELEMENTS
            ],
            recommendation=Recommendation.LEADER,
            submitted_at=clock.now(),
        )
    )
    claim.interview = Interview(journey_id=JOURNEY, claim_number=1, at=at, location=PLACE)


@pytest.fixture(autouse=True)
def _no_adjustments(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(adjustments, "agreed_interview", lambda jid: "")
    monkeypatch.setattr(seats, "outcome_of", lambda j: None)


@pytest.mark.parametrize(
    ("at", "shown"), [(SUMMER, "12 July 2027 at 10:00"), (WINTER, "12 January 2027 at 10:00")]
)
def test_every_member_sees_the_interview_in_uk_time_on_home_list_and_claim_page(
    member: tuple[WebClient, Claim1],
    at: datetime,
    shown: str,
) -> None:
    browser, claim = member
    at_interview(claim, at, chair=False)

    home = browser.get("/home").body
    assert shown in home
    assert PLACE in home
    assert "Nothing to do on your panels now" not in home

    listed = browser.get("/panel").body
    assert shown in listed
    assert PLACE in listed

    # The invitation's "Details" link (/panel/<id>) leads to the claim's page: it shows the interview.
    page_href = browser.get(f"/panel/{JOURNEY}").header("Location")
    assert page_href == f"/panel/{JOURNEY}/reviews"
    claim_page = browser.get(page_href).body
    assert shown in claim_page
    assert PLACE in claim_page
    assert "(UK time)" in claim_page


def test_before_the_interview_the_chair_sees_it_upcoming_not_the_outcome_form(
    member: tuple[WebClient, Claim1],
) -> None:
    browser, claim = member
    at_interview(claim, WINTER, chair=True)

    home = browser.get("/home").body
    assert f'href="/panel/{JOURNEY}/outcome"' not in home
    assert "Record the outcome" not in home
    assert "12 January 2027 at 10:00" in home
    assert browser.get(f"/panel/{JOURNEY}").header("Location") == f"/panel/{JOURNEY}/reviews"

    outcome = browser.get(f"/panel/{JOURNEY}/outcome").body
    assert 'name="outcome"' not in outcome  # no form that could only be refused
    assert "once the interview has taken place" in outcome


def test_once_the_interview_time_has_come_the_chair_is_asked_for_the_outcome(
    member: tuple[WebClient, Claim1],
) -> None:
    browser, claim = member
    at_interview(claim, clock.now() - timedelta(minutes=5), chair=True)

    home = browser.get("/home").body
    assert f'href="/panel/{JOURNEY}/outcome"' in home
    assert browser.get(f"/panel/{JOURNEY}").header("Location") == f"/panel/{JOURNEY}/outcome"
    assert 'name="outcome"' in browser.get(f"/panel/{JOURNEY}/outcome").body


def test_a_claim_is_told_apart_by_cohort_and_stage(member: tuple[WebClient, Claim1]) -> None:
    browser, claim = member
    body = browser.get("/panel").body
    assert "north-west-3" in body  # the cohort (no cohort item in the fake: its id)
    assert "Panel review" in body
    # The member's academy is the claim's: not repeated. Another academy's claim names it.
    assert "North West Leadership Academy" not in body
    claim.journey.academy_id = "london"
    assert "north-west-3, London Leadership Academy" in browser.get("/panel").body


def test_a_validated_claim_shows_as_done_with_no_review_due(member: tuple[WebClient, Claim1]) -> None:
    browser, claim = member
    at_interview(claim, clock.now() - timedelta(days=1), chair=False)
    claim.journey.stage = Stage.VALIDATED
    claim.journey.outcome = Outcome.LEADER
    assert claim.panel.review_due is not None

    body = browser.get("/panel").body
    assert "Finished" in body
    assert "Done: Validated" in body
    assert "Review due" not in body
    assert claim.panel.review_due.strftime("%-d %B %Y") not in body
    home = browser.get("/home").body
    assert "Review due" not in home
    assert PLACE not in home  # a past interview is not "coming up"
