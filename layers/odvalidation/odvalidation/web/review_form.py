"""The review form's state (issue 16.4): what it is pre-filled with (the member's submitted review, to
change it, else their draft), whether it may still be changed, and reading a draft from the form (a
draft may be partial: only what is there is checked). The rules live in services.review_drafts and
domain.review_window; web/routes_panel.py draws the page."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.access import Caller as DomainCaller
from ..domain.models import (
    DraftJudgement,
    FrameworkElement,
    Judgement,
    Recommendation,
    Review,
    ReviewDraft,
    Stage,
)
from ..services import review_drafts
from .panel_work import Assignment

COMMENT_LIMIT = 4000


def field_id(prefix: str, element_id: str) -> str:
    # Element ids hold dots ("1.2"); ids without them work as fragments and CSS selectors alike.
    return f"{prefix}-{element_id.replace('.', '-')}"


def too_long(value: str, limit: int, what: str) -> str | None:
    return f"{what} must be {limit} characters or fewer" if len(value) > limit else None


@dataclass
class ReviewMode:
    submitted: Review | None
    draft: ReviewDraft | None
    # Why the review can no longer be drafted or changed ("The review was due on ..."), or "".
    closed: str

    @property
    def can_change(self) -> bool:
        return self.submitted is not None and not self.closed

    @property
    def read_only(self) -> bool:
        return self.submitted is not None and bool(self.closed)

    @property
    def can_draft(self) -> bool:
        return self.submitted is None and not self.closed


def review_mode(caller: DomainCaller, a: Assignment) -> ReviewMode:
    submitted = review_drafts.my_review(caller, a.journey)
    draft = None if submitted is not None else review_drafts.my_draft(caller, a.journey)
    closed = review_drafts.window_closed(a.journey, a.panel) or ""
    if submitted is not None and a.journey.stage not in {Stage.PANEL_REVIEW, Stage.INTERVIEW}:
        closed = closed or "The panel's work on this claim is finished"
    return ReviewMode(submitted=submitted, draft=draft, closed=closed)


def review_values(mode: ReviewMode) -> dict[str, str]:
    """The form's fields as the member left them."""
    source = mode.submitted or mode.draft
    if source is None:
        return {}
    values: dict[str, str] = {}
    for j in source.judgements:
        if j.judgement is not None:
            values[field_id("judgement", j.element_id)] = j.judgement.value
        values[field_id("comment", j.element_id)] = j.comment
    if source.recommendation is not None:
        values["recommendation"] = source.recommendation.value
    return values


def read_draft(
    elements: list[FrameworkElement], values: dict[str, str]
) -> tuple[list[DraftJudgement], Recommendation | None, dict[str, str]]:
    """Whatever the member has filled in; only a comment that is too long is refused (nothing is lost:
    the page comes back with everything they typed)."""
    errors: dict[str, str] = {}
    drafted: list[DraftJudgement] = []
    allowed = {j.value for j in Judgement}
    for e in elements:
        choice = values.get(field_id("judgement", e.id), "")
        comment = values.get(field_id("comment", e.id), "").strip()
        if problem := too_long(comment, COMMENT_LIMIT, f"The comment on element {e.id}"):
            errors[field_id("comment", e.id)] = problem
        elif choice in allowed or comment:
            drafted.append(
                DraftJudgement(
                    element_id=e.id,
                    judgement=Judgement(choice) if choice in allowed else None,
                    comment=comment,
                )
            )
    raw = values.get("recommendation", "")
    recommendation = Recommendation(raw) if raw in {r.value for r in Recommendation} else None
    return drafted, recommendation, errors
