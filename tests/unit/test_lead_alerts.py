"""Alerts for an academy's leads (issue 17 item 5): recorded and emailed once per event however often
the trigger runs, cleared when resolved or dismissed, and shown on the lead's home with counts and a
link to the journey. The table is moto's in process (the web harness); the leads' email is counted."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from odvalidation import clock
from odvalidation.dal import keys
from odvalidation.dal.store import to_item
from odvalidation.domain.alerts import (
    Alert,
    AlertKind,
    Facts,
    alert_id,
    deadline_occurrence,
    no_panel_occurrence,
    still_open,
)
from odvalidation.domain.models import Journey, Panel, PanelSeat, Stage
from odvalidation.services import alert_board, alerts, notifications
from odvalidation.services.common import db
from tests.browser.harness import in_process_web
from tests.unit.test_web_panel import signed_in

TODAY = clock.now().date()


def journey(jid: str, stage: Stage, **extra: Any) -> Journey:
    now = clock.now()
    return Journey(
        id=jid,
        practitioner_id=f"p-{jid}",
        cohort_id="north-west-3",
        academy_id="north-west",
        framework_key="nw-cipd-combined@1.0",
        stage=stage,
        created_at=now,
        updated_at=now,
        stage_entered_at=now,
        claim_number=extra.pop("claim_number", 1),
        **extra,
    )


def alert(kind: AlertKind, j: Journey, occurrence: str, **extra: Any) -> Alert:
    return Alert(
        id=alert_id(j.id, kind, occurrence),
        academy_id=j.academy_id,
        journey_id=j.id,
        kind=kind,
        occurrence=occurrence,
        claim_number=j.claim_number,
        raised_at=clock.now(),
        **extra,
    )


# --------------------------------------------------------------------------- the rules (no AWS)


def test_no_panel_clears_once_the_claim_has_a_panel_and_a_new_failure_is_a_new_event() -> None:
    waiting = journey("j1", Stage.AWAITING_PANEL)
    a = alert(AlertKind.NO_PANEL, waiting, no_panel_occurrence(waiting))
    assert still_open(a, waiting, Facts(), TODAY)
    assert not still_open(a, waiting.model_copy(update={"stage": Stage.PANEL_REVIEW}), Facts(), TODAY)
    # The lead retried and the claim is waiting again: that is another event, not this alert.
    again = waiting.model_copy(update={"stage_entered_at": waiting.stage_entered_at + timedelta(hours=1)})
    assert not still_open(a, again, Facts(), TODAY)
    assert no_panel_occurrence(again) != no_panel_occurrence(waiting)


def test_a_vacant_seat_clears_when_the_panel_changes() -> None:
    j = journey("j2", Stage.PANEL_REVIEW)
    a = alert(AlertKind.SEAT_VACANT, j, "1#v3")
    assert still_open(a, j, Facts(panel_version=3), TODAY)
    assert not still_open(a, j, Facts(panel_version=4), TODAY)


def test_all_reviews_in_clears_when_the_interview_is_arranged() -> None:
    j = journey("j3", Stage.INTERVIEW)
    a = alert(AlertKind.REVIEWS_IN, j, "1")
    assert still_open(a, j, Facts(interview_arranged=False), TODAY)
    assert not still_open(a, j, Facts(interview_arranged=True), TODAY)
    assert not still_open(a, j.model_copy(update={"claim_number": 2}), Facts(), TODAY)


def test_a_near_claim_deadline_clears_on_submission_extension_or_dismissal() -> None:
    due = TODAY + timedelta(days=7)
    j = journey("j4", Stage.CLAIM_DEVELOPMENT, claim_deadline=datetime.combine(due, datetime.min.time()))
    a = alert(AlertKind.DEADLINE_NEAR, j, deadline_occurrence("claim", j, due), due=due)
    assert still_open(a, j, Facts(), TODAY)
    assert not still_open(a, j.model_copy(update={"stage": Stage.SUBMITTED}), Facts(), TODAY)
    extended = j.model_copy(update={"claim_deadline": j.claim_deadline + timedelta(weeks=4)})  # type: ignore[operator]
    assert not still_open(a, extended, Facts(), TODAY)
    assert not still_open(a.model_copy(update={"dismissed_at": clock.now()}), j, Facts(), TODAY)
    assert not still_open(a, j, Facts(), due + timedelta(days=1))


# --------------------------------------------------------------------------- once per event


@pytest.fixture
def web(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    with in_process_web(monkeypatch) as env:
        yield env


@pytest.fixture
def emailed(web: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    sent: list[tuple[str, str]] = []

    def count(j: Journey, problem: str, reason: str, **kw: Any) -> list[Any]:
        sent.append((j.id, problem))
        return []

    monkeypatch.setattr(notifications, "alert_academy_leads", count)
    return sent


def saved(j: Journey) -> Journey:
    db().put(to_item(j, keys.journey(j.id)))
    return j


def test_every_trigger_records_and_emails_once_however_often_it_runs(emailed: list[tuple[str, str]]) -> None:
    waiting = saved(journey("j5", Stage.AWAITING_PANEL))
    assert alerts.no_valid_panel(waiting) == 0  # the counted email returns no records
    alerts.no_valid_panel(waiting)  # the state machine retried NotifyLeads
    reviewed = saved(journey("j6", Stage.INTERVIEW))
    alerts.reviews_in(reviewed, 0)
    alerts.reviews_in(reviewed, 0)
    due = TODAY + timedelta(days=7)
    drafting = saved(
        journey("j7", Stage.CLAIM_DEVELOPMENT, claim_deadline=datetime.combine(due, datetime.min.time()))
    )
    alerts.deadline_near(drafting, "claim", due)
    alerts.deadline_near(drafting, "claim", due)  # the scheduler delivered the reminder twice
    assert emailed == [("j5", "no_valid_panel"), ("j6", "reviews_in"), ("j7", "deadline_near")]
    # An extension moves the deadline: the new date is a new event.
    alerts.deadline_near(drafting, "claim", due + timedelta(weeks=4))
    assert len(emailed) == 4
    stored = db().query_models(Alert, "ALERTS#north-west", prefix="ALERT#")
    assert len(stored) == 4


def _lead(web: dict[str, Any]) -> Any:
    from odvalidation.domain.access import Caller
    from odvalidation.domain.models import Role

    return Caller(id="lead-1", roles=frozenset({Role.ACADEMY_LEAD}), academy_id="north-west")


def test_a_dismissed_alert_leaves_the_board_and_the_dismissal_is_audited(
    web: dict[str, Any], emailed: list[tuple[str, str]]
) -> None:
    waiting = saved(journey("j8", Stage.AWAITING_PANEL))
    alerts.no_valid_panel(waiting)
    lead = _lead(web)
    [open_one] = alert_board.open_alerts(lead, "north-west")
    alert_board.dismiss(lead, "north-west", open_one.alert.id)
    alert_board.dismiss(lead, "north-west", open_one.alert.id)  # a repeated post changes nothing
    assert alert_board.open_alerts(lead, "north-west") == []
    trail = db().audit_trail("j8")
    assert [e.action for e in trail].count("dismissed an alert") == 1
    alerts.no_valid_panel(waiting)  # the same event raised again stays dismissed, and unsent
    assert alert_board.open_alerts(lead, "north-west") == []
    assert len(emailed) == 1


def test_a_vacant_seat_alert_clears_when_the_panel_is_changed(
    web: dict[str, Any], emailed: list[tuple[str, str]]
) -> None:
    j = saved(journey("j9", Stage.PANEL_REVIEW))
    panel = Panel(
        journey_id="j9",
        claim_number=1,
        seats=[PanelSeat(member_id="m1", kind="peer")],
        assigned_at=clock.now(),
        version=2,
    )
    db().put(to_item(panel, keys.journey_part("j9", "PANEL#1")))
    alerts.seat_vacant(j, 2, "nobody free", seats=1)
    lead = _lead(web)
    assert [o.alert.kind for o in alert_board.open_alerts(lead, "north-west")] == [AlertKind.SEAT_VACANT]
    db().put(to_item(panel.model_copy(update={"version": 3}), keys.journey_part("j9", "PANEL#1")))
    assert alert_board.open_alerts(lead, "north-west") == []


# --------------------------------------------------------------------------- on the lead's home


def test_the_home_counts_alerts_links_each_to_the_journey_and_dismisses_without_javascript(
    web: dict[str, Any], emailed: list[tuple[str, str]]
) -> None:
    alerts.no_valid_panel(saved(journey("jA", Stage.AWAITING_PANEL)))
    alerts.reviews_in(saved(journey("jB", Stage.INTERVIEW)), 2)
    browser, _ = signed_in(web, ("academy_lead",))
    body = browser.get("/lead").body
    counts = body.split('id="alert-counts"', 1)[1].split("</ul>", 1)[0]
    assert "Claims with no valid panel</a>: <strong>1</strong>" in counts
    assert "Claims with all reviews in</a>: <strong>1</strong>" in counts
    assert "Deadlines near: <strong>0</strong>" in counts
    assert 'href="/lead/journeys/jA"' in body
    assert 'href="/lead/journeys/jB"' in body
    assert "2 disagreement(s) flagged for moderation" in body
    token = browser.get("/lead").csrf_token()
    response = browser.post(
        "/lead/alerts/dismiss", {"alert": alert_id("jB", AlertKind.REVIEWS_IN, "1"), "csrf_token": token}
    )
    assert response.status == 303
    after = browser.get("/lead").body
    assert 'href="/lead/journeys/jB"' not in after
    assert 'href="/lead/journeys/jA"' in after
    assert browser.post("/lead/alerts/dismiss", {"alert": "nonsense", "csrf_token": token}).status == 404
    # Another academy's lead neither sees nor dismisses them.
    other, _ = signed_in(web, ("academy_lead",), academy="london")
    assert 'href="/lead/journeys/jA"' not in other.get("/lead").body
    practitioner, _ = signed_in(web, ("practitioner",))
    own = practitioner.get("/home").csrf_token()
    assert practitioner.post("/lead/alerts/dismiss", {"alert": "x", "csrf_token": own}).status == 403


def test_the_weeks_reminders_raise_deadline_alerts(
    web: dict[str, Any], emailed: list[tuple[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from odvalidation.services import scheduled_tasks

    due = TODAY + timedelta(days=7)
    j = saved(
        journey("jC", Stage.CLAIM_DEVELOPMENT, claim_deadline=datetime.combine(due, datetime.min.time()))
    )
    monkeypatch.setattr(notifications, "send_quietly", lambda *a, **k: [])
    scheduled_tasks.scheduled({"kind": "claim_reminder", "journey_id": j.id, "days_left": 30})
    assert emailed == []  # a month out is a reminder for the practitioner, not an alert
    scheduled_tasks.scheduled({"kind": "claim_reminder", "journey_id": j.id, "days_left": 7})
    scheduled_tasks.scheduled({"kind": "claim_reminder", "journey_id": j.id, "days_left": 7})
    assert emailed == [("jC", "deadline_near")]
    [stored] = db().query_models(Alert, "ALERTS#north-west", prefix="ALERT#")
    assert stored.due == due
    assert stored.reason == f"The claim is due on {due:%-d %B %Y}."
    assert isinstance(stored.due, date)


def test_a_national_lead_dismisses_an_academys_alert_and_returns_to_that_academy(
    web: dict[str, Any], emailed: list[tuple[str, str]]
) -> None:
    waiting = saved(journey("jN", Stage.AWAITING_PANEL))
    alerts.no_valid_panel(waiting)
    browser, _ = signed_in(web, ("national_lead",), academy="london")
    home = browser.get("/lead", academy="north-west")
    assert 'action="/lead/alerts/dismiss?academy=north-west"' in home.body
    assert 'href="/lead/journeys/jN"' in home.body
    response = browser.request(
        "POST",
        "/lead/alerts/dismiss",
        form={
            "alert": alert_id("jN", AlertKind.NO_PANEL, no_panel_occurrence(waiting)),
            "csrf_token": home.csrf_token(),
        },
        query={"academy": "north-west"},
    )
    assert response.status == 303
    assert response.headers["Location"] == ["/lead?academy=north-west#alerts"]
