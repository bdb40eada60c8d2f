"""A panel member's work, apart from how it is routed: which claims they sit on, and for each the one
page where they act next. The assignments page, the home page and the link in every panel email
(`/panel/<journey_id>`, which redirects here) all use the same answer, so a member is never sent to a
page with nothing to do on it.

No route lives here: web/site.py (home) and web/routes_panel.py both import it, and it imports neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import clock
from ..certificates.credential import LEVEL_NAMES
from ..domain.academies import academy
from ..domain.access import Caller as DomainCaller
from ..domain.errors import Forbidden, NotFound
from ..domain.frameworks import framework
from ..domain.models import (
    Cohort,
    FrameworkElement,
    Interview,
    Journey,
    Level,
    Panel,
    PanelSeat,
    Person,
    Review,
    Stage,
)
from ..domain.uk_time import uk_when
from ..services import panel_overview, panel_reviews

# Where a claim is, as its panel sees it; a claim past its outcome (or ended) is finished for the panel.
PANEL_STAGES = {
    Stage.PANEL_REVIEW: "Panel review",
    Stage.INTERVIEW: "Interview",
    Stage.VALIDATED: "Validated",
    Stage.NOT_YET_VALIDATED: "Not yet validated",
    Stage.LAPSED: "Claim lapsed",
    Stage.WITHDRAWN: "Withdrawn",
}
FINISHED = {Stage.VALIDATED, Stage.NOT_YET_VALIDATED, Stage.LAPSED, Stage.WITHDRAWN}


@dataclass
class Assignment:
    journey: Journey
    panel: Panel
    seat: PanelSeat
    practitioner_name: str
    level: Level | None
    elements: list[FrameworkElement]
    practitioner: Person | None = None
    # Whether the caller's own review is in (or, as for a lead, every review may be read): what
    # my_review answers, read with the rest in one BatchGetItem.
    reviewed: bool | None = None
    drafted: bool = False
    interview: Interview | None = None
    cohort: Cohort | None = None

    @property
    def level_name(self) -> str:
        return LEVEL_NAMES[self.level] if self.level else "Level not chosen"

    @property
    def finished(self) -> bool:
        """The panel's work on the claim is over: an outcome is recorded, or the claim ended."""
        return self.journey.outcome is not None or self.journey.stage in FINISHED

    @property
    def interview_text(self) -> str:
        """ "12 January 2027 at 10:00 (UK time), Room 4, Mersey House", once arranged (else empty)."""
        i = self.interview
        return f"{uk_when(i.at)} (UK time), {i.location}" if i else ""

    @property
    def interview_upcoming(self) -> bool:
        """Arranged, not yet taken place (by its time, or as recorded by the lead)."""
        return (
            self.interview is not None
            and not self.finished
            and not self.interview.has_taken_place(clock.now())
        )


def seat_of(panel: Panel, member_id: str) -> PanelSeat | None:
    return next((s for s in panel.seats if s.member_id == member_id), None)


def _assignment(s: panel_overview.Seated) -> Assignment:
    level = s.claim.level if s.claim else None
    fw = framework(s.journey.framework_key)
    return Assignment(
        journey=s.journey,
        panel=s.panel,
        seat=s.seat,
        practitioner_name=s.practitioner.name if s.practitioner else "The practitioner",
        level=level,
        elements=fw.elements_for(level) if level else fw.elements,
        practitioner=s.practitioner,
        reviewed=s.reviewed,
        drafted=s.drafted,
        interview=s.interview,
        cohort=s.cohort,
    )


def assignment(caller: DomainCaller, journey_id: str) -> Assignment:
    """The claim, if the caller sits on its current panel (else NotFound, as the API answers): two
    round trips (services.panel_overview.seated_claim)."""
    return _assignment(panel_overview.seated_claim(caller, journey_id))


def my_review(caller: DomainCaller, journey_id: str) -> tuple[list[Review], list[str]] | None:
    """Every review and the flags, once the caller has submitted theirs; None before that."""
    try:
        return panel_reviews.reviews_for(caller, journey_id)
    except Forbidden:
        return None


def next_step(a: Assignment, reviewed: bool) -> tuple[str, str]:
    """(what to do, link) for one assignment: the page where this member acts next."""
    base = f"/panel/{a.journey.id}"
    if not a.seat.declared:
        return "Declare conflicts of interest", f"{base}/declaration"
    if not reviewed and a.journey.stage is Stage.PANEL_REVIEW:
        return ("Continue your review (draft saved)" if a.drafted else "Review the claim"), f"{base}/review"
    if a.seat.chair and a.journey.stage is Stage.INTERVIEW and not a.finished:
        # The outcome is recorded once the interview has taken place (services.interviews refuses
        # it before): until then the chair is shown the interview, not a form they cannot submit.
        if a.interview is None:
            return "Waiting for the academy lead to arrange the interview", f"{base}/reviews"
        if a.interview_upcoming:
            return f"Interview on {uk_when(a.interview.at)} (UK time)", f"{base}/reviews"
        return "Record the outcome of the interview", f"{base}/outcome"
    if a.finished:
        return "Finished: see all reviews", f"{base}/reviews"
    if reviewed:
        return "Reviewed: see all reviews", f"{base}/reviews"
    return "No action needed", f"{base}/reviews"


def next_step_for(caller: DomainCaller, journey_id: str) -> str:
    """The link of the member's next step on one claim (NotFound if they do not sit on its panel)."""
    a = assignment(caller, journey_id)
    return next_step(a, bool(a.reviewed))[1]


def _href_is_action(href: str) -> bool:
    """A step that asks something of the member (declare, review, record the outcome), not a page to read."""
    return not href.endswith("/reviews")


def cohort_text(a: Assignment, caller: DomainCaller) -> str:
    """The claim's cohort, with its academy when that is not the member's own (a cross-academy panel):
    what tells two claims of one practitioner, or two practitioners of one name, apart."""
    name = a.cohort.name if a.cohort else a.journey.cohort_id
    if a.journey.academy_id == caller.academy_id:
        return name
    try:
        return f"{name}, {academy(a.journey.academy_id).name}"
    except NotFound:
        return name


def assignment_rows(caller: DomainCaller) -> list[dict[str, Any]]:
    """One row per claim the caller sits on the current panel of, with the next action on each: read
    in three round trips however many claims (services.panel_overview)."""
    rows: list[dict[str, Any]] = []
    for s in panel_overview.seated_claims(caller):
        a = _assignment(s)
        status, href = next_step(a, s.reviewed)
        rows.append(
            {
                "journey_id": s.journey.id,
                "practitioner": a.practitioner_name,
                "level": a.level_name,
                "cohort": cohort_text(a, caller),
                "stage": PANEL_STAGES.get(
                    a.journey.stage, a.journey.stage.value.replace("_", " ").capitalize()
                ),
                # A finished claim has no review due: the panel's work on it is done.
                "due": None if a.finished else a.panel.review_due,
                "finished": a.finished,
                "interview": a.interview_text,
                "interview_upcoming": a.interview_upcoming,
                "declared": "Yes" if a.seat.declared else "Not yet",
                "reviewed": "Yes" if s.reviewed else "Not yet",
                "role": "Chair" if a.seat.chair else a.seat.kind.value.capitalize(),
                "status": status,
                "href": href,
                "to_do": not a.finished and _href_is_action(href),
            }
        )
    return rows
