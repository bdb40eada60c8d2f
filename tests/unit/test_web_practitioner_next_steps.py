"""What the practitioner is told comes next, through the web handler (moto in process, the workflow
recorded): the arranged interview in UK time, the route back after "considering further development",
the feedback survey after the outcome, ticks kept after a narrative that is too long, pages worded for
whoever reads them, and what to do without a supporter."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from odvalidation.domain.models import Outcome
from odvalidation.domain.uk_time import uk_when
from tests.unit import test_web_practitioner as practitioner_pages
from tests.unit.test_web_evidence_library import element_upload_fields, items
from tests.unit.test_web_practitioner import (
    PDF,
    in_claim_development,
    land,
    move_to,
    practitioner_with_journey,
    sign_in,
    text,
)

web = practitioner_pages.web  # the same fixture: the web handler on moto, the workflow recorded


def arrange_interview(journey_id: str, at: datetime, location: str) -> None:
    """What services.interviews.schedule_interview stores (its invitation email is not the point here)."""
    from odvalidation.domain.models import Interview
    from odvalidation.services.common import db, part, updated

    journey = db().journey(journey_id)
    interview = Interview(journey_id=journey_id, claim_number=journey.claim_number, at=at, location=location)
    db().commit(
        updated(
            journey,
            actor="lead-1",
            action="interview arranged",
            puts=[part(journey_id, f"INTERVIEW#{journey.claim_number}", interview)],
        )
    )


# --------------------------------------------------------------------------- the interview


def test_the_arranged_interview_is_on_home_and_the_journey_page_in_uk_time(web: dict[str, Any]) -> None:
    browser, _, journey_id = practitioner_with_journey(web)
    move_to(journey_id, "interview", claim_number=1)
    before = text(browser.get("/home").body)
    assert "Your academy will arrange your interview with the panel" in before
    assert "Your claim is with the panel" not in before

    # 09:00 UTC in June is 10:00 in the UK (BST): people read the UK's clock.
    arrange_interview(journey_id, datetime(2027, 6, 15, 9, 0, tzinfo=UTC), "Room 4, Mersey House")
    home = text(browser.get("/home").body)
    assert "Your interview: 15 June 2027 at 10:00, Room 4, Mersey House" in home
    assert "It lasts 60 minutes" in home
    page = browser.get(f"/journeys/{journey_id}")
    shown = text(page.body)
    assert "Your interview: 15 June 2027 at 10:00, Room 4, Mersey House (UK time)" in shown
    assert "How to prepare" in shown
    assert 'id="interview"' in page.body

    # In winter the UK is on UTC.
    arrange_interview(journey_id, datetime(2027, 1, 12, 10, 0, tzinfo=UTC), "Room 4, Mersey House")
    assert "Your interview: 12 January 2027 at 10:00, Room 4, Mersey House" in text(browser.get("/home").body)


def test_uk_time_formatting() -> None:
    assert uk_when(datetime(2027, 6, 15, 23, 30, tzinfo=UTC)) == "16 June 2027 at 00:30"
    assert uk_when(datetime(2027, 1, 12, 10, 0)) == "12 January 2027 at 10:00"  # naive is UTC
    assert (
        uk_when(datetime(2027, 1, 12, 10, 0, tzinfo=UTC), weekday=True) == "Tuesday 12 January 2027 at 10:00"
    )


# --------------------------------------------------------------------------- further development


def test_the_decision_page_says_what_each_choice_leads_to(web: dict[str, Any]) -> None:
    browser, _, journey_id = practitioner_with_journey(web)
    move_to(journey_id, "decision")
    page = text(browser.get(f"/journeys/{journey_id}/decision").body)
    assert "Your claim opens straight away. You have 6 months" in page
    assert "We email you on the date you choose, and step 3 opens again" in page
    assert "When you are ready, you can decide again from your journey page, or join a later cohort" in page


@pytest.mark.parametrize(
    ("choice", "said"),
    [
        ("further_development", "When you are ready, decide again from your journey page"),
        ("ready_12_18_months", "to decide again. Nothing is lost in the meantime."),
    ],
)
def test_the_confirmation_after_a_choice_that_opens_no_claim_says_what_comes_next(
    web: dict[str, Any], choice: str, said: str
) -> None:
    # It failed (500) for both choices: only "ready now" has a first link, and the page unpacked a None.
    browser, _, journey_id = practitioner_with_journey(web)
    move_to(journey_id, "decision")
    form = browser.get(f"/journeys/{journey_id}/decision")
    decided = browser.post(
        f"/journeys/{journey_id}/decision", {"csrf_token": form.csrf_token(), "readiness": choice}
    )
    assert decided.header("Location") == f"/journeys/{journey_id}/decided"
    page = browser.get(f"/journeys/{journey_id}/decided")
    assert page.status == 200, page.body
    assert said in text(page.body)


def closed(journey_id: str) -> None:
    """Where the workflow leaves a practitioner who chose further development: closed, no token."""
    from odvalidation.domain.models import Readiness

    move_to(journey_id, "closed", readiness=Readiness.FURTHER_DEVELOPMENT, task_token=None, waiting_step=None)


def test_further_development_says_what_it_means_and_the_practitioner_can_decide_again(
    web: dict[str, Any],
) -> None:
    from odvalidation.domain.models import Stage
    from odvalidation.services import tasks
    from odvalidation.services.common import db

    browser, _, journey_id = practitioner_with_journey(web)
    closed(journey_id)

    home = browser.get("/home")
    assert "Decide again when you are ready to make a claim" in text(home.body)
    assert f'href="/journeys/{journey_id}#decide-again"' in home.body
    assert "No claim is open and no deadline is running" in text(home.body)
    assert "Paused" not in text(home.body)
    assert "Developing further" in text(home.body)

    page = browser.get(f"/journeys/{journey_id}")
    shown = text(page.body)
    assert "You are developing further before making a claim" in shown
    assert "Nothing is lost: the reflection and workshop stay done" in shown
    assert f'action="/journeys/{journey_id}/decide-again"' in page.body

    again = browser.post(f"/journeys/{journey_id}/decide-again", {"csrf_token": page.csrf_token()})
    assert again.status == 303
    assert again.header("Location") == f"/journeys/{journey_id}?done=decide-again"
    assert ("start", "decision") in web["workflow"]
    assert "We are opening step 3 again" in text(
        browser.get(f"/journeys/{journey_id}", done="decide-again").body
    )

    # The execution opens step 3 again: the domain allows closed -> decision, and the choice is made anew.
    tasks.await_step(journey_id, "decision", "token-again", "arn:execution:again")
    assert db().journey(journey_id).stage is Stage.DECISION
    form = browser.get(f"/journeys/{journey_id}/decision")
    decided = browser.post(
        f"/journeys/{journey_id}/decision", {"csrf_token": form.csrf_token(), "readiness": "ready_now"}
    )
    assert decided.status == 303, decided.body
    assert ("resume", {"readiness": "ready_now"}) in web["workflow"]


def test_only_a_resting_further_development_journey_can_decide_again(web: dict[str, Any]) -> None:
    browser, _, journey_id = practitioner_with_journey(web)
    move_to(journey_id, "decision")
    page = browser.get(f"/journeys/{journey_id}")
    refused = browser.post(f"/journeys/{journey_id}/decide-again", {"csrf_token": page.csrf_token()})
    assert refused.status == 409
    assert "You can decide again after choosing to develop further first" in text(refused.body)
    assert ("start", "decision") not in web["workflow"]


def test_the_domain_keeps_the_route_back_and_withdrawal_open_after_further_development() -> None:
    from odvalidation.domain import journey as rules
    from odvalidation.domain.models import Stage

    assert rules.can_move(Stage.CLOSED, Stage.DECISION)
    assert rules.can_move(Stage.CLOSED, Stage.WITHDRAWN)
    assert not rules.can_move(Stage.CLOSED, Stage.CLAIM_DEVELOPMENT)
    assert Stage.CLOSED in rules.RESTING


def test_the_lead_reads_the_same_truth_about_further_development(web: dict[str, Any]) -> None:
    _, _, journey_id = practitioner_with_journey(web)
    closed(journey_id)
    lead, _ = sign_in(web, "lead@nhs.net", "Lowri Lead", ("academy_lead",))
    shown = text(lead.get(f"/lead/journeys/{journey_id}").body)
    assert "No claim is open and no deadline is running" in shown
    assert "they can decide again from their journey page" in shown
    on_journey = text(lead.get(f"/journeys/{journey_id}").body)
    assert "Rowan Achterberg is developing further before making a claim" in on_journey
    assert "Decide again" not in on_journey.replace("decide again from their", "")


# --------------------------------------------------------------------------- feedback


def test_after_the_outcome_the_survey_is_linked_until_given_then_thanks(web: dict[str, Any]) -> None:
    browser, _, journey_id = practitioner_with_journey(web)
    link = f'href="/journeys/{journey_id}/feedback"'
    move_to(journey_id, "interview", claim_number=1)
    assert link not in browser.get("/home").body
    move_to(journey_id, "not_yet_validated", outcome=Outcome.NOT_YET, task_token=None, waiting_step=None)
    assert link in browser.get("/home").body
    assert link in browser.get(f"/journeys/{journey_id}").body

    form = browser.get(f"/journeys/{journey_id}/feedback")
    assert f'class="nhsuk-back-link" href="/journeys/{journey_id}"' in form.body
    missing = browser.post(f"/journeys/{journey_id}/feedback", {"csrf_token": form.csrf_token()})
    assert missing.status == 400
    errors = text(missing.body)
    assert "Select how much you agree that: I developed in confidence" in errors
    assert "Select how much you agree that: I made valuable connections" in errors
    assert "that: the process had integrity" in errors
    answers = dict.fromkeys(("integrity", "assurance", "opened_doors", "confidence", "connections"), "4")
    given = browser.post(f"/journeys/{journey_id}/feedback", {"csrf_token": form.csrf_token(), **answers})
    assert given.status == 200

    home = browser.get("/home")
    assert link not in home.body
    assert "Thank you for your feedback on the validation process" in text(home.body)
    assert "Thank you for your feedback" in text(browser.get(f"/journeys/{journey_id}").body)


def test_the_certificate_page_asks_its_holder_for_feedback_and_names_the_holder_to_a_lead(
    web: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from odvalidation.services import certificates
    from tests.unit.test_web_certificates import CERT_ID, record

    browser, sub, journey_id = practitioner_with_journey(web)
    move_to(
        journey_id,
        "validated",
        claim_number=1,
        outcome=Outcome.PRACTITIONER,
        certificate_id=CERT_ID,
        task_token=None,
        waiting_step=None,
    )
    held = record(practitioner_id=sub, journey_id=journey_id, holder_name="Rowan Achterberg")
    monkeypatch.setattr(certificates, "record_of", lambda cid: held if cid == CERT_ID else None)

    mine = browser.get(f"/certificates/{CERT_ID}")
    assert "<h1>Your certificate</h1>" in mine.body
    assert f'href="/journeys/{journey_id}/feedback"' in mine.body

    lead, _ = sign_in(web, "lead@nhs.net", "Lowri Lead", ("academy_lead",))
    theirs = lead.get(f"/certificates/{CERT_ID}")
    assert theirs.status == 200
    assert "<h1>Rowan Achterberg&#39;s certificate</h1>" in theirs.body
    assert "Your certificate" not in text(theirs.body)
    assert "/feedback" not in theirs.body
    on_journey = text(lead.get(f"/journeys/{journey_id}").body)
    assert "See Rowan Achterberg's certificate" in on_journey
    assert "See and share your certificate" not in on_journey


# --------------------------------------------------------------------------- the claim's element page


def test_ticks_are_kept_and_the_limit_is_stated_when_a_narrative_is_too_long(web: dict[str, Any]) -> None:
    browser, _, journey_id = in_claim_development(web)
    token = browser.get(f"/journeys/{journey_id}/claim").csrf_token()
    browser.post(f"/journeys/{journey_id}/level", {"csrf_token": token, "level": "system_od_practitioner"})
    land(element_upload_fields(browser, journey_id, "1.1"), "Stakeholder map.pdf", PDF)
    (item,) = items(journey_id)

    page = browser.get(f"/journeys/{journey_id}/claim/1.2")
    assert "Up to 20,000 characters." in text(page.body)
    assert "You can enter up to 20,000 characters" in text(page.body)  # the NHS character count, without JS
    assert 'data-module="nhsuk-character-count" data-maxlength="20000"' in page.body

    refused = browser.post(
        f"/journeys/{journey_id}/claim/1.2",
        [
            ("csrf_token", token),
            ("narrative", "x" * 20_512),
            ("library", "1"),
            ("shown", item.id),
            ("evidence", item.id),
        ],  # type: ignore[arg-type]
    )
    assert refused.status == 400
    assert "Your narrative must be 20,000 characters or fewer. It has 20,512: cut 512 characters" in text(
        refused.body
    )
    assert re.search(f'value="{item.id}" checked', refused.body), "the tick was lost"
    assert items(journey_id)[0].elements == ["1.1"]  # nothing was saved


# --------------------------------------------------------------------------- worded for the reader


def test_the_attestation_page_is_worded_for_the_supporter(web: dict[str, Any]) -> None:
    from odvalidation.services import confirmations

    browser, sub, journey_id = in_claim_development(web)
    supporter, _ = sign_in(web, "sam.supporter@nhs.net", "Sam Supporter", ("supporter",))
    from odvalidation.domain.access import Caller
    from odvalidation.domain.models import Role

    owner = Caller(
        id=sub, email="rowan@nhs.net", name="Rowan Achterberg", roles=frozenset({Role.PRACTITIONER})
    )
    confirmations.name_supporter(owner, journey_id, "sam.supporter@nhs.net")
    page = supporter.get(f"/journeys/{journey_id}/attestations")
    assert page.status == 200, page.body
    shown = text(page.body)
    assert "Rowan Achterberg's evidence confirmed by system leaders" in shown
    assert "confirm your evidence" not in shown
    assert "Ask system leaders to confirm your evidence" in text(
        browser.get(f"/journeys/{journey_id}/attestations").body
    )


def test_without_a_supporter_the_practitioner_is_told_how_to_name_one(web: dict[str, Any]) -> None:
    browser, _, journey_id = in_claim_development(web)
    page = browser.get(f"/journeys/{journey_id}")
    shown = text(page.body)
    assert "Your supporter has not commented yet" not in shown
    assert "You have not named a supporter yet" in shown
    assert f'href="/journeys/{journey_id}/claim#supporter_email"' in page.body
