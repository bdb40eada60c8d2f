"""Issue 18: reasonable adjustments, through the local stack's HTTP front with real Cognito tokens and
its mailbox. A practitioner asks; their academy lead agrees; it is honoured (the claim deadline and its
schedules, the interview invitation, the chair's page) and it stays private (a marker written in the
practitioner's words appears nowhere but on their pages, their academy lead's, and their API answers)."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

import pytest
import requests

from local import scenario
from local.stack import LocalStack
from odvalidation import clock
from odvalidation.dal.schedules import schedule_name
from tests.e2e.security_support import web_session

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]


def _deadline(c: scenario.Cast, journey_id: str) -> datetime:
    return datetime.fromisoformat(c.practitioner.api.journey(journey_id)["journey"]["claim_deadline"])


def _scheduled_at(stack: LocalStack, journey_id: str, purpose: str) -> datetime | None:
    scheduler = stack.client("scheduler")
    group = stack.deployed.global_environment["SCHEDULER_GROUP"]
    try:
        found = scheduler.get_schedule(Name=schedule_name(journey_id, purpose), GroupName=group)
    except scheduler.exceptions.ResourceNotFoundException:
        return None
    match = re.match(r"at\((.+)\)", found["ScheduleExpression"])
    assert match
    return datetime.fromisoformat(match.group(1))


def _same_second(a: datetime, b: datetime | None) -> bool:
    assert b is not None
    return a.replace(tzinfo=None, microsecond=0) == b.replace(tzinfo=None, microsecond=0)


def test_agreed_more_time_moves_the_deadline_and_its_reminders_beyond_the_extension(
    local_stack: LocalStack,
) -> None:
    c = scenario.cast(local_stack)
    journey_id = scenario.to_claim_development(c)
    c.practitioner.api.wait_step(journey_id, "claim_development")
    c.lead.api.post(f"/api/journeys/{journey_id}/extension", {"weeks": 4, "reason": "Illness"})
    extended = _deadline(c, journey_id)
    path = f"/api/journeys/{journey_id}/adjustments/more_time"
    a, lead = c.practitioner.api, c.lead.api

    missing = a.put(path, {"details": "x"}, expect=422)
    assert "how many more weeks" in missing["message"]
    a.put(path, {"weeks": 27}, expect=422)
    asked = a.put(path, {"weeks": 8, "details": "I care for a relative."})
    assert asked["state"] == "requested"
    a.put(path, {"weeks": 8, "details": "I care for a relative."})  # sent twice: one request, one email
    assert _deadline(c, journey_id) == extended  # nothing moves until the lead agrees

    to_lead = [
        m for m in local_stack.sent_emails() if c.lead.email in m.to and "reasonable adjustment" in m.subject
    ]
    assert len(to_lead) == 1
    assert to_lead[0].subject.startswith("Action needed:")
    assert "more time for the claim" in to_lead[0].body
    assert "relative" not in to_lead[0].body  # the details stay on the service
    assert f"/lead/journeys/{journey_id}/adjustments" in to_lead[0].body

    assert (
        "lead of this practitioner's academy"
        in a.post(f"{path}/decision", {"agree": True}, expect=403)["message"]
    )
    assert "Say why" in lead.post(f"{path}/decision", {"agree": False}, expect=422)["message"]
    agreed = lead.post(f"{path}/decision", {"agree": True, "note": "Agreed for the claim."})
    assert agreed["state"] == "agreed"
    assert agreed["agreed"]["weeks"] == 8
    assert lead.post(f"{path}/decision", {"agree": True}, expect=409)["message"]

    moved = _deadline(c, journey_id)
    assert moved == extended + timedelta(weeks=8)
    assert _same_second(moved, _scheduled_at(local_stack, journey_id, "claim-deadline"))
    assert _same_second(
        moved - timedelta(days=30), _scheduled_at(local_stack, journey_id, "claim-reminder-30")
    )
    told = local_stack.wait_for_email(c.practitioner.email, "has been agreed")
    assert told
    mail = next(
        m for m in local_stack.sent_emails() if c.practitioner.email in m.to and "been agreed" in m.subject
    )
    assert f"{moved:%-d %B %Y}" in mail.body
    assert "Agreed for the claim." in mail.body

    # A change waits for the lead with the agreed time still honoured; agreed, only the difference moves.
    a.put(path, {"weeks": 10})
    assert _deadline(c, journey_id) == moved
    lead.post(f"{path}/decision", {"agree": True})
    assert _deadline(c, journey_id) == extended + timedelta(weeks=10)

    # Withdrawn: the agreed time comes off, and the schedules follow.
    gone = a.post(f"{path}/withdrawal")
    assert gone["state"] == "withdrawn"
    assert _deadline(c, journey_id) == extended
    assert _same_second(extended, _scheduled_at(local_stack, journey_id, "claim-deadline"))
    listed = a.get(f"/api/journeys/{journey_id}/adjustments")["adjustments"]
    assert [(x["kind"], x["state"]) for x in listed] == [("more_time", "withdrawn")]
    actions = [e["action"] for e in a.journey(journey_id)["history"]]
    assert {"adjustment requested", "adjustment agreed", "adjustment withdrawn"} <= set(actions)
    assert all(
        e["reason"] is None for e in a.journey(journey_id)["history"] if e["action"].startswith("adjustment")
    )

    # Erasure removes them with the rest of the practitioner's personal data.
    a.post(f"/api/journeys/{journey_id}/withdrawal", {"reason": "erasure request"})
    a.post("/api/me/erasure", {"confirm": True})
    assert lead.get(f"/api/journeys/{journey_id}/adjustments")["adjustments"] == []


def test_an_interview_adjustment_is_stated_where_it_applies_and_private_everywhere_else(
    local_stack: LocalStack,
) -> None:
    c = scenario.cast(local_stack)
    marker = f"ADJUSTMENT-{secrets.token_hex(4)}-private"
    national = scenario.person(
        local_stack,
        f"national.adj.{secrets.token_hex(3)}@example.nhs.uk",
        "Nat Lead",
        ["national_lead"],
        academy="london",
        employer="NHS England",
    )
    journey_id = scenario.to_claim_development(c)
    supporter = scenario.name_supporter(local_stack, c, journey_id)
    scenario.build_claim(c, journey_id)
    scenario.wait_claim_complete(c, journey_id, timeout=60)
    path = f"/api/journeys/{journey_id}/adjustments/interview"
    c.practitioner.api.put(
        path,
        {"interview_format": "online", "interview_breaks": True, "interview_minutes": 90, "details": marker},
    )
    c.practitioner.api.put(
        f"/api/journeys/{journey_id}/adjustments/documents",
        {"document_format": "large_print", "details": marker},
    )
    c.lead.api.post(path + "/decision", {"agree": True})
    scenario.submit(c, journey_id)
    panel = scenario.review(c, journey_id)
    c.practitioner.api.wait_step(journey_id, "interview")
    when = clock.now() + timedelta(days=14)  # the product's clock, which the stack may have moved
    c.lead.api.post(
        f"/api/journeys/{journey_id}/interview",
        {"at": when.replace(microsecond=0).isoformat(), "location": "Video call", "duration_minutes": 90},
    )
    members = {**scenario.PANEL, **{m.id: m for m in c.panel}}
    chair = members[next(s["member_id"] for s in panel["seats"] if s["chair"])]
    others = [members[s["member_id"]] for s in panel["seats"] if not s["chair"]]
    stated = "Agreed adjustments for the interview: online, with breaks, 90 minutes long"
    # The invitations are sent after the lead's answer, by an asynchronous invoke (issue 19): wait for it.
    local_stack.async_invokes.drain()

    invitations = [
        m
        for m in local_stack.sent_emails()
        if m.subject.startswith("Validation interview") and journey_id in (m.body + (m.html or ""))
    ]
    by_person = {addr: m for m in invitations for addr in m.to}
    assert stated in by_person[c.practitioner.email].body
    assert stated in by_person[chair.email].body
    for member in others:
        assert "Agreed adjustments" not in by_person[member.email].body
    everything = [m for m in local_stack.sent_emails() if journey_id in (m.body + (m.html or ""))]
    assert not [m.subject for m in everything if marker in (m.body + (m.html or ""))]

    # The chair's page says the format and length; another member's page nothing.
    base = local_stack.base_url
    chair_page = web_session(base, chair.email, scenario.PASSWORD).get(
        f"{base}/panel/{journey_id}/reviews", timeout=30
    )
    assert "online, with breaks, 90 minutes long" in chair_page.text
    other_page = web_session(base, others[0].email, scenario.PASSWORD).get(
        f"{base}/panel/{journey_id}/reviews", timeout=30
    )
    assert other_page.status_code == 200
    assert "Agreed adjustments" not in other_page.text

    # Private: the marker only on the practitioner's and their academy lead's pages and API answers.
    own = c.practitioner.api.get(f"/api/journeys/{journey_id}/adjustments")
    assert marker in str(own)
    assert marker in str(c.lead.api.get(f"/api/journeys/{journey_id}/adjustments"))
    practitioner_web = web_session(base, c.practitioner.email, scenario.PASSWORD)
    own_page = practitioner_web.get(f"{base}/journeys/{journey_id}/adjustments", timeout=30).text
    assert marker in own_page
    assert "Video call. " + stated in own_page  # their interview, as arranged, with what was agreed
    lead_web = web_session(base, c.lead.email, scenario.PASSWORD)
    assert marker in lead_web.get(f"{base}/lead/journeys/{journey_id}/adjustments", timeout=30).text
    assert (
        "Agreed adjustments for the interview"
        in lead_web.get(f"{base}/lead/journeys/{journey_id}/interview", timeout=30).text
    )

    refused = national.api.get(f"/api/journeys/{journey_id}/adjustments", expect=403)
    assert "national lead does not read" in refused["message"]
    supporter.api.get(f"/api/journeys/{journey_id}/adjustments", expect=403)
    chair.api.get(f"/api/journeys/{journey_id}/adjustments", expect=403)

    def shows_nothing(session: requests.Session, url: str) -> None:
        got = session.get(url, timeout=30)
        assert got.status_code == (403 if url.endswith("/adjustments") else 200), url
        text = got.text
        assert marker not in text, url
        if session is not lead_web:  # the academy lead's journey page lists that one was asked (only that)
            assert "adjustment requested" not in text.lower(), url

    national_web = web_session(base, national.email, scenario.PASSWORD)
    for session, urls in [
        (
            lead_web,
            [
                f"{base}/lead/journeys/{journey_id}",
                f"{base}/lead/cohorts/{c.cohort_id}",
                f"{base}/reports",
                f"{base}/reports/academies/north-west",
                f"{base}/reports/cohorts/{c.cohort_id}",
                f"{base}/reports/export.csv",
                f"{base}/reports/cohorts.csv",
            ],
        ),
        (
            national_web,
            [
                f"{base}/lead/journeys/{journey_id}",
                f"{base}/lead/journeys/{journey_id}/adjustments",
                f"{base}/reports",
            ],
        ),
        (
            web_session(base, chair.email, scenario.PASSWORD),
            [f"{base}/panel/{journey_id}/reviews", f"{base}/panel", f"{base}/journeys/{journey_id}"],
        ),
        (web_session(base, supporter.email, scenario.PASSWORD), [f"{base}/journeys/{journey_id}"]),
    ]:
        for url in urls:
            shows_nothing(session, url)
    for who in (chair, supporter, national, *others):
        for url in (
            f"/api/journeys/{journey_id}",
            f"/api/journeys/{journey_id}/panel",
            "/api/reports/national",
        ):
            got = who.api.session.get(base.rstrip("/") + url, timeout=30)
            assert marker not in got.text, (who.email, url)
            assert "adjustment" not in got.text.lower() or url.startswith("/api/reports"), (who.email, url)
    for url in ("/api/reports/export.csv", "/api/reports/cohorts.csv", f"/api/reports/cohorts/{c.cohort_id}"):
        assert marker not in c.lead.api.session.get(base.rstrip("/") + url, timeout=30).text


def test_the_pages_refuse_with_a_reason_and_a_second_click_changes_nothing(local_stack: LocalStack) -> None:
    c = scenario.cast(local_stack)
    journey_id = scenario.to_claim_development(c)
    base = local_stack.base_url
    practitioner = web_session(base, c.practitioner.email, scenario.PASSWORD)
    form = practitioner.get(f"{base}/journeys/{journey_id}/adjustments/documents", timeout=30)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token
    url = f"{base}/journeys/{journey_id}/adjustments/documents"
    missing = practitioner.post(url, data={"csrf_token": token.group(1)}, timeout=30)
    assert missing.status_code == 400
    assert "Choose the format you need documents in" in missing.text
    assert 'href="#document_format"' in missing.text  # the error summary links to the field
    asked = practitioner.post(
        url,
        data={"csrf_token": token.group(1), "document_format": "screen_reader"},
        allow_redirects=False,
        timeout=30,
    )
    assert asked.status_code == 303

    lead = web_session(base, c.lead.email, scenario.PASSWORD)
    page = lead.get(f"{base}/lead/journeys/{journey_id}/adjustments", timeout=30)
    assert "Documents in screen-reader friendly" in page.text
    lead_token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert lead_token
    decide = f"{base}/lead/journeys/{journey_id}/adjustments/documents"
    no_note = lead.post(
        decide, data={"csrf_token": lead_token.group(1), "decision-documents": "decline"}, timeout=30
    )
    assert no_note.status_code == 400
    assert "Say why the adjustment is not agreed" in no_note.text
    assert 'href="#note-documents"' in no_note.text
    data = {"csrf_token": lead_token.group(1), "decision-documents": "agree"}
    first = lead.post(decide, data=data, allow_redirects=False, timeout=30)
    assert first.headers["Location"].endswith("?done=agreed")
    second = lead.post(decide, data=data, allow_redirects=False, timeout=30)
    assert second.headers["Location"].endswith("?done=already")
    agreed = [e for e in c.lead.api.journey(journey_id)["history"] if e["action"] == "adjustment agreed"]
    assert len(agreed) == 1
    mails = [
        m for m in local_stack.sent_emails() if c.practitioner.email in m.to and "been agreed" in m.subject
    ]
    assert len(mails) == 1
