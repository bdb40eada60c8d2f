"""What every model of the service is built from, apart from the models themselves: the identifier and
text types, the base model, the roles, and `build`. A function that needs only these (post_confirmation,
which validates Cognito's event and adds a group) does not create the domain's fifty model classes at
start-up (about 5 ms of it, even with their validators deferred)."""

# No `from __future__ import annotations`, as in models.py: pydantic would evaluate each annotation string.

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

Id = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:@+-]+$")]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(max_length=20_000)]


class Model(BaseModel):
    # defer_build: a model's validator is built when first used, so a function never builds the models
    # it never touches (each function builds the few its every request uses at import: see `build`).
    model_config = ConfigDict(extra="forbid", frozen=False, str_strip_whitespace=False, defer_build=True)


def build(*models: type[BaseModel]) -> None:
    """Build now the validators of models a function uses on every request, so that their cost stays in
    the function's start-up (where Lambda gives init its full CPU) rather than in its first request."""
    for model in models:
        model.model_rebuild()


class Role(StrEnum):
    """Cognito groups."""

    PRACTITIONER = "practitioner"
    SUPPORTER = "supporter"
    PANEL = "panel"
    ACADEMY_LEAD = "academy_lead"
    NATIONAL_LEAD = "national_lead"
