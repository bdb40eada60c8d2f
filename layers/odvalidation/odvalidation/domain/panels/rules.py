"""The hard rules (who may sit on a claim's panel) and the objective (what a panel costs)."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from .models import (
    COVER_POINTS,
    REPEAT_PAIR_POINTS,
    ClaimToAssign,
    ExclusionRule,
    PanelMember,
    PanelScore,
)


def _org(name: str) -> str:
    return " ".join(name.split()).casefold()


def conflict_of_interest(member: PanelMember, claim: ClaimToAssign) -> ExclusionRule | None:
    if member.id == claim.practitioner_id:
        return ExclusionRule.SELF
    if claim.supporter_id is not None and member.id == claim.supporter_id:
        return ExclusionRule.SUPPORTER
    if _org(member.employer) == _org(claim.employer):
        return ExclusionRule.EMPLOYER
    if member.id in claim.line_managers or claim.practitioner_id in member.line_managers:
        return ExclusionRule.LINE_CHAIN
    if claim.practitioner_id in member.declared_conflicts:
        return ExclusionRule.DECLARED_CONFLICT
    return None


def is_unavailable(member: PanelMember, claim: ClaimToAssign) -> bool:
    start, end = claim.window
    return any(r.overlaps(start, end) for r in member.unavailable)


def is_over_cap(member: PanelMember, extra: int) -> bool:
    return member.current_load + extra + 1 > member.cap


def exclusion(member: PanelMember, claim: ClaimToAssign, extra_load: int = 0) -> ExclusionRule | None:
    """The first hard rule that keeps `member` off `claim`'s panel, or None if they may sit on it."""
    rule = conflict_of_interest(member, claim)
    if rule is not None:
        return rule
    if claim.exclude_same_academy and member.academy_id == claim.academy_id:
        return ExclusionRule.SAME_ACADEMY
    if is_unavailable(member, claim):
        return ExclusionRule.UNAVAILABLE
    if is_over_cap(member, extra_load):
        return ExclusionRule.AT_CAPACITY
    return None


def load_points(member: PanelMember, extra: int) -> int:
    return round(100 * (member.current_load + extra + 1) / member.cap) if member.cap else 100


def pair_counts(panels: Iterable[set[str]]) -> dict[frozenset[str], int]:
    counts: Counter[frozenset[str]] = Counter()
    for panel in panels:
        for a, b in itertools.combinations(sorted(panel), 2):
            counts[frozenset((a, b))] += 1
    return counts


def score_panel(
    members: Sequence[PanelMember],
    claim: ClaimToAssign,
    extra_load: Mapping[str, int],
    pairs: Mapping[frozenset[str], int],
) -> PanelScore:
    wanted = wanted_areas(claim)
    held = {t for m in members for t in m.expertise}
    covered = [t for t in wanted if t in held]
    load = sum(load_points(m, extra_load.get(m.id, 0)) for m in members)
    repeats = sum(pairs.get(frozenset((a.id, b.id)), 0) for a, b in itertools.combinations(members, 2))
    return PanelScore(
        total=load + REPEAT_PAIR_POINTS * repeats - COVER_POINTS * len(covered),
        load_points=load,
        covered=covered,
        missing=[t for t in wanted if t not in held],
        repeated_pairs=repeats,
    )


def wanted_areas(claim: ClaimToAssign) -> list[str]:
    return list(dict.fromkeys(claim.expertise_wanted))  # unique, in the claim's order


def panel_score(
    claim: ClaimToAssign,
    members: Sequence[PanelMember],
    *,
    extra_load: Mapping[str, int] | None = None,
    earlier_panels: Iterable[set[str]] = (),
) -> PanelScore:
    """The objective for a given panel (loads as they stand before it is made)."""
    pairs = pair_counts([*claim.previous_panels, *earlier_panels])
    return score_panel(members, claim, extra_load or {}, pairs)
