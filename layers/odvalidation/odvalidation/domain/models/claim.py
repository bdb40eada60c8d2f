"""Step 4: the claim, and a supporter's comments on its draft."""

# No `from __future__ import annotations`: see models/__init__.py.

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from ..basics import Id, LongText, Model
from .enums import Level


class ElementNarrative(Model):
    element_id: str
    narrative: LongText = ""


class Claim(Model):
    journey_id: Id
    number: int = Field(ge=1)
    level: Level | None = None
    narratives: dict[str, LongText] = Field(default_factory=dict)
    # Each element's narrative version, raised when its text changes: a client sends the version it last
    # read, and a save from an older window is refused rather than overwriting the newer text.
    narrative_versions: dict[str, int] = Field(default_factory=dict)
    revalidation: bool = False
    elements: list[str] = Field(default_factory=list)  # revalidation: the elements chosen to evidence
    practice_reflection: LongText = ""  # revalidation: practice since the last validation
    submitted_at: datetime | None = None
    version: int = 0
    updated_at: datetime


class DraftComment(Model):
    """A supporter's comment on a practitioner's draft claim (step 4): on one framework element, or on
    the claim as a whole (element_id None). Only the practitioner and their supporter read them: they
    are a conversation about a draft, not evidence the panel judges."""

    journey_id: Id
    claim_number: int
    element_id: str | None = None
    author_id: Id
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
    at: datetime
