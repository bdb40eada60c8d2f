"""Reasonable adjustments, with the email the person who must act next receives: the academy's leads
when a practitioner asks (or changes what they asked), the practitioner when their lead decides.

The use cases are services/adjustments.py's; this module adds only the email, after the change is
stored (a refused change or a repeat sends nothing; a failed send is recorded and never blocks). The
emails name the kind of adjustment, never the practitioner's details: those stay on the service.
The web pages and the JSON API both call these, so a person is told the same whichever way it came.
"""

from __future__ import annotations

from ..dal import identity, keys
from ..domain import adjustments as rules
from ..domain.access import Caller
from ..domain.adjustments import Adjustment, AdjustmentKind, AdjustmentState, Terms
from ..domain.models import Cohort, Journey, Person, Role, Stage
from ..observability import logger, metrics
from ..settings import settings
from . import adjustments, notifications, people
from . import journeys as js
from .common import db


def _academy_leads(academy_id: str) -> list[Person]:
    return [
        Person(id=m.get("sub", m["username"]), name=m.get("name") or m["email"], email=m["email"])
        for m in identity.group_members(Role.ACADEMY_LEAD.value)
        if m.get("custom:academy") == academy_id and m.get("email")
    ]


def _tell_leads(journey: Journey, adjustment: Adjustment, *, changed: bool) -> None:
    try:
        practitioner = people.person(journey.practitioner_id)
        cohort = db().get_model(Cohort, keys.cohort(journey.cohort_id))
        notifications.send_to(
            journey,
            "adjustment_requested",
            _academy_leads(journey.academy_id),
            practitioner=practitioner.name if practitioner else "A practitioner",
            cohort=cohort.name if cohort else journey.cohort_id,
            kind_text=rules.KIND_TEXT[adjustment.kind],
            changed=changed,
            link=settings().public_url(f"/lead/journeys/{journey.id}/adjustments"),
        )
    except Exception:
        # Email never blocks the request: the lead also sees it waiting on the journey's page.
        logger.exception("adjustment email failed", extra={"journey_id": journey.id})
        metrics.add_metric(name="EmailFailed", unit="Count", value=1)


def request(caller: Caller, journey_id: str, kind: AdjustmentKind, terms: Terms) -> Adjustment:
    before = adjustments.one(journey_id, kind)
    stored, changed = adjustments.request(caller, journey_id, kind, terms)
    if changed:
        was_asked = before is not None and before.state is not AdjustmentState.WITHDRAWN
        _tell_leads(js.load_for(caller, journey_id), stored, changed=was_asked)
    return stored


def decide(caller: Caller, journey_id: str, kind: AdjustmentKind, *, agree: bool, note: str) -> Adjustment:
    stored = adjustments.decide(caller, journey_id, kind, agree=agree, note=note)
    journey = js.load_for(caller, journey_id)
    deadline = journey.claim_deadline if kind is AdjustmentKind.MORE_TIME else None
    notifications.send_quietly(
        journey,
        "adjustment_decided",
        agreed=agree,
        kind_text=rules.KIND_TEXT[kind],
        summary=rules.summary(kind, stored.requested),
        note=stored.lead_note,
        deadline=f"{deadline:%-d %B %Y}" if deadline and journey.stage is Stage.CLAIM_DEVELOPMENT else "",
        interview=rules.interview_text(stored.agreed) if agree else "",
        link=settings().public_url(f"/journeys/{journey_id}/adjustments"),
    )
    return stored
