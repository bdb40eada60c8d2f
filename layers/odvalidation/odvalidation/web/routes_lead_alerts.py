"""Alerts on the lead's home (issue 17 item 5): each open alert with its count by kind, a link to the
journey's lead page, and a button to dismiss it. The rules (once per event, resolution) are the
services' (services.alerts, services.alert_board)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..domain.access import Caller as DomainCaller
from ..domain.alerts import TITLES
from ..domain.errors import NotFound
from ..services import alert_board
from .forms import first_values
from .request import form_data, redirect
from .routes_lead import _academy_of, _name, lead_caller

router: Router = Router()


def _day(value: Any) -> str:
    return value.strftime("%-d %B %Y")


def alert_context(caller: DomainCaller, academy_id: str) -> dict[str, Any]:
    """What the home shows of the academy's alerts: a count per kind and one row per open alert."""
    found = alert_board.open_alerts(caller, academy_id)
    rows = [
        {
            "id": o.alert.id,
            "kind": o.alert.kind.value,
            "title": TITLES[o.alert.kind],
            "name": _name(o.journey.practitioner_id),
            "reason": o.alert.reason,
            "raised": _day(o.alert.raised_at),
            "href": f"/lead/journeys/{o.journey.id}",
        }
        for o in found
    ]
    counts = [
        {"kind": kind.value, "title": title, "count": sum(1 for o in found if o.alert.kind is kind)}
        for kind, title in TITLES.items()
    ]
    return {"alerts": rows, "alert_counts": counts}


class Dismissal(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)

    alert: str = Field(min_length=1, max_length=300)


@router.post("/lead/alerts/dismiss")
def dismiss() -> Response:
    caller = lead_caller()
    academy_id = _academy_of(caller)
    try:
        chosen = Dismissal.model_validate(first_values(form_data()))
    except ValidationError:
        raise NotFound("There is no such alert.") from None
    alert_board.dismiss(caller, academy_id, chosen.alert)
    back = "/lead"
    if academy_id != caller.academy_id:
        back = f"/lead?{urlencode({'academy': academy_id})}"
    return redirect(f"{back}#alerts")
