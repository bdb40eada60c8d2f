"""Issue 16.6, the evidence library's rules (domain/library.py): a file uploaded once supports any
number of elements; links only to the claim's own elements at its level, never after submission; items
stored before the library read as linked to their one element; completeness counts a linked file on
every element it supports."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from odvalidation.dal.store import from_item, to_item
from odvalidation.domain import library
from odvalidation.domain.claims import completeness
from odvalidation.domain.errors import InvalidInput, InvalidTransition
from odvalidation.domain.frameworks import framework
from odvalidation.domain.models import Claim, EvidenceItem, EvidenceStatus, Level, Stage

AT = datetime(2026, 3, 1, tzinfo=UTC)
FW = framework("global-practice@1.0")
LEADER_ONLY = [e.id for e in FW.elements if Level.PRACTITIONER not in e.levels]


def _claim(level: Level | None = Level.PRACTITIONER, **kw: Any) -> Claim:
    return Claim(journey_id="j1", number=1, level=level, updated_at=AT, **kw)


def _item(
    element_id: str = "1.1", status: EvidenceStatus = EvidenceStatus.VERIFIED, **kw: Any
) -> EvidenceItem:
    return EvidenceItem(
        id="e1",
        journey_id="j1",
        claim_number=1,
        element_id=element_id,
        key=f"journeys/j1/claim-1/{element_id}/e1",
        display_name="Stakeholder map.pdf",
        status=status,
        uploaded_at=AT,
        **kw,
    )


def test_an_item_stored_before_the_library_supports_its_one_element() -> None:
    stored = to_item(_item("1.2"), {"PK": "JOURNEY#j1", "SK": "EVIDENCE#1#e1"})
    del stored["element_ids"]  # as written before the library existed
    item = from_item(EvidenceItem, stored)
    assert item.elements == ["1.2"]
    assert item.label == "Stakeholder map.pdf"


def test_an_unlinked_item_stays_unlinked_when_read_back() -> None:
    unlinked = _item().model_copy(update={"element_ids": []})
    back = from_item(EvidenceItem, to_item(unlinked, {"PK": "JOURNEY#j1", "SK": "EVIDENCE#1#e1"}))
    assert back.elements == []


def test_one_file_linked_to_every_element_completes_the_claim() -> None:
    elements = [e.id for e in FW.elements_for(Level.PRACTITIONER)]
    claim = _claim(narratives=dict.fromkeys(elements, "How I work."))
    item = library.relinked(_item(), elements, FW, claim)
    assert item.elements == elements
    result = completeness(FW, claim, [item])
    assert result.complete
    assert result.evidenced == len(elements)
    assert library.without_evidence(FW, claim, [item]) == []
    assert set(library.by_element([item])) == set(elements)


def test_links_are_kept_in_the_frameworks_order_without_repeats() -> None:
    item = library.relinked(_item(), ["2.1", "1.1", "2.1"], FW, _claim())
    assert item.elements == ["1.1", "2.1"]


def test_an_element_of_another_framework_is_refused() -> None:
    with pytest.raises(InvalidInput, match=r"9\.9 is not part of the"):
        library.relinked(_item(), ["1.1", "9.9"], FW, _claim())


def test_an_element_not_expected_at_the_level_claimed_is_refused() -> None:
    assert LEADER_ONLY
    with pytest.raises(InvalidInput, match=f"Element {LEADER_ONLY[0]} is not one your claim"):
        library.relinked(_item(), [LEADER_ONLY[0]], FW, _claim(Level.PRACTITIONER))
    # At leader level it is expected, and before a level is chosen every element may be linked.
    assert library.relinked(_item(), [LEADER_ONLY[0]], FW, _claim(Level.LEADER)).elements == [LEADER_ONLY[0]]
    assert library.relinked(_item(), [LEADER_ONLY[0]], FW, _claim(None)).elements == [LEADER_ONLY[0]]


def test_a_link_made_before_the_level_changed_may_stay_or_go() -> None:
    linked = _item().model_copy(update={"element_ids": ["1.1", LEADER_ONLY[0]]})
    claim = _claim(Level.PRACTITIONER)
    assert library.relinked(linked, ["1.1", LEADER_ONLY[0]], FW, claim).elements == ["1.1", LEADER_ONLY[0]]
    assert library.relinked(linked, ["1.1"], FW, claim).elements == ["1.1"]


def test_a_file_that_was_not_accepted_supports_nothing_new() -> None:
    refused = _item(status=EvidenceStatus.QUARANTINED)
    with pytest.raises(InvalidInput, match="was not accepted"):
        library.relinked(refused, ["1.1", "1.2"], FW, _claim())
    assert library.relinked(refused, [], FW, _claim()).elements == []


@pytest.mark.parametrize("stage", [Stage.SUBMITTED, Stage.PANEL_REVIEW, Stage.VALIDATED])
def test_links_never_change_after_submission(stage: Stage) -> None:
    with pytest.raises(InvalidTransition, match="submitted claim"):
        library.check_open(stage, _claim())
    with pytest.raises(InvalidTransition):
        library.check_open(Stage.CLAIM_DEVELOPMENT, _claim(submitted_at=AT))
    library.check_open(Stage.CLAIM_DEVELOPMENT, _claim())


def test_an_elements_ticks_link_and_unlink_only_what_changes() -> None:
    a = _item("1.1").model_copy(update={"id": "a"})
    b = _item("1.2").model_copy(update={"id": "b", "element_ids": ["1.2", "2.1"]})
    c = _item("1.3").model_copy(update={"id": "c"})
    changed = {i.id: i.elements for i in library.with_element([a, b, c], "2.1", {"a"})}
    assert changed == {"a": ["1.1", "2.1"], "b": ["1.2"]}  # c unchanged, so not written
    with pytest.raises(InvalidInput, match="no longer in your evidence library"):
        library.with_element([a], "2.1", {"gone"})


def test_a_pending_link_counts_as_being_checked_on_each_element() -> None:
    pending = library.relinked(_item(status=EvidenceStatus.PENDING), ["1.1", "1.2"], FW, _claim())
    missing = completeness(FW, _claim(narratives={"1.1": "x", "1.2": "y"}), [pending]).missing
    assert any("1.2" in m and "still being checked" in m for m in missing)


def test_a_file_the_page_did_not_show_keeps_its_links() -> None:
    # A file that landed after the element page was drawn had no checkbox there: saving the page
    # (with nothing ticked) must not unlink it from the element it was uploaded for.
    late = _item("2.1").model_copy(update={"id": "late"})
    assert library.with_element([late], "2.1", set(), shown=set()) == []
    assert [i.elements for i in library.with_element([late], "2.1", set())] == [[]]


def test_a_file_uploaded_again_is_a_copy_of_the_first_and_a_refused_one_is_not() -> None:
    def upload(id: str, etag: str | None, day: int = 1, **kw: Any) -> EvidenceItem:
        at = datetime(2026, 1, day, tzinfo=UTC)
        return _item(etag=etag, size=10, **kw).model_copy(update={"id": id, "uploaded_at": at})

    first, again = upload("a", "md5-1", day=1), upload("b", "md5-1", day=2)
    other, unchecked = upload("c", "md5-2"), upload("e", None)
    refused = upload("d", "md5-1", day=3, status=EvidenceStatus.QUARANTINED)
    found = library.copies([again, first, other, refused, unchecked])
    assert {k: v.id for k, v in found.items()} == {"b": "a"}  # the later upload names the earlier
