"""Issue 16: confirmation pages after submitting a claim and after the decision, and the emails they
promise, each sent once to the one person it concerns; the decision's date revealed only with "12 to 18
months". The pages run through the web handler over moto (test_web_practitioner's fixture)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from odvalidation import clock
from odvalidation.domain.access import Caller
from odvalidation.domain.claims import Completeness
from odvalidation.domain.models import (
    Claim,
    Journey,
    Level,
    MemberKind,
    Panel,
    PanelSeat,
    Person,
    Readiness,
    Stage,
)
from odvalidation.services import after_answer, claim_development, journey_parts, notifications
from odvalidation.services import journeys as js
from odvalidation.services.common import db
from tests.unit.test_web_practitioner import (
    in_claim_development,
    move_to,
    practitioner_with_journey,
    sign_in,
    text,
)
from tests.unit.test_web_practitioner import web as web  # the fixture, shared


def sent(journey_id: str, kind: str) -> list[list[str]]:
    """The recipients of each email of `kind` recorded on the journey."""
    return [e.to for e in notifications.emails(journey_id) if e.kind == kind and not e.error]


def test_submitting_shows_the_confirmation_and_emails_the_practitioner_once(
    web: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    browser, _, journey_id = in_claim_development(web)
    check = browser.get(f"/journeys/{journey_id}/check")
    # Nothing submitted yet: no confirmation to show.
    assert browser.get(f"/journeys/{journey_id}/submitted").header("Location") == f"/journeys/{journey_id}"

    done = Completeness(complete=True, total=1, evidenced=1, narrated=1, missing=[])

    def submit(caller: Caller, jid: str) -> Completeness:
        return done

    monkeypatch.setattr(claim_development, "submit_claim", submit)
    reply = browser.post(f"/journeys/{journey_id}/submit", {"csrf_token": check.csrf_token()})
    assert reply.header("Location") == f"/journeys/{journey_id}/submitted"
    # The confirmation is the workflow's next task (NotifySubmitted), after the answer (issue 19): the
    # request sends nothing itself; the task sends one email, to the practitioner.
    assert sent(journey_id, "claim_submitted") == []
    after_answer.claim_submitted(db().journey(journey_id))
    assert sent(journey_id, "claim_submitted") == [["rowan@nhs.net"]]

    submitted = Claim(journey_id=journey_id, number=1, submitted_at=clock.now(), updated_at=clock.now())
    monkeypatch.setattr(js, "claim", lambda journey: submitted)
    confirmation = browser.get(f"/journeys/{journey_id}/submitted")
    assert '<h1 class="nhsuk-panel__title">Claim submitted</h1>' in confirmation.body
    assert "We have sent a confirmation to rowan@nhs.net." in text(confirmation.body)
    assert "We will email you when your panel is ready." in text(confirmation.body)


def test_a_refused_submission_sends_no_email(web: dict[str, Any]) -> None:
    browser, _, journey_id = in_claim_development(web)
    check = browser.get(f"/journeys/{journey_id}/check")
    assert browser.post(f"/journeys/{journey_id}/submit", {"csrf_token": check.csrf_token()}).status == 400
    assert sent(journey_id, "claim_submitted") == []


def test_the_decisions_date_sits_under_12_to_18_months_is_ignored_otherwise_and_the_decision_is_confirmed(
    web: dict[str, Any],
) -> None:
    browser, _, journey_id = practitioner_with_journey(web)
    move_to(journey_id, "decision")
    form = browser.get(f"/journeys/{journey_id}/decision").body
    # The date sits in the "12 to 18 months" radio's conditional block, right under that choice, shown
    # with or without JavaScript (no aria-controls: NHS.UK frontend's script would put aria-expanded on
    # the radio, which ARIA does not allow).
    later = re.search(r'<input[^>]+value="ready_12_18_months"[^>]*>', form)
    assert later is not None
    assert "aria-controls" not in later.group(0)
    after = form.split(later.group(0))[1]
    assert after.index('id="conditional-readiness-2"') < after.index('value="further_development"')
    block = after.split('id="conditional-readiness-2">')[1].split("</fieldset>")[0]
    assert 'name="reengage-day"' in block
    assert "nhsuk-radios__conditional--hidden" not in form

    # A date typed and then another choice made is not the practitioner's decision: it is ignored.
    token = browser.get(f"/journeys/{journey_id}/decision").csrf_token()
    reply = browser.post(
        f"/journeys/{journey_id}/decision",
        {"csrf_token": token, "readiness": "ready_now", "reengage-day": "99", "reengage-month": "x"},
    )
    assert reply.header("Location") == f"/journeys/{journey_id}/decided"
    assert ("resume", {"readiness": "ready_now"}) in web["workflow"]

    move_to(journey_id, "decision", readiness=Readiness.READY_NOW)
    page = browser.get(f"/journeys/{journey_id}/decided").body
    assert '<h1 class="nhsuk-panel__title">Decision recorded</h1>' in page
    assert f'<a href="/journeys/{journey_id}/claim">Start building your claim</a>' in page


def test_naming_a_supporter_tells_them_once_with_a_link_to_comment(web: dict[str, Any]) -> None:
    browser, _, journey_id = in_claim_development(web)
    sign_in(web, "sam.supporter@nhs.net", "Sam Okoro", groups=("supporter",))
    token = browser.get(f"/journeys/{journey_id}/claim").csrf_token()
    named = browser.post(
        f"/journeys/{journey_id}/supporter", {"csrf_token": token, "supporter_email": "sam.supporter@nhs.net"}
    )
    assert named.status == 303
    assert sent(journey_id, "supporter_named") == [["sam.supporter@nhs.net"]]
    assert sent(journey_id, "claim_submitted") == []


def test_an_extension_is_told_to_the_practitioner_with_the_new_date(
    web: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from odvalidation.domain.access import Caller
    from odvalidation.domain.models import Role
    from odvalidation.services import confirmations

    _, _, journey_id = in_claim_development(web)
    # EventBridge: not here
    monkeypatch.setattr(claim_development, "schedule_claim_deadline", lambda journey: None)
    lead = Caller(id="lead-1", roles=frozenset({Role.ACADEMY_LEAD}), academy_id="north-west")
    journey = confirmations.grant_extension(lead, journey_id, 4, "Caring responsibilities")
    assert sent(journey_id, "extension_granted") == [["rowan@nhs.net"]]
    record = next(e for e in notifications.emails(journey_id) if e.kind == "extension_granted")
    assert journey.claim_deadline is not None
    assert record.subject == f"Your claim is now due by {journey.claim_deadline:%-d %B %Y}"


def test_the_practitioner_is_told_their_panel_is_ready_once_with_the_panels_email(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = clock.now()
    journey = Journey(
        id="jReady1",
        practitioner_id="pat",
        cohort_id="c1",
        academy_id="north-west",
        framework_key="global-practice@1.0",
        stage=Stage.PANEL_REVIEW,
        created_at=now,
        updated_at=now,
        stage_entered_at=now,
        claim_number=1,
    )
    panel = Panel(
        journey_id=journey.id,
        claim_number=1,
        seats=[PanelSeat(member_id="m1", kind=MemberKind.EXPERT, chair=True)],
        assigned_at=now,
        review_due=now.date() + timedelta(days=28),
    )
    outbox: list[tuple[list[str], str]] = []
    people = {p: Person(id=p, name=p, email=f"{p}@nhs.net") for p in ("pat", "m1")}
    monkeypatch.setattr(notifications, "current_panel", lambda jid: panel)
    monkeypatch.setattr(notifications, "read_ahead", lambda *a, **k: None)  # the reads are faked here
    monkeypatch.setattr(notifications, "person", people.get)
    monkeypatch.setattr(
        journey_parts, "claim", lambda j: Claim(journey_id=j.id, number=1, level=Level.LEADER, updated_at=now)
    )
    monkeypatch.setattr(
        notifications.mail,
        "send",
        lambda to, subject, body, html, attachments=None: outbox.append((to, subject)),
    )
    monkeypatch.setattr(notifications, "_record", lambda *a, **k: a[1])

    notifications.send(journey, "panel_assigned")
    assert outbox == [
        (["m1@nhs.net"], "You have been asked to review a claim of system OD practice"),
        (["pat@nhs.net"], "Your panel is ready"),
    ]
