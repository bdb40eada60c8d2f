"""The domain models of the pathway: one place for every entity the product stores or exchanges.

Models here are plain pydantic: they know nothing of DynamoDB keys (see dal/items.py) or HTTP
(see api/schemas.py). Import them from here (`from odvalidation.domain.models import Journey`); each
part below is one entity (or a few that are only ever used together).

Each part loads when one of its names is first read (domain/lazy.py), so a function creates only the
model classes its code names: creating a pydantic class costs about 0.2 ms even with its validator
deferred, and a task function names about half of the fifty. The parts do not use
`from __future__ import annotations`: pydantic would then compile and evaluate every field's
annotation string when a class is created (~3 ms of each function's start-up).
"""

from typing import TYPE_CHECKING

# The identifier and text types, the base model, the roles and `build` live one module down (basics.py),
# so that a function needing only those creates no model class; they are the same objects here.
from ..basics import Id as Id
from ..basics import LongText as LongText
from ..basics import Model as Model
from ..basics import Role as Role
from ..basics import ShortText as ShortText
from ..basics import build as build
from ..lazy import lazy_names

if TYPE_CHECKING:
    from .academy import Academy as Academy
    from .certificate import CertificateRecord as CertificateRecord
    from .claim import Claim as Claim
    from .claim import DraftComment as DraftComment
    from .claim import ElementNarrative as ElementNarrative
    from .cohort import Cohort as Cohort
    from .email_record import EmailRecord as EmailRecord
    from .enums import CertificateStatus as CertificateStatus
    from .enums import EquivalentSession as EquivalentSession
    from .enums import EvidenceStatus as EvidenceStatus
    from .enums import Judgement as Judgement
    from .enums import Level as Level
    from .enums import MemberKind as MemberKind
    from .enums import Outcome as Outcome
    from .enums import Readiness as Readiness
    from .enums import Recommendation as Recommendation
    from .enums import Stage as Stage
    from .evidence import EvidenceItem as EvidenceItem
    from .evidence import UploadGrant as UploadGrant
    from .framework import Framework as Framework
    from .framework import FrameworkDomain as FrameworkDomain
    from .framework import FrameworkElement as FrameworkElement
    from .interview import Interview as Interview
    from .journey import AuditEvent as AuditEvent
    from .journey import Failure as Failure
    from .journey import Journey as Journey
    from .journey import failure_message as failure_message
    from .outcome import OutcomeRecord as OutcomeRecord
    from .panel import Panel as Panel
    from .panel import PanelSeat as PanelSeat
    from .person import Person as Person
    from .reflection import Decision as Decision
    from .reflection import ElementRating as ElementRating
    from .reflection import Reflection as Reflection
    from .review import DraftJudgement as DraftJudgement
    from .review import ElementJudgement as ElementJudgement
    from .review import Review as Review
    from .review import ReviewDraft as ReviewDraft
else:
    __getattr__ = lazy_names(
        __name__,
        {
            "enums": (
                "Stage",
                "Readiness",
                "Level",
                "Outcome",
                "Judgement",
                "Recommendation",
                "EvidenceStatus",
                "MemberKind",
                "CertificateStatus",
                "EquivalentSession",
            ),
            "academy": ("Academy",),
            "framework": ("FrameworkElement", "FrameworkDomain", "Framework"),
            "person": ("Person",),
            "cohort": ("Cohort",),
            "journey": ("AuditEvent", "Failure", "failure_message", "Journey"),
            "reflection": ("ElementRating", "Reflection", "Decision"),
            "evidence": ("EvidenceItem", "UploadGrant"),
            "claim": ("ElementNarrative", "Claim", "DraftComment"),
            "panel": ("PanelSeat", "Panel"),
            "review": ("ElementJudgement", "Review", "DraftJudgement", "ReviewDraft"),
            "interview": ("Interview",),
            "outcome": ("OutcomeRecord",),
            "certificate": ("CertificateRecord",),
            "email_record": ("EmailRecord",),
        },
    )
