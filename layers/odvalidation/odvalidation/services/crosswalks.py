"""An academy lead moves a practitioner's claim in development to another framework version (issue 18).

The rules are domain/crosswalk.py's; this use case reads the claim and its evidence, writes the moved
claim, the re-pointed evidence and the journey's new framework key in ONE transaction (with an audit event
naming both versions), then tells the practitioner what moved and what is now uncovered.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from .. import clock
from ..dal import keys
from ..dal.store import to_item
from ..domain.access import Caller, check_lead
from ..domain.crosswalk import Crosswalk, MovedClaim, TargetRow, crosswalk, destinations, move_claim
from ..domain.errors import Conflict, InvalidInput, InvalidTransition, NotFound, StaleRead
from ..domain.frameworks import framework
from ..domain.models import Claim, EvidenceItem, Framework, Journey, Stage
from ..settings import settings
from . import notifications
from .common import db, reapplied, updated
from .journeys import claim, evidence


class MovePreview(BaseModel):
    """What a move would do, for the lead to confirm (nothing is written)."""

    model_config = ConfigDict(defer_build=True, arbitrary_types_allowed=True)

    journey: Journey
    old: Framework
    new: Framework
    crosswalk: Crosswalk
    moved: MovedClaim
    # What the plan was made from: the move's write is conditional on exactly these.
    claim_read: Claim | None
    evidence_read: list[EvidenceItem]

    @property
    def uncovered(self) -> list[TargetRow]:
        return self.moved.uncovered


def _lead_journey(caller: Caller, journey_id: str) -> Journey:
    try:
        journey = db().journey(journey_id)
    except NotFound:
        raise NotFound(f"There is no journey '{journey_id}'.") from None
    check_lead(caller, journey.academy_id)
    return journey


def choices(caller: Caller, journey_id: str) -> tuple[Journey, list[Framework]]:
    """The journey and the frameworks its claim could move to (there must be a crosswalk)."""
    journey = _lead_journey(caller, journey_id)
    return journey, [framework(key) for key in destinations(journey.framework_key)]


def preview(caller: Caller, journey_id: str, target: str) -> MovePreview:
    journey = _lead_journey(caller, journey_id)
    return _preview(journey, target)


def _preview(journey: Journey, target: str) -> MovePreview:
    if journey.stage is not Stage.CLAIM_DEVELOPMENT:
        raise InvalidTransition(
            "Only a claim being developed can be moved to another framework; a submitted claim never is."
        )
    if target == journey.framework_key:
        raise InvalidInput(f"This claim is already on {target}.")
    try:
        walk = crosswalk(journey.framework_key, target)
    except NotFound as missing:
        raise InvalidInput(missing.message) from None
    old, new = framework(walk.source), framework(walk.target)
    read = claim(journey)
    current = read or Claim(
        journey_id=journey.id,
        number=journey.claim_number,
        updated_at=clock.now(),
        revalidation=journey.revalidation,
    )
    items = evidence(journey)
    moved = move_claim(walk, old, new, current, items, at=clock.now())
    return MovePreview(
        journey=journey, old=old, new=new, crosswalk=walk, moved=moved, claim_read=read, evidence_read=items
    )


@reapplied()
def move(caller: Caller, journey_id: str, target: str) -> MovePreview:
    """Move the claim; returns what was done. Reapplied from its reads if the journey, the claim or an
    evidence item changed in between (a practitioner saving a narrative at that moment is not lost)."""
    journey = _lead_journey(caller, journey_id)
    plan = _preview(journey, target)
    existing = plan.claim_read
    uncovered = ", ".join(r.element_id for r in plan.uncovered) or "none"
    change = updated(
        journey,
        actor=caller.id,
        action="moved claim to another framework",
        reason=f"from {plan.old.key} to {plan.new.key}; elements uncovered: {uncovered}",
        update={"framework_key": plan.new.key},
    )
    claim_item = to_item(plan.moved.claim, keys.journey_part(journey.id, f"CLAIM#{journey.claim_number}"))
    if existing is None:
        change.guards.append(claim_item)
    else:
        change.updates.append(_replace_if(claim_item, "version", {"N": str(existing.version)}))
    originals = {item.id: item for item in plan.evidence_read}
    for item in plan.moved.evidence:
        # Each file stays the one item it was (domain/crosswalk.py), on its new elements, and only if it is
        # still there as it was read (not removed meanwhile).
        sk = f"EVIDENCE#{item.claim_number}#{item.id}"
        change.updates.append(
            _replace_if(
                to_item(
                    item,
                    keys.journey_part(journey.id, sk),
                    GSI1PK=f"EVIDENCEKEY#{item.key}",
                    GSI1SK="EVIDENCE",
                ),
                "element_id",
                {"S": originals[item.id].element_id},
            )
        )
    try:
        stored = db().commit(change)
    except Conflict:
        # The journey, the claim or an evidence item changed since they were read: read them again.
        raise StaleRead("The claim changed while it was being moved. Reload it and try again.") from None
    done = plan.model_copy(update={"journey": stored})
    notifications.send_quietly(
        stored,
        "claim_moved",
        old_title=f"{plan.old.title}, version {plan.old.version}",
        new_title=f"{plan.new.title}, version {plan.new.version}",
        uncovered=[f"{r.element_id} {r.title}: needs {r.missing}" for r in plan.uncovered],
        link=settings().public_url(f"/journeys/{journey.id}/claim"),
    )
    return done


def _replace_if(item: dict[str, Any], attribute: str, value: dict[str, Any]) -> dict[str, Any]:
    """A transaction Update that writes every attribute of `item` if it exists with `attribute` still
    `value` (the store's Puts of items are unconditional)."""
    fields = {k: v for k, v in item.items() if k not in ("PK", "SK")}
    names = {f"#a{i}": name for i, name in enumerate(fields)}
    return {
        "Key": {"PK": item["PK"], "SK": item["SK"]},
        "UpdateExpression": "SET " + ", ".join(f"#a{i} = :a{i}" for i in range(len(fields))),
        "ConditionExpression": "attribute_exists(PK) AND #was = :was",
        "ExpressionAttributeNames": names | {"#was": attribute},
        "ExpressionAttributeValues": {f":a{i}": v for i, v in enumerate(fields.values())} | {":was": value},
    }
