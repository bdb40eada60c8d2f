"""A journey's parts as stored (cohort, claim, evidence, audit trail), the cohorts, and a claim window's
schedules, read without an access check: for the use cases (services/journeys.py re-exports these, and
checks who may read), and for what the workflow's tasks, email, certificates and reports need, which so
start without the use cases."""

from __future__ import annotations

from datetime import timedelta

from .. import clock
from ..dal import keys
from ..dal import schedules as schedule_store
from ..dal.store import from_item
from ..domain.academies import academy
from ..domain.claims import Completeness, completeness
from ..domain.errors import NotFound
from ..domain.frameworks import framework
from ..domain.models import AuditEvent, Claim, Cohort, EvidenceItem, Journey
from .common import db


def cohort(cohort_id: str) -> Cohort:
    found = db().get_model(Cohort, keys.cohort(cohort_id))
    if found is None:
        raise NotFound(f"There is no cohort '{cohort_id}'.")
    return found


def academy_cohorts(academy_id: str) -> list[Cohort]:
    academy(academy_id)
    return db().query_models(Cohort, f"ACADEMY#{academy_id}", index="GSI1", prefix="COHORT#")


def all_cohorts() -> list[Cohort]:
    return db().query_models(Cohort, "COHORTS", index="GSI2")


def claim(journey: Journey) -> Claim | None:
    if journey.claim_number < 1:
        return None
    return db().get_model(Claim, keys.journey_part(journey.id, f"CLAIM#{journey.claim_number}"))


def evidence(journey: Journey) -> list[EvidenceItem]:
    return db().query_models(
        EvidenceItem, f"JOURNEY#{journey.id}", prefix=f"EVIDENCE#{journey.claim_number}#"
    )


def claim_completeness(journey: Journey) -> Completeness:
    return completeness_of(journey, claim(journey), evidence(journey))


def completeness_of(journey: Journey, current: Claim | None, items: list[EvidenceItem]) -> Completeness:
    """As claim_completeness, from a claim and evidence already read."""
    if current is None and journey.revalidation and journey.claim_number:
        # Nothing saved yet on a renewal: judge it as the (empty) revalidation claim it will be.
        current = Claim(
            journey_id=journey.id, number=journey.claim_number, updated_at=clock.now(), revalidation=True
        )
    return completeness(framework(journey.framework_key), current, items)


def schedule_claim_deadline(journey: Journey) -> None:
    assert journey.claim_deadline is not None
    now = clock.now()
    for days, purpose in ((30, "claim-reminder-30"), (7, "claim-reminder-7")):
        at = journey.claim_deadline - timedelta(days=days)
        if at > now:
            schedule_store.put(journey.id, purpose, at, {"kind": "claim_reminder", "days_left": days})
    schedule_store.put(journey.id, "claim-deadline", journey.claim_deadline, {"kind": "claim_deadline"})


def history(journey_id: str) -> list[AuditEvent]:
    return db().audit_trail(journey_id)


def framework_ids(journey: Journey) -> list[str]:
    return [e.id for e in framework(journey.framework_key).elements]


def evidence_by_key(key: str) -> EvidenceItem | None:
    items = list(db().query(f"EVIDENCEKEY#{key}", index="GSI1"))
    return from_item(EvidenceItem, items[0]) if items else None
