"""Issue 16, the practitioner's side: home shows their own academy's open cohorts, their certificate and
step statuses; after "not yet" the steps done stay done, the panel's feedback is read element by element
and a new claim starts from the journey page."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from odvalidation import clock
from odvalidation.domain.access import Caller
from odvalidation.domain.frameworks import framework
from odvalidation.domain.models import Outcome, OutcomeRecord, Role
from odvalidation.services import cohorts
from odvalidation.services.common import db, part
from tests.unit.test_web_practitioner import (
    in_claim_development,
    move_to,
    practitioner_with_journey,
    sign_in,
    text,
)
from tests.unit.test_web_practitioner import web as web  # the fixture, shared


def cohort_of(academy_id: str, number: int, workshop_in_days: int) -> str:
    lead = Caller(id=f"lead-{academy_id}", roles=frozenset({Role.ACADEMY_LEAD}), academy_id=academy_id)
    spec = cohorts.NewCohort(
        academy_id=academy_id,
        name=f"{academy_id} cohort {number}",
        number=number,
        framework_key="global-practice@1.0",
        workshop_date=clock.now().date() + timedelta(days=workshop_in_days),
    )
    return cohorts.create_cohort(lead, spec).id


def test_home_offers_only_the_practitioners_own_academys_cohorts_still_to_come(web: dict[str, Any]) -> None:
    browser, _, _ = practitioner_with_journey(web)  # enrolled in North West cohort 7
    cohort_of("north-west", 8, 60)
    cohort_of("north-west", 2, -30)  # its workshop has been
    cohort_of("london", 8, 60)

    home = text(browser.get("/home").body)
    assert "north-west cohort 8" in home
    assert "north-west cohort 2" not in home
    assert "london cohort 8" not in home
    assert "North West cohort 7 North West" not in home  # joined already: not offered again


def statuses(html: str, prefix: str) -> list[str]:
    """The status column of a task list, step by step."""
    found = re.findall(rf'id="{prefix}-\d+-status">(.*?)</div>', html, flags=re.S)
    return [text(s).strip() for s in found]


def test_home_steps_say_where_each_step_is_not_the_steps_name_again(web: dict[str, Any]) -> None:
    browser, _, journey_id = practitioner_with_journey(web)
    assert statuses(browser.get("/home").body, "journey-1-step") == ["In progress", *["Cannot start yet"] * 5]
    move_to(journey_id, "awaiting_panel", claim_number=1)
    assert statuses(browser.get("/home").body, "journey-1-step") == [
        *["Completed"] * 4,
        "Waiting for a panel",
        "Cannot start yet",
    ]


def test_a_validated_practitioner_finds_their_certificate_on_home(web: dict[str, Any]) -> None:
    browser, _, journey_id = practitioner_with_journey(web)
    move_to(journey_id, "validated", outcome=Outcome.LEADER, certificate_id="CERT-7Q2", claim_number=1)
    body = browser.get("/home").body
    assert '<a href="/certificates/CERT-7Q2">See and share your certificate</a>' in body
    assert statuses(body, "journey-1-step") == ["Completed"] * 6


def test_after_not_yet_the_steps_stay_done_the_feedback_is_per_element_and_a_new_claim_starts(
    web: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    browser, _, journey_id = practitioner_with_journey(web)
    move_to(journey_id, "not_yet_validated", outcome=Outcome.NOT_YET, claim_number=1)
    record = OutcomeRecord(
        journey_id=journey_id,
        claim_number=1,
        outcome=Outcome.NOT_YET,
        feedback={"1.1": "Show the system, not only your team."},
        development_plan="Lead a cross-organisation piece of work.",
        recorded_by="chair",
        recorded_at=clock.now(),
    )
    # Stored where the journey page reads it: in the journey's item collection.
    db().put(part(journey_id, "OUTCOME#1", record))

    page = browser.get(f"/journeys/{journey_id}")
    shown = text(page.body)
    assert statuses(page.body, "step") == ["Completed"] * 6
    assert "The panel's feedback on each element" in shown
    title = framework("global-practice@1.0").elements[0].title  # the element named, not only its number
    assert f"1.1 {title} Show the system, not only your team." in shown
    assert "Lead a cross-organisation piece of work." in shown
    assert f'action="/journeys/{journey_id}/new-claim"' in page.body
    home = browser.get("/home").body
    assert f'href="/journeys/{journey_id}#new-claim">Read the panel' in home

    reply = browser.post(f"/journeys/{journey_id}/new-claim", {"csrf_token": page.csrf_token()})
    assert reply.header("Location") == f"/journeys/{journey_id}?done=new-claim"
    assert ("start", "claim_development") in web["workflow"]


def test_a_new_claim_is_refused_with_a_reason_while_a_claim_is_open(web: dict[str, Any]) -> None:
    browser, _, journey_id = practitioner_with_journey(web)
    page = browser.get(f"/journeys/{journey_id}")
    assert "/new-claim" not in page.body
    reply = browser.post(f"/journeys/{journey_id}/new-claim", {"csrf_token": page.csrf_token()})
    assert reply.status == 409
    assert '<a href="#new-claim">A new claim can be started after' in reply.body


def test_the_history_speaks_plainly_and_groups_repeated_rows() -> None:
    from odvalidation.web.pages import plain_history

    rows = [
        ("4 December 2026", "opened evidence", "Sam Patel"),
        ("4 December 2026", "opened evidence", "Sam Patel"),
        ("4 December 2026", "opened evidence", "Sam Patel"),
        ("4 December 2026", "opened evidence", "Jo Reid"),
        ("3 December 2026", "moved to closed", "You"),
        ("3 December 2026", "decided: further development", "You"),
        ("2 December 2026", "expressed interest", "You"),
    ]
    assert plain_history(rows) == [
        ["4 December 2026", "Opened evidence (3 times)", "Sam Patel"],
        ["4 December 2026", "Opened evidence", "Jo Reid"],
        ["3 December 2026", "Paused to develop further", "You"],
        ["3 December 2026", "Decided to develop further first", "You"],
        ["2 December 2026", "Expressed interest", "You"],
    ]


def test_the_claim_list_flags_the_elements_the_supporter_commented_on(web: dict[str, Any]) -> None:
    browser, _, journey_id = in_claim_development(web)
    supporter, _ = sign_in(web, "sam.supporter@nhs.net", "Sam Okoro", groups=("supporter",))
    token = browser.get(f"/journeys/{journey_id}/claim").csrf_token()
    browser.post(
        f"/journeys/{journey_id}/supporter", {"csrf_token": token, "supporter_email": "sam.supporter@nhs.net"}
    )
    view = supporter.get(f"/journeys/{journey_id}")
    for text_ in ("Say more about the system.", "And who else took part."):
        reply = supporter.post(
            f"/journeys/{journey_id}/comments",
            {"csrf_token": view.csrf_token(), "element_id": "2.1", "text": text_},
        )
        assert reply.status == 303

    claim = browser.get(f"/journeys/{journey_id}/claim").body
    row = claim.split(f'href="/journeys/{journey_id}/claim/2.1"')[1].split("</li>")[0]
    assert "Your supporter commented (2)" in row
    assert (
        "Your supporter commented"
        not in claim.split(f'href="/journeys/{journey_id}/claim/1.1"')[1].split("</li>")[0]
    )
