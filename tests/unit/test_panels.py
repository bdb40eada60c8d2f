"""Panel assignment by example: the reasons an academy lead reads, the preferences the objective
expresses, the lead's override and the replacement of a member who declares a conflict."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date
from typing import Any

import pytest

from odvalidation.domain.errors import InvalidInput
from odvalidation.domain.models import MemberKind
from odvalidation.domain.panels import (
    Assignment,
    ClaimToAssign,
    DateRange,
    ExclusionRule,
    NoValidPanel,
    PanelMember,
    assign_batch,
    assign_panel,
    batch_order,
    override_panel,
    replace_member,
)
from tests.unit.test_panels_properties import allowed, valid

EXPERT, PEER = MemberKind.EXPERT, MemberKind.PEER


def member(member_id: str, kind: MemberKind, employer: str = "Trust Y", **fields: Any) -> PanelMember:
    return PanelMember(
        id=member_id,
        name=f"Name {member_id}",
        email=f"{member_id}@nhs.example",
        kind=kind,
        employer=employer,
        academy_id=fields.pop("academy_id", "london"),
        cap=fields.pop("cap", 3),
        **fields,
    )


def claim(**fields: Any) -> ClaimToAssign:
    values: dict[str, Any] = {
        "journey_id": "j1",
        "practitioner_id": "prac",
        "employer": "Trust X",
        "academy_id": "north-west",
        "needed_by": date(2026, 3, 1),
    }
    return ClaimToAssign(**(values | fields))


def assigned(result: Assignment | NoValidPanel) -> Assignment:
    assert isinstance(result, Assignment), getattr(result, "reason", "")
    return result


def blocked(result: Assignment | NoValidPanel) -> NoValidPanel:
    assert isinstance(result, NoValidPanel), f"unexpected panel {getattr(result, 'member_ids', '')}"
    return result


PEERS = [member("pa", PEER), member("pb", PEER), member("pc", PEER)]


# --- reasons --------------------------------------------------------------------------------------


def test_no_expert_reason_names_the_employer_the_date_and_each_cause() -> None:
    pool = [
        member("e1", EXPERT, "Trust X"),
        member("e2", EXPERT, " trust  x"),  # the same organisation, typed differently
        member("e3", EXPERT, cap=2, current_load=2),
        *PEERS,
    ]
    result = blocked(assign_panel(claim(), pool))
    assert result.reason == (
        "No expert outside Trust X with capacity is free on 1 March 2026: "
        "of 3 experts, 2 work at Trust X and 1 is at capacity."
    )
    assert result.eligible == {EXPERT: 0, PEER: 3}
    assert result.excluded[EXPERT] == {ExclusionRule.EMPLOYER: 2, ExclusionRule.AT_CAPACITY: 1}
    # The member whose cap the lead could raise, and raising it resolves the claim.
    assert result.at_capacity == ["e3"]
    pool[2] = pool[2].model_copy(update={"cap": 3})
    assert "e3" in assigned(assign_panel(claim(), pool)).member_ids


def test_too_few_members_reason_counts_every_rule_in_turn() -> None:
    pool = [
        member("e1", EXPERT),
        *(member(f"x{i}", PEER, "Trust X") for i in range(4)),
        member("c1", PEER, cap=1, current_load=1),
        member("c2", PEER, cap=2, current_load=2),
        member("d1", PEER, declared_conflicts={"prac"}),
        member("ok", PEER),
    ]
    assert blocked(assign_panel(claim(), pool)).reason == (
        "Only 2 members are eligible for a panel of 3 (1 expert, 1 peer): of 9 members, "
        "4 work at Trust X, 1 declared a conflict and 2 are at capacity."
    )


def test_reason_states_the_review_window_when_it_spans_days() -> None:
    away = DateRange(start=date(2026, 2, 20), end=date(2026, 2, 21))
    pool = [member("e1", EXPERT, unavailable=[away]), *PEERS]
    result = blocked(assign_panel(claim(review_starts=date(2026, 2, 2)), pool))
    assert result.reason == (
        "No expert outside Trust X with capacity is free from 2 February to 1 March 2026: "
        "of 1 expert, 1 is unavailable between 2 February and 1 March 2026."
    )


def test_an_empty_pool_says_so() -> None:
    assert blocked(assign_panel(claim(), [])).reason == (
        "There are no experts in the pool. There are no peers in the pool. No member is eligible for a panel of 3."
    )


# --- the hard rules at their edges ----------------------------------------------------------------


def test_line_management_chain_excludes_in_both_directions() -> None:
    manages_practitioner = member("boss", EXPERT)
    managed_by_practitioner = member("report", EXPERT, line_managers=["prac", "someone"])
    shares_a_manager = member("sibling", EXPERT, line_managers=["boss"])
    pool = [manages_practitioner, managed_by_practitioner, shares_a_manager, *PEERS]
    result = assigned(assign_panel(claim(line_managers=["direct", "boss"]), pool))
    assert "sibling" in result.member_ids
    assert not {"boss", "report"} & set(result.member_ids)


def test_same_academy_is_excluded_only_when_the_claim_asks() -> None:
    pool = [member("e1", EXPERT, academy_id="north-west"), *PEERS]
    assert "e1" in assigned(assign_panel(claim(), pool)).member_ids
    result = blocked(assign_panel(claim(exclude_same_academy=True), pool))
    assert result.excluded[EXPERT] == {ExclusionRule.SAME_ACADEMY: 1}
    assert "1 is from the practitioner's academy" in result.reason


@pytest.mark.parametrize(
    ("start", "end", "free"),
    [
        (date(2026, 1, 20), date(2026, 2, 1), True),  # ends the day before the window opens
        (date(2026, 2, 1), date(2026, 2, 2), False),  # ends on the day it opens
        (date(2026, 3, 1), date(2026, 3, 9), False),  # starts on needed_by
        (date(2026, 3, 2), date(2026, 3, 9), True),  # starts the day after
    ],
)
def test_unavailability_excludes_only_when_it_touches_the_review_window(
    start: date, end: date, free: bool
) -> None:
    pool = [member("e1", EXPERT, unavailable=[DateRange(start=start, end=end)]), *PEERS]
    result = assign_panel(claim(review_starts=date(2026, 2, 2)), pool)
    assert isinstance(result, Assignment) is free


def test_without_review_starts_only_needed_by_itself_counts() -> None:
    away = DateRange(start=date(2026, 2, 10), end=date(2026, 2, 20))
    pool = [member("e1", EXPERT, unavailable=[away]), *PEERS]
    assert "e1" in assigned(assign_panel(claim(), pool)).member_ids


def test_cap_zero_means_never_and_a_full_member_is_not_used() -> None:
    pool = [member("e0", EXPERT, cap=0), member("e1", EXPERT, cap=2, current_load=2), *PEERS]
    assert blocked(assign_panel(claim(), pool)).at_capacity == ["e0", "e1"]


# --- the objective --------------------------------------------------------------------------------


def test_load_is_balanced_relative_to_each_members_cap() -> None:
    nearly_full = member("small", EXPERT, cap=2, current_load=1)  # 2 of 2 after this claim: 100
    roomy = member("large", EXPERT, cap=5, current_load=2)  # 3 of 5 after this claim: 60
    result = assigned(assign_panel(claim(panel_size=2), [nearly_full, roomy, *PEERS]))
    assert "large" in result.member_ids
    assert "small" not in result.member_ids


def test_wanted_expertise_is_covered_when_loads_are_equal() -> None:
    pool = [
        member("e1", EXPERT),
        member("e2", EXPERT, expertise=["System-Change"]),  # tags compare lower-cased
        member("pa", PEER, expertise=["coaching"]),
        member("pb", PEER),
    ]
    result = assigned(assign_panel(claim(panel_size=2, expertise_wanted=["system-change", "coaching"]), pool))
    assert sorted(result.member_ids) == ["e2", "pa"]
    assert result.score.covered == ["system-change", "coaching"]
    assert result.score.missing == []
    assert result.score.total == 33 + 33 - 2 * 40


def test_a_pair_that_sat_together_before_is_split_up() -> None:
    pool = [member("e1", EXPERT), member("pa", PEER), member("pb", PEER), member("pc", PEER, current_load=1)]
    # Without history the two least loaded peers join the expert.
    assert sorted(assigned(assign_panel(claim(), pool)).member_ids) == ["e1", "pa", "pb"]
    result = assigned(assign_panel(claim(previous_panels=[{"pa", "pb", "zz"}]), pool))
    assert result.score.repeated_pairs == 0
    assert {"pa", "pb"} - set(result.member_ids)


def test_the_chair_is_the_expert_matching_most_wanted_areas() -> None:
    pool = [
        member("e1", EXPERT),
        member("e2", EXPERT, expertise=["culture"]),
        member("pa", PEER, expertise=["culture", "data"]),
    ]
    result = assigned(assign_panel(claim(expertise_wanted=["culture", "data"]), pool))
    assert result.chair_id == "e2"
    assert result.member_ids[0] == "e2"
    seats = {s.member_id: (s.kind, s.chair) for s in result.seats()}
    assert seats == {"e2": (EXPERT, True), "e1": (EXPERT, False), "pa": (PEER, False)}


# --- batches --------------------------------------------------------------------------------------


def test_the_most_constrained_claim_goes_first_so_both_get_a_panel() -> None:
    pool = [
        member("scarce", EXPERT, "Trust Z", cap=1, expertise=["culture"]),
        member("other", EXPERT, "Trust X", cap=1),
        *(member(f"p{i}", PEER, "Trust Q", cap=2) for i in range(4)),
    ]
    # Taken first, the flexible claim would take "scarce" for its expertise and leave the other none.
    flexible = claim(journey_id="a-flexible", employer="Trust Y", panel_size=2, expertise_wanted=["culture"])
    constrained = claim(journey_id="b-constrained", employer="Trust X", panel_size=2)
    assert batch_order([flexible, constrained], pool) == ["b-constrained", "a-flexible"]
    results = assign_batch([flexible, constrained], pool)
    assert list(results) == ["a-flexible", "b-constrained"]  # keys follow the input
    assert "scarce" in assigned(results["b-constrained"]).member_ids
    assert "other" in assigned(results["a-flexible"]).member_ids


def test_a_batch_reports_the_claims_it_could_not_serve_with_earlier_claims_counted() -> None:
    pool = [member("e1", EXPERT, cap=1), member("pa", PEER, cap=2), member("pb", PEER, cap=2)]
    results = assign_batch([claim(journey_id="j1", panel_size=2), claim(journey_id="j2", panel_size=2)], pool)
    served = [r for r in results.values() if isinstance(r, Assignment)]
    assert len(served) == 1
    (waiting,) = (r for r in results.values() if isinstance(r, NoValidPanel))
    assert waiting.at_capacity == ["e1"]
    assert "1 is at capacity" in waiting.reason


def test_a_full_window_of_one_hundred_claims_on_two_hundred_members_is_valid() -> None:
    rng = random.Random(2026)
    tags = ["coaching", "culture", "system-change", "data", "equity", "research"]
    trusts = [f"Trust {i}" for i in range(15)]
    pool = [
        member(
            f"m{i:03d}",
            rng.choice([EXPERT, PEER, PEER]),
            rng.choice(trusts),
            academy_id=rng.choice(["north-west", "london", "kss", "south-west"]),
            cap=(cap := rng.randint(1, 4)),
            current_load=rng.randint(0, cap - 1),
            expertise=rng.sample(tags, rng.randint(0, 3)),
            declared_conflicts={f"prac{rng.randint(0, 99)}"},
        )
        for i in range(200)
    ]
    claims = [
        claim(
            journey_id=f"j{k:03d}",
            practitioner_id=f"prac{k}",
            employer=rng.choice(trusts),
            academy_id=rng.choice(["north-west", "london"]),
            line_managers=[f"m{rng.randint(0, 199):03d}"],
            expertise_wanted=rng.sample(tags, rng.randint(0, 3)),
            exclude_same_academy=rng.random() < 0.3,
            panel_size=rng.choice([3, 3, 3, 4, 5]),
        )
        for k in range(100)
    ]
    results = assign_batch(claims, pool)
    by_id = {m.id: m for m in pool}
    loads = {m.id: m.current_load for m in pool}
    panels = [r for r in results.values() if isinstance(r, Assignment)]
    assert len(panels) > 80  # the pool has room for most of the window
    for c in claims:
        result = results[c.journey_id]
        if isinstance(result, Assignment):
            assert valid([by_id[i] for i in result.member_ids], c, loads, c.panel_size)
    seats = Counter(i for r in panels for i in r.member_ids)
    assert all(loads[i] + n <= by_id[i].cap for i, n in seats.items())


# --- the lead's override --------------------------------------------------------------------------


def test_an_override_may_break_capacity_and_size_with_the_reason_recorded() -> None:
    pool = [member("e3", EXPERT, cap=2, current_load=2), *PEERS]
    result = override_panel(claim(), pool, ["pa", "e3"], "  Only expert free; lead agreed an extra claim ")
    assert result.override_reason == "Only expert free; lead agreed an extra claim"
    assert result.waived == ["panel of 2 instead of 3", "Name e3 (e3) is over their cap of 2 (2 already)"]
    assert result.chair_id == "e3"


def test_an_override_lists_a_missing_kind_and_unavailability() -> None:
    away = DateRange(start=date(2026, 3, 1), end=date(2026, 3, 1))
    pool = [member("pa", PEER, unavailable=[away]), member("pb", PEER), member("pc", PEER)]
    result = override_panel(claim(), pool, ["pa", "pb", "pc"], "No expert this window", chair_id="pb")
    assert result.waived == ["no expert on the panel", "Name pa (pa) is unavailable on 1 March 2026"]
    assert result.chair_id == "pb"


@pytest.mark.parametrize(
    ("conflicted", "says"),
    [
        (member("e1", EXPERT, "trust x"), "Name e1 (e1) works at Trust X"),
        (member("e1", EXPERT), "Name e1 (e1) is in the practitioner's line-management chain"),
        (member("e1", EXPERT, declared_conflicts={"prac"}), "Name e1 (e1) declared a conflict"),
        (member("e1", EXPERT), "Name e1 (e1) is the practitioner's supporter"),
    ],
)
def test_an_override_never_waives_a_conflict_of_interest(conflicted: PanelMember, says: str) -> None:
    with pytest.raises(InvalidInput, match="cannot waive a conflict of interest") as raised:
        override_panel(
            claim(
                line_managers=["e1"] if "chain" in says else [],
                supporter_id="e1" if "supporter" in says else None,
            ),
            [conflicted, *PEERS],
            ["e1", "pa"],
            "x",
        )
    assert raised.value.details == [says]


@pytest.mark.parametrize(
    ("ids", "reason", "says"),
    [
        (["e1", "pa"], "   ", "needs a reason"),
        (["e1", "e1"], "r", "named twice"),
        (["e1", "nobody"], "r", "Not in the pool: nobody"),
        (["e1"], "r", "2 to 5 members"),
    ],
)
def test_an_override_refuses_a_malformed_request(ids: list[str], reason: str, says: str) -> None:
    with pytest.raises(InvalidInput, match=says):
        override_panel(claim(), [member("e1", EXPERT), *PEERS], ids, reason)


# --- replacing a member who declares a conflict ---------------------------------------------------


def test_a_leaving_expert_is_replaced_by_the_best_eligible_expert_and_the_others_stay() -> None:
    pool = [
        member("e1", EXPERT, current_load=1),
        member("e2", EXPERT, "Trust X"),
        member("e3", EXPERT, current_load=2),
        member("e4", EXPERT, current_load=1, cap=4),
        member("pa", PEER, current_load=1),
        member("pb", PEER, current_load=1),
        member("pc", PEER),
    ]
    result = assigned(replace_member(claim(), pool, ["e1", "pa", "pb"], "e1", chair_id="e1"))
    assert sorted(result.member_ids) == ["e4", "pa", "pb"]  # e2: employer; e3: nearer its cap
    assert result.chair_id == "e4"  # the chair left, so the remaining expert chairs


def test_the_chair_stays_when_someone_else_leaves() -> None:
    pool = [member("e1", EXPERT), member("e2", EXPERT), member("pa", PEER), member("pb", PEER)]
    result = assigned(replace_member(claim(), pool, ["e1", "e2", "pa"], "pa", chair_id="e2"))
    assert result.chair_id == "e2"
    assert sorted(result.member_ids) == ["e1", "e2", "pb"]


def test_no_replacement_says_why() -> None:
    pool = [member("e1", EXPERT), member("e2", EXPERT, "Trust X"), *PEERS]
    result = blocked(replace_member(claim(), pool, ["e1", "pa", "pb"], "e1"))
    assert result.reason == (
        "No replacement expert outside Trust X with capacity is free on 1 March 2026: "
        "of 2 experts, 1 works at Trust X and 1 is leaving this panel."
    )


def test_replacing_someone_not_on_the_panel_is_refused() -> None:
    with pytest.raises(InvalidInput, match="not on this panel"):
        replace_member(claim(), [member("e1", EXPERT), *PEERS], ["e1", "pa", "pb"], "pc")


# --- input checks ---------------------------------------------------------------------------------


def test_duplicate_members_or_journeys_and_bad_sizes_are_refused() -> None:
    with pytest.raises(InvalidInput, match="appears twice in the pool"):
        assign_panel(claim(), [member("e1", EXPERT), member("e1", PEER)])
    with pytest.raises(InvalidInput, match="appears twice in the batch"):
        assign_batch([claim(), claim()], PEERS)
    with pytest.raises(InvalidInput, match="2 to 5 members, not 6"):
        assign_panel(claim(), PEERS, size=6)


def test_the_oracle_agrees_with_the_solver_on_who_is_eligible() -> None:
    # Guards the property tests' oracle itself against drifting from the rules the examples pin down.
    c = claim(line_managers=["boss"], exclude_same_academy=True)
    assert not allowed(member("boss", EXPERT), c, 0)
    assert not allowed(member("x", EXPERT, "TRUST X"), c, 0)
    assert not allowed(member("n", EXPERT, academy_id="north-west"), c, 0)
    assert allowed(member("ok", EXPERT), c, 2)
    assert not allowed(member("ok", EXPERT), c, 3)


def test_the_practitioners_supporter_is_never_seated_on_their_panel() -> None:
    # The supporter is the only expert free of other conflicts: no valid panel, and the reason says why.
    pool = [member("e1", EXPERT), member("e2", EXPERT, "trust x"), *PEERS]
    seated = assigned(assign_panel(claim(), pool))
    assert "e1" in seated.member_ids
    refused = assign_panel(claim(supporter_id="e1"), pool)
    assert isinstance(refused, NoValidPanel)
    assert refused.excluded[EXPERT] == {ExclusionRule.SUPPORTER: 1, ExclusionRule.EMPLOYER: 1}
    assert "is the practitioner's supporter" in refused.reason
