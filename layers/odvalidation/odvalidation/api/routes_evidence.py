"""The claim's evidence library over the API (issue 16.6): list it, and title, describe and link a file
to the elements it supports without uploading it again. Uploads stay POST /api/journeys/<id>/evidence
(routes_journeys.py); opening a file stays GET .../evidence/<id>/link (routes_panels.py)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ..domain.access import Caller
from ..domain.errors import InvalidInput
from ..domain.models import EvidenceItem
from ..services import evidence_library
from .identity import current_caller
from .schemas import Body

router = Router()
Ident = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
ElementId = Annotated[str, StringConstraints(pattern=r"^\d+(\.\d+)*$", max_length=20)]


def caller() -> Caller:
    return current_caller(router)


class LibraryOut(BaseModel):
    model_config = ConfigDict(defer_build=True)

    journey_id: str
    claim_number: int
    items: list[EvidenceItem]
    linkable: list[str]  # the element ids a file may be linked to
    missing: list[str]  # the claim's elements with no checked evidence yet
    editable: bool  # whether you may change links (the practitioner, before submission)


class EvidenceUpdateIn(Body):
    element_ids: list[ElementId] | None = Field(
        default=None, max_length=100, description="Exactly the elements the file supports (omit: unchanged)"
    )
    title: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None


@router.get(
    "/api/journeys/<journey_id>/evidence",
    tags=["Step 4: claim"],
    summary="The claim's evidence library: every file and the elements it supports",
)
def get_library(journey_id: Ident) -> LibraryOut:
    lib = evidence_library.library(caller(), journey_id)
    return LibraryOut(
        journey_id=lib.journey.id,
        claim_number=lib.journey.claim_number,
        items=lib.items,
        linkable=lib.linkable,
        missing=[e.id for e in lib.missing],
        editable=lib.editable,
    )


@router.patch(
    "/api/journeys/<journey_id>/evidence/<evidence_id>",
    tags=["Step 4: claim"],
    summary="Title, describe or link a file to elements (nothing is uploaded again)",
)
def update_evidence(journey_id: Ident, evidence_id: Ident, body: EvidenceUpdateIn) -> EvidenceItem:
    if body.element_ids is None and body.title is None and body.description is None:
        raise InvalidInput("Send element_ids, title or description: there is nothing to change.")
    return evidence_library.update_item(
        caller(),
        journey_id,
        evidence_id,
        element_ids=body.element_ids,
        title=body.title,
        description=body.description,
    )
