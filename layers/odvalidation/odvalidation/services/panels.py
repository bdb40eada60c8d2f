"""Panels of peers and experts: the pool, assignment, conflict declarations, reviews, the interview
and the outcome (issue 4). The choice of panel is the pure solver in domain/panels.py."""

from __future__ import annotations

from datetime import date
from typing import Any

from .. import clock
from ..dal import evidence as evidence_store
from ..dal import keys, workflow
from ..dal.store import from_item, to_item
from ..domain import panels as solver
from ..domain.access import Caller, check_lead, is_lead_for, reads_claims_as_lead
from ..domain.errors import Forbidden, InvalidInput, InvalidTransition, NotFound
from ..domain.models import (
    AuditEvent,
    EvidenceItem,
    Journey,
    Panel,
    PanelSeat,
    Stage,
)
from ..observability import logger
from . import alerts
from .common import db, moved, panel_ids, part, reapplied, record, supporter_ids, updated
from .notifications import send_panel_email
from .panel_assignment import SYSTEM as SYSTEM
from .panel_assignment import assign_for_journey as assign_for_journey
from .panel_assignment import claim_to_assign as claim_to_assign
from .panel_assignment import schedule_review_reminders as schedule_review_reminders
from .panel_pool import member as member
from .panel_pool import pool as pool
from .seats import (
    _conflict_declared,
    _load_change,
    _seat_change,
    _seat_of,
    current_panel,
)

# ---------------------------------------------------------------------------- the pool


def member_item(m: solver.PanelMember) -> dict[str, Any]:
    return to_item(m, keys.member(m.id), GSI2PK="POOL", GSI2SK=f"MEMBER#{m.id}")


# What a lead may change; the member's load and declared conflicts stay the service's.
_LEAD_FIELDS = frozenset(solver.MemberDetails.model_fields) - {"id"}


def save_member(caller: Caller, details: solver.MemberDetails) -> solver.PanelMember:
    """Add or change a pool member (a lead of the member's academy, or a national lead). A change
    writes only the fields a lead may set, so it never resets a load or forgets a conflict; a lead
    may not move another academy's member into their own."""
    check_lead(caller, details.academy_id)
    store = db()
    existing = store.get_model(solver.PanelMember, keys.member(details.id))
    if existing is None:
        added = solver.PanelMember(**details.model_dump())
        if store.put(member_item(added), only_if_new=True):
            return added
        existing = member(details.id)  # added by someone else a moment ago: change it instead
    check_lead(caller, existing.academy_id)
    if not store.set_fields(keys.member(details.id), details, _LEAD_FIELDS):
        raise NotFound(f"There is no panel member '{details.id}'.")
    return member(details.id)


# ---------------------------------------------------------------------------- assignment


@reapplied()
def resolve_blocked(caller: Caller, journey_id: str, *, member_ids: list[str] | None, reason: str) -> Panel:
    """The lead unblocks a journey waiting for a panel: try again (after adding members or raising
    caps), or override with a recorded reason."""
    store = db()
    journey = store.journey(journey_id)
    check_lead(caller, journey.academy_id)
    if journey.stage is not Stage.AWAITING_PANEL:
        raise InvalidTransition("This journey is not waiting for a panel.")
    if not journey.task_token:
        raise InvalidTransition("The journey is still being set up. Wait a moment and try again.")
    claim = claim_to_assign(journey)
    members = pool()
    if member_ids:
        result: solver.Assignment | solver.NoValidPanel = solver.override_panel(
            claim, members, member_ids, reason
        )
        action = "panel overridden by lead"
    else:
        result = solver.assign_panel(claim, members)
        action = "panel assigned after lead's changes"
    if isinstance(result, solver.NoValidPanel):
        raise InvalidInput(f"There is still no valid panel: {result.reason}")
    token = journey.task_token
    store.commit(
        _seat_change(
            journey,
            result,
            moved(journey, Stage.PANEL_REVIEW, actor=caller.id, action=action, reason=reason or None),
        )
    )
    schedule_review_reminders(journey_id)
    workflow.resume(token, {"assigned": True})
    return current_panel(journey_id)


def my_assignments(caller: Caller) -> list[Journey]:
    store = db()
    ids = [
        item["PK"]["S"].split("#", 1)[1]
        for item in store.query(f"MEMBER#{caller.id}", index="GSI1", prefix="SEAT#")
    ]
    return [from_item(Journey, item) for item in store.batch_get(keys.journey(i) for i in ids)]


# ---------------------------------------------------------------------------- conflicts


@reapplied()
def _declare_no_conflict(caller: Caller, journey_id: str) -> Panel:
    """Members of one panel declare at about the same time; each declaration is a versioned write of the
    panel, so the one that finds the panel changed reads it again and adds its seat's declaration."""
    store = db()
    journey = store.journey(journey_id)
    panel, seat = _seat_of(caller, journey)
    if seat.declared:
        return panel  # declared already: one effect
    at = clock.now()
    seats = [
        s.model_copy(update={"declared": True, "declared_at": at}) if s.member_id == caller.id else s
        for s in panel.seats
    ]
    new_panel = panel.model_copy(update={"seats": seats, "version": panel.version + 1})
    seat_item = part(
        journey_id,
        f"SEAT#{journey.claim_number}#{caller.id}",
        seat.model_copy(update={"declared": True, "declared_at": at}),
        GSI1PK=f"MEMBER#{caller.id}",
        GSI1SK=f"SEAT#{panel.assigned_at.isoformat()}#{journey_id}",
    )
    # The panel (versioned), the seat's copy and the trail in one transaction (issue 19: one round
    # trip, and never a panel that says declared without its seat or its audit event).
    change = updated(journey, actor=caller.id, action="declared no conflict of interest", puts=[seat_item])
    change.versioned.append((part(journey_id, f"PANEL#{journey.claim_number}", new_panel), panel.version))
    store.commit(change)
    return new_panel


def declare(caller: Caller, journey_id: str, *, conflict: bool, note: str = "") -> Panel:
    """Before opening any evidence a member declares no conflict, or a conflict (which frees the seat)."""
    if not conflict:
        return _declare_no_conflict(caller, journey_id)
    return _declare_conflict(caller, journey_id, note)


@reapplied()
def _declare_conflict(caller: Caller, journey_id: str, note: str) -> Panel:
    """A conflict: recorded against the member, the seat freed and the best replacement seated, all in
    one transaction (so a stale read writes nothing and is simply re-applied)."""
    store = db()
    journey = store.journey(journey_id)
    panel, _ = _seat_of(caller, journey)
    at = clock.now()
    claim = claim_to_assign(journey)
    chair = next((s.member_id for s in panel.seats if s.chair), None)
    result = solver.replace_member(
        claim,
        pool(),
        [s.member_id for s in panel.seats],
        caller.id,
        chair_id=chair if chair != caller.id else None,
    )
    remaining = [s for s in panel.seats if s.member_id != caller.id]
    change = updated(
        journey, actor=caller.id, action="declared a conflict of interest", reason=note or None, update={}
    )
    change.deletes.append(keys.journey_part(journey_id, f"SEAT#{journey.claim_number}#{caller.id}"))
    change.updates.append(_conflict_declared(caller.id, journey.practitioner_id))
    if isinstance(result, solver.NoValidPanel):
        new_panel = panel.model_copy(update={"seats": remaining, "version": panel.version + 1})
        change.puts.append(part(journey_id, f"PANEL#{journey.claim_number}", new_panel))
        change.events.append(
            AuditEvent(journey_id=journey_id, at=at, actor=SYSTEM, action="seat vacant", reason=result.reason)
        )
        alerts.seat_vacant(store.commit(change), new_panel.version, result.reason, seats=len(remaining))
        return new_panel
    newcomer = next(m for m in result.member_ids if m not in {s.member_id for s in remaining})
    new_seat = PanelSeat(member_id=newcomer, kind=result.kinds[newcomer], chair=result.chair_id == newcomer)
    seats = [s.model_copy(update={"chair": s.member_id == result.chair_id}) for s in remaining] + [new_seat]
    new_panel = panel.model_copy(update={"seats": seats, "version": panel.version + 1})
    change.puts += [
        part(journey_id, f"PANEL#{journey.claim_number}", new_panel),
        part(
            journey_id,
            f"SEAT#{journey.claim_number}#{newcomer}",
            new_seat,
            GSI1PK=f"MEMBER#{newcomer}",
            GSI1SK=f"SEAT#{at.isoformat()}#{journey_id}",
        ),
    ]
    change.updates.append(_load_change(newcomer, 1))
    change.events.append(
        AuditEvent(journey_id=journey_id, at=at, actor=SYSTEM, action="seat reassigned", reason=newcomer)
    )
    stored = store.commit(change)
    _quiet_panel_email(stored, "panel_assigned", only=[newcomer])
    return new_panel


# ---------------------------------------------------------------------------- evidence access


def evidence_link(caller: Caller, journey_id: str, evidence_id: str) -> str:
    """A short-lived download link, for the practitioner, their supporter, their lead, or an assigned
    panel member who has declared no conflict. Every access is written to the audit trail."""
    store = db()
    journey = store.journey(journey_id)
    item = store.get_model(
        EvidenceItem, keys.journey_part(journey_id, f"EVIDENCE#{journey.claim_number}#{evidence_id}")
    )
    supporters = supporter_ids(store, journey)
    seats = panel_ids(store, journey)
    if caller.id in seats:
        _, seat = _seat_of(caller, journey)
        if not seat.declared:
            raise Forbidden("Declare whether you have a conflict of interest before opening any evidence.")
    elif not (
        caller.id == journey.practitioner_id
        or caller.id in supporters
        or reads_claims_as_lead(caller, journey)
    ):
        if is_lead_for(caller, journey.academy_id):
            raise Forbidden("National leads see the programme's figures, not a practitioner's evidence.")
        raise NotFound(f"There is no journey '{journey_id}'.")
    if item is None or item.status.value != "verified":
        raise NotFound("That evidence is not available.")
    record(
        journey_id,
        actor=caller.id,
        action="opened evidence",
        reason=f"element {', '.join(item.elements) or item.element_id}: {item.display_name}",
    )
    return evidence_store.download_link(item.key, item.display_name)


# ---------------------------------------------------------------------------- email


def _quiet_panel_email(journey: Journey, kind: str, **kw: Any) -> None:
    try:
        send_panel_email(journey, kind, **kw)
    except Exception:
        logger.exception("panel email failed", extra={"journey_id": journey.id, "kind": kind})


def today() -> date:
    return clock.now().date()
