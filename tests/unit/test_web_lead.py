"""The lead's own pages (issue 17) through the web handler: their work with counts, one practitioner's
journey, workshop attendance and equivalent sessions, the interview. The services' reads and writes are
replaced by a small in-memory academy, so these tests show what the pages do with the services' answers;
who may see a claim is the service's real rule (`journeys.sees_content`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from odvalidation import clock
from odvalidation.domain.errors import InvalidInput
from odvalidation.domain.frameworks import framework
from odvalidation.domain.models import (
    AuditEvent,
    Claim,
    Cohort,
    ElementJudgement,
    ElementRating,
    EquivalentSession,
    Failure,
    Interview,
    Journey,
    Judgement,
    Level,
    Person,
    Recommendation,
    Reflection,
    Review,
    Stage,
    failure_message,
)
from odvalidation.services import (
    cohorts,
    interviews,
    journey_page,
    panel_reviews,
    panels,
    people,
    preparation,
    seats,
)
from odvalidation.services import journeys as js
from tests.browser.harness import WebClient, in_process_web
from tests.unit.test_web_panel import signed_in

FRAMEWORK = "nw-cipd-combined@1.0"
ELEMENTS = [e.id for e in framework(FRAMEWORK).elements_for(Level.LEADER)]
NAMES = {"pat": "Rowan Achterberg", "sam": "Sam Okafor", "kit": "Kit Marlowe", "val": "Val Idated"}


def journey(jid: str, who: str, stage: Stage, **extra: Any) -> Journey:
    now = clock.now()
    return Journey(
        id=jid,
        practitioner_id=who,
        cohort_id="north-west-3",
        academy_id="north-west",
        framework_key=FRAMEWORK,
        stage=stage,
        created_at=now,
        updated_at=now,
        stage_entered_at=now,
        **extra,
    )


class Academy:
    """One cohort whose workshop was yesterday, four practitioners at different steps, and what the
    pages asked the services to do."""

    def __init__(self) -> None:
        self.cohort = Cohort(
            id="north-west-3",
            academy_id="north-west",
            name="North West cohort 3",
            number=3,
            framework_key=FRAMEWORK,
            workshop_date=clock.now().date() - timedelta(days=1),
            created_at=clock.now(),
        )
        self.journeys = [
            journey("jPat", "pat", Stage.WORKSHOP),
            journey("jSam", "sam", Stage.INTERVIEW, claim_number=1),
            journey("jKit", "kit", Stage.INTERVIEW, claim_number=1),
            journey("jVal", "val", Stage.VALIDATED, claim_number=1, certificate_id="cert-1"),
        ]
        self.interviews = {
            "jKit": Interview(
                journey_id="jKit",
                claim_number=1,
                at=datetime(2026, 12, 18, 10, 0, tzinfo=UTC),
                location="Room 4",
            )
        }
        self.asked_academy: list[str] = []
        self.attendance: list[tuple[list[str], bool]] = []
        self.equivalents: list[tuple[str, EquivalentSession, str]] = []
        self.held: list[str] = []

    def cohorts(self, academy_id: str) -> list[Cohort]:
        self.asked_academy.append(academy_id)
        return [self.cohort]

    def record_attendance(
        self, caller: Any, cohort_id: str, ids: list[str], *, attended: bool = True
    ) -> list[str]:
        if clock.now().date() < self.cohort.workshop_date:
            raise InvalidInput("The workshop is on a later day: record attendance on or after that day.")
        self.attendance.append((ids, attended))
        return []

    def record_equivalent(self, caller: Any, jid: str, kind: EquivalentSession, reason: str) -> bool:
        self.equivalents.append((jid, kind, reason))
        return True

    def record_held(self, caller: Any, jid: str) -> Interview:
        self.held.append(jid)
        return self.interviews[jid]


@pytest.fixture
def web(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    with in_process_web(monkeypatch) as env:
        yield env


@pytest.fixture
def academy(web: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Academy:
    a = Academy()
    by_id = {j.id: j for j in a.journeys}
    monkeypatch.setattr(js, "academy_cohorts", a.cohorts)
    monkeypatch.setattr(js, "cohort", lambda cid: a.cohort)
    monkeypatch.setattr(js, "cohort_journeys", lambda caller, cid: a.journeys)
    monkeypatch.setattr(js, "academy_journeys", lambda caller, aid, cohorts: [a.journeys for _ in cohorts])
    monkeypatch.setattr(seats, "read_interviews", lambda journeys: None)  # interview_of is the fake below
    monkeypatch.setattr(js, "load_for", lambda caller, jid: by_id[jid])
    monkeypatch.setattr(
        people, "person", lambda pid: Person(id=pid, name=NAMES.get(pid, "A member"), email="x@nhs.net")
    )
    monkeypatch.setattr(preparation, "record_attendance", a.record_attendance)
    monkeypatch.setattr(preparation, "record_equivalent_session", a.record_equivalent)
    monkeypatch.setattr(seats, "interview_of", lambda j: a.interviews.get(j.id))
    monkeypatch.setattr(interviews, "record_interview_held", a.record_held)
    return a


def lead(web: dict[str, Any], role: str = "academy_lead") -> WebClient:
    browser, _ = signed_in(web, (role,))
    return browser


def count_of(body: str, task: str) -> str:
    card = body.split(f'id="task-{task}"', 1)[1]
    return card.split('nhsuk-heading-l nhsuk-u-margin-bottom-0">', 1)[1].split("<", 1)[0]


# --------------------------------------------------------------------------- the lead's work


def test_a_leads_work_counts_what_waits_and_links_to_each_list(web: dict[str, Any], academy: Academy) -> None:
    browser = lead(web)
    body = browser.get("/lead").body
    assert count_of(body, "attendance") == "1"  # Pat, at the workshop step after the workshop day
    assert count_of(body, "interviews") == "1"  # Sam; Kit's interview is arranged
    assert count_of(body, "panels") == "0"
    assert count_of(body, "certificates") == "1"
    assert 'href="/lead/work/interviews"' in body
    assert 'href="/lead/cohorts/north-west-3"' in body
    assert 'href="/reports"' not in body  # the national reports are the national lead's

    interviews = browser.get("/lead/work/interviews").body
    assert "Sam Okafor" in interviews
    assert "Kit Marlowe" not in interviews
    assert 'href="/lead/journeys/jSam/interview"' in interviews
    attendance = browser.get("/lead/work/attendance").body
    assert 'href="/lead/cohorts/north-west-3#attendance"' in attendance
    assert browser.get("/lead/work/nonsense").status == 404


def test_attendance_is_not_due_before_the_workshop_day(web: dict[str, Any], academy: Academy) -> None:
    academy.cohort.workshop_date = clock.now().date() + timedelta(days=3)
    browser = lead(web)
    assert count_of(browser.get("/lead").body, "attendance") == "0"
    cohort = browser.get("/lead/cohorts/north-west-3").body
    assert "You can record attendance from the day of the workshop" in cohort
    assert 'name="attended"' not in cohort


def test_the_header_and_home_take_a_lead_to_their_work(web: dict[str, Any], academy: Academy) -> None:
    assert 'href="/lead">Lead&#39;s work</a>' in lead(web).get("/home").body
    practitioner, _ = signed_in(web, ("practitioner",))
    assert 'href="/lead"' not in practitioner.get("/home").body.split("</header>")[0]
    assert practitioner.get("/lead").status == 403


def test_a_national_lead_gets_the_reports_and_looks_at_any_academy(
    web: dict[str, Any], academy: Academy
) -> None:
    browser = lead(web, "national_lead")
    body = browser.get("/lead", academy="south-west").body
    assert 'href="/reports"' in body
    assert 'href="/lead?academy=north-west"' in body
    assert academy.asked_academy[-1] == "south-west"
    assert 'href="/lead/work/interviews?academy=south-west"' in body
    assert browser.get("/lead", academy="atlantis").status == 404


# --------------------------------------------------------------------------- attendance


def test_an_empty_attendance_form_is_named_in_an_error_summary(web: dict[str, Any], academy: Academy) -> None:
    browser = lead(web)
    token = browser.get("/lead/cohorts/north-west-3").csrf_token()
    reply = browser.post("/lead/cohorts/north-west-3/attendance", {"csrf_token": token})
    assert reply.status == 400
    assert "nhsuk-error-summary" in reply.body
    assert '<a href="#people">Select the practitioners whose attendance you are recording</a>' in reply.body
    assert '<a href="#attended">Select whether they attended the workshop</a>' in reply.body
    assert academy.attendance == []


def test_did_not_attend_is_recorded_as_well_as_attended(web: dict[str, Any], academy: Academy) -> None:
    browser = lead(web)
    token = browser.get("/lead/cohorts/north-west-3").csrf_token()
    reply = browser.post(
        "/lead/cohorts/north-west-3/attendance", {"csrf_token": token, "people": "jPat", "attended": "no"}
    )
    assert reply.header("Location") == "/lead/cohorts/north-west-3?done=absent"
    assert academy.attendance == [(["jPat"], False)]
    assert (
        "Recorded that they did not attend" in browser.get("/lead/cohorts/north-west-3", done="absent").body
    )

    browser.post(
        "/lead/cohorts/north-west-3/attendance", {"csrf_token": token, "people": "jPat", "attended": "yes"}
    )
    assert academy.attendance[-1] == (["jPat"], True)


def test_the_services_refusal_is_shown_in_the_error_summary(web: dict[str, Any], academy: Academy) -> None:
    browser = lead(web)
    token = browser.get("/lead/cohorts/north-west-3").csrf_token()
    academy.cohort.workshop_date = clock.now().date() + timedelta(days=3)  # moved after the page loaded
    reply = browser.post(
        "/lead/cohorts/north-west-3/attendance", {"csrf_token": token, "people": "jPat", "attended": "yes"}
    )
    assert reply.status == 409
    assert '<a href="#people">The workshop is on a later day' in reply.body


def test_an_equivalent_session_needs_its_kind_and_reason(web: dict[str, Any], academy: Academy) -> None:
    browser = lead(web)
    assert 'href="/lead/journeys/jPat/equivalent"' in browser.get("/lead/cohorts/north-west-3").body
    reply = browser.submit("/lead/journeys/jPat/equivalent", {})
    assert reply.status == 400
    assert '<a href="#kind">Select the session they attended instead of the workshop</a>' in reply.body
    assert '<a href="#reason">Enter why this session stands in for the workshop</a>' in reply.body

    reply = browser.submit(
        "/lead/journeys/jPat/equivalent", {"kind": "one_to_one", "reason": "Caring duties"}
    )
    assert reply.header("Location") == "/lead/journeys/jPat?done=equivalent"
    assert academy.equivalents == [("jPat", EquivalentSession.ONE_TO_ONE, "Caring duties")]


# --------------------------------------------------------------------------- one journey


@pytest.fixture
def claimed(academy: Academy, monkeypatch: pytest.MonkeyPatch) -> Journey:
    """Kit's claim at the interview step: reflection, claim, two reviews, the interview arranged."""
    now = clock.now()
    kit = academy.journeys[2]
    claim = Claim(
        journey_id=kit.id,
        number=1,
        level=Level.LEADER,
        narratives={ELEMENTS[0]: "I led the <system> change."},
        updated_at=now,
    )
    monkeypatch.setattr(
        journey_page,
        "load",
        lambda caller, jid: journey_page.JourneyPage(
            journey=kit,
            claim=claim,
            evidence=[],
            history=[],
            panel=None,
            outcome=None,
            comments=[],
            cohort=academy.cohort,
            people={"kit": Person(id="kit", name="Kit Marlowe", email="k@nhs.net")},
        ),
    )
    monkeypatch.setattr(
        js,
        "reflection",
        lambda jid: Reflection(
            journey_id=jid,
            ratings=[ElementRating(element_id=ELEMENTS[0], rating=4, note="Strong in coalitions")],
            career_note="Ten years in OD",
            submitted=True,
            updated_at=now,
        ),
    )
    review = Review(
        journey_id=kit.id,
        claim_number=1,
        member_id="sam",
        judgements=[
            ElementJudgement(element_id=ELEMENTS[0], judgement=Judgement.PARTLY, comment="More on impact")
        ],
        recommendation=Recommendation.LEADER,
        submitted_at=now,
    )
    monkeypatch.setattr(panel_reviews, "reviews_for", lambda caller, jid: ([review], []))
    monkeypatch.setattr(seats, "outcome_of", lambda j: None)
    return kit


def test_an_academy_lead_reads_the_reflection_claim_and_reviews(
    web: dict[str, Any], claimed: Journey
) -> None:
    body = lead(web).get(f"/lead/journeys/{claimed.id}").body
    assert "Kit Marlowe&#39;s journey" in body
    assert "Strong in coalitions" in body
    assert "Ten years in OD" in body
    assert "I led the &lt;system&gt; change." in body
    assert "More on impact" in body
    assert "Partly evidenced" in body
    assert "18 December 2026 at 10:00" in body
    assert "Room 4" in body
    assert "Interview on 18 Dec 2026" in body  # the action says when, not "arrange"
    # "Took place" is offered once the interview's start time has come, not before.
    held = f'action="/lead/journeys/{claimed.id}/interview-held"'
    start = datetime(2026, 12, 18, 10, 0, tzinfo=UTC)
    try:
        if clock.now() < start:
            assert held not in body
            clock.advance(start - clock.now())
        assert held in lead(web).get(f"/lead/journeys/{claimed.id}").body
    finally:
        clock.reset()


LAMBDA_CAUSE = json.dumps(
    {
        "errorMessage": "the pool has no member free for <this> claim",
        "errorType": "RuntimeError",
        "requestId": "5d0d6c1e",
        "stackTrace": ['  File "/var/task/app.py", line 12, in handler\n'],
    }
)


def test_a_stopped_journey_says_where_and_why_in_words_not_lambdas_json(
    web: dict[str, Any], claimed: Journey, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lead reads the step and the error's own message, escaped, with the button to resume; not the
    JSON Lambda wraps it in, nor its stack trace. A trail recorded before (the whole JSON, cut at 300
    characters) reads the same."""
    at = clock.now()
    stopped = claimed.model_copy(
        update={"failure": Failure(step="awaiting_panel", error="RuntimeError", cause=LAMBDA_CAUSE, at=at)}
    )
    old = AuditEvent(
        journey_id=stopped.id,
        at=at,
        actor="system",
        action="step failed",
        reason=f"RuntimeError: {LAMBDA_CAUSE}"[:300],
    )
    view = journey_page.load(None, stopped.id)
    monkeypatch.setattr(
        journey_page, "load", lambda caller, jid: replace(view, journey=stopped, history=[old])
    )
    monkeypatch.setattr(js, "load_for", lambda caller, jid: stopped)
    body = lead(web).get(f"/lead/journeys/{stopped.id}").body
    assert (
        "At the waiting for a panel step: the pool has no member free for &lt;this&gt; claim (RuntimeError)"
        in body
    )
    assert "RuntimeError: the pool has no member free for &lt;this&gt; claim" in body  # the history
    assert "Resume the journey" in body
    for raw in ("errorMessage", "stackTrace", "requestId", "/var/task"):
        assert raw not in body


def test_the_lists_tag_a_stopped_journey_without_the_errors_name(
    web: dict[str, Any], academy: Academy
) -> None:
    """The lists say a journey stopped (its stage is beside it); why is on the journey's own page."""
    failure = Failure(step="submitted", error="RuntimeError", cause=LAMBDA_CAUSE, at=clock.now())
    academy.journeys[1] = academy.journeys[1].model_copy(update={"failure": failure})
    for path in ("/lead/work/stopped", f"/lead/cohorts/{academy.cohort.id}"):
        body = lead(web).get(path).body
        assert ">Stopped<" in body, path
        assert "RuntimeError" not in body, path


@pytest.mark.parametrize(
    ("cause", "message"),
    [
        (LAMBDA_CAUSE, "the pool has no member free for <this> claim"),
        (LAMBDA_CAUSE[:60], "the pool has no member free for <this> cla…"),  # cut short
        ('{"errorMessage": "a\\u00e9 b', "aé b…"),
        ('{"errorMessage": "a\\u00', "a…"),  # cut inside an escape
        ('{"errorMessage": "say \\"no\\"", "errorType": "X"}', 'say "no"'),
        ("States.Timeout", "States.Timeout"),  # a state machine's own cause is its text
        ('{"errorType": "X"}', '{"errorType": "X"}'),  # JSON without a message is shown as it is
    ],
)
def test_the_failures_message_is_the_errors_own(cause: str, message: str) -> None:
    assert failure_message(cause) == message


def test_a_national_lead_sees_where_the_journey_is_not_its_content(
    web: dict[str, Any], claimed: Journey
) -> None:
    body = lead(web, "national_lead").get(f"/lead/journeys/{claimed.id}").body
    assert "Kit Marlowe&#39;s journey" in body
    assert "Validation interview" in body
    for private in ("Strong in coalitions", "Ten years in OD", "I led the", "More on impact"):
        assert private not in body
    assert "not the practitioner's reflection, claim or evidence" in body


def test_recording_that_the_interview_took_place(
    web: dict[str, Any], academy: Academy, claimed: Journey
) -> None:
    browser = lead(web)
    token = browser.get(f"/lead/journeys/{claimed.id}").csrf_token()
    reply = browser.post(f"/lead/journeys/{claimed.id}/interview-held", {"csrf_token": token})
    assert reply.header("Location") == f"/lead/journeys/{claimed.id}?done=held"
    assert academy.held == [claimed.id]


def test_the_cohort_says_when_the_interview_is(web: dict[str, Any], academy: Academy) -> None:
    body = lead(web).get("/lead/cohorts/north-west-3").body
    assert "Interview on 18 Dec 2026" in body  # Kit
    assert 'href="/lead/journeys/jSam/interview">Arrange interview' in body  # Sam
    assert 'href="/lead/journeys/jPat">Rowan Achterberg</a>' in body  # every name opens the journey


# --------------------------------------------------------------------------- changing a cohort, the interview, revoking


def test_a_cohort_is_changed_after_creation(
    web: dict[str, Any], academy: Academy, monkeypatch: pytest.MonkeyPatch
) -> None:
    browser = lead(web)
    changed: list[cohorts.CohortChanges] = []
    monkeypatch.setattr(cohorts, "update_cohort", lambda caller, cid, changes: changed.append(changes))
    assert 'href="/lead/cohorts/north-west-3/edit"' in browser.get("/lead/cohorts/north-west-3").body
    form = browser.get("/lead/cohorts/north-west-3/edit").body
    assert 'value="North West cohort 3"' in form
    assert 'name="framework_key"' not in form  # claims stay pinned to the framework

    reply = browser.submit("/lead/cohorts/north-west-3/edit", {"name": "", "places": "none"})
    assert reply.status == 400
    summary = reply.body.split("nhsuk-error-summary__list", 1)[1].split("</ul>", 1)[0]
    assert summary.index("#name") < summary.index("#workshop_date-day") < summary.index("#places")
    assert changed == []

    reply = browser.submit(
        "/lead/cohorts/north-west-3/edit",
        {
            "name": "North West cohort 3",
            "workshop_date-day": "18",
            "workshop_date-month": "12",
            "workshop_date-year": "2026",
            "venue": "Lowry Centre, Salford",
            "places": "12",
            "claim_window_months": "6",
            "panel_size": "3",
        },
    )
    assert reply.header("Location") == "/lead/cohorts/north-west-3?done=changed"
    assert changed[0].workshop_date == datetime(2026, 12, 18).date()
    assert changed[0].venue == "Lowry Centre, Salford"
    assert changed[0].places == 12


def test_the_interview_page_shows_the_arrangement_once_made(web: dict[str, Any], academy: Academy) -> None:
    browser = lead(web)
    arranged = browser.get("/lead/journeys/jKit/interview").body
    assert "The interview is arranged for 18 December 2026 at 10:00, at Room 4" in arranged
    assert 'value="10:00"' in arranged
    assert "<h1>Change the interview</h1>" in arranged
    assert "<h1>Arrange the interview</h1>" in browser.get("/lead/journeys/jSam/interview").body


def test_revoking_asks_are_you_sure_and_returns_to_the_journey(
    web: dict[str, Any], academy: Academy, monkeypatch: pytest.MonkeyPatch
) -> None:
    from odvalidation.domain.models import CertificateRecord
    from odvalidation.services import certificates

    now = clock.now()
    record = CertificateRecord(
        id="cert-1",
        journey_id="jVal",
        practitioner_id="val",
        holder_name="Val Idated",
        level=Level.LEADER,
        academy_id="north-west",
        framework_key=FRAMEWORK,
        element_ids=ELEMENTS,
        valid_from=now,
        valid_until=now + timedelta(days=1000),
        issued_at=now,
    )
    revoked: list[str] = []
    monkeypatch.setattr(certificates, "for_lead", lambda caller, cid: record)
    monkeypatch.setattr(certificates, "revoke", lambda caller, cid, reason: revoked.append(reason))
    browser = lead(web)

    reply = browser.submit("/lead/certificates/cert-1/revoke", {"reason": "Issued in error"})
    assert reply.status == 200
    assert "Are you sure you want to revoke this certificate?" in reply.body
    assert 'name="reason" value="Issued in error"' in reply.body
    assert 'href="/lead/journeys/jVal">No, keep the certificate' in reply.body
    assert revoked == []

    reply = browser.post(
        "/lead/certificates/cert-1/revoke",
        {"reason": "Issued in error", "confirmed": "yes", "csrf_token": reply.csrf_token()},
    )
    assert reply.header("Location") == "/lead/journeys/jVal?done=revoked"
    assert revoked == ["Issued in error"]


def test_update_cohort_keeps_places_above_those_joined_and_a_full_cohort_refuses_more(
    web: dict[str, Any],
) -> None:
    """The services on moto's in-process table: the rule, not the page."""
    from odvalidation.dal.store import Change, store
    from odvalidation.domain.access import Caller
    from odvalidation.domain.errors import Conflict, Forbidden
    from odvalidation.domain.models import Role

    nw = Caller(id="nwlead", roles=frozenset({Role.ACADEMY_LEAD}), academy_id="north-west")
    c = cohorts.create_cohort(
        nw,
        cohorts.NewCohort(
            academy_id="north-west",
            name="NW 7",
            number=7,
            framework_key=FRAMEWORK,
            workshop_date=datetime(2027, 3, 1).date(),
        ),
    )
    for jid, who in (("jOne", "pat"), ("jTwo", "kit")):
        joined = journey(jid, who, Stage.REFLECTION).model_copy(update={"cohort_id": c.id})
        store().commit(Change(journey=joined, expected_version=None))
    keep = {"name": "NW 7", "workshop_date": c.workshop_date, "claim_window_months": 6, "panel_size": 3}

    changed = cohorts.update_cohort(nw, c.id, cohorts.CohortChanges(**keep, venue="Salford", places=2))
    assert changed.framework_key == FRAMEWORK
    assert js.cohort(c.id).venue == "Salford"
    assert js.cohort(c.id).places == 2
    with pytest.raises(InvalidInput, match="2 practitioners have already joined"):
        cohorts.update_cohort(nw, c.id, cohorts.CohortChanges(**keep, places=1))
    ldn = Caller(id="ldn", roles=frozenset({Role.ACADEMY_LEAD}), academy_id="london")
    with pytest.raises(Forbidden):
        cohorts.update_cohort(ldn, c.id, cohorts.CohortChanges(**keep))

    practitioner = Caller(
        id="sam",
        email="sam@nhs.net",
        name="Sam",
        roles=frozenset({Role.PRACTITIONER}),
        academy_id="north-west",
    )
    with pytest.raises(Conflict, match="is full"):
        preparation.register_interest(practitioner, c.id)


# --------------------------------------------------------------------------- choosing a panel by hand


def test_manual_panel_choice_flags_members_from_the_practitioners_organisation_or_academy(
    web: dict[str, Any], academy: Academy, monkeypatch: pytest.MonkeyPatch
) -> None:
    from odvalidation.domain.models import MemberKind
    from odvalidation.domain.panels import ClaimToAssign, PanelMember

    def member(mid: str, name: str, employer: str, academy_id: str) -> PanelMember:
        return PanelMember(
            id=mid,
            name=name,
            email=f"{mid}@nhs.net",
            kind=MemberKind.EXPERT,
            employer=employer,
            academy_id=academy_id,
            cap=4,
        )

    waiting = journey("jWait", "pat", Stage.AWAITING_PANEL, claim_number=1)
    monkeypatch.setattr(js, "load_for", lambda caller, jid: waiting)
    monkeypatch.setattr(js, "history", lambda jid: [])
    monkeypatch.setattr(
        panels,
        "pool",
        lambda: [
            member("m1", "Ada Same-Trust", "Salford  Royal", "london"),
            member("m2", "Bo Same-Academy", "Leeds Trust", "north-west"),
            member("m3", "Cy Elsewhere", "Kent Trust", "kent-surrey-sussex"),
        ],
    )
    monkeypatch.setattr(
        panels,
        "claim_to_assign",
        lambda j: ClaimToAssign(
            journey_id=j.id,
            practitioner_id="pat",
            employer="Salford Royal",
            academy_id="north-west",
            needed_by=clock.now().date() + timedelta(days=28),
        ),
    )
    browser = lead(web)
    first = browser.get("/lead/assignments/jWait").body
    assert 'name="members"' not in first  # nothing to choose until the override is chosen
    assert 'name="reason"' not in first
    body = browser.submit("/lead/assignments/jWait", {"how": "override"}).body
    hints = {
        m: body.split(f'value="{m}"', 1)[1].split('item-hint">', 1)[1].split("</div>", 1)[0]
        for m in ("m1", "m2", "m3")
    }
    assert "Same organisation as the practitioner" in hints["m1"]  # despite the spacing and case
    assert "From the practitioner&#39;s own academy" in hints["m2"]
    assert "Warning" not in hints["m3"]
    assert 'name="reason"' in body
    assert 'value="override" checked' in body
    assert "nhsuk-error-summary" not in body
