"""Panels end to end: assignment email, element-by-element reviews with a disagreement flagged, the
interview invitation with its calendar file, the outcome, and a claim for which no valid panel exists
until the lead overrides with a recorded reason."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import icalendar
import pytest

from local import scenario
from local.client import ApiClient
from local.stack import LocalStack
from odvalidation import clock

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]


def mails_to(stack: LocalStack, address: str) -> list[Any]:
    return [m for m in stack.sent_emails() if address in m.to]


def parts(raw: str) -> dict[str, str]:
    message = email.message_from_string(raw, policy=email.policy.default)
    return {part.get_content_type(): part.get_content() for part in message.walk() if not part.is_multipart()}


def ready_for_panel(c: scenario.Cast) -> str:
    journey_id = scenario.to_claim_development(c)
    scenario.build_claim(c, journey_id)
    return journey_id


def submitted(c: scenario.Cast) -> str:
    """A complete claim, submitted: the workflow goes on to seat a panel (or wait for one)."""
    journey_id = ready_for_panel(c)
    scenario.wait_claim_complete(c, journey_id)
    scenario.submit(c, journey_id)
    return journey_id


def loads(c: scenario.Cast) -> dict[str, int]:
    """Each pool member's current load, as the lead sees it."""
    return {m["id"]: m["current_load"] for m in c.lead.api.get("/api/panel/members")["members"]}


def test_panel_emails_reviews_disagreement_interview_and_outcome(local_stack: LocalStack) -> None:
    c = scenario.cast(local_stack)
    journey_id = submitted(c)
    c.practitioner.api.wait_step(journey_id, "panel_review")
    panel = c.lead.api.get(f"/api/journeys/{journey_id}/panel")
    kinds = {s["kind"] for s in panel["seats"]}
    assert len(panel["seats"]) == 3
    assert kinds == {"expert", "peer"}
    assert sum(s["chair"] for s in panel["seats"]) == 1

    # Each member is emailed the review deadline and a link to where they act on this claim (their
    # next step: the declaration first), not to the journey page, where a member has nothing to do.
    for seat in panel["seats"]:
        member = scenario.PANEL[seat["member_id"]]
        # (Members are national and serve many claims: find this claim's email among theirs. The
        # workflow records the step, then emails the panel.)
        local_stack.wait_for_email(member.email, "asked to review", body_containing=f"/v1/panel/{journey_id}")
        asked = [m for m in mails_to(local_stack, member.email) if "asked to review" in m.subject]
        mail = next(m for m in asked if f"/panel/{journey_id}" in m.body)
        assert "Review by:" in mail.body
        assert f"/journeys/{journey_id}" not in mail.body

    # Evidence stays closed until a member declares no conflict.
    first = scenario.PANEL[panel["seats"][0]["member_id"]]
    evidence_id = c.practitioner.api.journey(journey_id)["evidence"][0]["id"]
    refused = first.api.get(f"/api/journeys/{journey_id}/evidence/{evidence_id}/link", expect=403)
    assert "Declare whether you have a conflict" in refused["message"]

    scenario.review(c, journey_id, "system_od_leader", dissent=True)
    reviews = first.api.get(f"/api/journeys/{journey_id}/panel/reviews")
    assert len(reviews["reviews"]) == 3
    assert any("recommendations differ" in d for d in reviews["disagreements"])
    assert any(d.startswith("Element ") for d in reviews["disagreements"])
    link = first.api.get(f"/api/journeys/{journey_id}/evidence/{evidence_id}/link")
    assert "X-Amz-Signature" in link["url"]
    assert link["expires_in_seconds"] <= 300
    history = [e["action"] for e in c.practitioner.api.journey(journey_id)["history"]]
    assert "opened evidence" in history
    assert history.count("declared no conflict of interest") == 3

    seated = [s["member_id"] for s in panel["seats"]]
    before = loads(c)
    scenario.interview(c, journey_id, "system_od_leader")
    invitation = next(
        m for m in mails_to(local_stack, c.practitioner.email) if m.subject.startswith("Validation interview")
    )
    assert invitation.raw is not None
    event = icalendar.Calendar.from_ical(parts(invitation.raw)["text/calendar"]).walk("VEVENT")[0]
    assert str(event["LOCATION"]) == "Room 2, Academy House"
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(minutes=60)
    attendees = {str(a) for a in event.get("ATTENDEE", [])}
    assert f"mailto:{c.practitioner.email}" in attendees
    assert f"/journeys/{journey_id}" in invitation.body  # the practitioner's link: their journey
    for seat in panel["seats"]:
        member = scenario.PANEL[seat["member_id"]]
        invited = [
            m
            for m in mails_to(local_stack, member.email)
            if m.subject.startswith("Validation interview") and f"/panel/{journey_id}" in m.body
        ]
        assert len(invited) == 1  # once each, with the member's own link
        assert f"mailto:{member.email}" in attendees
    final = c.practitioner.api.wait_for(journey_id, lambda j: bool(j["certificate_id"]), what="certificate")
    assert final["journey"]["outcome"] == "system_od_leader"
    # With the outcome the panel's work on this claim is done: each member can take another claim.
    after = loads(c)
    assert {m: after[m] for m in seated} == {m: before[m] - 1 for m in seated}
    # The outcome email follows the certificate.
    local_stack.wait_for_email(c.practitioner.email, "validated as a system OD leader")


def test_a_claim_withdrawn_under_review_frees_its_panel(local_stack: LocalStack) -> None:
    c = scenario.cast(local_stack)
    journey_id = submitted(c)
    c.practitioner.api.wait_step(journey_id, "panel_review")
    seated = [s["member_id"] for s in c.lead.api.get(f"/api/journeys/{journey_id}/panel")["seats"]]
    before = loads(c)
    c.practitioner.api.post(f"/api/journeys/{journey_id}/withdrawal", {"reason": "Changing role."})
    c.practitioner.api.wait_stage(journey_id, "withdrawn")
    after = loads(c)
    assert {m: after[m] for m in seated} == {m: before[m] - 1 for m in seated}


@pytest.fixture
def national_lead(local_stack: LocalStack) -> ApiClient:
    email_address = "national.lead@example.nhs.uk"
    if email_address not in local_stack.demo_users:
        local_stack.create_user(email_address, "Nadia Ferreira-Holt", ["national_lead"], scenario.PASSWORD)
    return ApiClient(local_stack.base_url, local_stack.token_for(email_address))


@pytest.fixture
def everyone_away(national_lead: ApiClient) -> Iterator[list[dict[str, Any]]]:
    """Make the whole (national) pool unavailable for the next two months, then put it back."""
    original = national_lead.get("/api/panel/members")["members"]
    today = clock.now().date()
    away = {"start": today.isoformat(), "end": (today + timedelta(days=60)).isoformat()}
    for m in original:
        national_lead.put(
            f"/api/panel/members/{m['id']}",
            {**scenario.member_details(m), "unavailable": [*m["unavailable"], away]},
        )
    try:
        yield original
    finally:
        for m in original:
            national_lead.put(f"/api/panel/members/{m['id']}", scenario.member_details(m))


def test_no_valid_panel_waits_and_the_lead_overrides(
    local_stack: LocalStack, national_lead: ApiClient, everyone_away: list[dict[str, Any]]
) -> None:
    c = scenario.cast(local_stack)
    # The cast's own members joined after the pool was made unavailable: make them unavailable too.
    for m in national_lead.get("/api/panel/members")["members"]:
        if m["id"] in {p.id for p in c.panel}:
            today = clock.now().date()
            away = {"start": today.isoformat(), "end": (today + timedelta(days=60)).isoformat()}
            national_lead.put(
                f"/api/panel/members/{m['id']}", {**scenario.member_details(m), "unavailable": [away]}
            )
    journey_id = submitted(c)
    waiting = c.practitioner.api.wait_step(journey_id, "awaiting_panel")
    assert waiting["journey"]["stage"] == "awaiting_panel"
    # Why no panel could be formed is the lead's to read (it names members), not the practitioner's.
    assert next(e["reason"] for e in waiting["history"] if e["action"] == "no valid panel") is None
    lead_view = c.lead.api.journey(journey_id)
    reason = next(e["reason"] for e in lead_view["history"] if e["action"] == "no valid panel")
    # The academy's lead is told, with the reason and a link to where they resolve it.
    local_stack.wait_for_email(c.lead.email, "no valid panel", body_containing=reason)
    told = next(m for m in mails_to(local_stack, c.lead.email) if "no valid panel" in m.subject)
    assert f"/v1/lead/assignments/{journey_id}" in told.body
    # Once per event: one email about this claim's failure, however the workflow's task was run.
    about = [m for m in mails_to(local_stack, c.lead.email) if f"/v1/lead/assignments/{journey_id}" in m.body]
    assert len(about) == 1
    assert "unavailable" in reason or "free" in reason, reason

    # Trying again changes nothing while everyone is away: the lead is told why, the journey waits.
    again = c.lead.api.post(f"/api/journeys/{journey_id}/panel/resolution", {"reason": ""}, expect=422)
    assert again["message"].startswith("There is still no valid panel")
    # An override needs a reason, and is recorded with it.
    chosen = [m.id for m in c.panel]
    c.lead.api.post(
        f"/api/journeys/{journey_id}/panel/resolution", {"member_ids": chosen, "reason": ""}, expect=422
    )
    panel = c.lead.api.post(
        f"/api/journeys/{journey_id}/panel/resolution",
        {"member_ids": chosen, "reason": "Members agreed to review during leave"},
    )
    assert panel["override_reason"] == "Members agreed to review during leave"
    assert {s["member_id"] for s in panel["seats"]} == set(chosen)
    status = c.practitioner.api.wait_step(journey_id, "panel_review")
    assert "panel overridden by lead" in [e["action"] for e in status["history"]]
    scenario.review(c, journey_id)
    scenario.interview(c, journey_id, "system_od_practitioner")
    final = c.practitioner.api.wait_for(journey_id, lambda j: bool(j["certificate_id"]), what="certificate")
    assert final["journey"]["stage"] == "validated"


def test_members_who_have_not_reviewed_are_reminded_before_and_after_the_deadline(
    local_stack: LocalStack,
) -> None:
    c = scenario.cast(local_stack)
    journey_id = submitted(c)
    c.practitioner.api.wait_step(journey_id, "panel_review")
    panel = c.lead.api.get(f"/api/journeys/{journey_id}/panel")
    members = [scenario.PANEL[s["member_id"]] for s in panel["seats"]]
    early, late = members[0], members[1:]
    # One member reviews at once; the others do not.
    early.api.post(f"/api/journeys/{journey_id}/panel/declaration", {"conflict": False})
    level = c.practitioner.api.journey(journey_id)["claim"]["level"]
    from odvalidation.domain.frameworks import framework

    early.api.put(
        f"/api/journeys/{journey_id}/panel/review",
        {
            "judgements": [
                {"element_id": e.id, "judgement": "evidenced"}
                for e in framework(c.framework_key).elements_for(level)
            ],
            "recommendation": "system_od_leader",
        },
    )

    def reminders(member: scenario.Person) -> list[str]:
        return [
            m.body
            for m in mails_to(local_stack, member.email)
            if m.subject.startswith("Reminder: your panel review")
        ]

    local_stack.advance_clock(days=22)  # a week before the 28-day deadline
    assert reminders(early) == []
    for member in late:
        sent = reminders(member)
        assert len(sent) == 1
        assert "overdue" not in sent[0]
    local_stack.advance_clock(days=7)  # the day after the deadline
    for member in late:
        sent = reminders(member)
        assert len(sent) == 2
        assert "is now overdue" in sent[1]
    assert reminders(early) == []
    # The academy's leads are alerted once that the reviews are due within the week (not again when
    # they are overdue), with a link to the journey's lead page.
    link = f"/v1/lead/journeys/{journey_id}"
    alerted = [
        m
        for m in mails_to(local_stack, c.lead.email)
        if m.subject.startswith("A deadline is near") and link in m.body
    ]
    assert len(alerted) == 1


def test_a_seat_left_vacant_after_a_conflict_is_told_to_the_lead(
    local_stack: LocalStack, national_lead: ApiClient, everyone_away: list[dict[str, Any]]
) -> None:
    c = scenario.cast(local_stack)
    today = clock.now().date()
    away = {"start": today.isoformat(), "end": (today + timedelta(days=60)).isoformat()}
    for m in national_lead.get("/api/panel/members")["members"]:
        if m["id"] in {p.id for p in c.panel}:
            national_lead.put(
                f"/api/panel/members/{m['id']}", {**scenario.member_details(m), "unavailable": [away]}
            )
    journey_id = submitted(c)
    c.practitioner.api.wait_step(journey_id, "awaiting_panel")
    chosen = [m.id for m in c.panel]
    c.lead.api.post(
        f"/api/journeys/{journey_id}/panel/resolution", {"member_ids": chosen, "reason": "Agreed by phone"}
    )
    c.practitioner.api.wait_step(journey_id, "panel_review")
    # One member declares a conflict; nobody eligible is free to take the seat.
    scenario.PANEL[chosen[1]].api.post(
        f"/api/journeys/{journey_id}/panel/declaration", {"conflict": True, "note": "My former manager."}
    )
    local_stack.wait_for_email(c.lead.email, "vacant panel seat")
    told = next(m for m in mails_to(local_stack, c.lead.email) if "vacant panel seat" in m.subject)
    assert "goes on with 2 members" in told.body
    assert "My former manager." not in told.body  # the member's note is theirs and the lead's page's


def test_a_review_draft_is_private_and_a_review_can_be_changed_until_it_is_due(
    local_stack: LocalStack,
) -> None:
    """Issue 16.4 through the public API with real tokens: a partial draft that only its author reads,
    removed when the review is submitted; the review changed before it is due (the disagreements follow,
    the workflow is not resumed twice), and refused after."""
    from odvalidation.domain.frameworks import framework

    c = scenario.cast(local_stack)
    journey_id = submitted(c)
    c.practitioner.api.wait_step(journey_id, "panel_review")
    panel = c.lead.api.get(f"/api/journeys/{journey_id}/panel")
    members = [scenario.PANEL[s["member_id"]] for s in panel["seats"]]
    level = c.practitioner.api.journey(journey_id)["claim"]["level"]
    elements = [e.id for e in framework(c.framework_key).elements_for(level)]
    draft_path = f"/api/journeys/{journey_id}/panel/review/draft"
    review_path = f"/api/journeys/{journey_id}/panel/review"
    for member in members:
        member.api.post(f"/api/journeys/{journey_id}/panel/declaration", {"conflict": False})
    first, *others = members

    partial = {
        "judgements": [{"element_id": elements[0], "judgement": "partly_evidenced", "comment": "So far"}]
    }
    saved = first.api.put(draft_path, partial)
    assert saved["recommendation"] is None
    assert first.api.put(draft_path, partial)["judgements"] == saved["judgements"]  # a retry: the same draft
    assert first.api.get(draft_path)["judgements"][0]["comment"] == "So far"
    # No one else reads it: not another member, nor the lead, nor the practitioner; it is not a review.
    for other in (others[0], c.lead, c.practitioner):
        other.api.get(draft_path, expect=404)
    assert c.lead.api.get(f"/api/journeys/{journey_id}/panel/reviews")["reviews"] == []
    # An incomplete review is still refused when submitted.
    first.api.put(review_path, {**partial, "recommendation": "not_yet"}, expect=422)

    def full(grade: str, recommendation: str, comment: str = "") -> dict[str, Any]:
        return {
            "judgements": [{"element_id": e, "judgement": grade, "comment": comment} for e in elements],
            "recommendation": recommendation,
        }

    assert first.api.put(review_path, full("evidenced", "system_od_leader"))["message"] == "Review submitted."
    first.api.get(draft_path, expect=404)  # the draft went with the submission
    others[0].api.put(review_path, full("not_yet_evidenced", "not_yet"))
    for other in others[1:]:
        other.api.put(review_path, full("evidenced", "system_od_leader"))
    c.practitioner.api.wait_step(journey_id, "interview")
    flags = c.lead.api.get(f"/api/journeys/{journey_id}/panel/reviews")["disagreements"]
    assert any(f.startswith(f"Element {elements[0]}:") for f in flags)

    changed = others[0].api.put(review_path, full("evidenced", "system_od_leader", "On reflection"))
    assert changed["message"] == "Review changed."
    assert c.lead.api.get(f"/api/journeys/{journey_id}/panel/reviews")["disagreements"] == []
    trail = [e["action"] for e in c.lead.api.journey(journey_id)["history"]]
    assert trail.count("all reviews in") == 1
    assert trail.count("changed review") == 1

    local_stack.advance_clock(days=29)  # the day after the review was due
    refused = others[0].api.put(review_path, full("partly_evidenced", "system_od_leader"), expect=409)
    assert "can no longer be changed" in refused["message"]
    # Sending the review as it stands is still an answer, not an error (a retry whose reply was lost).
    assert others[0].api.put(review_path, full("evidenced", "system_od_leader", "On reflection"))["message"]
