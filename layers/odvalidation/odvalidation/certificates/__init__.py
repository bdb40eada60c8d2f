"""Certificates anyone can verify: an Open Badges 3.0 credential signed as a JWS, a printable PDF with a
QR code, and the live status a verifier sees.

For the issuing handler (everything here is pure except the signer it is handed):

    credential = build_credential(record, base_url=settings().public_base_url)
    token = sign_credential(credential, KmsSigner.for_this_environment(settings().signing_key_id))
    pdf = render_certificate_pdf(
        record, academy_name=..., framework_title=..., verify_url=verify_url(base, record.id)
    )
"""

from .credential import build_credential, certificate_id_of, holder_matches, status_url, verify_url
from .jws import (
    InvalidCredential,
    InvalidCredentialError,
    Signer,
    public_jwk,
    public_jwks,
    sign_credential,
    verify_credential,
)
from .verification import VerificationResult, VerificationStatus, offline_status, status_of, verify_file

__all__ = [
    "InvalidCredential",
    "InvalidCredentialError",
    "Signer",
    "VerificationResult",
    "VerificationStatus",
    "build_credential",
    "certificate_id_of",
    "holder_matches",
    "offline_status",
    "public_jwk",
    "public_jwks",
    "sign_credential",
    "status_of",
    "status_url",
    "verify_credential",
    "verify_file",
    "verify_url",
]
