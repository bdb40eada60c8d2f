"""The journey's rules hold for any client of the public API (issue 15): a lead's edit of a pool member
keeps what the service owns, the outcome waits for the interview, and certificate ids can be read off
paper and typed back."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from local import scenario
from local.client import ApiClient
from local.stack import LocalStack
from odvalidation import clock
from odvalidation.domain.frameworks import framework
from tests.e2e.test_panels_e2e import loads, submitted

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]


def members(api: ApiClient) -> dict[str, dict]:
    return {m["id"]: m for m in api.get("/api/panel/members")["members"]}


def test_a_leads_edit_keeps_the_members_load_and_declared_conflicts(local_stack: LocalStack) -> None:
    c = scenario.cast(local_stack)
    journey_id = submitted(c)
    c.practitioner.api.wait_step(journey_id, "panel_review")
    seats = c.lead.api.get(f"/api/journeys/{journey_id}/panel")["seats"]
    declaring, staying = scenario.PANEL[seats[0]["member_id"]], seats[1]["member_id"]
    declaring.api.post(
        f"/api/journeys/{journey_id}/panel/declaration", {"conflict": True, "note": "My manager."}
    )
    before = members(c.lead.api)
    assert c.practitioner.id in before[declaring.id]["declared_conflicts"]
    assert before[staying]["current_load"] >= 1

    # The lead saves both members with the fields the form shows (a new employer for one).
    for member_id, employer in ((declaring.id, "Moved Trust"), (staying, before[staying]["employer"])):
        c.lead.api.put(
            f"/api/panel/members/{member_id}",
            {**scenario.member_details(before[member_id]), "employer": employer},
        )
    after = members(c.lead.api)
    assert after[declaring.id]["employer"] == "Moved Trust"
    assert c.practitioner.id in after[declaring.id]["declared_conflicts"]
    assert after[staying]["current_load"] == before[staying]["current_load"]
    assert loads(c) == {m: after[m]["current_load"] for m in after}

    # What the service owns cannot be sent at all: the caller is told which field, and nothing changes.
    refused = c.lead.api.put(
        f"/api/panel/members/{staying}",
        {**scenario.member_details(before[staying]), "current_load": 0, "declared_conflicts": []},
        expect=422,
    )
    assert "current_load" in str(refused)
    assert members(c.lead.api)[staying]["current_load"] == before[staying]["current_load"]


def test_a_lead_cannot_move_another_academys_member_into_their_own(local_stack: LocalStack) -> None:
    north = scenario.cast(local_stack)
    london = scenario.cast(local_stack, academy="london")
    member = members(north.lead.api)[north.panel[0].id]
    refused = london.lead.api.put(
        f"/api/panel/members/{member['id']}",
        {**scenario.member_details(member), "academy_id": "london"},
        expect=403,
    )
    assert refused["message"]
    assert members(north.lead.api)[member["id"]]["academy_id"] == "north-west"


def test_the_outcome_is_recorded_only_after_the_interview(local_stack: LocalStack) -> None:
    c = scenario.cast(local_stack)
    journey_id = submitted(c)
    scenario.review(c, journey_id)
    c.practitioner.api.wait_step(journey_id, "interview")
    seats = c.lead.api.get(f"/api/journeys/{journey_id}/panel")["seats"]
    chair = scenario.PANEL[next(s["member_id"] for s in seats if s["chair"])].api
    outcome = {"outcome": "system_od_leader", "feedback": {}, "development_plan": ""}

    # No interview arranged: step 6 cannot be skipped.
    early = chair.post(f"/api/journeys/{journey_id}/outcome", outcome, expect=409)
    assert "no interview has been arranged" in early["message"]
    c.lead.api.get(f"/api/journeys/{journey_id}/interview", expect=404)

    # Arranged for a fortnight on: still too early, and the chair is told when it is.
    when = (clock.now() + timedelta(days=14)).replace(microsecond=0)
    c.lead.api.post(f"/api/journeys/{journey_id}/interview", {"at": when.isoformat(), "location": "Room 4"})
    too_soon = chair.post(f"/api/journeys/{journey_id}/outcome", outcome, expect=409)
    assert f"{when:%-d %B %Y}" in too_soon["message"]
    # Neither the practitioner nor the chair may say it was held; the lead may, once its time has come:
    # "held" before then would open the outcome with step 6 skipped in substance.
    c.practitioner.api.post(f"/api/journeys/{journey_id}/interview/held", expect=403)
    chair.post(f"/api/journeys/{journey_id}/interview/held", expect=403)
    early = c.lead.api.post(f"/api/journeys/{journey_id}/interview/held", expect=409)
    assert f"arranged for {when:%-d %B %Y at %H:%M}" in early["message"]
    assert "after it has started" in early["message"]
    chair.post(f"/api/journeys/{journey_id}/outcome", outcome, expect=409)
    # Brought forward to a few minutes ahead; once that time comes on the product clock, it is held.
    soon = (clock.now() + timedelta(minutes=5)).replace(microsecond=0)
    c.lead.api.post(f"/api/journeys/{journey_id}/interview", {"at": soon.isoformat(), "location": "Room 4"})
    local_stack.advance_clock(minutes=6)
    held = c.lead.api.post(f"/api/journeys/{journey_id}/interview/held")
    assert held["held_at"]
    assert c.practitioner.api.get(f"/api/journeys/{journey_id}/interview")["held_at"] == held["held_at"]
    # Once held it cannot be arranged again.
    again = (when + timedelta(days=1)).isoformat()
    c.lead.api.post(f"/api/journeys/{journey_id}/interview", {"at": again, "location": "Room 5"}, expect=409)

    record = chair.post(f"/api/journeys/{journey_id}/outcome", outcome)
    # A second, different outcome is told what is recorded, not that outcomes come after interviews.
    other = chair.post(
        f"/api/journeys/{journey_id}/outcome", {**outcome, "outcome": "system_od_practitioner"}, expect=409
    )
    assert other["message"].startswith("The outcome is already recorded: system od leader, on ")
    final = c.practitioner.api.wait_for(journey_id, lambda j: bool(j["certificate_id"]), what="certificate")
    certificate = c.practitioner.api.get(f"/api/certificates/{final['journey']['certificate_id']}")[
        "certificate"
    ]
    # The certificate is valid from the outcome, not from whenever the workflow issued it.
    assert datetime.fromisoformat(certificate["valid_from"]) == datetime.fromisoformat(record["recorded_at"])


def test_certificate_ids_can_be_read_off_paper_and_typed_back(local_stack: LocalStack) -> None:
    c = scenario.cast(local_stack)
    journey_id = submitted(c)
    scenario.review(c, journey_id)
    scenario.interview(c, journey_id, "system_od_practitioner")
    final = c.practitioner.api.wait_for(journey_id, lambda j: bool(j["certificate_id"]), what="certificate")
    certificate_id = final["journey"]["certificate_id"]
    # Four groups of four, from an alphabet with no I, L, O or U.
    groups = certificate_id.split("-")
    assert [len(g) for g in groups] == [4, 4, 4, 4]
    assert not set(certificate_id) & set("ILOUilou")
    # Typed by a person: lower case, without hyphens, an O for a 0 or an l for a 1.
    typed = certificate_id.replace("-", "").lower().replace("0", "o").replace("1", "l")
    anyone = ApiClient(local_stack.base_url, None)
    status = anyone.get(f"/api/public/certificates/{typed}/status")
    assert status["status"] == "valid"
    assert status["certificate_id"] == certificate_id


# ------------------------------------------------------------------ what people see that is not theirs


def test_history_shows_each_reader_only_what_is_theirs(local_stack: LocalStack) -> None:
    c = scenario.cast(local_stack)
    journey_id = submitted(c)
    c.practitioner.api.wait_step(journey_id, "panel_review")
    seats = c.lead.api.get(f"/api/journeys/{journey_id}/panel")["seats"]
    declaring = scenario.PANEL[seats[0]["member_id"]]
    undeclared = scenario.PANEL[seats[1]["member_id"]]
    file_names = {e["display_name"] for e in c.practitioner.api.journey(journey_id)["evidence"]}
    assert file_names

    def reasons(api: ApiClient) -> str:
        return " ".join(str(e.get("reason") or "") for e in api.journey(journey_id)["history"])

    # A member who has not declared reads no evidence names, in the claim or in the history.
    seen = undeclared.api.journey(journey_id)
    assert seen["evidence"] == []
    assert not any(name in reasons(undeclared.api) for name in file_names)

    # The practitioner is not told which member declared a conflict with them, nor why.
    declaring.api.post(
        f"/api/journeys/{journey_id}/panel/declaration", {"conflict": True, "note": "Line manager."}
    )
    history = c.practitioner.api.journey(journey_id)["history"]
    conflict = next(e for e in history if e["action"] == "declared a conflict of interest")
    assert conflict["actor"] != declaring.id
    assert "Line manager." not in reasons(c.practitioner.api)
    # The lead still sees who and why.
    lead_view = c.lead.api.journey(journey_id)["history"]
    assert any(e["actor"] == declaring.id and e["reason"] == "Line manager." for e in lead_view)


def test_a_national_lead_sees_figures_not_evidence(local_stack: LocalStack) -> None:
    c = scenario.cast(local_stack)
    journey_id = submitted(c)
    c.practitioner.api.wait_step(journey_id, "panel_review")
    evidence = c.practitioner.api.journey(journey_id)["evidence"][0]
    email_address = "national.lead.figures@example.nhs.uk"
    if email_address not in local_stack.demo_users:
        local_stack.create_user(email_address, "Nadia Ferreira-Holt", ["national_lead"], scenario.PASSWORD)
    national = ApiClient(local_stack.base_url, local_stack.token_for(email_address))
    refused = national.get(f"/api/journeys/{journey_id}/evidence/{evidence['id']}/link", expect=403)
    assert "figures" in refused["message"]
    seen = national.journey(journey_id)
    assert seen["claim"] is None
    assert seen["evidence"] == []
    assert evidence["display_name"] not in str(seen["history"])
    # The academy's own lead still opens it.
    assert c.lead.api.get(f"/api/journeys/{journey_id}/evidence/{evidence['id']}/link")["url"]


def test_a_lead_of_another_academy_sees_nothing_of_a_certificate_to_revoke(local_stack: LocalStack) -> None:
    from tests.e2e.security_support import web_session

    c = scenario.cast(local_stack)
    journey_id = submitted(c)
    scenario.review(c, journey_id)
    scenario.interview(c, journey_id, "system_od_practitioner")
    final = c.practitioner.api.wait_for(journey_id, lambda j: bool(j["certificate_id"]), what="certificate")
    certificate_id = final["journey"]["certificate_id"]
    elsewhere = scenario.cast(local_stack, academy="london").lead
    session = web_session(local_stack.base_url, elsewhere.email, scenario.PASSWORD)
    page = session.get(f"{local_stack.base_url}/lead/certificates/{certificate_id}/revoke", timeout=30)
    assert page.status_code == 403
    assert c.practitioner.name not in page.text
    own = web_session(local_stack.base_url, c.lead.email, scenario.PASSWORD)
    page = own.get(f"{local_stack.base_url}/lead/certificates/{certificate_id}/revoke", timeout=30)
    assert page.status_code == 200
    assert c.practitioner.name in page.text


# ------------------------------------------------------------------ dates that mean something


def test_ready_in_12_to_18_months_asks_for_a_date_in_that_window(local_stack: LocalStack) -> None:
    c = scenario.cast(local_stack)
    journey_id = scenario.register(c)
    scenario.reflect(c, journey_id)
    scenario.attend_workshop(c, journey_id)
    c.practitioner.api.wait_step(journey_id, "decision")
    soon = (clock.now() + timedelta(days=90)).date().isoformat()
    refused = c.practitioner.api.post(
        f"/api/journeys/{journey_id}/decision",
        {"readiness": "ready_12_18_months", "reengage_on": soon},
        expect=422,
    )
    assert "between" in refused["message"]
    later = (clock.now() + timedelta(days=400)).date().isoformat()
    c.practitioner.api.post(
        f"/api/journeys/{journey_id}/decision", {"readiness": "ready_12_18_months", "reengage_on": later}
    )


def _cohort_on(c: scenario.Cast, workshop: str) -> str:
    for _ in range(20):
        number = int(clock.now().timestamp() * 1000) % 900 + 10
        made = c.lead.api.post(
            "/api/cohorts",
            {
                "academy_id": c.academy,
                "name": f"Later cohort {number}",
                "number": number,
                "framework_key": c.framework_key,
                "workshop_date": workshop,
            },
            expect=(200, 409),
        )
        if "id" in made:
            return str(made["id"])
    raise AssertionError("no free cohort number")


def test_attendance_is_recorded_on_or_after_the_workshop_and_absence_too(local_stack: LocalStack) -> None:
    c = scenario.cast(local_stack)
    c.cohort_id = _cohort_on(c, (clock.now() + timedelta(days=30)).date().isoformat())
    journey_id = scenario.register(c)
    scenario.reflect(c, journey_id)
    c.practitioner.api.wait_step(journey_id, "workshop")
    early = c.lead.api.post(
        f"/api/cohorts/{c.cohort_id}/attendance", {"journey_ids": [journey_id]}, expect=422
    )
    assert "on or after that day" in early["message"]

    today = scenario.cast(local_stack, join=c)
    today.cohort_id = c.cohort_id = _cohort_on(c, clock.now().date().isoformat())
    absent = scenario.register(today)
    scenario.reflect(today, absent)
    today.practitioner.api.wait_step(absent, "workshop")
    c.lead.api.post(f"/api/cohorts/{c.cohort_id}/attendance", {"journey_ids": [absent], "attended": False})
    seen = today.practitioner.api.journey(absent)
    assert seen["journey"]["stage"] == "workshop"
    assert "did not attend the workshop" in [e["action"] for e in seen["history"]]


def test_an_equivalent_session_opens_the_decision_with_its_reason(local_stack: LocalStack) -> None:
    c = scenario.cast(local_stack)
    c.cohort_id = _cohort_on(c, (clock.now() + timedelta(days=30)).date().isoformat())
    journey_id = scenario.register(c)
    scenario.reflect(c, journey_id)
    c.practitioner.api.wait_step(journey_id, "workshop")
    c.practitioner.api.post(
        f"/api/journeys/{journey_id}/equivalent-session",
        {"kind": "one_to_one", "reason": "Shift work."},
        expect=403,
    )
    c.lead.api.post(
        f"/api/journeys/{journey_id}/equivalent-session",
        {"kind": "reasonable_adjustment", "reason": "A quiet one-to-one session instead of a large group."},
    )
    seen = c.practitioner.api.wait_step(journey_id, "decision")
    event = next(e for e in seen["history"] if e["action"] == "attended an equivalent session")
    assert "reasonable adjustment" in event["reason"]
    scenario.decide(c, journey_id, "ready_now")
    # The reports count it as attendance, and say how many came by an equivalent session.
    report = c.lead.api.get(f"/api/reports/cohorts/{c.cohort_id}")
    figures = report.get("report", report)
    assert figures["workshop_attended"] == 1
    assert figures["workshop_equivalent"] == 1


def test_a_client_reads_the_frameworks_from_the_api(local_stack: LocalStack) -> None:
    anyone = ApiClient(local_stack.base_url, None)
    listed = {f["key"]: f for f in anyone.get("/api/public/frameworks")["frameworks"]}
    assert {"nw-cipd-combined@1.0", "global-practice@1.0"} <= set(listed)
    one = anyone.get("/api/public/frameworks/nw-cipd-combined@1.0")
    elements = [e for d in one["domains"] for e in d["elements"]]
    assert len(elements) == listed["nw-cipd-combined@1.0"]["elements"]
    assert all(e["levels"] for e in elements)
    missing = anyone.get("/api/public/frameworks/none@9.9", expect=404)
    assert "/api/public/frameworks" in missing["message"]


# ------------------------------------------------------------------ small faults


def test_a_submitted_reflection_stays_as_it_was_after_validation(local_stack: LocalStack) -> None:
    c = scenario.cast(local_stack)
    journey_id = submitted(c)
    scenario.review(c, journey_id)
    scenario.interview(c, journey_id, "system_od_practitioner")
    c.practitioner.api.wait_for(journey_id, lambda j: bool(j["certificate_id"]), what="certificate")
    from odvalidation.domain.frameworks import framework

    ratings = [
        {"element_id": e.id, "rating": 1, "note": "Rewritten after the event."}
        for e in framework(c.framework_key).elements
    ]
    for submit in (True, False):
        refused = c.practitioner.api.put(
            f"/api/journeys/{journey_id}/reflection",
            {"ratings": ratings, "career_note": "Changed.", "submit": submit},
            expect=409,
        )
        assert "can no longer be changed" in refused["message"]


def test_a_double_clicked_submit_is_one_submission_and_both_clicks_hear_so(local_stack: LocalStack) -> None:
    from concurrent.futures import ThreadPoolExecutor

    c = scenario.cast(local_stack)
    journey_id = scenario.to_claim_development(c)
    scenario.build_claim(c, journey_id)
    scenario.wait_claim_complete(c, journey_id)
    url = f"{c.practitioner.api.base_url}/api/journeys/{journey_id}/submission"
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda _: c.practitioner.api.session.post(url, timeout=60), range(2)))
    assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
    history = c.practitioner.api.journey(journey_id)["history"]
    assert [e["action"] for e in history].count("submitted claim") == 1


# ------------------------------------------------------------------ a hostile client's inputs


def test_an_interview_years_ahead_is_refused_and_one_within_the_year_invites_the_panel(
    local_stack: LocalStack,
) -> None:
    c = scenario.cast(local_stack)
    journey_id = submitted(c)
    scenario.review(c, journey_id)
    c.practitioner.api.wait_step(journey_id, "interview")
    url = f"/api/journeys/{journey_id}/interview"
    refused = c.lead.api.post(url, {"at": "9999-12-31T23:59:59", "location": "R"}, expect=422)
    assert "within a year" in refused["message"]
    c.lead.api.get(url, expect=404)  # nothing arranged, so nothing for the notify function to choke on
    when = (clock.now() + timedelta(days=300)).replace(microsecond=0)
    c.lead.api.post(url, {"at": when.isoformat(), "location": "Room 9"})
    local_stack.async_invokes.drain()  # the invitations go after the lead's answer
    invited = {
        address
        for m in local_stack.sent_emails()
        if m.subject.startswith("Validation interview") and journey_id in (m.body + (m.html or ""))
        for address in m.to
    }
    assert c.practitioner.email in invited


def test_an_older_window_cannot_overwrite_a_newer_narrative(local_stack: LocalStack) -> None:
    c = scenario.cast(local_stack)
    journey_id = scenario.to_claim_development(c)
    c.practitioner.api.wait_step(journey_id, "claim_development")
    api, url = c.practitioner.api, f"/api/journeys/{journey_id}/claim"
    # No claim written yet: every narrative is at version 0.
    opened = (api.journey(journey_id)["claim"] or {}).get("narrative_versions", {}).get("2.1", 0)
    assert opened == 0
    api.put(url, {"narratives": {"2.1": "Newer, from one window."}, "versions": {"2.1": opened}})
    for n in range(3):  # three saves from the window opened before it
        stale = api.put(
            url, {"narratives": {"2.1": f"Older window, try {n}."}, "versions": {"2.1": opened}}, expect=409
        )
        assert "Element 2.1 was changed in another window or tab since you opened it" in stale["message"]
    claim = api.journey(journey_id)["claim"]
    assert claim["narratives"]["2.1"] == "Newer, from one window."
    # Read again, the change goes in; a body that is not JSON is told so.
    api.put(url, {"narratives": {"2.1": "Merged."}, "versions": {"2.1": claim["narrative_versions"]["2.1"]}})
    assert api.journey(journey_id)["claim"]["narratives"]["2.1"] == "Merged."
    broken = api.session.put(
        f"{api.base_url}{url}",
        data='{"narratives": {"2.1',
        timeout=30,
        headers={"Content-Type": "application/json"},
    )
    assert broken.status_code == 422
    assert broken.json()["message"].startswith("The request body is not valid JSON")


def test_a_review_giving_an_element_twice_is_refused(local_stack: LocalStack) -> None:
    c = scenario.cast(local_stack)
    journey_id = submitted(c)
    c.practitioner.api.wait_step(journey_id, "panel_review")
    seat = c.lead.api.get(f"/api/journeys/{journey_id}/panel")["seats"][0]
    member = scenario.PANEL[seat["member_id"]].api
    member.post(f"/api/journeys/{journey_id}/panel/declaration", {"conflict": False})
    level = c.practitioner.api.journey(journey_id)["claim"]["level"]
    elements = [e.id for e in framework(c.framework_key).elements_for(level)]
    judgements = [{"element_id": e, "judgement": "evidenced", "comment": ""} for e in elements]
    twice = [*judgements, {"element_id": elements[0], "judgement": "not_yet_evidenced", "comment": ""}]
    refused = member.put(
        f"/api/journeys/{journey_id}/panel/review",
        {"judgements": twice, "recommendation": "system_od_practitioner"},
        expect=422,
    )
    assert f"Element {elements[0]} is given twice" in refused["message"]
