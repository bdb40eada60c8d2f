"""Routes for an academy's leads (issue 17 items 4 and 5): the academy's open alerts and dismissing
one, and adding a person to the panel pool in one step (it invites them too)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import BaseModel, ConfigDict

from ..domain.alerts import AlertKind
from ..domain.panels import PanelMember
from ..services import alert_board
from ..services.pool import PoolInvitation, invite_to_pool
from .identity import current_caller
from .schemas import Message

router = Router()
Ident = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
AlertIdent = Annotated[str, Path(min_length=1, max_length=120, pattern=r"^[A-Za-z0-9_-]+$")]


class AlertOut(BaseModel):
    model_config = ConfigDict(defer_build=True)

    id: str
    kind: AlertKind
    journey_id: str
    reason: str
    raised_at: datetime
    due: date | None = None


class AlertsOut(BaseModel):
    model_config = ConfigDict(defer_build=True)

    alerts: list[AlertOut]


@router.get(
    "/api/academies/<academy_id>/alerts",
    tags=["Leads"],
    summary="The academy's open alerts (its leads and national leads)",
    description=(
        "A claim with no valid panel, a panel seat left vacant, all reviews in, a deadline near: each "
        "raised once per event, open until a lead dismisses it or it is resolved."
    ),
)
def alerts(academy_id: Ident) -> AlertsOut:
    found = alert_board.open_alerts(current_caller(router), academy_id)
    return AlertsOut(
        alerts=[
            AlertOut(
                id=o.alert.id,
                kind=o.alert.kind,
                journey_id=o.alert.journey_id,
                reason=o.alert.reason,
                raised_at=o.alert.raised_at,
                due=o.alert.due,
            )
            for o in found
        ]
    )


@router.post(
    "/api/academies/<academy_id>/alerts/<alert_id>/dismissal",
    tags=["Leads"],
    summary="Dismiss an alert (idempotent)",
)
def dismiss(academy_id: Ident, alert_id: AlertIdent) -> Message:
    alert_board.dismiss(current_caller(router), academy_id, alert_id)
    return Message(message="The alert is dismissed.")


@router.post(
    "/api/panel/invitations",
    tags=["Panels"],
    summary="Invite a person and add them to the panel pool, in one step",
    description=(
        "Creates their account (or gives an existing account the panel role) and their pool entry. "
        "Sending it again changes the entry it made; no second account is created."
    ),
)
def invite_member(body: PoolInvitation) -> PanelMember:
    return invite_to_pool(current_caller(router), body)
