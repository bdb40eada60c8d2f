"""What panel assignment reads (the pool's members, the claim) and returns (a panel, or why there is
none), and the weights of its objective (see the package docstring)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Self

from pydantic import Field, StringConstraints, model_validator

from ..models import Id, MemberKind, Model, PanelSeat, ShortText

COVER_POINTS = 40
REPEAT_PAIR_POINTS = 100
MIN_PANEL, MAX_PANEL = 2, 5
KINDS = (MemberKind.EXPERT, MemberKind.PEER)  # the order reasons name them in

Tag = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=60)]
Email = Annotated[str, StringConstraints(max_length=254, pattern=r"^[^@\s\r\n]+@[^@\s\r\n]+\.[^@\s\r\n]+$")]


class DateRange(Model):
    """Days a member cannot review, both ends inclusive."""

    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end < self.start:
            raise ValueError("an unavailable range must end on or after the day it starts")
        return self

    def overlaps(self, start: date, end: date) -> bool:
        return self.start <= end and start <= self.end


class MemberDetails(Model):
    """What a lead may set about a pool member. Everything else about a member (their load, their
    declared conflicts) is the service's to keep, and no client may write it."""

    id: Id
    name: ShortText
    email: Email
    kind: MemberKind
    employer: ShortText
    academy_id: Id
    # Ids of the people up this member's own line-management chain, nearest first.
    line_managers: list[Id] = Field(default_factory=list)
    expertise: list[Tag] = Field(default_factory=list)
    cap: int = Field(ge=0, le=100)  # the most claims they hold at once
    unavailable: list[DateRange] = Field(default_factory=list)


class PanelMember(MemberDetails):
    """A member of an academy's (or the national) pool, with what assignment needs to know."""

    current_load: int = Field(default=0, ge=0)  # claims theirs now: from seating to outcome or withdrawal
    declared_conflicts: set[Id] = Field(default_factory=set)  # practitioner ids


class ClaimToAssign(Model):
    """A submitted claim waiting for a panel."""

    journey_id: Id
    practitioner_id: Id
    employer: ShortText
    academy_id: Id
    # Ids of the people up the practitioner's line-management chain, nearest first.
    line_managers: list[Id] = Field(default_factory=list)
    # The practitioner's named supporter: they helped write the claim, so they may not judge it.
    supporter_id: Id | None = None
    expertise_wanted: list[Tag] = Field(default_factory=list, max_length=20)
    exclude_same_academy: bool = False
    panel_size: int = Field(default=3, ge=MIN_PANEL, le=MAX_PANEL)
    # The review window: members must be free on every day from review_starts to needed_by.
    needed_by: date
    review_starts: date | None = None
    # Earlier panels (member ids) whose pairs should not sit together again.
    previous_panels: list[set[Id]] = Field(default_factory=list)

    @model_validator(mode="after")
    def _window(self) -> Self:
        if self.review_starts is not None and self.review_starts > self.needed_by:
            raise ValueError("the review window must start on or before needed_by")
        return self

    @property
    def window(self) -> tuple[date, date]:
        return (self.review_starts or self.needed_by, self.needed_by)


class ExclusionRule(StrEnum):
    """Why a member cannot sit on a panel, in the order the rules are checked."""

    SELF = "self"
    SUPPORTER = "supporter"
    EMPLOYER = "employer"
    LINE_CHAIN = "line_chain"
    DECLARED_CONFLICT = "declared_conflict"
    SAME_ACADEMY = "same_academy"
    UNAVAILABLE = "unavailable"
    AT_CAPACITY = "at_capacity"
    ON_PANEL = "on_panel"  # replacement only: already sits on this panel
    LEAVING = "leaving"  # replacement only: the member being replaced


# Conflicts of interest: never waived, not even by an override.
CONFLICT_RULES = frozenset(
    {
        ExclusionRule.SELF,
        ExclusionRule.SUPPORTER,
        ExclusionRule.EMPLOYER,
        ExclusionRule.LINE_CHAIN,
        ExclusionRule.DECLARED_CONFLICT,
    }
)


class PanelScore(Model):
    """The objective's parts for one panel (see the module docstring); lower total is better."""

    total: int
    load_points: int  # sum of members' utilisation after this claim, whole percent each
    covered: list[str]  # the claim's wanted areas at least one member holds
    missing: list[str]  # the claim's wanted areas nobody on the panel holds
    repeated_pairs: int  # pairs that sat together before, counted once per earlier panel


class Assignment(Model):
    journey_id: Id
    member_ids: list[Id]  # the chair first, then by id
    chair_id: Id
    kinds: dict[str, MemberKind]
    score: PanelScore
    override_reason: str | None = None
    waived: list[str] = Field(default_factory=list)  # the rules an override broke, in words

    def seats(self) -> list[PanelSeat]:
        """The panel's seats as the Panel record stores them."""
        return [PanelSeat(member_id=m, kind=self.kinds[m], chair=m == self.chair_id) for m in self.member_ids]


class NoValidPanel(Model):
    """No panel satisfies the hard rules. The journey waits while the academy lead resolves it."""

    journey_id: Id
    reason: str  # written for the academy lead
    panel_size: int
    eligible: dict[MemberKind, int]
    # Per kind: how many members each rule excluded (first rule that applies).
    excluded: dict[MemberKind, dict[ExclusionRule, int]]
    at_capacity: list[Id]  # members whose cap, if raised, could help
