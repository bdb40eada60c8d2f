"""Steps 4 and 5 of a journey: the claim (level, narratives, evidence), the supporter, the extension of
its deadline, and its submission."""

from __future__ import annotations

from datetime import timedelta

from .. import clock
from ..dal import evidence as evidence_store
from ..dal import keys, read_cache, workflow
from ..dal.store import from_item
from ..domain import journey as rules
from ..domain.access import (
    Caller,
    check_lead,
    check_owner,
)
from ..domain.claims import Completeness, bumped, completeness, stale_elements
from ..domain.errors import Conflict, InvalidInput, InvalidTransition, NotFound
from ..domain.frameworks import framework
from ..domain.models import (
    Claim,
    EvidenceItem,
    Journey,
    Level,
    Person,
    Stage,
)
from ..domain.nominations import supporter_refusal
from .common import db, journey_items, moved, panel_ids, part, reapplied, supporter_links, updated
from .common import record as record_event
from .journeys import (
    claim,
    completeness_of,
    evidence,
    framework_ids,
    load_for,
    practitioner_journeys,
    schedule_claim_deadline,
)
from .people import person_by_email


def journey_for_edit(caller: Caller, journey_id: str) -> Journey:
    """The journey, if the caller may change its claim now (one read: what needs only the journey,
    an upload link above all, does not read the claim too)."""
    journey = load_for(caller, journey_id)
    check_owner(caller, journey)
    if journey.stage is not Stage.CLAIM_DEVELOPMENT:
        raise InvalidTransition("The claim can only be changed during claim development.")
    return journey


def _claim_for_edit(caller: Caller, journey_id: str) -> tuple[Journey, Claim]:
    journey = journey_for_edit(caller, journey_id)
    current = claim(journey) or Claim(
        journey_id=journey_id,
        number=journey.claim_number,
        updated_at=clock.now(),
        revalidation=journey.revalidation,
        # A renewal is at the level already validated.
        level=Level(journey.outcome.value) if journey.revalidation and journey.outcome else None,
    )
    return journey, current


def save_claim(
    caller: Caller,
    journey_id: str,
    *,
    level: Level | None = None,
    narratives: dict[str, str] | None = None,
    elements: list[str] | None = None,
    practice_reflection: str | None = None,
    seen: dict[str, int] | None = None,
) -> Claim:
    """Merge the given narratives into the claim. Only the elements sent are changed, so two tabs
    (or a practitioner and a retry) never wipe each other's work; a concurrent save is retried.

    `seen`: each element's narrative version as the client last read it. A narrative changed since
    (in another window) is not overwritten: the save is refused with a Conflict. The check and the
    write are one conditional put on the claim's version, so no save slips between them."""
    for _attempt in range(3):
        journey, current = _claim_for_edit(caller, journey_id)
        if stale := stale_elements(current, narratives or {}, seen or {}):
            raise Conflict(
                f"Element {stale[0]} was changed in another window or tab since you opened it, so your "
                "text was not saved: copy what you need, reload to see the newer text, and save again."
            )
        known = set(framework_ids(journey))
        unknown = sorted((set(narratives or {}) | set(elements or [])) - known)
        if unknown:
            raise InvalidInput(f"Element {unknown[0]} is not part of this cohort's framework.")
        if (elements is not None or practice_reflection is not None) and not current.revalidation:
            raise InvalidInput("Chosen elements and a practice reflection belong to a revalidation claim.")
        if current.revalidation and level and level is not current.level:
            raise InvalidInput("A revalidation is at the level you were validated at.")
        updated_claim = current.model_copy(
            update={
                "level": current.level if current.revalidation else (level or current.level),
                "elements": elements if elements is not None else current.elements,
                "practice_reflection": (
                    practice_reflection if practice_reflection is not None else current.practice_reflection
                ),
                "narratives": {**current.narratives, **(narratives or {})},
                "narrative_versions": bumped(current, narratives or {}),
                "version": current.version + 1,
                "updated_at": clock.now(),
            }
        )
        try:
            db().put_versioned(
                part(journey_id, f"CLAIM#{journey.claim_number}", updated_claim), current.version
            )
        except Conflict:
            continue
        return updated_claim
    raise Conflict("Your claim is being saved from somewhere else at the same time. Reload and try again.")


def remove_evidence(caller: Caller, journey_id: str, evidence_id: str) -> None:
    journey, _ = _claim_for_edit(caller, journey_id)
    store = db()
    key = keys.journey_part(journey_id, f"EVIDENCE#{journey.claim_number}#{evidence_id}")
    found = store.get_model(EvidenceItem, key)
    if found is None:
        raise NotFound("That evidence has already been removed.")
    # A claim moved to another framework may link one file to several elements (domain/crosswalk.py):
    # the file goes only with its last link.
    if not any(other.key == found.key and other.id != found.id for other in evidence(journey)):
        evidence_store.delete(found.key)
    store.delete(key)
    # Only an audit event: the removal is done, so a concurrent change to the journey is met by
    # reading it again (record_event), never by a "reload" for something that already happened.
    record_event(
        journey_id,
        actor=caller.id,
        action="removed evidence",
        reason=f"element {found.element_id}: {found.display_name}",
    )


@reapplied()
def name_supporter(caller: Caller, journey_id: str, email: str) -> Person:
    """Name the claim's supporter, in place of any named before: one supporter at a time, and only the
    current one keeps the access a supporter has (rules in domain/nominations.py)."""
    journey = load_for(caller, journey_id)
    check_owner(caller, journey)
    if journey.stage in rules.RESTING and journey.stage is not Stage.NOT_YET_VALIDATED:
        raise InvalidTransition("A supporter can be named while the claim is being developed.")
    found = person_by_email(email)
    if found is None:
        raise InvalidInput(
            f"No one with the email {email} has an account yet. Ask your academy lead to invite them as a supporter."
        )
    store = db()
    refusal = supporter_refusal(
        found,
        practitioner_id=journey.practitioner_id,
        academy_id=journey.academy_id,
        seated=panel_ids(store, journey),
        in_same_cohort=any(
            j.cohort_id == journey.cohort_id and j.id != journey.id for j in practitioner_journeys(found.id)
        ),
    )
    if refusal:
        raise InvalidInput(refusal)
    link = {k: {"S": v} for k, v in keys.journey_part(journey_id, f"SUPPORTER#{found.id}").items()} | {
        "GSI1PK": {"S": f"SUPPORTER#{found.id}"},
        "GSI1SK": {"S": f"JOURNEY#{journey_id}"},
    }
    change = updated(
        journey,
        actor=caller.id,
        action="named supporter",
        reason=found.name,
        update={"supporter_id": found.id},
        puts=[link],
    )
    # The links of everyone named before go in the same transaction: a link is what grants a supporter's
    # access (common.supporter_ids), so a replaced supporter keeps none. All links are read, not only the
    # journey's supporter_id, so that links left by an earlier version (which never removed them) go
    # too. A retry after a lost answer finds only the new link, and deletes nothing.
    change.deletes.extend(
        keys.journey_part(journey_id, f"SUPPORTER#{old}")
        for old in supporter_links(store, journey_id) - {found.id}
    )
    store.commit(change)
    return found


@reapplied()
def submit_claim(caller: Caller, journey_id: str) -> Completeness:
    """Submit the claim: at most three round trips, however the calls fall (issue 19): the journey's
    items in one Query (the journey, the claim, its evidence), the transaction, the workflow resumed.
    The confirmation email and the reminders' deletes are the workflow's next task (NotifySubmitted),
    after the practitioner's answer; a reminder that fires first finds the claim submitted and sends
    nothing."""
    with read_cache.reading():
        _, found = journey_items(journey_id)
        journey = load_for(caller, journey_id)  # from the read cache: the owner needs no links read
        check_owner(caller, journey)
        current = claim(journey)
        prefix = f"EVIDENCE#{journey.claim_number}#"
        items = [from_item(EvidenceItem, item) for sk, item in sorted(found.items()) if sk.startswith(prefix)]
    if journey.stage is not Stage.CLAIM_DEVELOPMENT and current is not None and current.submitted_at:
        # A double-clicked submit, or a retry after the workflow could not be reached: one effect.
        if journey.stage is Stage.SUBMITTED and journey.resume_token:
            workflow.resume(journey.resume_token, {"event": "submitted"})
        return completeness(framework(journey.framework_key), current, items)
    if journey.stage is not Stage.CLAIM_DEVELOPMENT:
        raise InvalidTransition("Only a claim in development can be submitted.")
    result = completeness_of(journey, current, items)
    if not result.complete:
        raise InvalidInput(f"Your claim is not ready to submit: {result.missing[0]}", details=result.missing)
    if journey.waiting_step != "claim_development" or not journey.task_token:
        raise InvalidTransition("Your journey is still being set up. Wait a moment and submit again.")
    assert current is not None
    submitted = current.model_copy(update={"submitted_at": clock.now(), "version": current.version + 1})
    token = journey.task_token
    db().commit(
        moved(
            journey,
            Stage.SUBMITTED,
            actor=caller.id,
            action="submitted claim",
            reason=f"claim {journey.claim_number}, {submitted.level}",
            puts=[part(journey_id, f"CLAIM#{journey.claim_number}", submitted)],
        )
    )
    # A failed resume is raised: the practitioner's retry finds the claim submitted and resumes again
    # (above).
    workflow.resume(token, {"event": "submitted"})
    return result


@reapplied()
def grant_extension(caller: Caller, journey_id: str, weeks: int, reason: str) -> Journey:
    journey = db().journey(journey_id)
    check_lead(caller, journey.academy_id)
    if journey.stage is not Stage.CLAIM_DEVELOPMENT or journey.claim_deadline is None:
        raise InvalidTransition("An extension can only be granted during claim development.")
    if journey.extension_granted:
        raise InvalidTransition("This claim has already had its one extension.")
    if not 1 <= weeks <= 12:
        raise InvalidInput("An extension is between 1 and 12 weeks.")
    deadline = journey.claim_deadline + timedelta(weeks=weeks)
    stored = db().commit(
        updated(
            journey,
            actor=caller.id,
            action="granted extension",
            reason=reason,
            update={"claim_deadline": deadline, "extension_granted": True},
        )
    )
    schedule_claim_deadline(stored)
    return stored
