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
