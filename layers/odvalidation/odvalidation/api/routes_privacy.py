"""Privacy: a person's request to erase their personal data."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import Field

from ..services import privacy
from .identity import current_caller
from .schemas import Body

router = Router()


class ErasureIn(Body):
    confirm: bool
    certificates: privacy.CertificateChoice = Field(
        default="keep",
        description="keep: your certificates stay checkable (their record keeps your name; it is no longer "
        "shown to whoever checks them), so copies you hold still verify. erase: they are deleted with "
        "the rest, and copies you hold stop verifying.",
    )


@router.post("/api/me/erasure", tags=["You"], summary="Erase your personal data and evidence")
def erase(body: ErasureIn) -> privacy.ErasureReport:
    return privacy.erase_personal_data(
        current_caller(router), confirm=body.confirm, certificates=body.certificates
    )
