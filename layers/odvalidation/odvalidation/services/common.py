"""Small pieces every use case shares: loading a journey with its links, and committing a move."""

from __future__ import annotations

import functools
import secrets
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .. import clock
from ..dal import keys, retry
from ..dal.store import Change, Store, from_item, store, to_item
from ..domain import journey as rules
from ..domain.errors import NotFound, StaleRead
from ..domain.models import AuditEvent, Journey, Stage
from .counting import counter_changes

if TYPE_CHECKING:
    from ..domain.access import Caller


def new_id(prefix: str = "") -> str:
    # Unguessable: ids appear in URLs and must not be enumerable.
    return prefix + secrets.token_urlsafe(12).replace("-", "x").replace("_", "y")


def actor_of(caller: Caller) -> str:
    return caller.id


def supporter_links(db: Store, journey_id: str) -> set[str]:
    """Everyone with a `SUPPORTER#` link on the journey (the link is what lists it under their
    "supporting"). Naming a supporter deletes the others' links; ones left by earlier versions, which
    did not, may remain until the next naming."""
    return {
        item["SK"]["S"].split("#", 1)[1] for item in db.query(f"JOURNEY#{journey_id}", prefix="SUPPORTER#")
    }


def supporter_ids(db: Store, journey: Journey) -> set[str]:
    """Who has a supporter's access: the supporter the journey names now, if their link is there too. A
    replaced supporter whose link an earlier version left behind has none."""
    return supporter_links(db, journey.id) & {journey.supporter_id or ""} - {""}


def panel_ids(db: Store, journey: Journey) -> set[str]:
    prefix = f"SEAT#{journey.claim_number}#"
    return {item["SK"]["S"][len(prefix) :] for item in db.query(f"JOURNEY#{journey.id}", prefix=prefix)}


def moved(
    journey: Journey,
    to: Stage,
    *,
    actor: str,
    reason: str | None = None,
    action: str | None = None,
    at: datetime | None = None,
    update: dict[str, Any] | None = None,
    puts: list[dict[str, Any]] | None = None,
) -> Change:
    """A Change that moves the journey (checked against the one transition table) and counts it."""
    at = at or clock.now()
    after, event = rules.move(journey, to, actor=actor, at=at, reason=reason, action=action)
    if update:
        after = after.model_copy(update=update)
    return Change(
        journey=after,
        expected_version=journey.version,
        events=[event],
        puts=list(puts or []),
        counters=counter_changes(journey, after, at),
    )


def updated(
    journey: Journey,
    *,
    actor: str,
    action: str,
    reason: str | None = None,
    update: dict[str, Any] | None = None,
    puts: list[dict[str, Any]] | None = None,
) -> Change:
    """A Change that records something on the journey without moving it between stages."""
    at = clock.now()
    after = journey.model_copy(update={"updated_at": at, **(update or {})})
    event = AuditEvent(journey_id=journey.id, at=at, actor=actor, action=action, reason=reason)
    return Change(
        journey=after,
        expected_version=journey.version,
        events=[event],
        puts=list(puts or []),
        counters=counter_changes(journey, after, at),
    )


def part(journey_id: str, sk: str, model: Any, **index: str) -> dict[str, Any]:
    return to_item(model, keys.journey_part(journey_id, sk), **index)


def db() -> Store:
    return store()


def journey_items(journey_id: str) -> tuple[Journey, dict[str, dict[str, Any]]]:
    """The journey and every item of its collection, by sort key, in one Query (issue 19: round trips).
    Inside `read_cache.reading()` the collection is kept for the rest of the request (until a write):
    the services' GetItems and Queries of that partition are answered from it, an item it lacks
    included (not there)."""
    items = db().collection(f"JOURNEY#{journey_id}", kept=True)
    if "JOURNEY" not in items:
        raise NotFound(f"There is no journey '{journey_id}'.")
    return from_item(Journey, items["JOURNEY"]), items


# How often a use case reads again after its write found the journey changed: each time means that
# someone else's change landed between this one's read and its write, so a few suffice.
REAPPLY_ATTEMPTS = 5


def reapplied[**P, T](*, task: bool = False) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Run the use case again, from its reads, when its versioned write found the record changed since
    it read it (`StaleRead`), rather than asking the person to reload.

    Safe only for a use case that (1) takes no version from its caller, so the state it read was its own
    and running it again is the same request arriving a moment later; (2) checks that state before it
    changes anything (the stage, the waiting step, "already done"), so on the new state it applies again
    or refuses as it would have; and (3) makes its effects outside the table (resuming the workflow,
    email, schedules) after the write that failed. Every use case decorated meets all three.

    When someone else's changes keep landing first: a person gets the 409 "reload and try again"; a
    workflow task (`task=True`) raises `TransientError`, which the state machine retries later (tasks are
    idempotent for exactly that reason)."""

    def decorate(use_case: Callable[P, T]) -> Callable[P, T]:
        @functools.wraps(use_case)
        def run(*args: P.args, **kwargs: P.kwargs) -> T:
            for attempt in range(REAPPLY_ATTEMPTS):
                try:
                    return use_case(*args, **kwargs)
                except StaleRead as stale:
                    if attempt == REAPPLY_ATTEMPTS - 1:
                        if task:
                            raise retry.busy("the journey kept changing") from stale
                        raise
                    # Jittered, so that two writers who collided do not collide again.
                    time.sleep(retry.backoff(attempt))
            raise AssertionError("unreachable: the last attempt returns or raises")

        return run

    return decorate


@reapplied()
def record(journey_id: str, *, actor: str, action: str, reason: str | None = None) -> Journey:
    """Append an audit event that changes nothing else on the journey (an evidence access, a
    declaration). It does not depend on what it read, so a concurrent change to the journey (the
    workflow opening the next step) is met by reading again rather than by asking the person to retry."""
    journey = db().journey(journey_id)
    return db().commit(updated(journey, actor=actor, action=action, reason=reason))
