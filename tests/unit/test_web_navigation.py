"""Issue 16: people get where they need to be in fewer steps. A panel member's email link and home page
lead to the page where they act; each role's home shows that role's work; the declaration shows what a
conflict is judged on; the reviews page tells reviewers apart and flags each element they judged
differently. (The practitioner's side is in test_web_navigation_practitioner.py.)"""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from typing import Any

import pytest

from odvalidation import clock
from odvalidation.domain.models import (
    ElementJudgement,
    Interview,
    Judgement,
    MemberKind,
    Person,
    Recommendation,
    Review,
    Stage,
)
from odvalidation.domain.panels import PanelMember
from odvalidation.services import journey_parts, panels
from odvalidation.services import people as people_service
from tests.browser.harness import WebClient
from tests.unit.test_web_panel import JOURNEY, LEADER_ELEMENTS, Claim1, field, signed_in
from tests.unit.test_web_panel import member as member  # the fixture, shared
from tests.unit.test_web_panel import web as web  # the fixture, shared


def text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def review_by(member_id: str, grade: Judgement, recommendation: Recommendation) -> Review:
    return Review(
        journey_id=JOURNEY,
        claim_number=1,
        member_id=member_id,
        judgements=[ElementJudgement(element_id=e, judgement=grade) for e in LEADER_ELEMENTS],
        recommendation=recommendation,
        submitted_at=clock.now(),
    )


# --------------------------------------------------------------------------- the email's link


def test_the_email_link_opens_the_members_next_step_declare_then_review_then_all_reviews(
    member: tuple[WebClient, Claim1],
) -> None:
    browser, claim = member
    assert browser.get(f"/panel/{JOURNEY}").header("Location") == f"/panel/{JOURNEY}/declaration"

    browser.submit(f"/panel/{JOURNEY}/declaration", {"conflict": "no"})
    assert browser.get(f"/panel/{JOURNEY}").header("Location") == f"/panel/{JOURNEY}/review"

    claim.reviews.append(review_by(claim.me, Judgement.EVIDENCED, Recommendation.LEADER))
    assert browser.get(f"/panel/{JOURNEY}").header("Location") == f"/panel/{JOURNEY}/reviews"

    # The chair, at the interview step: the claim's page (with the interview) until the interview has
    # taken place, then the outcome form.
    claim.journey.stage = Stage.INTERVIEW
    assert browser.get(f"/panel/{JOURNEY}").header("Location") == f"/panel/{JOURNEY}/reviews"
    claim.interview = Interview(
        journey_id=JOURNEY, claim_number=1, at=clock.now() + timedelta(days=3), location="Room 4"
    )
    assert browser.get(f"/panel/{JOURNEY}").header("Location") == f"/panel/{JOURNEY}/reviews"
    claim.interview = claim.interview.model_copy(update={"at": clock.now() - timedelta(minutes=1)})
    assert browser.get(f"/panel/{JOURNEY}").header("Location") == f"/panel/{JOURNEY}/outcome"


def test_a_member_not_on_the_panel_is_told_there_is_no_such_claim(
    member: tuple[WebClient, Claim1],
) -> None:
    browser, claim = member
    claim.panel.seats = claim.panel.seats[1:]
    assert browser.get(f"/panel/{JOURNEY}").status == 404


def test_the_panel_email_links_the_members_page_and_the_practitioner_their_journey(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from odvalidation.services import notifications

    claim = Claim1("m1")
    sent: list[tuple[list[str], str]] = []
    monkeypatch.setattr(notifications, "current_panel", lambda jid: claim.panel)
    monkeypatch.setattr(notifications, "read_ahead", lambda *a, **k: None)  # the reads are faked here
    monkeypatch.setattr(journey_parts, "claim", lambda j: None)
    monkeypatch.setattr(
        notifications,
        "person",
        lambda pid: Person(id=pid, name=pid, email=f"{pid}@nhs.net", employer="Trust"),
    )
    monkeypatch.setattr(notifications, "interview_of", lambda j: None)
    monkeypatch.setattr(
        notifications.mail, "send", lambda to, subject, body, html, attachments=None: sent.append((to, body))
    )
    monkeypatch.setattr(notifications, "_record", lambda *a, **k: a[1])

    notifications.send_panel_email(claim.journey, "panel_assigned")
    assert [to for to, _ in sent] == [["m1@nhs.net"], ["peer-1@nhs.net"]]  # once each, members only
    for _, body in sent:
        assert f"/panel/{JOURNEY}\n" in body
        assert "/journeys/" not in body


# --------------------------------------------------------------------------- home and header


def test_a_panel_members_home_lists_their_assignments_with_the_next_action_and_no_practitioner_steps(
    member: tuple[WebClient, Claim1],
) -> None:
    browser, _ = member
    body = browser.get("/home").body
    assert f'<a href="/panel/{JOURNEY}/declaration">Declare conflicts of interest' in body
    assert "Rowan Achterberg, System OD leader" in text(body)
    assert "Cannot start yet" not in body
    assert 'class="nhsuk-header__account-link" href="/panel">Panel assignments</a>' in body


def test_leads_homes_link_their_work_and_the_header_does_too(web: dict[str, Any]) -> None:
    lead, _ = signed_in(web, ("academy_lead",))
    body = lead.get("/home").body
    assert '<a href="/lead">Manage your academy' in body
    assert 'href="/lead">Lead&#39;s work</a>' in body
    assert "Cannot start yet" not in body

    national, _ = signed_in(web, ("national_lead",))
    body = national.get("/home").body
    assert '<a href="/reports">See the national reports</a>' in body
    assert 'href="/reports">Reports</a>' in body
    assert 'href="/lead">Lead&#39;s work</a>' in body  # the academies' work, any academy


# --------------------------------------------------------------------------- the declaration


def test_the_declaration_shows_what_a_conflict_is_judged_on(
    member: tuple[WebClient, Claim1], monkeypatch: pytest.MonkeyPatch
) -> None:
    browser, _ = member
    people = {
        "pat": Person(
            id="pat",
            name="Rowan Achterberg",
            email="r@nhs.net",
            employer="Mersey Care NHS Foundation Trust",
            academy_id="north-west",
            line_managers=["boss"],
        ),
        "boss": Person(id="boss", name="Dana Okafor", email="d@nhs.net", employer="Mersey Care"),
    }
    monkeypatch.setattr(people_service, "person", people.get)
    page = text(browser.get(f"/panel/{JOURNEY}/declaration").body)
    assert "Employer Mersey Care NHS Foundation Trust" in page
    assert "Local Leadership Academy North West" in page
    assert "Line manager Dana Okafor, Mersey Care" in page


# --------------------------------------------------------------------------- every review


def test_reviewers_who_share_a_name_are_told_apart_and_each_differing_element_is_flagged(
    member: tuple[WebClient, Claim1], monkeypatch: pytest.MonkeyPatch
) -> None:
    browser, claim = member
    claim.panel.seats[0].declared = True
    claim.reviews += [
        review_by(claim.me, Judgement.EVIDENCED, Recommendation.LEADER),
        review_by("peer-1", Judgement.PARTLY, Recommendation.LEADER),
    ]
    pool = {
        "peer-1": PanelMember(
            id="peer-1",
            name="Sam Patel",
            email="s@nhs.net",
            kind=MemberKind.PEER,
            employer="Leeds Teaching Hospitals",
            academy_id="yorkshire",
            cap=3,
        )
    }

    def member_of(member_id: str) -> PanelMember:
        if member_id not in pool:
            raise panels.NotFound("no")
        return pool[member_id]

    monkeypatch.setattr(panels, "member", member_of)
    body = browser.get(f"/panel/{JOURNEY}/reviews").body
    page = text(body)
    assert "Sam Patel (peer, Leeds Teaching Hospitals)" in page
    assert "You (Chair, expert" in page
    # One grade apart on every element: the service flags nothing, the page flags each element.
    assert "Element 1.1: judgements differ: evidenced (1), partly evidenced (1)." in page
    assert body.count("Judgements differ</strong>") == len(LEADER_ELEMENTS)
    assert f'id="element-{field(LEADER_ELEMENTS[0])}"' in body
