"""A person's whole record, downloadable (issue 18): the practitioner's own, and an academy lead's for a
subject access request. Asking answers 202 (made in the background); the link is made when asked for."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import BaseModel, ConfigDict

from ..domain.record import LINK_SECONDS, Reason, RecordArchive
from ..services import record_archive
from .identity import current_caller
from .schemas import Body

router = Router()
JourneyId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class RecordStatus(BaseModel):
    model_config = ConfigDict(defer_build=True)

    status: str  # "none", "preparing", "ready" or "failed"
    requested_at: datetime | None = None
    ready_at: datetime | None = None
    expires_at: datetime | None = None
    files: int = 0
    size: int | None = None
    reason: str | None = None


class RecordLink(BaseModel):
    model_config = ConfigDict(defer_build=True)

    url: str
    expires_in: int


class SubjectAccessIn(Body):
    reason: Reason


def _status(request: RecordArchive | None) -> RecordStatus:
    if request is None:
        return RecordStatus(status="none")
    return RecordStatus(
        status=request.status.value,
        requested_at=request.requested_at,
        ready_at=request.ready_at,
        expires_at=request.expires_at(),
        files=request.files,
        size=request.size,
        reason=request.reason,
    )


def _accepted(request: RecordArchive) -> Response[RecordStatus]:
    return Response(status_code=202, content_type="application/json", body=_status(request))


@router.get("/api/me/record", tags=["You"], summary="Your whole record: is it being prepared, or ready?")
def own_status() -> RecordStatus:
    return _status(record_archive.own_status(current_caller(router)))


@router.post(
    "/api/me/record",
    tags=["You"],
    summary="Ask for your whole record as one archive (202: prepared in the background)",
    responses={
        202: {"description": "Being prepared (asking again while it is answers with the same request)"}
    },
)
def ask_own() -> Response[RecordStatus]:
    return _accepted(record_archive.request_own(current_caller(router)))


@router.get("/api/me/record/link", tags=["You"], summary="A 15-minute download link to your whole record")
def own_link() -> RecordLink:
    return RecordLink(url=record_archive.own_download(current_caller(router)), expires_in=LINK_SECONDS)


@router.get(
    "/api/journeys/<journey_id>/record",
    tags=["Leads"],
    summary="The practitioner's whole record for a subject access request: its state",
)
def subject_status(journey_id: JourneyId) -> RecordStatus:
    _, request = record_archive.subject_status(current_caller(router), journey_id)
    return _status(request)


@router.post(
    "/api/journeys/<journey_id>/record",
    tags=["Leads"],
    summary="Produce the practitioner's whole record for a subject access request (academy lead)",
    responses={202: {"description": "Being prepared"}},
)
def ask_for_subject(journey_id: JourneyId, body: SubjectAccessIn) -> Response[RecordStatus]:
    return _accepted(record_archive.request_for_subject(current_caller(router), journey_id, body.reason))


@router.get(
    "/api/journeys/<journey_id>/record/link",
    tags=["Leads"],
    summary="A 15-minute download link to the record produced for a subject access request",
)
def subject_link(journey_id: JourneyId) -> RecordLink:
    url = record_archive.subject_download(current_caller(router), journey_id)
    return RecordLink(url=url, expires_in=LINK_SECONDS)
