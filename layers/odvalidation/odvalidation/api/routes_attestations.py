"""Stakeholder attestation for the practitioner (issue 18.2): ask a named system leader to confirm one
piece of evidence, list the requests and their answers, withdraw one. The leader answers on the web
pages through the link emailed to them (web/routes_attestation.py); no API route takes that link."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import BaseModel, ConfigDict

from ..domain.attestation import Attestation, AttestationIn, EmailAddress, Message
from ..domain.models import Id, ShortText
from ..services import attestations
from .identity import current_caller
from .schemas import Body

router = Router()
PathId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class AttestationRequestIn(Body):
    evidence_id: Id
    name: ShortText
    email: EmailAddress
    role: ShortText
    message: Message


class AttestationOut(BaseModel):
    """A request as the practitioner (and their supporter) see it: never the link or its nonce."""

    model_config = ConfigDict(defer_build=True)

    id: str
    evidence_id: str
    evidence_name: str
    attester_name: str
    attester_email: str | None  # the practitioner's to see; not shown to their supporter
    attester_role: str
    message: str
    status: str
    comment: str
    requested_at: datetime
    link_expires: datetime
    sends: int  # emails sent for it, the first included (at most domain.attestation.MAX_SENDS)
    last_sent_at: datetime | None = None
    responded_at: datetime | None = None
    withdrawn_at: datetime | None = None

    @classmethod
    def of(cls, a: Attestation, *, reader: str | None = None) -> AttestationOut:
        out = cls.model_validate(
            a.model_dump(exclude={"nonce_hash", "replaced_nonce_hashes", "journey_id", "claim_number"})
        )
        if reader is not None and reader != a.requested_by:
            out.attester_email = None
        return out


class AttestationList(BaseModel):
    model_config = ConfigDict(defer_build=True)

    attestations: list[AttestationOut]


@router.post(
    "/api/journeys/<journey_id>/attestations",
    tags=["Attestation"],
    summary="Ask a system leader to confirm a piece of evidence",
    description="Emails the leader a link that works once, for 14 days; they need no account and see only "
    "that evidence, the practitioner's name and the message.",
)
def request_attestation(journey_id: PathId, body: AttestationRequestIn) -> AttestationOut:
    record = attestations.request(current_caller(router), journey_id, AttestationIn(**body.model_dump()))
    return AttestationOut.of(record)


@router.get(
    "/api/journeys/<journey_id>/attestations",
    tags=["Attestation"],
    summary="The current claim's attestation requests and their answers (practitioner, supporter)",
)
def list_attestations(journey_id: PathId) -> AttestationList:
    c = current_caller(router)
    records = attestations.for_journey(c, journey_id)
    return AttestationList(attestations=[AttestationOut.of(r, reader=c.id) for r in records])


@router.post(
    "/api/journeys/<journey_id>/attestations/<attestation_id>/withdrawal",
    tags=["Attestation"],
    summary="Withdraw an attestation request that has not been answered (its link stops working)",
)
def withdraw_attestation(journey_id: PathId, attestation_id: PathId) -> AttestationOut:
    return AttestationOut.of(attestations.withdraw(current_caller(router), journey_id, attestation_id))


@router.post(
    "/api/journeys/<journey_id>/attestations/<attestation_id>/emails",
    tags=["Attestation"],
    summary="Send an unanswered request again, with a new link (the one before stops working)",
    description="For an email that went astray or a link that expired: up to three emails per request in "
    "all. Asked again within two minutes of the last, nothing more is sent (a repeat of that request).",
)
def send_attestation_again(journey_id: PathId, attestation_id: PathId) -> AttestationOut:
    return AttestationOut.of(attestations.send_again(current_caller(router), journey_id, attestation_id))
