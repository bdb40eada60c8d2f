"""Times shown to people are UK time (Europe/London), on either side of a clock change: the lead's form
asks for UK time, and the invitation, the panel's pages and the lead's pages say the same time."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest

from odvalidation.domain.models import Interview, Journey, MemberKind, Panel, PanelSeat, Person, Stage
from odvalidation.domain.review_window import closed_because
from odvalidation.domain.uk_time import from_uk, uk_clock, uk_day, uk_when
from odvalidation.services import claim_development, interviews, notifications
from tests.browser.harness import WebClient
from tests.unit.test_web_lead import Academy, lead
from tests.unit.test_web_lead import academy as academy  # the fixture, shared
from tests.unit.test_web_lead import claimed as claimed  # the fixture, shared
from tests.unit.test_web_lead import web as web  # the fixture, shared

# Imported before test_web_lead's fixture patches journeys.load_for: a module first imported while it
# is patched (claim_development takes load_for by name) would keep the fake for the rest of the run.
assert claim_development.load_for

# The clocks go forward at 01:00 UTC on Sunday 28 March 2027 and back at 01:00 UTC on 31 October 2027.


@pytest.mark.parametrize(
    ("at", "shown"),
    [
        (datetime(2027, 3, 27, 10, 0, tzinfo=UTC), "27 March 2027 at 10:00"),  # GMT
        (datetime(2027, 3, 28, 0, 59, tzinfo=UTC), "28 March 2027 at 00:59"),  # a minute before BST
        (datetime(2027, 3, 28, 1, 0, tzinfo=UTC), "28 March 2027 at 02:00"),  # BST begins
        (datetime(2027, 3, 29, 9, 0, tzinfo=UTC), "29 March 2027 at 10:00"),
        (datetime(2027, 10, 31, 9, 0, tzinfo=UTC), "31 October 2027 at 09:00"),  # GMT again
        (datetime(2027, 6, 30, 23, 30), "1 July 2027 at 00:30"),  # naive is UTC; the UK's day has turned
    ],
)
def test_uk_when_across_the_clock_changes(at: datetime, shown: str) -> None:
    assert uk_when(at) == shown


def test_a_uk_time_typed_is_the_instant_meant_and_reads_back_the_same() -> None:
    summer = from_uk(date(2027, 7, 12), time(10, 0))
    winter = from_uk(date(2027, 1, 12), time(10, 0))
    assert summer == datetime(2027, 7, 12, 9, 0, tzinfo=UTC)
    assert winter == datetime(2027, 1, 12, 10, 0, tzinfo=UTC)
    assert (uk_clock(summer), uk_day(summer)) == ("10:00", "12 July 2027")
    assert uk_when(summer, weekday=True) == "Monday 12 July 2027 at 10:00"


def test_the_review_window_and_the_services_messages_say_uk_time() -> None:
    started = Interview(
        journey_id="j1", claim_number=1, at=datetime(2027, 7, 12, 9, 0, tzinfo=UTC), location="x"
    )
    assert closed_because(datetime(2027, 7, 13, tzinfo=UTC), None, started) == (
        "The interview started on 12 July 2027 at 10:00"
    )
    assert interviews._when(started.at) == "12 July 2027 at 10:00"


def test_the_invitation_says_uk_time_and_the_calendar_file_keeps_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    at = datetime(2027, 7, 12, 9, 0, tzinfo=UTC)
    member = Person(id="m1", name="Imogen Vasquez-Reid", email="imogen@example.nhs.uk")
    journey = Journey(
        id="j1",
        practitioner_id="p1",
        cohort_id="c1",
        academy_id="north-west",
        framework_key="global-practice@1.0",
        stage=Stage.INTERVIEW,
        created_at=at,
        updated_at=at,
        stage_entered_at=at,
        claim_number=1,
    )
    panel = Panel(
        journey_id="j1",
        claim_number=1,
        seats=[PanelSeat(member_id="m1", kind=MemberKind.PEER, declared=True)],
        assigned_at=at,
    )
    sent: list[dict[str, Any]] = []

    def send(to: list[str], subject: str, text: str, html: str, attachments: Any = None) -> str:
        sent.append({"subject": subject, "text": text, "html": html, "ics": attachments[0].content})
        return "m-1"

    monkeypatch.setattr(notifications.mail, "send", send)
    monkeypatch.setattr(notifications, "person", lambda pid: member)
    monkeypatch.setattr(notifications, "_record", lambda *a, **k: None)
    monkeypatch.setattr(notifications, "agreed_interview", lambda jid: "")
    monkeypatch.setattr(notifications.js, "claim", lambda j: None)
    interview = Interview(journey_id="j1", claim_number=1, at=at, location="Room 4, Mersey House")
    notifications._send_panel_email(
        journey,
        "interview_invitation",
        panel,
        only=None,
        include_practitioner=False,
        interview=interview,
        skip=set(),
    )
    [email] = sent
    assert "Monday 12 July 2027 at 10:00" in email["subject"]
    assert "12 July 2027 at 10:00 UK time" in email["text"]
    assert "12 July 2027 at 10:00" in email["html"]
    assert "UTC" not in email["text"]
    assert "09:00" not in email["text"]
    assert b"DTSTART:20270712T090000Z" in email["ics"]  # calendars convert a UTC time themselves


def test_the_leads_form_takes_uk_time_and_a_real_date(
    web: dict[str, Any],
    academy: Academy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    browser: WebClient = lead(web)
    asked: list[datetime] = []
    monkeypatch.setattr(
        interviews, "schedule_interview", lambda caller, jid, at, location, duration: asked.append(at)
    )
    form = {"date-day": "31", "date-month": "2", "date-year": "2027", "time": "10:00"}
    form |= {"location": "Room 4", "duration": "60"}
    reply = browser.submit("/lead/journeys/jSam/interview", form)
    assert reply.status == 400
    assert '<a href="#date-day">The date of the interview must be a real date</a>' in reply.body
    reply = browser.submit("/lead/journeys/jSam/interview", form | {"date-day": "", "date-month": ""})
    assert "The date of the interview must include a day" in reply.body
    reply = browser.submit(
        "/lead/journeys/jSam/interview", form | {"date-day": "", "date-month": "", "date-year": ""}
    )
    assert "Enter the date of the interview" in reply.body
    assert asked == []

    reply = browser.submit("/lead/journeys/jSam/interview", form | {"date-day": "12", "date-month": "7"})
    assert reply.status == 303
    assert asked == [datetime(2027, 7, 12, 9, 0, tzinfo=UTC)]  # 10:00 BST


def test_the_leads_pages_show_the_arranged_interview_in_uk_time(
    web: dict[str, Any],
    academy: Academy,
    claimed: Journey,
) -> None:
    academy.interviews["jKit"] = Interview(
        journey_id="jKit", claim_number=1, at=datetime(2027, 7, 12, 9, 0, tzinfo=UTC), location="Room 4"
    )
    browser = lead(web)
    form = browser.get("/lead/journeys/jKit/interview").body
    assert "The interview is arranged for 12 July 2027 at 10:00" in form
    assert 'value="10:00"' in form
    assert 'value="12"' in form
    journey_page = browser.get("/lead/journeys/jKit").body
    assert "12 July 2027 at 10:00" in journey_page
    assert "09:00" not in journey_page


def test_uk_time_needs_no_zone_data_from_the_system() -> None:
    # Lambda's runtime has no /usr/share/zoneinfo: Europe/London must come from the tzdata package, which
    # the domain layer installs (it is a declared dependency, so the layer's requirements keep it).
    try:
        zoneinfo.reset_tzpath(to=[])
        london = zoneinfo.ZoneInfo.no_cache("Europe/London")
        assert datetime(2027, 7, 1, 9, tzinfo=UTC).astimezone(london).hour == 10
    finally:
        zoneinfo.reset_tzpath()
    requirements = (Path(__file__).parents[2] / "layers/odvalidation/requirements.txt").read_text()
    assert "tzdata==" in requirements
