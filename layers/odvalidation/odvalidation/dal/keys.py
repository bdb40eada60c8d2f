"""The table's keys: the one module that knows how items are addressed (see docs/data-model.md).

Single-table design. Every read the product makes is a GetItem or a Query on the table or one of
two overloaded indexes (GSI1, GSI2); nothing scans.
"""

from __future__ import annotations


def journey(journey_id: str) -> dict[str, str]:
    return {"PK": f"JOURNEY#{journey_id}", "SK": "JOURNEY"}


def journey_part(journey_id: str, sk: str) -> dict[str, str]:
    """An item that belongs to a journey: reflection, decision, claim, evidence, panel, review ..."""
    return {"PK": f"JOURNEY#{journey_id}", "SK": sk}


def upload_grant(key: str) -> dict[str, str]:
    """An upload the service granted, addressed by the object key (or key prefix) it allows."""
    return {"PK": f"UPLOAD#{key}", "SK": "GRANT"}


def enrolment(practitioner_id: str, cohort_id: str) -> dict[str, str]:
    """Guards "one journey per practitioner per cohort" inside the creating transaction."""
    return {"PK": f"ENROLMENT#{practitioner_id}#{cohort_id}", "SK": "ENROLMENT"}


def cohort(cohort_id: str) -> dict[str, str]:
    return {"PK": f"COHORT#{cohort_id}", "SK": "COHORT"}


def person(person_id: str) -> dict[str, str]:
    return {"PK": f"PERSON#{person_id}", "SK": "PROFILE"}


def member(member_id: str) -> dict[str, str]:
    return {"PK": f"MEMBER#{member_id}", "SK": "PROFILE"}


def certificate(certificate_id: str) -> dict[str, str]:
    return {"PK": f"CERT#{certificate_id}", "SK": "CERT"}


def issuance(journey_id: str, claim_number: int) -> dict[str, str]:
    """At most one certificate per outcome: created in the same transaction as the certificate."""
    return {"PK": f"ISSUANCE#{journey_id}#{claim_number}", "SK": "ISSUANCE"}


COUNTERS_PK = "COUNTERS"


def counters(scope: str) -> dict[str, str]:
    """scope: 'ACADEMY#<id>' or 'COHORT#<academy>#<cohort id>'."""
    return {"PK": COUNTERS_PK, "SK": scope}


def audit_sk(at_iso: str, seq: str) -> str:
    return f"AUDIT#{at_iso}#{seq}"


def alert(academy_id: str, alert_id: str) -> dict[str, str]:
    """An alert for an academy's leads: one item per event, all of an academy's under one key."""
    return {"PK": f"ALERTS#{academy_id}", "SK": f"ALERT#{alert_id}"}


def record_archive(person_id: str, scope: str) -> dict[str, str]:
    """A request for a person's whole record (domain/record.py): one per scope, the last one asked."""
    return {"PK": f"PERSON#{person_id}", "SK": f"RECORD#{scope}"}
