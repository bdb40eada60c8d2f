"""Moving a claim in development to another framework version (issue 18): an academy lead's action."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import BaseModel, ConfigDict, StringConstraints

from ..domain.crosswalk import Crosswalk, all_crosswalks
from ..domain.errors import NotFound
from ..domain.frameworks import all_frameworks
from ..services import crosswalks
from .identity import current_caller
from .schemas import Body

router = Router()
JourneyId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
FrameworkKey = Annotated[str, Path(min_length=3, max_length=80, pattern=r"^[a-z0-9-]+@\d+\.\d+$")]


class FrameworkMoveIn(Body):
    framework_key: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class ElementCarried(BaseModel):
    model_config = ConfigDict(defer_build=True)

    element_id: str
    title: str
    from_elements: list[str]  # the old elements whose narratives and evidence it received
    narratives: int
    evidence: int
    uncovered: bool
    missing: str  # "a narrative", "evidence", both, or "" when covered


class FrameworkMoved(BaseModel):
    model_config = ConfigDict(defer_build=True)

    message: str
    from_framework: str
    to_framework: str
    elements: list[ElementCarried]
    uncovered: list[str]  # element ids the practitioner still has to cover


@router.post(
    "/api/journeys/<journey_id>/framework",
    tags=["Academy leads"],
    summary="Move a claim in development to another framework version, through the crosswalk",
)
def move_framework(journey_id: JourneyId, body: FrameworkMoveIn) -> FrameworkMoved:
    done = crosswalks.move(current_caller(router), journey_id, body.framework_key)
    uncovered = [r.element_id for r in done.uncovered]
    return FrameworkMoved(
        message=f"The claim has moved to {done.new.key}; {len(uncovered)} elements are uncovered.",
        from_framework=done.old.key,
        to_framework=done.new.key,
        elements=[
            ElementCarried(
                element_id=r.element_id,
                title=r.title,
                from_elements=r.sources,
                narratives=r.narratives,
                evidence=r.evidence,
                uncovered=r.uncovered,
                missing=r.missing if r.uncovered else "",
            )
            for r in done.moved.rows
        ],
        uncovered=uncovered,
    )


class CrosswalkList(BaseModel):
    model_config = ConfigDict(defer_build=True)

    crosswalks: list[Crosswalk]


@router.get(
    "/api/public/frameworks/<key>/crosswalks",
    tags=["Frameworks"],
    summary="The crosswalks from one framework version: which of its elements map to which of another's",
)
def crosswalks_from(key: FrameworkKey) -> CrosswalkList:
    if key not in all_frameworks():
        raise NotFound(f"There is no framework '{key}'. GET /api/public/frameworks lists them.")
    return CrosswalkList(
        crosswalks=[w for (source, _), w in sorted(all_crosswalks().items()) if source == key]
    )
