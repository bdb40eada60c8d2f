"""Explanations: why no valid panel exists, in words an academy lead can act on (who was excluded by
which rule, and what would help)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date

from ..models import MemberKind
from .models import KINDS, ClaimToAssign, ExclusionRule, NoValidPanel, PanelMember


def _day(d: date, year: bool = True) -> str:
    return f"{d.day} {d:%B %Y}" if year else f"{d.day} {d:%B}"


def _span(start: date, end: date, joiner: str) -> str:
    """'2 February and 1 March 2026': the year once when both days share it."""
    return f"{_day(start, start.year != end.year)} {joiner} {_day(end)}"


def rule_phrase(rule: ExclusionRule, n: int, claim: ClaimToAssign) -> str:
    one = n == 1
    start, end = claim.window
    when = f"on {_day(end)}" if start == end else f"between {_span(start, end, 'and')}"
    phrases = {
        ExclusionRule.SELF: "is the practitioner" if one else "are the practitioner",
        ExclusionRule.SUPPORTER: "is the practitioner's supporter",
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
    parts = [rule_phrase(rule, counts[rule], claim) for rule in ExclusionRule if counts.get(rule)]
    if not parts:
        return ""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def shortfall(
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
    eligible = dict.fromkeys(KINDS, 0)
    excluded: dict[MemberKind, dict[ExclusionRule, int]] = {k: {} for k in KINDS}
    total_in_pool = Counter(m.kind for m, _ in verdicts)
    for m, rule in verdicts:
        if rule is None:
            eligible[m.kind] += 1
        else:
            excluded[m.kind][rule] = excluded[m.kind].get(rule, 0) + 1
    sentences = []
    what = "replacement " if replacing else ""
    for kind in KINDS:
        if kind in need and eligible[kind] == 0:
            if total_in_pool[kind] == 0:
                sentences.append(f"There are no {kind}s in the pool.")
            else:
                n = total_in_pool[kind]
                detail = _breakdown(excluded[kind], claim)
                sentences.append(
                    f"No {what}{kind} outside {claim.employer} with capacity is free "
                    f"{window_words(claim)}: of {n} {_plural(kind, n)}, {detail}."
                )
    n_eligible = sum(eligible.values())
    # A replacement fills one seat: a missing kind already says all there is to say.
    if n_eligible < seats and not (replacing and sentences):
        everyone = Counter[ExclusionRule]()
        for kind in KINDS:
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


def window_words(claim: ClaimToAssign) -> str:
    start, end = claim.window
    return f"on {_day(end)}" if start == end else f"from {_span(start, end, 'to')}"
