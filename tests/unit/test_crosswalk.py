"""Crosswalks between framework versions (issue 18): the shipped data, the loader's checks, and the pure
rules that carry a claim in development across."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from odvalidation.domain.crosswalk import (
    MovedClaim,
    all_crosswalks,
    crosswalk,
    destinations,
    move_claim,
    parse_crosswalk,
)
from odvalidation.domain.errors import FrameworkError, InvalidInput, InvalidTransition, NotFound
from odvalidation.domain.frameworks import all_frameworks, framework
from odvalidation.domain.models import Claim, EvidenceItem, EvidenceStatus, Level

AT = datetime(2026, 12, 4, tzinfo=UTC)
OLD, NEW = "nw-cipd-combined@1.0", "global-practice@1.0"


def _claim(narratives: dict[str, str], **kw: Any) -> Claim:
    return Claim(
        journey_id="j1", number=1, level=Level.PRACTITIONER, narratives=narratives, updated_at=AT, **kw
    )


def _item(
    evidence_id: str, element_id: str, status: EvidenceStatus = EvidenceStatus.VERIFIED
) -> EvidenceItem:
    return EvidenceItem(
        id=evidence_id,
        journey_id="j1",
        claim_number=1,
        element_id=element_id,
        key=f"journeys/j1/claim-1/{element_id}/{evidence_id}",
        display_name=f"{evidence_id}.pdf",
        status=status,
        uploaded_at=AT,
    )


def _move(claim: Claim, evidence: list[EvidenceItem]) -> MovedClaim:
    return move_claim(crosswalk(OLD, NEW), framework(OLD), framework(NEW), claim, evidence, at=AT)


def test_the_shipped_crosswalk_maps_every_old_element_to_elements_that_exist() -> None:
    walk = all_crosswalks()[(OLD, NEW)]
    old_ids = [e.id for e in framework(OLD).elements]
    new_ids = {e.id for e in framework(NEW).elements}
    assert sorted(m.source for m in walk.mappings) == sorted(old_ids)
    assert all(set(m.targets) <= new_ids and m.note for m in walk.mappings)
    assert destinations(OLD) == [NEW]
    assert destinations(NEW) == []  # no way back is shipped


def test_a_missing_crosswalk_is_named_with_the_ones_that_exist() -> None:
    with pytest.raises(NotFound, match=r"can move to: global-practice@1\.0"):
        crosswalk(OLD, "nw-cipd-combined@9.9")


def _raw(**changes: object) -> str:
    walk = json.loads(json.dumps(all_crosswalks()[(OLD, NEW)].model_dump(by_alias=True)))
    walk.update(changes)
    return json.dumps(walk)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"to": "global-practice@7.0"}, "no framework 'global-practice@7.0'"),
        ({"mappings": [{"from": "9.9", "to": ["1.1"]}]}, "9.9 is not in nw-cipd-combined@1.0"),
        ({"mappings": [{"from": "1.1", "to": ["8.8"]}]}, "maps to 8.8, not in global-practice@1.0"),
        (
            {"mappings": [{"from": "1.1", "to": ["1.1"]}, {"from": "1.1", "to": ["1.2"]}]},
            "1.1 is mapped twice",
        ),
        ({"mappings": [{"from": "1.1", "to": []}]}, "mappings.0.to"),
        ({"mappings": [{"from": "1.1", "to": ["2.2"]}]}, "map to nothing"),
    ],
)
def test_the_loader_refuses_a_crosswalk_that_names_what_does_not_exist(
    change: dict[str, object], problem: str
) -> None:
    with pytest.raises(FrameworkError, match=problem):
        parse_crosswalk(_raw(**change), all_frameworks(), source="bad.json")


def test_one_to_many_copies_the_narrative_to_each_target_and_links_the_same_evidence() -> None:
    # Old 1.1 (reading the wider system) maps to new 2.2 and 3.1.
    moved = _move(_claim({"1.1": "I mapped the system."}), [_item("e1", "1.1")])
    assert moved.claim.narratives["3.1"] == "I mapped the system."
    assert moved.claim.narratives["2.2"] == "I mapped the system."
    # One file stays one item in the practitioner's library, supporting both new elements: no copy to
    # list twice (and to change or delete twice), nothing re-uploaded.
    [item] = moved.evidence
    assert (item.id, item.element_id, item.elements) == ("e1", "2.2", ["2.2", "3.1"])
    assert item.key == "journeys/j1/claim-1/1.1/e1"
    assert all(i.status is EvidenceStatus.VERIFIED for i in moved.evidence)


def test_many_to_one_joins_the_narratives_under_a_heading_per_old_element() -> None:
    # Old 4.1 and 4.2 both map to new 4.2 (building client capacity).
    moved = _move(_claim({"4.2": "Second.", "4.1": "First."}), [_item("a", "4.1"), _item("b", "4.2")])
    text = moved.claim.narratives["4.2"]
    assert text.index("From element 4.1, Growing others' capability") < text.index("First.")
    assert (
        text.index("First.")
        < text.index("From element 4.2, Developing system leadership")
        < text.index("Second.")
    )
    assert sorted(i.id for i in moved.evidence if i.element_id == "4.2") == ["a", "b"]
    row = next(r for r in moved.rows if r.element_id == "4.2")
    assert (row.sources, row.narratives, row.evidence) == (["4.1", "4.2"], 2, 2)


def test_one_narrative_into_a_shared_target_needs_no_heading() -> None:
    moved = _move(_claim({"4.1": "Only this.", "4.2": "  "}), [])
    assert moved.claim.narratives["4.2"] == "Only this."


def test_the_elements_left_uncovered_are_listed_with_what_each_lacks() -> None:
    moved = _move(_claim({"2.1": "Contracting."}), [_item("e1", "5.3")])
    uncovered = {r.element_id: r.missing for r in moved.uncovered}
    assert "2.1" not in {r.element_id for r in moved.rows if r.narratives == 0}
    assert uncovered["2.1"] == "evidence"
    assert uncovered["1.3"] == "a narrative"
    assert uncovered["4.1"] == "a narrative and evidence"
    # Practitioner level: the leader-only elements (3.1, 3.2) are not asked for, so not uncovered.
    assert not {"3.1", "3.2"} & set(uncovered)


def test_a_submitted_claim_is_never_moved() -> None:
    with pytest.raises(InvalidTransition, match="submitted claim is never moved"):
        _move(_claim({"1.1": "x"}, submitted_at=AT), [])


def test_evidence_still_being_checked_holds_the_move_back() -> None:
    with pytest.raises(InvalidTransition, match="still being checked"):
        _move(_claim({}), [_item("e1", "1.1", EvidenceStatus.PENDING)])


def test_a_merged_narrative_that_would_not_fit_is_refused_not_cut() -> None:
    with pytest.raises(InvalidInput, match=r"Element 4\.2 .* more than the 20,000"):
        _move(_claim({"4.1": "a" * 15_000, "4.2": "b" * 15_000}), [])


def test_a_revalidation_claim_keeps_its_chosen_elements_on_the_new_framework() -> None:
    moved = _move(_claim({}, revalidation=True, elements=["5.3", "1.1"]), [])
    assert moved.claim.elements == ["1.3", "2.2", "3.1"]


@pytest.mark.parametrize("uncovered", [[], ["2.1 Entry and contracting: needs a narrative and evidence"]])
def test_the_practitioner_is_told_the_claim_moved_and_what_is_uncovered(uncovered: list[str]) -> None:
    from odvalidation.email import render

    subject, text, html = render(
        "claim_moved",
        name="Rowan <Achterberg>",
        academy_name="North West",
        old_title="Combined framework, version 1.0",
        new_title="Global practice framework, version 1.0",
        uncovered=uncovered,
        link="https://example.test/v1/journeys/j1/claim",
    )
    assert subject == "Your claim has moved to a new framework"
    assert "from the Combined framework, version 1.0 to the Global practice framework, version 1.0" in text
    assert "https://example.test/v1/journeys/j1/claim" in text
    assert "Rowan &lt;Achterberg&gt;" in html  # the HTML part is escaped
    if uncovered:
        assert f"- {uncovered[0]}" in text
        assert f"<li>{uncovered[0]}</li>" in html
    else:
        assert "Every element your claim needs is covered" in text
