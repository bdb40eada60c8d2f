"""The exact search for the cheapest valid panel (branch and bound; see the package docstring), and
the Assignment made from the members it chooses."""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ..models import MemberKind
from .models import COVER_POINTS, REPEAT_PAIR_POINTS, Assignment, ClaimToAssign, PanelMember
from .rules import load_points, score_panel, wanted_areas

_INF = 1 << 60


@dataclass(slots=True)
class _Cand:
    member: PanelMember
    expert: bool
    load: int  # utilisation points after this claim
    mask: int  # the wanted areas this member holds, one bit per area


class Search:
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


def candidates(
    claim: ClaimToAssign, members: Iterable[PanelMember], extra_load: Mapping[str, int]
) -> list[_Cand]:
    bits = {t: 1 << k for k, t in enumerate(wanted_areas(claim))}
    cands = []
    for m in members:
        extra = extra_load.get(m.id, 0)
        mask = 0
        for t in m.expertise:
            mask |= bits.get(t, 0)
        cands.append(_Cand(m, m.kind is MemberKind.EXPERT, load_points(m, extra), mask))
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
            load_points(m, extra_load.get(m.id, 0)),
            m.id,
        ),
    ).id


def build_assignment(
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
        score=score_panel(members, claim, extra_load, pairs),
        override_reason=override_reason,
        waived=waived or [],
    )
