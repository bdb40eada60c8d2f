"""A panel member's claims, read in three round trips whatever their number (issue 19: round trips).

The assignments page and a panel member's home page list every claim the member sits on, with the
panel, the claim's level, the practitioner's name and whether the member has reviewed it. Read claim by
claim (services.panels and services.journeys, as one claim's pages do) that is some ten reads per
claim, one after another: 38 for a member with three claims. Here: one Query of the member's seats
(GSI1), one BatchGetItem of their journeys, and one BatchGetItem of every panel, claim, practitioner and
the member's own review at once, since each of those has a key known from its journey.

Who may see what is decided as on a claim's own pages: a claim is listed only if the member holds a
seat on its current panel (the seat item of the journey's current claim, and a seat in its panel item),
which is what lets a panel member view a journey (domain.access.can_view_journey).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..dal import keys
from ..dal.store import from_item
from ..domain.access import Caller, is_lead_for
from ..domain.errors import NotFound
from ..domain.models import Claim, Cohort, Interview, Journey, Panel, PanelSeat, Person
from .common import db


@dataclass(frozen=True)
class Seated:
    """One claim the member sits on the current panel of, with what its row shows."""

    journey: Journey
    panel: Panel
    seat: PanelSeat
    claim: Claim | None
    practitioner: Person | None
    reviewed: bool
    # The member has a review draft saved (issue 16.4) and has not submitted yet: "continue your review".
    drafted: bool = False
    # The interview once arranged (shown to every member, issue: panel walk), and the claim's cohort,
    # which tells two claims of one practitioner apart: read in the same BatchGetItem.
    interview: Interview | None = None
    cohort: Cohort | None = None


def _key(item: dict[str, Any]) -> tuple[str, str]:
    return item["PK"]["S"], item["SK"]["S"]


def _seated(caller: Caller, journeys: list[Journey], *, cohorts: bool = False) -> list[Seated]:
    """The claims among these whose current panel seats the caller, with one BatchGetItem of every
    panel, claim, practitioner and the caller's own review (each key is known from its journey), and
    with `cohorts`, each claim's cohort (the lists name it; one claim's pages read everything else from
    the read cache their read-ahead filled, and a cohort there would cost them a round trip)."""
    store = db()
    wanted: dict[tuple[str, str], dict[str, str]] = {}
    for j in journeys:
        parts = [
            keys.journey_part(j.id, f"PANEL#{j.claim_number}"),
            keys.journey_part(j.id, f"REVIEW#{j.claim_number}#{caller.id}"),
            # Their own draft only (its key holds their id), and the interview, whose time closes the
            # review to changes (issue 16.4): read here, they cost the review page no round trip (the
            # request's read cache answers services.review_drafts).
            keys.journey_part(j.id, f"REVIEWDRAFT#{j.claim_number}#{caller.id}"),
            keys.journey_part(j.id, f"INTERVIEW#{j.claim_number}"),
            keys.person(j.practitioner_id),
            *([keys.cohort(j.cohort_id)] if cohorts else []),
        ]
        if j.claim_number >= 1:
            parts.append(keys.journey_part(j.id, f"CLAIM#{j.claim_number}"))
        wanted |= {(k["PK"], k["SK"]): k for k in parts}
    found = {_key(item): item for item in store.batch_get(wanted.values())} if wanted else {}

    def model[T](model: type[T], key: dict[str, str]) -> T | None:
        item = found.get((key["PK"], key["SK"]))
        return from_item(model, item) if item else None  # type: ignore[type-var]

    out: list[Seated] = []
    for j in journeys:
        panel = model(Panel, keys.journey_part(j.id, f"PANEL#{j.claim_number}"))
        seat = next((s for s in panel.seats if s.member_id == caller.id), None) if panel else None
        if panel is None or seat is None:  # no panel yet, or a seat given up after a conflict
            continue
        own_review = (f"JOURNEY#{j.id}", f"REVIEW#{j.claim_number}#{caller.id}") in found
        out.append(
            Seated(
                journey=j,
                panel=panel,
                seat=seat,
                claim=model(Claim, keys.journey_part(j.id, f"CLAIM#{j.claim_number}"))
                if j.claim_number >= 1
                else None,
                practitioner=model(Person, keys.person(j.practitioner_id)),
                # As services.panels.reviews_for answers: a lead of the journey's academy sees every
                # review whether or not they wrote one.
                reviewed=own_review or is_lead_for(caller, j.academy_id),
                drafted=not own_review
                and (f"JOURNEY#{j.id}", f"REVIEWDRAFT#{j.claim_number}#{caller.id}") in found,
                interview=model(Interview, keys.journey_part(j.id, f"INTERVIEW#{j.claim_number}")),
                cohort=model(Cohort, keys.cohort(j.cohort_id)),
            )
        )
    return out


def seated_claim(caller: Caller, journey_id: str) -> Seated:
    """One claim the caller sits on the current panel of, in two round trips (its journey, then one
    BatchGetItem); NotFound otherwise, as for anyone with no reason to see the journey. A seat on the
    current panel is what lets a panel member view a journey (domain.access.can_view_journey), so the
    seat is the whole check: the supporters' and seats' Queries a general view check makes are not needed."""
    try:
        journey = db().journey(journey_id)
    except NotFound:
        raise NotFound(f"There is no journey '{journey_id}'.") from None
    found = _seated(caller, [journey])
    if not found:
        raise NotFound(f"There is no journey '{journey_id}'.")
    return found[0]


def seated_claims(caller: Caller) -> list[Seated]:
    """Every claim the caller sits on the current panel of, in three round trips."""
    store = db()
    # SEAT#<claim number>#<member id>: which claim of the journey the seat is on.
    seats = {
        item["PK"]["S"].split("#", 1)[1]: item["SK"]["S"]
        for item in store.query(f"MEMBER#{caller.id}", index="GSI1", prefix="SEAT#")
    }
    journeys = [from_item(Journey, item) for item in store.batch_get(keys.journey(i) for i in seats)]
    order = list(seats)  # the seats' order (GSI1's sort key), not BatchGetItem's, which has none
    current = sorted(
        (j for j in journeys if seats.get(j.id) == f"SEAT#{j.claim_number}#{caller.id}"),
        key=lambda j: order.index(j.id),
    )
    return _seated(caller, current, cohorts=True)


def read_members(member_ids: list[str]) -> None:
    """Read these panel members (and, for any not in the pool, their people) in one BatchGetItem, so
    that a GET page naming several reviewers finds each in the request's read cache
    (dal/read_cache.py) rather than reading them one after another."""
    ids = sorted(set(member_ids))
    if ids:
        db().batch_get([*(keys.member(i) for i in ids), *(keys.person(i) for i in ids)])
