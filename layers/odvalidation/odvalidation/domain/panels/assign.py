"""The solver's entry points: one claim, a batch, a lead's override, a replacement, a renewal's
reviewer. Each checks its input, applies the rules, searches, and explains a shortfall."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from ..errors import InvalidInput
from ..models import MemberKind
from .models import (
    KINDS,
    MAX_PANEL,
    MIN_PANEL,
    Assignment,
    ClaimToAssign,
    ExclusionRule,
    NoValidPanel,
    PanelMember,
)
from .reasons import rule_phrase, shortfall, window_words
from .rules import (
    conflict_of_interest,
    exclusion,
    is_over_cap,
    is_unavailable,
    load_points,
    pair_counts,
    score_panel,
    wanted_areas,
)
from .search import Search, build_assignment, candidates


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
    blocked = shortfall(claim, size, verdicts, seats=size, need=set(MemberKind))
    if blocked is not None:
        return blocked
    eligible = [m for m, rule in verdicts if rule is None]
    pairs = pair_counts([*claim.previous_panels, *earlier_panels])
    cands = candidates(claim, eligible, extra_load)
    best = Search(cands, size, pairs).run((1 << len(wanted_areas(claim))) - 1)
    if best is None:  # pragma: no cover - shortfall has ruled this out
        raise AssertionError("a valid panel exists but the search found none")
    return build_assignment(claim, [cands[i].member for i in best], extra_load, pairs)


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
        f"{m.name} ({m.id}) {rule_phrase(rule, 1, claim)[2:]}"
        for m in panel
        if (rule := conflict_of_interest(m, claim)) is not None
    ]
    if refused:
        raise InvalidInput(
            "An override cannot waive a conflict of interest: " + "; ".join(refused) + ".", details=refused
        )
    waived = []
    if len(panel) != claim.panel_size:
        waived.append(f"panel of {len(panel)} instead of {claim.panel_size}")
    for kind in KINDS:
        if all(m.kind is not kind for m in panel):
            waived.append(f"no {kind} on the panel")
    for m in panel:
        if claim.exclude_same_academy and m.academy_id == claim.academy_id:
            waived.append(f"{m.name} ({m.id}) is from the practitioner's academy")
        if is_unavailable(m, claim):
            waived.append(f"{m.name} ({m.id}) is unavailable {window_words(claim)}")
        if is_over_cap(m, 0):
            waived.append(f"{m.name} ({m.id}) is over their cap of {m.cap} ({m.current_load} already)")
    return build_assignment(
        claim,
        panel,
        {},
        pair_counts(claim.previous_panels),
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
    blocked = shortfall(claim, len(current), verdicts, seats=1, need=need, replacing=True)
    if blocked is not None:
        return blocked
    pairs = pair_counts(claim.previous_panels)
    # Stored loads already count this claim for the staying members: score them as they stand.
    extra_load = {m.id: -1 for m in staying}
    options = [m for m, rule in verdicts if rule is None]
    best = min(options, key=lambda m: (score_panel([*staying, m], claim, extra_load, pairs).total, m.id))
    keep_chair = chair_id if chair_id is not None and chair_id != leaving and chair_id in on_panel else None
    return build_assignment(claim, [*staying, best], extra_load, pairs, chair_id=keep_chair)


def assign_reviewer(claim: ClaimToAssign, pool: Iterable[PanelMember]) -> Assignment | NoValidPanel:
    """A revalidation's single reviewer: the eligible expert (by the same hard rules) with the lowest
    load relative to their cap, then by id. An expert, because one person judges the renewal alone."""
    members = list(_index(pool).values())
    experts = sorted(
        (m for m in members if m.kind is MemberKind.EXPERT and exclusion(m, claim) is None),
        key=lambda m: (load_points(m, 0), m.id),
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
    return build_assignment(claim, [experts[0]], {}, {})
