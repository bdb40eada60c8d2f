"""The enumerations the models share: stages, levels, outcomes, judgements, statuses."""

# No `from __future__ import annotations`: see models/__init__.py.

from enum import StrEnum


class Stage(StrEnum):
    """Where a journey stands. The allowed moves between them are in domain/journey.py only."""

    REFLECTION = "reflection"
    WORKSHOP = "workshop"
    DECISION = "decision"
    DEFERRED = "deferred"
    CLOSED = "closed"
    CLAIM_DEVELOPMENT = "claim_development"
    SUBMITTED = "submitted"
    AWAITING_PANEL = "awaiting_panel"
    PANEL_REVIEW = "panel_review"
    INTERVIEW = "interview"
    VALIDATED = "validated"
    NOT_YET_VALIDATED = "not_yet_validated"
    LAPSED = "lapsed"
    WITHDRAWN = "withdrawn"


class Readiness(StrEnum):
    READY_NOW = "ready_now"
    READY_LATER = "ready_12_18_months"
    FURTHER_DEVELOPMENT = "further_development"


class Level(StrEnum):
    """The level claimed, and the level validated."""

    LEADER = "system_od_leader"
    PRACTITIONER = "system_od_practitioner"


class Outcome(StrEnum):
    LEADER = "system_od_leader"
    PRACTITIONER = "system_od_practitioner"
    NOT_YET = "not_yet"


class Judgement(StrEnum):
    EVIDENCED = "evidenced"
    PARTLY = "partly_evidenced"
    NOT_YET = "not_yet_evidenced"


class Recommendation(StrEnum):
    LEADER = "system_od_leader"
    PRACTITIONER = "system_od_practitioner"
    NOT_YET = "not_yet"


class EvidenceStatus(StrEnum):
    PENDING = "pending"  # the upload link was issued; nothing has landed yet
    VERIFIED = "verified"
    QUARANTINED = "quarantined"


class MemberKind(StrEnum):
    PEER = "peer"
    EXPERT = "expert"


class CertificateStatus(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"
    UNKNOWN = "unknown"


class EquivalentSession(StrEnum):
    OTHER_COHORT = "another_cohorts_workshop"
    ONE_TO_ONE = "one_to_one"
    ADJUSTMENT = "reasonable_adjustment"
