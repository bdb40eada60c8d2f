"""The one transition table, framework files as validated data, and the completeness check."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from itertools import pairwise, product

import pytest

from odvalidation.domain import journey as rules
from odvalidation.domain.claims import completeness
from odvalidation.domain.errors import FrameworkError, InvalidTransition
from odvalidation.domain.frameworks import all_frameworks, framework, parse_framework
from odvalidation.domain.models import Claim, EvidenceItem, EvidenceStatus, Journey, Level, Stage

AT = datetime(2026, 11, 27, tzinfo=UTC)


def journey_at(stage: Stage) -> Journey:
    return Journey(
        id="j1",
        practitioner_id="p1",
        cohort_id="c1",
        academy_id="north-west",
        framework_key="nw-cipd-combined@1.0",
        stage=stage,
        created_at=AT,
        updated_at=AT,
        stage_entered_at=AT,
        task_token="tok",
    )


@pytest.mark.parametrize(("before", "after"), list(product(Stage, Stage)), ids=lambda s: s.value)
def test_every_move_is_allowed_or_refused_by_the_table(before: Stage, after: Stage) -> None:
    j = journey_at(before)
    if after in rules.ALLOWED[before]:
        moved, event = rules.move(j, after, actor="p1", at=AT, reason="why")
        assert moved.stage is after
        assert (event.from_stage, event.to_stage, event.actor, event.reason) == (before, after, "p1", "why")
        assert moved.task_token is None
        assert moved.resume_token == "tok"  # kept so a retried request can resume the workflow again
    else:
        with pytest.raises(InvalidTransition, match="cannot move"):
            rules.move(j, after, actor="p1", at=AT)


def test_the_six_steps_happen_in_order_and_not_yet_leads_back_to_a_claim() -> None:
    path = [
        Stage.REFLECTION,
        Stage.WORKSHOP,
        Stage.DECISION,
        Stage.CLAIM_DEVELOPMENT,
        Stage.SUBMITTED,
        Stage.PANEL_REVIEW,
        Stage.INTERVIEW,
        Stage.NOT_YET_VALIDATED,
        Stage.CLAIM_DEVELOPMENT,
    ]
    assert all(rules.can_move(a, b) for a, b in pairwise(path))
    assert not rules.can_move(Stage.REFLECTION, Stage.SUBMITTED)
    assert rules.ALLOWED[Stage.VALIDATED] == {Stage.CLAIM_DEVELOPMENT}  # renewal only
    assert [rules.step_number(s) for s in path[:7]] == [1, 2, 3, 4, 5, 5, 6]


def test_shipped_frameworks_load_and_are_distinct() -> None:
    loaded = all_frameworks()
    assert set(loaded) == {"nw-cipd-combined@1.0", "global-practice@1.0"}
    assert len(framework("nw-cipd-combined@1.0").elements) == 15
    leader_only = [e.id for e in framework("nw-cipd-combined@1.0").elements if e.levels == [Level.LEADER]]
    assert leader_only == ["1.3", "3.2", "3.3"]


def test_a_malformed_framework_names_the_element() -> None:
    data = json.loads(json.dumps(framework("global-practice@1.0").model_dump(mode="json")))
    data["domains"][1]["elements"][2]["title"] = ""
    with pytest.raises(FrameworkError) as caught:
        parse_framework(json.dumps(data), source="broken.json")
    assert "broken.json" in caught.value.message
    assert "element 2.3" in caught.value.message


def test_an_element_in_the_wrong_domain_is_refused() -> None:
    data = framework("global-practice@1.0").model_dump(mode="json")
    data["domains"][0]["elements"][0]["id"] = "2.9"
    with pytest.raises(FrameworkError, match=r"element 2\.9 .* sits in domain 1"):
        parse_framework(json.dumps(data))


def test_completeness_says_what_is_missing_per_element() -> None:
    fw = framework("nw-cipd-combined@1.0")
    practitioner_elements = fw.elements_for(Level.PRACTITIONER)
    claim = Claim(
        journey_id="j1",
        number=1,
        level=Level.PRACTITIONER,
        updated_at=AT,
        narratives={e.id: "text" for e in practitioner_elements},
    )
    evidence = [
        EvidenceItem(
            id=f"e{e.id}",
            journey_id="j1",
            claim_number=1,
            element_id=e.id,
            key="k",
            display_name="a.pdf",
            status=EvidenceStatus.VERIFIED,
            uploaded_at=AT,
        )
        for e in practitioner_elements
        if e.id != "5.2"
    ]
    result = completeness(fw, claim, evidence)
    assert not result.complete
    assert result.missing == ["Element 5.2 (Ethics and inclusion) has no evidence yet."]
    assert (
        result.summary
        == f"{len(practitioner_elements) - 1} of {len(practitioner_elements)} elements evidenced"
    )
    evidence.append(
        EvidenceItem(
            id="e52",
            journey_id="j1",
            claim_number=1,
            element_id="5.2",
            key="k",
            display_name="b.pdf",
            status=EvidenceStatus.VERIFIED,
            uploaded_at=AT,
        )
    )
    assert completeness(fw, claim, evidence).complete


def test_pending_or_quarantined_evidence_does_not_count() -> None:
    fw = framework("global-practice@1.0")
    claim = Claim(
        journey_id="j1",
        number=1,
        level=Level.LEADER,
        updated_at=AT,
        narratives={e.id: "text" for e in fw.elements},
    )
    evidence = [
        EvidenceItem(
            id=f"e{e.id}",
            journey_id="j1",
            claim_number=1,
            element_id=e.id,
            key="k",
            display_name="a.pdf",
            status=EvidenceStatus.PENDING,
            uploaded_at=AT,
        )
        for e in fw.elements
    ]
    result = completeness(fw, claim, evidence)
    assert result.evidenced == 0
    assert all("still being checked" in m for m in result.missing)


def test_no_level_chosen_is_the_first_thing_missing() -> None:
    result = completeness(framework("global-practice@1.0"), None, [])
    assert result.missing[0].startswith("Choose the level")


def test_a_revalidation_needs_a_reflection_and_one_element_per_domain() -> None:
    fw = framework("global-practice@1.0")
    claim = Claim(
        journey_id="j1",
        number=2,
        level=Level.LEADER,
        updated_at=AT,
        revalidation=True,
        elements=["1.1", "2.2"],
        narratives={"1.1": "x", "2.2": "y"},
    )
    result = completeness(fw, claim, [])
    assert result.missing[0].startswith("Write your reflection")
    assert any("domain 3" in m for m in result.missing)
    assert any("domain 4" in m for m in result.missing)
    assert result.total == 2
    chosen = [d.elements[0].id for d in fw.domains]
    evidence = [
        EvidenceItem(
            id=f"e{e}",
            journey_id="j1",
            claim_number=2,
            element_id=e,
            key="k",
            display_name="a.pdf",
            status=EvidenceStatus.VERIFIED,
            uploaded_at=AT,
        )
        for e in chosen
    ]
    full = claim.model_copy(
        update={
            "elements": chosen,
            "practice_reflection": "Since then...",
            "narratives": dict.fromkeys(chosen, "n"),
        }
    )
    assert completeness(fw, full, evidence).complete


def test_a_superseded_certificate_was_valid_before_its_renewal() -> None:
    from datetime import timedelta

    from odvalidation.domain.models import CertificateRecord, CertificateStatus

    record = CertificateRecord(
        id="c1xxxxxxxx",
        journey_id="j1",
        practitioner_id="p1",
        holder_name="A",
        level=Level.LEADER,
        academy_id="north-west",
        framework_key="global-practice@1.0",
        element_ids=["1.1"],
        valid_from=AT,
        valid_until=AT + timedelta(days=1095),
        issued_at=AT,
        superseded_by="c2xxxxxxxx",
        superseded_at=AT + timedelta(days=1000),
    )
    assert record.status_at(AT + timedelta(days=10)) is CertificateStatus.VALID
    assert record.status_at(AT + timedelta(days=1001)) is CertificateStatus.SUPERSEDED
