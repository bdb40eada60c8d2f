"""The public Bitstring Status List credentials (no sign-in): what third-party verifiers fetch to learn
whether a credential was revoked. Served by its own function (functions/status_list), the one public
function allowed to sign with the certificate key; listed in the API's OpenAPI document with the rest."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path

from ..certificates.status_list import TTL_MS
from ..services import status_lists

router = Router()
ListId = Annotated[str, Path(min_length=3, max_length=100, pattern=r"^[a-z0-9-]+$")]


@router.get(
    "/api/public/status-lists/<list_id>",
    tags=["Verification"],
    summary="A W3C Bitstring Status List credential (revocation), signed as vc+jwt (no sign-in)",
    description="The credential a certificate's credentialStatus (BitstringStatusListEntry) points to: "
    "a BitstringStatusListCredential signed with the key that signed the certificates, as a compact "
    "JWS (application/vc+jwt). A revocation is in the next answer; verifiers may cache it for its "
    "`ttl` (five minutes). The reason and date of a revocation are at /api/public/certificates/{id}/status.",
    responses={200: {"description": "The signed list", "content": {"application/vc+jwt": {}}}},
)
def status_list(list_id: ListId) -> Response[Any]:
    return Response(
        status_code=200,
        content_type="application/vc+jwt",
        body=status_lists.signed_list(list_id),
        headers={"Cache-Control": f"public, max-age={TTL_MS // 1000}"},
    )
