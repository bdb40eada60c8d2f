"""The completeness check: a claim is ready when every framework element expected at the level
claimed has a narrative and at least one verified piece of evidence."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from .models import Claim, EvidenceItem, EvidenceStatus, Framework


class Completeness(BaseModel):
    model_config = ConfigDict(defer_build=True)

    complete: bool
    total: int
    evidenced: int  # elements with verified evidence
    narrated: int
    missing: list[str]  # messages a person can act on, one per gap

    @property
    def summary(self) -> str:
        return f"{self.evidenced} of {self.total} elements evidenced"


def completeness(framework: Framework, claim: Claim | None, evidence: list[EvidenceItem]) -> Completeness:
    if claim is not None and claim.revalidation:
        return _revalidation(framework, claim, evidence)
    if claim is None or claim.level is None:
        elements = framework.elements
        missing = ["Choose the level you are claiming: system OD leader or system OD practitioner."]
    else:
        elements = framework.elements_for(claim.level)
        missing = []
    verified = {el for e in evidence if e.status is EvidenceStatus.VERIFIED for el in e.elements}
    pending = {el for e in evidence if e.status is EvidenceStatus.PENDING for el in e.elements}
    narratives = claim.narratives if claim else {}
    evidenced = narrated = 0
    for element in elements:
        has_narrative = bool(narratives.get(element.id, "").strip())
        narrated += has_narrative
        evidenced += element.id in verified
        if element.id not in verified:
            if element.id in pending:
                missing.append(
                    f"Element {element.id} ({element.title}): the evidence is still being checked."
                )
            else:
                missing.append(f"Element {element.id} ({element.title}) has no evidence yet.")
        if not has_narrative:
            missing.append(f"Element {element.id} ({element.title}) has no narrative yet.")
    return Completeness(
        complete=not missing, total=len(elements), evidenced=evidenced, narrated=narrated, missing=missing
    )


def claimed_elements(framework: Framework, claim: Claim | None) -> list[str]:
    """The element ids a claim is evidenced against (and reviewed and certified against)."""
    if claim is not None and claim.revalidation:
        return [e.id for e in framework.elements if e.id in set(claim.elements)]
    if claim is not None and claim.level is not None:
        return [e.id for e in framework.elements_for(claim.level)]
    return [e.id for e in framework.elements]


def _revalidation(framework: Framework, claim: Claim, evidence: list[EvidenceItem]) -> Completeness:
    """A lighter claim: a reflection on practice since validation, and evidence for at least one chosen
    element in every domain of the framework."""
    missing: list[str] = []
    if not claim.practice_reflection.strip():
        missing.append("Write your reflection on your practice since you were validated.")
    chosen = set(claim.elements)
    for domain in framework.domains:
        if not chosen & {e.id for e in domain.elements}:
            missing.append(
                f"Choose at least one element from domain {domain.id} ({domain.title}) to evidence."
            )
    verified = {el for e in evidence if e.status is EvidenceStatus.VERIFIED for el in e.elements}
    elements = [e for e in framework.elements if e.id in chosen]
    evidenced = narrated = 0
    for element in elements:
        has_narrative = bool(claim.narratives.get(element.id, "").strip())
        narrated += has_narrative
        evidenced += element.id in verified
        if element.id not in verified:
            missing.append(f"Element {element.id} ({element.title}) has no evidence yet.")
        if not has_narrative:
            missing.append(f"Element {element.id} ({element.title}) has no narrative yet.")
    return Completeness(
        complete=not missing, total=len(elements), evidenced=evidenced, narrated=narrated, missing=missing
    )


def given_twice(element_ids: list[str]) -> list[str]:
    """The elements a review (or its draft) names more than once, in the order met: a review holds one
    judgement per element, else two opposite judgements could stand for one element."""
    seen: set[str] = set()
    twice: list[str] = []
    for element_id in element_ids:
        if element_id in seen and element_id not in twice:
            twice.append(element_id)
        seen.add(element_id)
    return twice


def stale_elements(current: Claim, narratives: dict[str, str], seen: dict[str, int]) -> list[str]:
    """The elements whose narrative the client would overwrite without having read it: it says it last
    read an older version, and sends different text (the same text again is a retry, not a clash).
    An element the client gives no version for is not checked (the JSON API's older clients)."""
    return sorted(
        element_id
        for element_id, text in narratives.items()
        if element_id in seen
        and seen[element_id] != current.narrative_versions.get(element_id, 0)
        and current.narratives.get(element_id, "") != text
    )


def bumped(current: Claim, narratives: dict[str, str]) -> dict[str, int]:
    """The narrative versions after saving `narratives`: raised for each element whose text changes."""
    versions = dict(current.narrative_versions)
    for element_id, text in narratives.items():
        if current.narratives.get(element_id, "") != text:
            versions[element_id] = versions.get(element_id, 0) + 1
    return versions
