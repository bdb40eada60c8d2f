"""A claim's panel as stored: the panel and its seats, the members' loads that move with them, the
interview and the outcome. Read and written by the panel, journey, email and certificate services alike,
so it sits below them all and imports none of them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from .. import clock
from ..dal import keys
from ..dal.store import Change
from ..domain import panels as solver
from ..domain.access import Caller
from ..domain.errors import NotFound
from ..domain.models import (
    Interview,
    Journey,
    OutcomeRecord,
    Panel,
    PanelSeat,
)
from .common import db, part

REVIEW_DAYS = 28


def _load_change(member_id: str, by: int) -> dict[str, Any]:
    """The member's load moves by `by` claims, in the same transaction as the seat (+1) or as the
    outcome or withdrawal that ends the panel's work (-1: a cap is the claims held at once, and a
    load never goes below zero)."""
    update: dict[str, Any] = {
        "Key": {k: {"S": v} for k, v in keys.member(member_id).items()},
        "UpdateExpression": "ADD current_load :by",
        "ExpressionAttributeValues": {":by": {"N": str(by)}},
    }
    if by < 0:
        update["ConditionExpression"] = "current_load >= :least"
        update["ExpressionAttributeValues"][":least"] = {"N": str(-by)}
    return update


def _conflict_declared(member_id: str, practitioner_id: str) -> dict[str, Any]:
    """In the transaction that frees the seat: the member keeps the conflict for good and holds one
    claim fewer. An update of those two attributes alone, so a lead's edit of the member at the same
    moment cannot undo it (nor this undo the edit)."""
    update = _load_change(member_id, -1)
    update["UpdateExpression"] = (
        "SET declared_conflicts = list_append(if_not_exists(declared_conflicts, :none), :conflict) "
        + update["UpdateExpression"]
    )
    update["ExpressionAttributeValues"] |= {":none": {"L": []}, ":conflict": {"L": [{"S": practitioner_id}]}}
    return update


def seats_released(journey: Journey) -> list[dict[str, Any]]:
    """The load updates that free the seats of the journey's current panel (none if it has none)."""
    panel = db().get_model(Panel, keys.journey_part(journey.id, f"PANEL#{journey.claim_number}"))
    return [_load_change(s.member_id, -1) for s in panel.seats] if panel else []


def _seat_change(journey: Journey, assignment: solver.Assignment, base: Change) -> Change:
    """Add the panel, one seat item per member (for "my assignments") and the members' loads."""
    at = clock.now()
    panel = Panel(
        journey_id=journey.id,
        claim_number=journey.claim_number,
        seats=[
            PanelSeat(member_id=m, kind=assignment.kinds[m], chair=m == assignment.chair_id)
            for m in assignment.member_ids
        ],
        assigned_at=at,
        override_reason=assignment.override_reason,
        review_due=at.date() + timedelta(days=REVIEW_DAYS),
    )
    base.puts.append(part(journey.id, f"PANEL#{journey.claim_number}", panel))
    for seat in panel.seats:
        base.puts.append(
            part(
                journey.id,
                f"SEAT#{journey.claim_number}#{seat.member_id}",
                seat,
                GSI1PK=f"MEMBER#{seat.member_id}",
                GSI1SK=f"SEAT#{at.isoformat()}#{journey.id}",
            )
        )
        base.updates.append(_load_change(seat.member_id, 1))
    return base


def current_panel(journey_id: str) -> Panel:
    journey = db().journey(journey_id)
    found = db().get_model(Panel, keys.journey_part(journey_id, f"PANEL#{journey.claim_number}"))
    if found is None:
        raise NotFound("No panel has been assigned to this claim yet.")
    return found


def interview_of(journey: Journey) -> Interview | None:
    """The interview arranged for the journey's current claim, if any."""
    return db().get_model(Interview, keys.journey_part(journey.id, f"INTERVIEW#{journey.claim_number}"))


def read_interviews(journeys: Iterable[Journey]) -> None:
    """The interviews of several journeys in one BatchGetItem, kept in the request's read cache, so a
    list that asks `interview_of` for each makes one round trip, not one per journey (issue 19)."""
    db().batch_get(keys.journey_part(j.id, f"INTERVIEW#{j.claim_number}") for j in journeys)


def outcome_of(journey: Journey) -> OutcomeRecord | None:
    return db().get_model(OutcomeRecord, keys.journey_part(journey.id, f"OUTCOME#{journey.claim_number}"))


def _seat_of(caller: Caller, journey: Journey) -> tuple[Panel, PanelSeat]:
    panel = db().get_model(Panel, keys.journey_part(journey.id, f"PANEL#{journey.claim_number}"))
    seat = next((s for s in panel.seats if s.member_id == caller.id), None) if panel else None
    if panel is None or seat is None:
        raise NotFound(f"There is no journey '{journey.id}'.")
    return panel, seat
