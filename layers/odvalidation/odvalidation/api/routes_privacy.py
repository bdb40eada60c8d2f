"""Privacy: a person's request to erase their personal data."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

from ..services import privacy
from .identity import current_caller
from .schemas import Body

router = Router()


class ErasureIn(Body):
    confirm: bool


@router.post("/api/me/erasure", tags=["You"], summary="Erase your personal data and evidence")
def erase(body: ErasureIn) -> privacy.ErasureReport:
    return privacy.erase_personal_data(current_caller(router), confirm=body.confirm)
