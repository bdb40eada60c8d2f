"""The alerts on a lead's home: those still open (not dismissed, not resolved), and dismissing one.

One query for the academy's alerts, then one read of each alerted journey (and, where the rule needs
it, its panel or interview): an academy has a handful of open alerts, not hundreds.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import clock
from ..dal import keys
from ..dal.store import from_item
from ..domain.access import Caller, check_lead
from ..domain.alerts import TITLES, Alert, AlertKind, Facts, still_open
from ..domain.errors import NotFound
from ..domain.models import Journey, Panel
from . import seats
from .common import db, record


@dataclass(frozen=True)
class OpenAlert:
    alert: Alert
    journey: Journey


def _facts(alert: Alert, journey: Journey) -> Facts:
    if alert.kind in {AlertKind.SEAT_VACANT, AlertKind.DEADLINE_NEAR}:
        panel = db().get_model(Panel, keys.journey_part(journey.id, f"PANEL#{journey.claim_number}"))
        return Facts(
            panel_version=panel.version if panel else None, review_due=panel.review_due if panel else None
        )
    if alert.kind is AlertKind.REVIEWS_IN:
        return Facts(interview_arranged=seats.interview_of(journey) is not None)
    return Facts()


def _facts_keys(alerts: list[Alert], journeys: dict[str, Journey]) -> list[dict[str, str]]:
    """The items `_facts` reads for these alerts."""
    wanted: dict[str, dict[str, str]] = {}
    for alert in alerts:
        journey = journeys.get(alert.journey_id)
        if journey is None:
            continue
        if alert.kind in {AlertKind.SEAT_VACANT, AlertKind.DEADLINE_NEAR}:
            key = keys.journey_part(journey.id, f"PANEL#{journey.claim_number}")
        elif alert.kind is AlertKind.REVIEWS_IN:
            key = keys.journey_part(journey.id, f"INTERVIEW#{journey.claim_number}")
        else:
            continue
        wanted[key["PK"] + key["SK"]] = key
    return list(wanted.values())


def open_alerts(caller: Caller, academy_id: str) -> list[OpenAlert]:
    """The academy's open alerts, the oldest first within each kind, kinds in the home's order."""
    check_lead(caller, academy_id)
    store = db()
    today = clock.now().date()
    found: list[OpenAlert] = []
    alerts = [
        a
        for a in store.query_models(Alert, keys.alert(academy_id, "")["PK"], prefix="ALERT#")
        if a.dismissed_at is None
    ]
    # Three round trips however many alerts (issue 19): the alerts, their journeys in one
    # BatchGetItem, then what each needs to be judged and the practitioner the home names in another;
    # the reads below find them in the request's read cache.
    journeys = [
        from_item(Journey, item)
        for item in store.batch_get({a.journey_id: keys.journey(a.journey_id) for a in alerts}.values())
    ]
    by_id = {j.id: j for j in journeys}
    store.batch_get(_facts_keys(alerts, by_id) + [keys.person(j.practitioner_id) for j in journeys])
    for alert in alerts:
        journey = by_id.get(alert.journey_id)
        if journey is not None and still_open(alert, journey, _facts(alert, journey), today):
            found.append(OpenAlert(alert, journey))
    order = list(TITLES)
    found.sort(key=lambda o: (order.index(o.alert.kind), o.alert.raised_at))
    return found


def dismiss(caller: Caller, academy_id: str, alert_id: str) -> Alert:
    """A lead acknowledges an alert: it leaves the home for every lead of the academy. Dismissing one
    already dismissed changes nothing (a repeated form post)."""
    check_lead(caller, academy_id)
    store = db()
    key = keys.alert(academy_id, alert_id)
    alert = store.get_model(Alert, key)
    if alert is None:
        raise NotFound("There is no such alert.")
    if alert.dismissed_at is not None:
        return alert
    done = alert.model_copy(update={"dismissed_at": clock.now(), "dismissed_by": caller.id})
    store.set_fields(key, done, {"dismissed_at", "dismissed_by"})
    record(alert.journey_id, actor=caller.id, action="dismissed an alert", reason=TITLES[alert.kind])
    return done
