"""Panel member and academy lead pages through the web handler. The services' reads and writes are
replaced by a small in-memory claim, so these tests show what the pages do with the services' answers:
the caller they pass, the forms they read, the errors they show and the values they keep."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from odvalidation import clock
from odvalidation.domain.errors import Forbidden, InvalidInput
from odvalidation.domain.frameworks import framework
from odvalidation.domain.models import (
    Claim,
    DraftJudgement,
    ElementJudgement,
    EvidenceItem,
    EvidenceStatus,
    Interview,
    Journey,
    Judgement,
    Level,
    MemberKind,
    Panel,
    PanelSeat,
    Person,
    Recommendation,
    Review,
    ReviewDraft,
    Stage,
)
from odvalidation.domain.panels import ClaimToAssign
from odvalidation.services import (
    attestations,
    cohorts,
    interviews,
    panel_overview,
    panel_reviews,
    panels,
    people,
    review_drafts,
    seats,
)
from odvalidation.services import journeys as js
from tests.browser.harness import PASSWORD, WebClient, in_process_web

FRAMEWORK = "nw-cipd-combined@1.0"
LEADER_ELEMENTS = [e.id for e in framework(FRAMEWORK).elements_for(Level.LEADER)]
JOURNEY = "jPanelUnit1"


def signed_in(
    web: dict[str, Any], groups: tuple[str, ...], academy: str = "north-west"
) -> tuple[WebClient, str]:
    cognito, pool = web["cognito"], web["pool_id"]
    email = f"member-{uuid.uuid4().hex[:6]}@nhs.net"
    user = cognito.admin_create_user(
        UserPoolId=pool,
        Username=email,
        UserAttributes=[
            {"Name": "email", "Value": email},
            {"Name": "name", "Value": "Imogen Vasquez-Reid"},
            {"Name": "custom:academy", "Value": academy},
        ],
        MessageAction="SUPPRESS",
    )["User"]
    cognito.admin_set_user_password(UserPoolId=pool, Username=email, Password=PASSWORD, Permanent=True)
    for group in groups:
        cognito.admin_add_user_to_group(UserPoolId=pool, Username=email, GroupName=group)
    browser = WebClient(web["handler"])
    assert browser.submit("/sign-in", {"email": email, "password": PASSWORD}).status == 303
    return browser, next(a["Value"] for a in user["Attributes"] if a["Name"] == "sub")


class Claim1:
    """One leader claim under panel review, its panel, evidence and reviews, and what the pages asked."""

    def __init__(self, me: str) -> None:
        now = clock.now()
        self.me = me
        self.journey = Journey(
            id=JOURNEY,
            practitioner_id="pat",
            cohort_id="north-west-3",
            academy_id="north-west",
            framework_key=FRAMEWORK,
            stage=Stage.PANEL_REVIEW,
            created_at=now,
            updated_at=now,
            stage_entered_at=now,
            claim_number=1,
        )
        self.panel = Panel(
            journey_id=JOURNEY,
            claim_number=1,
            seats=[
                PanelSeat(member_id=me, kind=MemberKind.EXPERT, chair=True),
                PanelSeat(member_id="peer-1", kind=MemberKind.PEER, declared=True),
            ],
            assigned_at=now,
            review_due=now.date() + timedelta(days=28),
        )
        self.reviews: list[Review] = []
        self.interview: Interview | None = None  # arranged by the lead (tests set it)
        self.declared: list[tuple[bool, str]] = []
        self.submitted: list[tuple[list[ElementJudgement], Recommendation]] = []

    def declare(self, caller: Any, journey_id: str, *, conflict: bool, note: str = "") -> Panel:
        assert caller.id == self.me
        self.declared.append((conflict, note))
        self.panel.seats[0].declared = not conflict
        return self.panel

    def reviews_for(self, caller: Any, journey_id: str) -> tuple[list[Review], list[str]]:
        if caller.id not in {r.member_id for r in self.reviews}:
            raise Forbidden("You can see the other reviews once you have submitted your own.")
        return self.reviews, panel_reviews.disagreements(self.reviews) if len(self.reviews) == 2 else []

    def submit_review(
        self, caller: Any, journey_id: str, judgements: list[ElementJudgement], recommendation: Recommendation
    ) -> Review:
        self.submitted.append((judgements, recommendation))
        review = Review(
            journey_id=journey_id,
            claim_number=1,
            member_id=caller.id,
            judgements=judgements,
            recommendation=recommendation,
            submitted_at=clock.now(),
        )
        self.reviews.append(review)
        return review


@pytest.fixture
def web(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    with in_process_web(monkeypatch) as env:
        yield env


@pytest.fixture
def member(web: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> tuple[WebClient, Claim1]:
    browser, sub = signed_in(web, ("panel",))
    claim = Claim1(sub)
    now = clock.now()
    monkeypatch.setattr(js, "load_for", lambda caller, jid: claim.journey)
    monkeypatch.setattr(
        js,
        "claim",
        lambda j: Claim(
            journey_id=JOURNEY,
            number=1,
            level=Level.LEADER,
            narratives={e: f"My narrative for {e} <b>bold</b>." for e in LEADER_ELEMENTS},
            updated_at=now,
        ),
    )
    monkeypatch.setattr(
        people, "person", lambda pid: Person(id=pid, name="Rowan Achterberg", email="r@nhs.net")
    )
    monkeypatch.setattr(
        js,
        "evidence",
        lambda j: [
            EvidenceItem(
                id=f"e{i}",
                journey_id=JOURNEY,
                claim_number=1,
                element_id=e,
                key=f"journeys/{JOURNEY}/e{i}",
                display_name=f"evidence {e}.pdf",
                status=EvidenceStatus.VERIFIED,
                uploaded_at=now,
            )
            for i, e in enumerate(LEADER_ELEMENTS)
        ],
    )
    monkeypatch.setattr(seats, "current_panel", lambda jid: claim.panel)
    monkeypatch.setattr(panels, "my_assignments", lambda caller: [claim.journey])

    def seated_claim(caller: Any, journey_id: str) -> panel_overview.Seated:
        # The batched reads of services.panel_overview, answered from the same fakes as the services.
        from odvalidation.web.panel_work import my_review

        seat = next((s for s in claim.panel.seats if s.member_id == caller.id), None)
        if journey_id != JOURNEY or seat is None:
            raise panels.NotFound(f"There is no journey '{journey_id}'.")
        reviewed = my_review(caller, JOURNEY) is not None
        who = people.person(claim.journey.practitioner_id)
        return panel_overview.Seated(
            claim.journey,
            claim.panel,
            seat,
            js.claim(claim.journey),
            who,
            reviewed,
            interview=claim.interview,
        )

    monkeypatch.setattr(panel_overview, "seated_claim", seated_claim)
    monkeypatch.setattr(panel_overview, "read_members", lambda ids: None)  # panels.member is faked
    monkeypatch.setattr(panel_reviews, "read_ahead", lambda caller, jid: None)  # the reads are faked
    monkeypatch.setattr(panel_overview, "seated_claims", lambda caller: [seated_claim(caller, JOURNEY)])
    monkeypatch.setattr(panels, "declare", claim.declare)
    monkeypatch.setattr(panel_reviews, "reviews_for", claim.reviews_for)
    monkeypatch.setattr(panel_reviews, "submit_review", claim.submit_review)
    # The review form's own reads (issue 16.4): the member's review from the fake, no draft, still open.
    monkeypatch.setattr(
        review_drafts,
        "my_review",
        lambda caller, journey: next((r for r in claim.reviews if r.member_id == caller.id), None),
    )
    monkeypatch.setattr(review_drafts, "my_draft", lambda caller, journey: None)
    monkeypatch.setattr(review_drafts, "window_closed", lambda journey, panel: None)
    # No attestations: the page reads none from a table (run after a stack-backed module, there is none).
    monkeypatch.setattr(attestations, "confirmed", lambda journey: {})
    monkeypatch.setattr(panels, "member", lambda mid: (_ for _ in ()).throw(panels.NotFound("no")))
    return browser, claim


def field(element_id: str) -> str:
    return element_id.replace(".", "-")


def test_panel_pages_need_sign_in_and_the_panel_role(web: dict[str, Any]) -> None:
    assert WebClient(web["handler"]).get("/panel").header("Location") == "/sign-in?next=/panel"
    practitioner, _ = signed_in(web, ("practitioner",))
    assert practitioner.get("/panel").status == 403


def test_my_assignments_lists_the_claim_with_its_due_date_and_next_step(
    member: tuple[WebClient, Claim1],
) -> None:
    browser, claim = member
    body = browser.get("/panel").body
    assert "Rowan Achterberg" in body
    assert "System OD leader" in body
    assert claim.panel.review_due is not None
    assert claim.panel.review_due.strftime("%-d %B %Y") in body
    assert f'href="/panel/{JOURNEY}/declaration"' in body


def test_no_evidence_before_declaring_and_the_review_sends_you_to_declare(
    member: tuple[WebClient, Claim1],
) -> None:
    browser, _ = member
    assert "/evidence/" not in browser.get(f"/panel/{JOURNEY}/declaration").body
    assert browser.get(f"/panel/{JOURNEY}/review").header("Location") == f"/panel/{JOURNEY}/declaration"


def test_the_declaration_needs_an_answer_and_a_conflict_needs_a_note(
    member: tuple[WebClient, Claim1],
) -> None:
    browser, claim = member
    reply = browser.submit(f"/panel/{JOURNEY}/declaration", {})
    assert reply.status == 400
    assert '<a href="#conflict">Select whether you have a conflict of interest</a>' in reply.body

    reply = browser.submit(f"/panel/{JOURNEY}/declaration", {"conflict": "yes"})
    assert '<a href="#note">Describe the conflict of interest</a>' in reply.body
    assert 'value="yes" checked' in reply.body
    assert claim.declared == []

    reply = browser.submit(f"/panel/{JOURNEY}/declaration", {"conflict": "yes", "note": "She is my sister."})
    assert reply.header("Location") == "/panel?done=conflict"
    assert claim.declared == [(True, "She is my sister.")]


def test_declaring_no_conflict_opens_the_review_with_narratives_and_evidence(
    member: tuple[WebClient, Claim1],
) -> None:
    browser, claim = member
    reply = browser.submit(f"/panel/{JOURNEY}/declaration", {"conflict": "no"})
    assert reply.header("Location") == f"/panel/{JOURNEY}/review"
    assert claim.declared == [(False, "")]

    body = browser.get(f"/panel/{JOURNEY}/review").body
    for i, element_id in enumerate(LEADER_ELEMENTS):
        assert f'id="judgement-{field(element_id)}"' in body
        assert f'href="/panel/{JOURNEY}/evidence/e{i}"' in body
    assert "My narrative for 1.1 &lt;b&gt;bold&lt;/b&gt;." in body  # the practitioner's text is escaped


def test_evidence_opens_through_the_services_short_lived_link(
    member: tuple[WebClient, Claim1], monkeypatch: pytest.MonkeyPatch
) -> None:
    browser, claim = member
    asked: list[tuple[str, str, str]] = []

    def link(caller: Any, journey_id: str, evidence_id: str) -> str:
        asked.append((caller.id, journey_id, evidence_id))
        return "https://evidence.example/e0?X-Amz-Expires=300"

    monkeypatch.setattr(panels, "evidence_link", link)
    reply = browser.get(f"/panel/{JOURNEY}/evidence/e0")
    assert reply.status == 303
    assert reply.header("Location") == "https://evidence.example/e0?X-Amz-Expires=300"
    assert asked == [(claim.me, JOURNEY, "e0")]


def test_a_review_with_a_missing_judgement_names_it_and_keeps_what_was_chosen(
    member: tuple[WebClient, Claim1],
) -> None:
    browser, claim = member
    claim.panel.seats[0].declared = True
    form = {f"judgement-{field(e)}": "evidenced" for e in LEADER_ELEMENTS[:-1]}
    form["comment-1-1"] = "Clear <system> evidence."

    reply = browser.submit(f"/panel/{JOURNEY}/review", form)

    assert reply.status == 400
    last = LEADER_ELEMENTS[-1]
    assert f'<a href="#judgement-{field(last)}">Select a judgement for element {last}' in reply.body
    assert '<a href="#recommendation">Select your overall recommendation</a>' in reply.body
    assert 'id="judgement-1-1" name="judgement-1-1" type="radio" value="evidenced" checked' in reply.body
    assert "Clear &lt;system&gt; evidence.</textarea>" in reply.body
    assert claim.submitted == []


def test_a_complete_review_goes_to_the_service_and_then_to_every_review(
    member: tuple[WebClient, Claim1],
) -> None:
    browser, claim = member
    claim.panel.seats[0].declared = True
    claim.reviews.append(
        Review(
            journey_id=JOURNEY,
            claim_number=1,
            member_id="peer-1",
            judgements=[ElementJudgement(element_id=e, judgement=Judgement.NOT_YET) for e in LEADER_ELEMENTS],
            recommendation=Recommendation.NOT_YET,
            submitted_at=clock.now(),
        )
    )
    # Before submitting, the others' reviews stay hidden.
    assert browser.get(f"/panel/{JOURNEY}/reviews").header("Location") == f"/panel/{JOURNEY}/review"
    form = {f"judgement-{field(e)}": "evidenced" for e in LEADER_ELEMENTS}
    form |= {"comment-1-1": "Strong.", "recommendation": "system_od_leader"}

    reply = browser.submit(f"/panel/{JOURNEY}/review", form)

    assert reply.header("Location") == f"/panel/{JOURNEY}/reviews?submitted=1"
    judgements, recommendation = claim.submitted[0]
    assert [j.element_id for j in judgements] == LEADER_ELEMENTS
    assert judgements[0].comment == "Strong."
    assert recommendation is Recommendation.LEADER
    combined = browser.get(f"/panel/{JOURNEY}/reviews").body
    assert "Element 1.1: judgements range from not yet evidenced to evidenced." in combined
    assert "recommendations differ" in combined
    assert combined.count("Disagreement</strong>") == len(LEADER_ELEMENTS)


def test_a_service_refusal_is_shown_on_the_form(
    member: tuple[WebClient, Claim1], monkeypatch: pytest.MonkeyPatch
) -> None:
    browser, claim = member
    claim.panel.seats[0].declared = True

    def refuse(*args: Any, **kwargs: Any) -> Review:
        raise InvalidInput("Reviews are recorded while the claim is under panel review.")

    monkeypatch.setattr(panel_reviews, "submit_review", refuse)
    form = {f"judgement-{field(e)}": "partly_evidenced" for e in LEADER_ELEMENTS} | {
        "recommendation": "not_yet"
    }
    reply = browser.submit(f"/panel/{JOURNEY}/review", form)
    assert reply.status == 409
    assert "Reviews are recorded while the claim is under panel review." in reply.body


def test_only_the_chair_sees_the_outcome_form_and_not_yet_needs_feedback(
    member: tuple[WebClient, Claim1], monkeypatch: pytest.MonkeyPatch
) -> None:
    browser, claim = member
    claim.journey.stage = Stage.INTERVIEW
    claim.interview = Interview(
        journey_id=JOURNEY, claim_number=1, at=clock.now() - timedelta(hours=2), location="Room 4"
    )
    monkeypatch.setattr(seats, "outcome_of", lambda j: None)
    recorded: list[tuple[str, dict[str, str], str]] = []

    def record(caller: Any, journey_id: str, outcome: Any, feedback: dict[str, str], plan: str) -> Any:
        if outcome.value == "not_yet" and not (plan or feedback):
            raise InvalidInput("Write developmental feedback or a development plan.")
        recorded.append((outcome.value, feedback, plan))

    monkeypatch.setattr(interviews, "record_outcome", record)
    reply = browser.submit(f"/panel/{JOURNEY}/outcome", {"outcome": "not_yet"})
    assert reply.status == 409
    assert "Write developmental feedback or a development plan." in reply.body

    reply = browser.submit(
        f"/panel/{JOURNEY}/outcome",
        {
            "outcome": "not_yet",
            "feedback-3-2": "Influence senior leaders more.",
            "development_plan": "Shadow a programme.",
        },
    )
    assert reply.status == 303
    assert recorded == [("not_yet", {"3.2": "Influence senior leaders more."}, "Shadow a programme.")]

    claim.panel.seats[0].chair = False
    assert browser.get(f"/panel/{JOURNEY}/outcome").status == 403


# --------------------------------------------------------------------------- academy lead pages


def test_a_lead_creates_a_cohort_with_a_framework_from_the_data(
    web: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    browser, sub = signed_in(web, ("academy_lead",))
    created: list[cohorts.NewCohort] = []

    def create(caller: Any, spec: cohorts.NewCohort) -> Any:
        assert caller.id == sub
        assert caller.academy_id == "north-west"
        created.append(spec)
        return type("C", (), {"id": "north-west-4"})()

    monkeypatch.setattr(cohorts, "create_cohort", create)
    page = browser.get("/lead/cohorts/new").body
    assert f'<option value="{FRAMEWORK}">' in page

    reply = browser.submit("/lead/cohorts/new", {"name": "North West cohort 4", "number": "x"})
    assert reply.status == 400
    assert '<a href="#framework_key">Select the framework this cohort uses</a>' in reply.body
    assert 'value="North West cohort 4"' in reply.body

    reply = browser.submit(
        "/lead/cohorts/new",
        {
            "name": "North West cohort 4",
            "number": "4",
            "framework_key": FRAMEWORK,
            "workshop_date-day": "14",
            "workshop_date-month": "3",
            "workshop_date-year": "2027",
            "claim_window_months": "6",
            "panel_size": "3",
        },
    )
    assert reply.header("Location") == "/lead/cohorts/north-west-4"
    assert created[0].workshop_date == date(2027, 3, 14)
    assert created[0].framework_key == FRAMEWORK


def test_resolving_a_blocked_claim_by_override_needs_members_and_a_reason(
    web: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    browser, _ = signed_in(web, ("academy_lead",))
    now = clock.now()
    journey = Journey(
        id=JOURNEY,
        practitioner_id="pat",
        cohort_id="north-west-3",
        academy_id="north-west",
        framework_key=FRAMEWORK,
        stage=Stage.AWAITING_PANEL,
        created_at=now,
        updated_at=now,
        stage_entered_at=now,
        claim_number=1,
    )
    monkeypatch.setattr(js, "load_for", lambda caller, jid: journey)
    monkeypatch.setattr(people, "person", lambda pid: None)
    monkeypatch.setattr(
        js,
        "history",
        lambda jid: [
            type(
                "E",
                (),
                {
                    "action": "no valid panel",
                    "reason": "No expert outside Trust X with capacity before 1 March.",
                },
            )()
        ],
    )
    monkeypatch.setattr(panels, "pool", lambda: [])
    monkeypatch.setattr(
        panels,
        "claim_to_assign",
        lambda j: ClaimToAssign(
            journey_id=j.id,
            practitioner_id="pat",
            employer="Trust Y",
            academy_id="north-west",
            needed_by=date(2027, 3, 1),
        ),
    )
    calls: list[tuple[list[str] | None, str]] = []
    monkeypatch.setattr(
        panels,
        "resolve_blocked",
        lambda caller, jid, *, member_ids, reason: calls.append((member_ids, reason)),
    )

    page = browser.get(f"/lead/assignments/{JOURNEY}").body
    assert "No expert outside Trust X with capacity before 1 March." in page

    assert 'name="reason"' not in page  # asked for once the override is chosen
    reply = browser.submit(f"/lead/assignments/{JOURNEY}", {"how": "override"})
    assert reply.status == 200
    assert 'name="reason"' in reply.body
    assert "nhsuk-error-summary" not in reply.body
    reply = browser.submit(f"/lead/assignments/{JOURNEY}", {"how": "override", "revealed": "yes"})
    assert reply.status == 400
    assert '<a href="#members">Select the members of the panel</a>' in reply.body
    assert '<a href="#reason">Enter the reason for overriding the rules</a>' in reply.body
    assert calls == []

    assert browser.submit(f"/lead/assignments/{JOURNEY}", {"how": "retry"}).status == 303
    assert calls == [(None, "")]


# --------------------------------------------------------------------------- drafts and changes (issue 16.4)


def test_save_as_draft_keeps_only_what_was_filled_in_and_checks_nothing_else(
    member: tuple[WebClient, Claim1], monkeypatch: pytest.MonkeyPatch
) -> None:
    browser, claim = member
    claim.panel.seats[0].declared = True
    saved: list[tuple[list[DraftJudgement], Recommendation | None]] = []

    def save_draft(caller: Any, journey_id: str, judgements: list[DraftJudgement], rec: Any) -> ReviewDraft:
        saved.append((judgements, rec))
        return ReviewDraft(journey_id=journey_id, claim_number=1, member_id=caller.id, saved_at=clock.now())

    monkeypatch.setattr(review_drafts, "save_draft", save_draft)
    assert 'value="draft">Save as draft</button>' in browser.get(f"/panel/{JOURNEY}/review").body
    reply = browser.submit(
        f"/panel/{JOURNEY}/review",
        {"action": "draft", "judgement-1-1": "partly_evidenced", "comment-1-2": "Still reading."},
    )
    assert reply.header("Location") == f"/panel/{JOURNEY}/review?saved=draft"
    ((judgements, recommendation),) = saved
    assert [(j.element_id, j.judgement, j.comment) for j in judgements] == [
        ("1.1", Judgement.PARTLY, ""),
        ("1.2", None, "Still reading."),
    ]
    assert recommendation is None
    assert claim.submitted == []  # a draft is not a review


def test_the_form_comes_back_as_the_draft_left_it(
    member: tuple[WebClient, Claim1], monkeypatch: pytest.MonkeyPatch
) -> None:
    browser, claim = member
    claim.panel.seats[0].declared = True
    draft = ReviewDraft(
        journey_id=JOURNEY,
        claim_number=1,
        member_id=claim.me,
        judgements=[
            DraftJudgement(element_id="1.1", judgement=Judgement.EVIDENCED, comment="Board <paper>.")
        ],
        saved_at=clock.now(),
    )
    monkeypatch.setattr(review_drafts, "my_draft", lambda caller, journey: draft)
    body = browser.get(f"/panel/{JOURNEY}/review", saved="draft").body
    assert 'id="judgement-1-1" name="judgement-1-1" type="radio" value="evidenced" checked' in body
    assert "Board &lt;paper&gt;.</textarea>" in body
    assert "Your draft has been saved. No one else can see it" in body
    assert "Your draft was last saved on" in body


def test_after_the_due_date_the_review_is_shown_read_only_with_the_reason(
    member: tuple[WebClient, Claim1], monkeypatch: pytest.MonkeyPatch
) -> None:
    browser, claim = member
    claim.panel.seats[0].declared = True
    mine = Review(
        journey_id=JOURNEY,
        claim_number=1,
        member_id=claim.me,
        judgements=[ElementJudgement(element_id=e, judgement=Judgement.EVIDENCED) for e in LEADER_ELEMENTS],
        recommendation=Recommendation.LEADER,
        submitted_at=clock.now(),
    )
    claim.reviews.append(mine)
    monkeypatch.setattr(review_drafts, "my_review", lambda caller, journey: mine)
    monkeypatch.setattr(
        review_drafts, "window_closed", lambda journey, panel: "The review was due on 1 March 2027"
    )
    body = browser.get(f"/panel/{JOURNEY}/review").body
    assert "The review was due on 1 March 2027, so your review can no longer be changed." in body
    assert f'action="/panel/{JOURNEY}/review"' not in body  # no form: nothing to send
    assert "Save as draft" not in body
    assert "System OD leader" in body
    assert "Change your review" not in browser.get(f"/panel/{JOURNEY}/reviews").body
    # While it is open, the same review comes back as a form to change, and the reviews page links to it.
    monkeypatch.setattr(review_drafts, "window_closed", lambda journey, panel: None)
    body = browser.get(f"/panel/{JOURNEY}/review").body
    assert ">Save changes</button>" in body
    assert "Save as draft" not in body  # a submitted review is changed, not drafted again
    assert 'id="judgement-1-1" name="judgement-1-1" type="radio" value="evidenced" checked' in body
    assert "Change your review" in browser.get(f"/panel/{JOURNEY}/reviews").body
