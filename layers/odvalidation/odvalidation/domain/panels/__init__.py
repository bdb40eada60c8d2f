"""Fair assignment of review panels: who may sit on a claim's panel, and which valid panel is best.

Pure domain code: the caller loads the pool and the claim, and stores the result. In parts:
`models.py` (what goes in and out), `rules.py` (the hard rules and the objective), `search.py` (the
exact search), `reasons.py` (why no panel is valid, in words), `assign.py` (the entry points).

Hard rules. A member may sit on a claim's panel only if every one of these holds (checked in this
order; `NoValidPanel` counts members by the first rule that excludes them):

1. ``self``: the member is not the practitioner.
1a. ``supporter``: the member is not the practitioner's named supporter (``claim.supporter_id``), who
   helped write the claim (domain/nominations.py refuses naming a member already seated on it).
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

from typing import TYPE_CHECKING

from ..lazy import lazy_names

if TYPE_CHECKING:
    from .assign import (
        assign_batch,
        assign_panel,
        assign_reviewer,
        batch_order,
        override_panel,
        replace_member,
    )
    from .models import (
        CONFLICT_RULES,
        COVER_POINTS,
        MAX_PANEL,
        MIN_PANEL,
        REPEAT_PAIR_POINTS,
        Assignment,
        ClaimToAssign,
        DateRange,
        Email,
        ExclusionRule,
        MemberDetails,
        NoValidPanel,
        PanelMember,
        PanelScore,
        Tag,
    )
    from .rules import (
        exclusion,
        panel_score,
    )
else:
    # Each part loads when one of its names is first read (domain/lazy.py says why).
    __getattr__ = lazy_names(
        __name__,
        {
            "assign": (
                "assign_batch",
                "assign_panel",
                "assign_reviewer",
                "batch_order",
                "override_panel",
                "replace_member",
            ),
            "models": (
                "CONFLICT_RULES",
                "COVER_POINTS",
                "MAX_PANEL",
                "MIN_PANEL",
                "REPEAT_PAIR_POINTS",
                "Assignment",
                "ClaimToAssign",
                "DateRange",
                "Email",
                "ExclusionRule",
                "MemberDetails",
                "NoValidPanel",
                "PanelMember",
                "PanelScore",
                "Tag",
            ),
            "rules": (
                "exclusion",
                "panel_score",
            ),
        },
    )

__all__ = [
    "CONFLICT_RULES",
    "COVER_POINTS",
    "MAX_PANEL",
    "MIN_PANEL",
    "REPEAT_PAIR_POINTS",
    "Assignment",
    "ClaimToAssign",
    "DateRange",
    "Email",
    "ExclusionRule",
    "MemberDetails",
    "NoValidPanel",
    "PanelMember",
    "PanelScore",
    "Tag",
    "assign_batch",
    "assign_panel",
    "assign_reviewer",
    "batch_order",
    "exclusion",
    "override_panel",
    "panel_score",
    "replace_member",
]
