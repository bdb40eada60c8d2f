"""Fair assignment of review panels: who may sit on a claim's panel, and which valid panel is best.

Pure domain code: the caller loads the pool and the claim, and stores the result.

Hard rules. A member may sit on a claim's panel only if every one of these holds (checked in this
order; `NoValidPanel` counts members by the first rule that excludes them):

1. ``self``: the member is not the practitioner.
2. ``employer``: the member does not work for the practitioner's employer (compared ignoring case and
   spacing, so "Trust X" and "trust  x" are the same organisation).
3. ``line_chain``: the member is not in the practitioner's line-management chain, in either
   direction. Both sides carry ``line_managers``, the ids of the people up their own chain, so the
   member is excluded when ``member.id in claim.line_managers`` (the member manages the practitioner,
   directly or further up) or ``claim.practitioner_id in member.line_managers`` (the practitioner
   manages the member). Colleagues who merely share a manager are not in each other's chain; they are
   almost always excluded by the employer rule anyway.
4. ``declared_conflict``: the member has not declared a conflict with the practitioner
   (``claim.practitioner_id in member.declared_conflicts``).
5. ``same_academy``: only when ``claim.exclude_same_academy``: the member belongs to another academy.
6. ``unavailable``: the member is free for the whole review window, the days from
   ``claim.review_starts`` to ``claim.needed_by``, both inclusive (``review_starts`` defaults to
   ``needed_by``, in which case only that day counts). Any unavailable range that overlaps the window
   by even one day excludes the member: a reviewer away for part of the window may miss the deadline.
7. ``at_capacity``: taking the claim keeps the member within their cap:
   ``current_load + claims given to them earlier in the same batch + 1 <= cap``.

And the panel as a whole: exactly N members (``claim.panel_size``, 2 to 5), at least one expert and at
least one peer. So a valid panel exists exactly when at least one expert and one peer are eligible and
at least N members are eligible in all.

Objective. Among the valid panels the solver returns one of least cost, an integer (weighted sum):

    cost = sum over members of their utilisation after this claim, in whole percent
               round(100 * (current_load + batch_load + 1) / cap)
         + 100 x repeated pairs: for each pair of panel members, the number of earlier panels they sat
               on together (``claim.previous_panels`` plus the panels made earlier in the same batch)
         - 40 x the number of the claim's wanted expertise areas that at least one member covers.

So load is balanced relative to each member's cap (a member with a cap of 4 and nothing assigned costs
25, one at 2 of 3 costs 100); covering a wanted area is worth 40 points of someone's capacity; and
sitting again with the same colleague costs more than filling anybody's last slot, because the
independence of panels is what gives the validation its integrity. Among panels of equal cost the
first found wins; the search order depends only on the members' data and ids, never on the order of
the pool, so results are reproducible.

The search is exact (branch and bound): candidates are sorted by their stand-alone cost; a partial
panel is extended only while a lower bound on the best completion (the cheapest remaining members for
the kinds still needed, each credited with every uncovered wanted area it holds, repeated pairs taken
as none) is below the best panel found so far. The bounds only grow along the sorted list, so a failed
bound ends the whole loop at that depth, not just one branch.

Batches (``assign_batch``) are greedy over claims, exact per claim: claims are taken most constrained
first (fewest members of the scarcer kind eligible, then fewest eligible, then earliest ``needed_by``,
then journey id; see ``batch_order``), and each panel made raises its members' loads and joins the
repeated-pair history for the claims after it.

Overrides (``override_panel``): an academy lead may waive the rules about capacity, availability,
academy and the panel's size and mix of kinds, with a recorded reason. The conflict-of-interest rules
(self, employer, line-management chain, declared conflict) are never waived: a panel that breaks them
would undermine the certificate anyone relies on, and the remedy is to find another member.
"""

from __future__ import annotations

import itertools
from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Annotated, Self

from pydantic import Field, StringConstraints, model_validator

from .errors import InvalidInput
from .models import Id, MemberKind, Model, PanelSeat, ShortText

COVER_POINTS = 40
REPEAT_PAIR_POINTS = 100
MIN_PANEL, MAX_PANEL = 2, 5
_KINDS = (MemberKind.EXPERT, MemberKind.PEER)  # the order reasons name them in

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
    {ExclusionRule.SELF, ExclusionRule.EMPLOYER, ExclusionRule.LINE_CHAIN, ExclusionRule.DECLARED_CONFLICT}
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


# --- rules ----------------------------------------------------------------------------------------


def _org(name: str) -> str:
    return " ".join(name.split()).casefold()


def _conflict(member: PanelMember, claim: ClaimToAssign) -> ExclusionRule | None:
    if member.id == claim.practitioner_id:
        return ExclusionRule.SELF
    if _org(member.employer) == _org(claim.employer):
        return ExclusionRule.EMPLOYER
    if member.id in claim.line_managers or claim.practitioner_id in member.line_managers:
        return ExclusionRule.LINE_CHAIN
    if claim.practitioner_id in member.declared_conflicts:
        return ExclusionRule.DECLARED_CONFLICT
    return None


def _unavailable(member: PanelMember, claim: ClaimToAssign) -> bool:
    start, end = claim.window
    return any(r.overlaps(start, end) for r in member.unavailable)


def _full(member: PanelMember, extra: int) -> bool:
    return member.current_load + extra + 1 > member.cap


def exclusion(member: PanelMember, claim: ClaimToAssign, extra_load: int = 0) -> ExclusionRule | None:
    """The first hard rule that keeps `member` off `claim`'s panel, or None if they may sit on it."""
    rule = _conflict(member, claim)
    if rule is not None:
        return rule
    if claim.exclude_same_academy and member.academy_id == claim.academy_id:
        return ExclusionRule.SAME_ACADEMY
    if _unavailable(member, claim):
        return ExclusionRule.UNAVAILABLE
    if _full(member, extra_load):
        return ExclusionRule.AT_CAPACITY
    return None


def _load_points(member: PanelMember, extra: int) -> int:
    return round(100 * (member.current_load + extra + 1) / member.cap) if member.cap else 100


def _pair_counts(panels: Iterable[set[str]]) -> dict[frozenset[str], int]:
    counts: Counter[frozenset[str]] = Counter()
    for panel in panels:
        for a, b in itertools.combinations(sorted(panel), 2):
            counts[frozenset((a, b))] += 1
    return counts


def _score(
    members: Sequence[PanelMember],
    claim: ClaimToAssign,
    extra_load: Mapping[str, int],
    pairs: Mapping[frozenset[str], int],
) -> PanelScore:
    wanted = _wanted(claim)
    held = {t for m in members for t in m.expertise}
    covered = [t for t in wanted if t in held]
    load = sum(_load_points(m, extra_load.get(m.id, 0)) for m in members)
    repeats = sum(pairs.get(frozenset((a.id, b.id)), 0) for a, b in itertools.combinations(members, 2))
    return PanelScore(
        total=load + REPEAT_PAIR_POINTS * repeats - COVER_POINTS * len(covered),
        load_points=load,
        covered=covered,
        missing=[t for t in wanted if t not in held],
        repeated_pairs=repeats,
    )


def _wanted(claim: ClaimToAssign) -> list[str]:
    return list(dict.fromkeys(claim.expertise_wanted))  # unique, in the claim's order


def panel_score(
    claim: ClaimToAssign,
    members: Sequence[PanelMember],
    *,
    extra_load: Mapping[str, int] | None = None,
    earlier_panels: Iterable[set[str]] = (),
) -> PanelScore:
    """The objective for a given panel (loads as they stand before it is made)."""
    pairs = _pair_counts([*claim.previous_panels, *earlier_panels])
    return _score(members, claim, extra_load or {}, pairs)


# --- the exact search -----------------------------------------------------------------------------

_INF = 1 << 60


@dataclass(slots=True)
class _Cand:
    member: PanelMember
    expert: bool
    load: int  # utilisation points after this claim
    mask: int  # the wanted areas this member holds, one bit per area


class _Search:
    """Branch and bound over combinations of the eligible candidates (see the module docstring)."""

    def __init__(self, cands: list[_Cand], size: int, pairs: Mapping[frozenset[str], int]) -> None:
        self.c = cands
        self.n = len(cands)
        self.size = size
        index = {c.member.id: i for i, c in enumerate(cands)}
        self.rep: list[dict[int, int]] = [{} for _ in cands]
        for pair, count in pairs.items():
            a, b = tuple(pair)
            if a in index and b in index:
                self.rep[index[a]][index[b]] = count
                self.rep[index[b]][index[a]] = count
        self.experts_from = [0] * (self.n + 1)
        self.peers_from = [0] * (self.n + 1)
        self.union_from = [0] * (self.n + 1)
        for i in range(self.n - 1, -1, -1):
            self.experts_from[i] = self.experts_from[i + 1] + cands[i].expert
            self.peers_from[i] = self.peers_from[i + 1] + (not cands[i].expert)
            self.union_from[i] = self.union_from[i + 1] | cands[i].mask
        self.experts = [i for i, c in enumerate(cands) if c.expert]
        self.peers = [i for i, c in enumerate(cands) if not c.expert]
        self._bounds: dict[int, tuple[list[list[int]], list[int], list[int]]] = {}
        self.best_cost = _INF
        self.best: list[int] = []
        self.chosen: list[int] = []

    def bounds(self, uncovered: int) -> tuple[list[list[int]], list[int], list[int]]:
        """For members from index i on, each credited with the uncovered areas it holds: the sums of
        the k cheapest (k = 0..size), and the cheapest expert and peer. Computed once per mask."""
        got = self._bounds.get(uncovered)
        if got is not None:
            return got
        n, size = self.n, self.size
        sums = [[0] + [_INF] * size for _ in range(n + 1)]
        min_e = [_INF] * (n + 1)
        min_p = [_INF] * (n + 1)
        smallest: list[int] = []
        for i in range(n - 1, -1, -1):
            c = self.c[i]
            v = c.load - COVER_POINTS * (c.mask & uncovered).bit_count()
            insort(smallest, v)
            if len(smallest) > size:
                smallest.pop()
            row = sums[i]
            acc = 0
            for k, x in enumerate(smallest, 1):
                acc += x
                row[k] = acc
            min_e[i] = min(min_e[i + 1], v) if c.expert else min_e[i + 1]
            min_p[i] = min(min_p[i + 1], v) if not c.expert else min_p[i + 1]
        got = (sums, min_e, min_p)
        self._bounds[uncovered] = got
        return got

    def lower_bound(self, uncovered: int, i: int, r: int, need_e: bool, need_p: bool) -> int:
        """A lower bound on the cost added by any r more members taken from index i on."""
        sums, min_e, min_p = self.bounds(uncovered)
        k = r - need_e - need_p
        credited = sums[i][k] + (min_e[i] if need_e else 0) + (min_p[i] if need_p else 0)
        # The same, crediting each uncovered area once at most (better when many hold the same area).
        plain_sums, plain_e, plain_p = self.bounds(0)
        plain = plain_sums[i][k] + (plain_e[i] if need_e else 0) + (plain_p[i] if need_p else 0)
        plain -= COVER_POINTS * (uncovered & self.union_from[i]).bit_count()
        return max(credited, plain)

    def run(self, wanted_mask: int) -> list[int] | None:
        self._dfs(0, 0, 0, 0, 0, wanted_mask)
        return self.best or None

    def _dfs(self, start: int, cost: int, covered: int, n_e: int, n_p: int, wanted: int) -> None:
        r = self.size - len(self.chosen)
        if r == 0:
            if n_e and n_p and cost < self.best_cost:
                self.best_cost = cost
                self.best = list(self.chosen)
            return
        need_e, need_p = n_e == 0, n_p == 0
        if need_e + need_p > r:
            return
        uncovered = wanted & ~covered
        # With one seat left and one kind missing, only that kind can take it.
        if r == 1 and need_e:
            order: Iterable[int] = self.experts[bisect_left(self.experts, start) :]
        elif r == 1 and need_p:
            order = self.peers[bisect_left(self.peers, start) :]
        else:
            order = range(start, self.n - r + 1)
        for i in order:
            if (need_e and self.experts_from[i] == 0) or (need_p and self.peers_from[i] == 0):
                break
            if self.n - i < r:
                break
            if cost + self.lower_bound(uncovered, i, r, need_e, need_p) >= self.best_cost:
                break  # the bound only grows with i
            c = self.c[i]
            rep = self.rep[i]
            repeats = sum(rep.get(j, 0) for j in self.chosen) if rep else 0
            gained = (c.mask & uncovered).bit_count()
            self.chosen.append(i)
            self._dfs(
                i + 1,
                cost + c.load + REPEAT_PAIR_POINTS * repeats - COVER_POINTS * gained,
                covered | c.mask,
                n_e + c.expert,
                n_p + (not c.expert),
                wanted,
            )
            self.chosen.pop()


def _candidates(
    claim: ClaimToAssign, members: Iterable[PanelMember], extra_load: Mapping[str, int]
) -> list[_Cand]:
    bits = {t: 1 << k for k, t in enumerate(_wanted(claim))}
    cands = []
    for m in members:
        extra = extra_load.get(m.id, 0)
        mask = 0
        for t in m.expertise:
            mask |= bits.get(t, 0)
        cands.append(_Cand(m, m.kind is MemberKind.EXPERT, _load_points(m, extra), mask))
    cands.sort(key=lambda c: (c.load - COVER_POINTS * c.mask.bit_count(), c.member.id))
    return cands


def _chair(members: Sequence[PanelMember], claim: ClaimToAssign, extra_load: Mapping[str, int]) -> str:
    """Experts chair; among them the one matching most wanted areas, then the least loaded, then id."""
    wanted = set(claim.expertise_wanted)
    return min(
        members,
        key=lambda m: (
            m.kind is not MemberKind.EXPERT,
            -len(wanted & set(m.expertise)),
            _load_points(m, extra_load.get(m.id, 0)),
            m.id,
        ),
    ).id


def _assignment(
    claim: ClaimToAssign,
    members: Sequence[PanelMember],
    extra_load: Mapping[str, int],
    pairs: Mapping[frozenset[str], int],
    *,
    chair_id: str | None = None,
    override_reason: str | None = None,
    waived: list[str] | None = None,
) -> Assignment:
    chair = chair_id if chair_id is not None else _chair(members, claim, extra_load)
    ordered = [chair, *sorted(m.id for m in members if m.id != chair)]
    return Assignment(
        journey_id=claim.journey_id,
        member_ids=ordered,
        chair_id=chair,
        kinds={m.id: m.kind for m in members},
        score=_score(members, claim, extra_load, pairs),
        override_reason=override_reason,
        waived=waived or [],
    )


# --- reasons --------------------------------------------------------------------------------------


def _day(d: date, year: bool = True) -> str:
    return f"{d.day} {d:%B %Y}" if year else f"{d.day} {d:%B}"


def _span(start: date, end: date, joiner: str) -> str:
    """'2 February and 1 March 2026': the year once when both days share it."""
    return f"{_day(start, start.year != end.year)} {joiner} {_day(end)}"


def _rule_phrase(rule: ExclusionRule, n: int, claim: ClaimToAssign) -> str:
    one = n == 1
    start, end = claim.window
    when = f"on {_day(end)}" if start == end else f"between {_span(start, end, 'and')}"
    phrases = {
        ExclusionRule.SELF: "is the practitioner" if one else "are the practitioner",
        ExclusionRule.EMPLOYER: f"{'works' if one else 'work'} at {claim.employer}",
        ExclusionRule.LINE_CHAIN: f"{'is' if one else 'are'} in the practitioner's line-management chain",
        ExclusionRule.DECLARED_CONFLICT: "declared a conflict",
        ExclusionRule.SAME_ACADEMY: f"{'is' if one else 'are'} from the practitioner's academy",
        ExclusionRule.UNAVAILABLE: f"{'is' if one else 'are'} unavailable {when}",
        ExclusionRule.AT_CAPACITY: f"{'is' if one else 'are'} at capacity",
        ExclusionRule.ON_PANEL: f"{'is' if one else 'are'} already on this panel",
        ExclusionRule.LEAVING: f"{'is' if one else 'are'} leaving this panel",
    }
    return f"{n} {phrases[rule]}"


def _plural(kind: str, n: int) -> str:
    return kind if n == 1 else f"{kind}s"


def _breakdown(counts: Mapping[ExclusionRule, int], claim: ClaimToAssign) -> str:
    parts = [_rule_phrase(rule, counts[rule], claim) for rule in ExclusionRule if counts.get(rule)]
    if not parts:
        return ""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _no_panel(
    claim: ClaimToAssign,
    size: int,
    verdicts: Sequence[tuple[PanelMember, ExclusionRule | None]],
    *,
    seats: int,
    need: set[MemberKind],
    replacing: bool = False,
) -> NoValidPanel | None:
    """A NoValidPanel naming every shortfall, or None if the eligible members can fill `seats` seats
    including one of each kind in `need`."""
    eligible = dict.fromkeys(_KINDS, 0)
    excluded: dict[MemberKind, dict[ExclusionRule, int]] = {k: {} for k in _KINDS}
    total_in_pool = Counter(m.kind for m, _ in verdicts)
    for m, rule in verdicts:
        if rule is None:
            eligible[m.kind] += 1
        else:
            excluded[m.kind][rule] = excluded[m.kind].get(rule, 0) + 1
    sentences = []
    what = "replacement " if replacing else ""
    for kind in _KINDS:
        if kind in need and eligible[kind] == 0:
            if total_in_pool[kind] == 0:
                sentences.append(f"There are no {kind}s in the pool.")
            else:
                n = total_in_pool[kind]
                detail = _breakdown(excluded[kind], claim)
                sentences.append(
                    f"No {what}{kind} outside {claim.employer} with capacity is free "
                    f"{_window_words(claim)}: of {n} {_plural(kind, n)}, {detail}."
                )
    n_eligible = sum(eligible.values())
    # A replacement fills one seat: a missing kind already says all there is to say.
    if n_eligible < seats and not (replacing and sentences):
        everyone = Counter[ExclusionRule]()
        for kind in _KINDS:
            everyone.update(excluded[kind])
        if n_eligible == 0:
            head = f"No {what}member is eligible" + ("" if replacing else f" for a panel of {seats}")
        else:
            are = "is" if n_eligible == 1 else "are"
            e, p = eligible[MemberKind.EXPERT], eligible[MemberKind.PEER]
            head = (
                f"Only {n_eligible} {_plural('member', n_eligible)} {are} eligible for a panel of {seats} "
                f"({e} {_plural('expert', e)}, {p} {_plural('peer', p)})"
            )
        n = len(verdicts)
        detail = _breakdown(everyone, claim)
        sentences.append(f"{head}: of {n} {_plural('member', n)}, {detail}." if detail else f"{head}.")
    if not sentences:
        return None
    return NoValidPanel(
        journey_id=claim.journey_id,
        reason=" ".join(sentences),
        panel_size=size,
        eligible=eligible,
        excluded=excluded,
        at_capacity=sorted(m.id for m, rule in verdicts if rule is ExclusionRule.AT_CAPACITY),
    )


def _window_words(claim: ClaimToAssign) -> str:
    start, end = claim.window
    return f"on {_day(end)}" if start == end else f"from {_span(start, end, 'to')}"


# --- public API -----------------------------------------------------------------------------------


def _index(pool: Iterable[PanelMember]) -> dict[str, PanelMember]:
    members: dict[str, PanelMember] = {}
    for m in pool:
        if m.id in members:
            raise InvalidInput(f"Panel member '{m.id}' appears twice in the pool.")
        members[m.id] = m
    return members


def _size(claim: ClaimToAssign, size: int | None) -> int:
    n = claim.panel_size if size is None else size
    if not MIN_PANEL <= n <= MAX_PANEL:
        raise InvalidInput(f"A panel has {MIN_PANEL} to {MAX_PANEL} members, not {n}.")
    return n


def _assign(
    claim: ClaimToAssign,
    members: Mapping[str, PanelMember],
    size: int,
    extra_load: Mapping[str, int],
    earlier_panels: Sequence[set[str]],
) -> Assignment | NoValidPanel:
    verdicts = [(m, exclusion(m, claim, extra_load.get(m.id, 0))) for m in members.values()]
    blocked = _no_panel(claim, size, verdicts, seats=size, need=set(MemberKind))
    if blocked is not None:
        return blocked
    eligible = [m for m, rule in verdicts if rule is None]
    pairs = _pair_counts([*claim.previous_panels, *earlier_panels])
    cands = _candidates(claim, eligible, extra_load)
    best = _Search(cands, size, pairs).run((1 << len(_wanted(claim))) - 1)
    if best is None:  # pragma: no cover - _no_panel has ruled this out
        raise AssertionError("a valid panel exists but the search found none")
    return _assignment(claim, [cands[i].member for i in best], extra_load, pairs)


def assign_panel(
    claim: ClaimToAssign, pool: Iterable[PanelMember], *, size: int | None = None
) -> Assignment | NoValidPanel:
    """The best valid panel for one claim (size defaults to claim.panel_size), or why there is none."""
    return _assign(claim, _index(pool), _size(claim, size), {}, [])


def batch_order(claims: Sequence[ClaimToAssign], pool: Iterable[PanelMember]) -> list[str]:
    """The journey ids in the order assign_batch takes them: most constrained first."""
    members = list(_index(pool).values())

    def key(claim: ClaimToAssign) -> tuple[int, int, date, str]:
        eligible = Counter(m.kind for m in members if exclusion(m, claim) is None)
        return (
            min(eligible[MemberKind.EXPERT], eligible[MemberKind.PEER]),
            eligible.total(),
            claim.needed_by,
            claim.journey_id,
        )

    return [c.journey_id for c in sorted(claims, key=key)]


def assign_batch(
    claims: Sequence[ClaimToAssign], pool: Iterable[PanelMember]
) -> dict[str, Assignment | NoValidPanel]:
    """Panels for the claims of one window, greedily in batch_order, each panel exact given the ones
    before it (their loads count against caps; their pairs count as repeats). Keys follow `claims`."""
    members = _index(pool)
    by_id: dict[str, ClaimToAssign] = {}
    for claim in claims:
        if claim.journey_id in by_id:
            raise InvalidInput(f"Journey '{claim.journey_id}' appears twice in the batch.")
        by_id[claim.journey_id] = claim
    extra_load: Counter[str] = Counter()
    made: list[set[str]] = []
    results: dict[str, Assignment | NoValidPanel] = {}
    for journey_id in batch_order(claims, members.values()):
        claim = by_id[journey_id]
        result = _assign(claim, members, _size(claim, None), extra_load, made)
        if isinstance(result, Assignment):
            extra_load.update(result.member_ids)
            made.append(set(result.member_ids))
        results[journey_id] = result
    return {c.journey_id: results[c.journey_id] for c in claims}


def override_panel(
    claim: ClaimToAssign,
    pool: Iterable[PanelMember],
    member_ids: Sequence[str],
    reason: str,
    *,
    chair_id: str | None = None,
) -> Assignment:
    """The academy lead's chosen panel, with the reason recorded and every waived rule listed.

    Capacity, availability, academy and the panel's size (2 to 5) and mix of kinds may be waived;
    a conflict of interest (self, employer, line-management chain, declared conflict) may not, and
    raises InvalidInput naming the member and the rule."""
    members = _index(pool)
    why = reason.strip()
    if not why:
        raise InvalidInput("An override needs a reason; it is recorded with the panel.")
    if len(set(member_ids)) != len(member_ids):
        raise InvalidInput("The same member is named twice on the panel.")
    unknown = [m for m in member_ids if m not in members]
    if unknown:
        raise InvalidInput(f"Not in the pool: {', '.join(unknown)}.")
    if not MIN_PANEL <= len(member_ids) <= MAX_PANEL:
        raise InvalidInput(f"A panel has {MIN_PANEL} to {MAX_PANEL} members, not {len(member_ids)}.")
    if chair_id is not None and chair_id not in member_ids:
        raise InvalidInput(f"The chair '{chair_id}' is not on the panel.")
    panel = [members[m] for m in member_ids]
    refused = [
        f"{m.name} ({m.id}) {_rule_phrase(rule, 1, claim)[2:]}"
        for m in panel
        if (rule := _conflict(m, claim)) is not None
    ]
    if refused:
        raise InvalidInput(
            "An override cannot waive a conflict of interest: " + "; ".join(refused) + ".", details=refused
        )
    waived = []
    if len(panel) != claim.panel_size:
        waived.append(f"panel of {len(panel)} instead of {claim.panel_size}")
    for kind in _KINDS:
        if all(m.kind is not kind for m in panel):
            waived.append(f"no {kind} on the panel")
    for m in panel:
        if claim.exclude_same_academy and m.academy_id == claim.academy_id:
            waived.append(f"{m.name} ({m.id}) is from the practitioner's academy")
        if _unavailable(m, claim):
            waived.append(f"{m.name} ({m.id}) is unavailable {_window_words(claim)}")
        if _full(m, 0):
            waived.append(f"{m.name} ({m.id}) is over their cap of {m.cap} ({m.current_load} already)")
    return _assignment(
        claim,
        panel,
        {},
        _pair_counts(claim.previous_panels),
        chair_id=chair_id,
        override_reason=why,
        waived=waived,
    )


def replace_member(
    claim: ClaimToAssign,
    pool: Iterable[PanelMember],
    current: Sequence[str],
    leaving: str,
    *,
    chair_id: str | None = None,
) -> Assignment | NoValidPanel:
    """The panel with `leaving` replaced by the best eligible member, the others kept as they are.

    Loads are taken as stored: the staying members' loads already count this claim and are not
    re-checked. The replacement must meet every hard rule, keep an expert and a peer on the panel,
    and is the one giving the panel the least cost. The chair stays unless the chair is leaving."""
    members = _index(pool)
    if leaving not in current:
        raise InvalidInput(f"'{leaving}' is not on this panel.")
    unknown = [m for m in current if m not in members]
    if unknown:
        raise InvalidInput(f"Not in the pool: {', '.join(unknown)}.")
    staying = [members[m] for m in current if m != leaving]
    on_panel = set(current)
    need = {k for k in MemberKind if all(m.kind is not k for m in staying)}
    if len(need) > 1:
        raise InvalidInput("Only one seat is free, but the panel would lack both an expert and a peer.")
    verdicts: list[tuple[PanelMember, ExclusionRule | None]] = []
    for m in members.values():
        if need and m.kind not in need:
            continue  # only the missing kind can take the seat, so only it is counted in the reason
        if m.id == leaving:
            verdicts.append((m, ExclusionRule.LEAVING))
        elif m.id in on_panel:
            verdicts.append((m, ExclusionRule.ON_PANEL))
        else:
            verdicts.append((m, exclusion(m, claim)))
    blocked = _no_panel(claim, len(current), verdicts, seats=1, need=need, replacing=True)
    if blocked is not None:
        return blocked
    pairs = _pair_counts(claim.previous_panels)
    # Stored loads already count this claim for the staying members: score them as they stand.
    extra_load = {m.id: -1 for m in staying}
    options = [m for m, rule in verdicts if rule is None]
    best = min(options, key=lambda m: (_score([*staying, m], claim, extra_load, pairs).total, m.id))
    keep_chair = chair_id if chair_id is not None and chair_id != leaving and chair_id in on_panel else None
    return _assignment(claim, [*staying, best], extra_load, pairs, chair_id=keep_chair)


def assign_reviewer(claim: ClaimToAssign, pool: Iterable[PanelMember]) -> Assignment | NoValidPanel:
    """A revalidation's single reviewer: the eligible expert (by the same hard rules) with the lowest
    load relative to their cap, then by id. An expert, because one person judges the renewal alone."""
    members = list(_index(pool).values())
    experts = sorted(
        (m for m in members if m.kind is MemberKind.EXPERT and exclusion(m, claim) is None),
        key=lambda m: (_load_points(m, 0), m.id),
    )
    if not experts:
        found = _assign(claim, _index(members), MIN_PANEL, {}, [])
        reason = (
            found.reason
            if isinstance(found, NoValidPanel)
            else "No expert is eligible to review this renewal."
        )
        return NoValidPanel(
            journey_id=claim.journey_id,
            reason=reason,
            panel_size=1,
            eligible={MemberKind.EXPERT: 0, MemberKind.PEER: 0},
            excluded={},
            at_capacity=[m.id for m in members if exclusion(m, claim) is ExclusionRule.AT_CAPACITY],
        )
    return _assignment(claim, [experts[0]], {}, {})
