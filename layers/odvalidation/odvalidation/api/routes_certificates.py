"""Certificates: public verification (no sign-in), the holder's downloads and sharing, revocation."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import BaseModel, ConfigDict, StringConstraints

from ..certificates.verification import VerificationResult
from ..domain.access import Caller
from ..domain.models import CertificateRecord
from ..services import certificates
from .identity import current_caller
from .schemas import Body, Message

router = Router()
CertId = Annotated[str, Path(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


def caller() -> Caller:
    return current_caller(router)


class SharingIn(Body):
    public: bool


class RevocationIn(Body):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)]


class Downloads(BaseModel):
    model_config = ConfigDict(defer_build=True)

    certificate: CertificateRecord
    links: dict[str, str]


@router.get(
    "/api/public/certificates/<certificate_id>/status",
    tags=["Verification"],
    summary="Is this certificate valid now? (no sign-in)",
)
def status(certificate_id: CertId) -> VerificationResult:
    return certificates.public_status(certificate_id)


@router.get(
    "/.well-known/jwks.json", tags=["Verification"], summary="The public keys certificates are signed with"
)
def jwks() -> dict[str, Any]:
    return certificates.jwks()


@router.get(
    "/api/certificates/<certificate_id>", tags=["Certificates"], summary="Your certificate and downloads"
)
def mine(certificate_id: CertId) -> Downloads:
    c = caller()
    return Downloads(
        certificate=certificates.mine(c, certificate_id), links=certificates.download_links(c, certificate_id)
    )


@router.put(
    "/api/certificates/<certificate_id>/sharing", tags=["Certificates"], summary="Share your name publicly"
)
def sharing(certificate_id: CertId, body: SharingIn) -> Message:
    certificates.set_sharing(caller(), certificate_id, body.public)
    return Message(
        message="Your name is now shown to people who verify your certificate."
        if body.public
        else "Your name is no longer shown to people who verify your certificate."
    )


@router.post(
    "/api/certificates/<certificate_id>/revocation",
    tags=["Certificates"],
    summary="Revoke a certificate (academy lead)",
)
def revoke(certificate_id: CertId, body: RevocationIn) -> Message:
    certificates.revoke(caller(), certificate_id, body.reason)
    return Message(message="The certificate has been revoked; verification now says so.")


@router.post(
    "/api/certificates/<certificate_id>/revalidation",
    tags=["Certificates"],
    summary="Start renewing your certificate (opens 90 days before it expires)",
)
def revalidate(certificate_id: CertId) -> Message:
    from ..services import journeys

    journey = journeys.start_revalidation(caller(), certificate_id)
    return Message(
        message="Your revalidation has started: reflect on your practice since validation and evidence at "
        f"least one element in each domain. Journey {journey.id}."
    )
