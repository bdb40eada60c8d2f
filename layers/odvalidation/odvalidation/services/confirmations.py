"""Use cases that tell someone what just happened to them: the practitioner that their claim arrived or
their deadline moved, a supporter that they were named. Each is the journeys use case and then one
email to the one person it concerns, sent once per event (after the change is stored; a refused change
sends nothing). Email never blocks the change: a failed send is recorded on the journey.

These compose services.journeys and services.notifications, which stay independent of each other (a
module here rather than a call inside journeys keeps the import graph without a new cycle). The web
pages and the JSON API both call these, so a person is told the same whichever way the change came.
"""

from __future__ import annotations

from ..domain.access import Caller
from ..domain.claims import Completeness
from ..domain.models import Journey, Person
from ..settings import settings
from . import claim_development, notifications
from . import journeys as js


def submit_claim(caller: Caller, journey_id: str) -> Completeness:
    """Submit; the confirmation that the claim has arrived is the workflow's next task (NotifySubmitted,
    services/after_answer.py), sent after the practitioner's answer (issue 19)."""
    return claim_development.submit_claim(caller, journey_id)


def name_supporter(caller: Caller, journey_id: str, email: str) -> Person:
    """Name the supporter, then tell them (they cannot comment on a claim they do not know of)."""
    supporter = claim_development.name_supporter(caller, journey_id, email)
    notifications.send_quietly(
        js.load_for(caller, journey_id),
        "supporter_named",
        to=[supporter],
        practitioner_name=caller.name or "A practitioner",
        link=settings().public_url(f"/journeys/{journey_id}#comments"),
    )
    return supporter


def grant_extension(caller: Caller, journey_id: str, weeks: int, reason: str) -> Journey:
    """Extend the deadline, then tell the practitioner the new date."""
    journey = claim_development.grant_extension(caller, journey_id, weeks, reason)
    notifications.send_quietly(journey, "extension_granted")
    return journey
