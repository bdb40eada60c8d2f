"""Certificates: public verification (no sign-in), the holder's downloads and sharing, revocation."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import BaseModel, ConfigDict, StringConstraints

from ..certificates.checks import CredentialVerification
from ..certificates.verification import VerificationResult
from ..domain.access import Caller
from ..domain.models import CertificateRecord
from ..services import certificates
from .identity import current_caller
from .schemas import Body, Message

router = Router()
MAX_CREDENTIAL_CHARS = 64 * 1024  # a signed credential is a few KB of text (as the web form allows)
CertId = Annotated[str, Path(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


def caller() -> Caller:
    return current_caller(router)


class SharingIn(Body):
    public: bool


class RevocationIn(Body):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)]


class CredentialIn(Body):
    """A credential file's content: the compact JWS (header.payload.signature), as the holder gave it."""

    credential: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_CREDENTIAL_CHARS)
    ]


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


@router.post(
    "/api/public/credentials/verification",
    tags=["Verification"],
    summary="Check a credential file and say which check failed (no sign-in)",
    description="Checks, in order: format (a vc+jwt compact JWS, ES256), issuer_key (signed with a key "
    "published at /.well-known/jwks.json), signature, claims (an Open Badges credential of this service "
    "whose JWT claims agree with it), dates (validFrom/validUntil today) and status (not revoked, not "
    "replaced). A check after a failed one is not_checked. Always 200 when the body is well formed: the "
    "answer is in `valid`, `failed_checks` and `checks`.",
)
def verify_credential(body: CredentialIn) -> CredentialVerification:
    return certificates.check_credential(body.credential)


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
    journey = certificates.start_revalidation(caller(), certificate_id)
    return Message(
        message="Your revalidation has started: reflect on your practice since validation and evidence at "
        f"least one element in each domain. Journey {journey.id}."
    )
