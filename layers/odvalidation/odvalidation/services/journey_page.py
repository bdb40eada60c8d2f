"""What the journey page shows, in two round trips to DynamoDB instead of one per item.

A journey's items share its partition (the journey, its claims, evidence, audit trail, supporters,
panel seats, panel, outcome and draft comments: dal/keys.py), so one Query of that item collection
reads them all; the people and the cohort the page names live in partitions of their own and come
back in one BatchGetItem. Access is checked on what the Query returned, with the same rules as
`journeys.load_for` and `journeys.status`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..dal import keys
from ..dal.store import from_item
from ..domain import panels as solver
from ..domain.access import Caller, check_view, is_lead_for, needs_links, reads_claims_as_lead
from ..domain.adjustments import Adjustment
from ..domain.errors import NotFound
from ..domain.history import history_for
from ..domain.models import (
    AuditEvent,
    Claim,
    Cohort,
    DraftComment,
    EvidenceItem,
    Interview,
    Journey,
    OutcomeRecord,
    Panel,
    Person,
)
from .common import db


@dataclass
class JourneyPage:
    journey: Journey
    claim: Claim | None
    evidence: list[EvidenceItem]
    history: list[AuditEvent]
    panel: Panel | None
    outcome: OutcomeRecord | None
    comments: list[DraftComment]  # only for the practitioner and their supporter
    cohort: Cohort | None = None
    people: dict[str, Person] = field(default_factory=dict)  # by id: practitioner, supporter, actors
    members: dict[str, solver.PanelMember] = field(default_factory=dict)  # by id: the seated members
    # Reasonable adjustments: only for the practitioner and their academy lead (never a national lead).
    adjustments: list[Adjustment] = field(default_factory=list)
    # The interview arranged for the current claim (when, where): anyone who reads the journey page.
    interview: Interview | None = None
    # Whether the practitioner has given their feedback on the process for the current claim.
    feedback_given: bool = False


def _starting(items: dict[str, dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
    return [item for sk, item in items.items() if sk.startswith(prefix)]  # in sort-key order


def load(caller: Caller, journey_id: str, *, names: bool = True) -> JourneyPage:
    """names=False: the journey's own items only (one Query), without the people and cohort."""
    store = db()
    items = store.collection(f"JOURNEY#{journey_id}")
    if "JOURNEY" not in items:
        raise NotFound(f"There is no journey '{journey_id}'.")
    journey = from_item(Journey, items["JOURNEY"])
    n = journey.claim_number
    seat_prefix = f"SEAT#{n}#"
    seated = {sk[len(seat_prefix) :] for sk in items if sk.startswith(seat_prefix)}
    # The supporter named now, if linked (services/common.py `supporter_ids`, from the items in hand).
    supporters = {sk.split("#", 1)[1] for sk in items if sk.startswith("SUPPORTER#")} & {
        journey.supporter_id or ""
    }
    linked = needs_links(caller, journey)
    check_view(
        caller,
        journey,
        supporter_ids=supporters if linked else set(),
        panel_ids=seated if linked else set(),
    )
    claim_item = items.get(f"CLAIM#{n}") if n >= 1 else None
    evidence = [from_item(EvidenceItem, i) for i in _starting(items, f"EVIDENCE#{n}#")] if n else []
    own_seat = items.get(f"{seat_prefix}{caller.id}")
    undeclared = own_seat is not None and not own_seat.get("declared", {}).get("BOOL", False)
    # The claim and its evidence: the practitioner, their supporter, a panel member who has declared no
    # conflict of interest, a lead of the journey's academy. A national lead sees figures, not claims.
    content = (
        caller.id == journey.practitioner_id
        or reads_claims_as_lead(caller, journey)
        or (caller.id in seated and not undeclared)
        or caller.id in supporters
    )
    if not content:
        claim_item, evidence = None, []
    # Who declared a conflict, and why members were (not) seated: for the leads and the panel.
    panel_choice = caller.id != journey.practitioner_id and (
        is_lead_for(caller, journey.academy_id) or caller.id in seated
    )
    panel_item = items.get(f"PANEL#{n}") if n else None
    outcome_item = items.get(f"OUTCOME#{n}") if journey.outcome else None
    reader = caller.id in (journey.practitioner_id, journey.supporter_id)
    adjusts = caller.id == journey.practitioner_id or reads_claims_as_lead(caller, journey)
    comments = [from_item(DraftComment, i) for i in _starting(items, f"COMMENT#{n:03d}#")] if reader else []
    view = JourneyPage(
        journey=journey,
        claim=from_item(Claim, claim_item) if claim_item else None,
        evidence=evidence,
        history=history_for(
            [from_item(AuditEvent, i) for i in _starting(items, "AUDIT#")],
            sees_evidence=content,
            sees_panel_choice=panel_choice,
            sees_adjustments=adjusts,
        ),
        panel=from_item(Panel, panel_item) if panel_item else None,
        outcome=from_item(OutcomeRecord, outcome_item) if outcome_item else None,
        comments=sorted(comments, key=lambda c: c.at),
        adjustments=[from_item(Adjustment, i) for i in _starting(items, "ADJUSTMENT#")] if adjusts else [],
        interview=from_item(Interview, items[f"INTERVIEW#{n}"]) if n and f"INTERVIEW#{n}" in items else None,
        feedback_given=bool(n) and f"FEEDBACK#{n}" in items,
    )
    if not names:
        return view
    people = {journey.practitioner_id, journey.supporter_id or ""}
    people |= {e.actor for e in view.history if not e.actor.startswith("system:")}
    wanted = [keys.person(p) for p in sorted(people - {""})]
    wanted += [keys.member(s.member_id) for s in view.panel.seats] if view.panel else []
    wanted.append(keys.cohort(journey.cohort_id))
    for item in store.batch_get(wanted):
        pk = item["PK"]["S"]
        if pk.startswith("PERSON#"):
            person = from_item(Person, item)
            view.people[person.id] = person
        elif pk.startswith("MEMBER#"):
            member = from_item(solver.PanelMember, item)
            view.members[member.id] = member
        elif pk.startswith("COHORT#"):
            view.cohort = from_item(Cohort, item)
    return view
