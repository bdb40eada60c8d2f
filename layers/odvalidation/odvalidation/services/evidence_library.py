"""A claim's evidence library (issue 16.6): every file of the claim, each uploaded once, titled and
described, and linked to the elements it supports. The rules are domain/library.py's; uploads stay in
services/uploads.py (a new file is linked to the element it was uploaded for), downloads in
services/panels.py (`evidence_link`, which opens an item by its id for everyone who may read the claim).

Links are written with UpdateItem on the link attributes only, so the evidence check (which records a
file's status at the same time) and a link change never overwrite each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..dal import keys
from ..domain import library as rules
from ..domain.access import Caller, is_lead_for
from ..domain.errors import Forbidden, InvalidTransition, NotFound
from ..domain.frameworks import framework
from ..domain.models import Claim, EvidenceItem, Framework, FrameworkElement, Journey
from . import claim_development, journey_page
from . import journeys as js
from .common import db
from .common import record as record_event

LINK_FIELDS = ("element_ids", "title", "description")


@dataclass
class Library:
    journey: Journey
    framework: Framework
    claim: Claim | None
    items: list[EvidenceItem]
    linkable: list[str]  # element ids an item may be linked to
    missing: list[FrameworkElement]  # elements of the claim with no checked evidence yet
    editable: bool  # the practitioner, while the claim is being developed
    by_element: dict[str, list[EvidenceItem]] = field(default_factory=dict)


def library(caller: Caller, journey_id: str) -> Library:
    """The library of the journey's current claim, for whoever may read the claim: the practitioner,
    their supporter, a panel member who has declared no conflict, a lead of the journey's academy."""
    view = journey_page.load(caller, journey_id, names=False)
    journey = view.journey
    if not js.sees_content(caller, journey):
        if caller.id in js.panel_ids(db(), journey):
            raise Forbidden("Declare whether you have a conflict of interest before opening any evidence.")
        if is_lead_for(caller, journey.academy_id):
            raise Forbidden("National leads see the programme's figures, not a practitioner's evidence.")
        raise NotFound(f"There is no journey '{journey_id}'.")
    fw = framework(journey.framework_key)
    items = sorted(view.evidence, key=lambda i: i.uploaded_at)
    editable = caller.id == journey.practitioner_id
    try:
        rules.check_open(journey.stage, view.claim)
    except InvalidTransition:
        editable = False
    return Library(
        journey=journey,
        framework=fw,
        claim=view.claim,
        items=items,
        linkable=rules.linkable(fw, view.claim),
        missing=rules.without_evidence(fw, view.claim, items),
        editable=editable,
        by_element=rules.by_element(items),
    )


def _item_key(journey: Journey, evidence_id: str) -> dict[str, str]:
    return keys.journey_part(journey.id, f"EVIDENCE#{journey.claim_number}#{evidence_id}")


def _editable(caller: Caller, journey_id: str) -> tuple[Journey, Claim]:
    journey, current = claim_development._claim_for_edit(
        caller, journey_id
    )  # the practitioner, in claim development
    rules.check_open(journey.stage, current)
    return journey, current


def _record_changes(journey_id: str, actor: str, before: EvidenceItem, after: EvidenceItem) -> None:
    gained = [e for e in after.elements if e not in before.elements]
    lost = [e for e in before.elements if e not in after.elements]
    for action, changed in (("linked evidence", gained), ("unlinked evidence", lost)):
        if changed:
            which = ", ".join(changed)
            record_event(
                journey_id,
                actor=actor,
                action=action,
                reason=f"element{'s' if len(changed) > 1 else ''} {which}: {after.label}",
            )


def update_item(
    caller: Caller,
    journey_id: str,
    evidence_id: str,
    *,
    element_ids: list[str] | None = None,
    title: str | None = None,
    description: str | None = None,
) -> EvidenceItem:
    """Link an item to exactly `element_ids`, and/or give it a title and description (None: unchanged).
    Only the practitioner, only while the claim is being developed; nothing is uploaded again."""
    journey, current = _editable(caller, journey_id)
    store = db()
    key = _item_key(journey, evidence_id)
    found = store.get_model(EvidenceItem, key)
    if found is None:
        raise NotFound("That file is not in your evidence library: it may have been removed.")
    fw = framework(journey.framework_key)
    changed = rules.relinked(found, found.elements if element_ids is None else element_ids, fw, current)
    update: dict[str, object] = {}
    if title is not None:
        update["title"] = title.strip()
    if description is not None:
        update["description"] = description.strip()
    changed = changed.model_copy(update=update)
    if not store.set_fields(key, changed, LINK_FIELDS):
        raise NotFound("That file is not in your evidence library: it may have been removed.")
    _record_changes(journey_id, caller.id, found, changed)
    if (changed.title, changed.description) != (found.title, found.description):
        record_event(journey_id, actor=caller.id, action="described evidence", reason=changed.label)
    return changed


def set_element_evidence(
    caller: Caller, journey_id: str, element_id: str, chosen: set[str], shown: set[str] | None = None
) -> list[EvidenceItem]:
    """From an element's page: of the library items the page showed, exactly the `chosen` ones (ids)
    support the element. Returns the items whose links changed."""
    journey, current = _editable(caller, journey_id)
    fw = framework(journey.framework_key)
    items = js.evidence(journey)
    changes = rules.with_element(items, element_id, chosen, shown)
    store = db()
    before = {i.id: i for i in items}
    written = []
    for item in changes:
        checked = rules.relinked(item, item.elements, fw, current)
        if store.set_fields(_item_key(journey, item.id), checked, ("element_ids",)):
            written.append(checked)
    gained = [i.label for i in written if element_id in i.elements]
    lost = [i.label for i in written if element_id in before[i.id].elements and element_id not in i.elements]
    for action, names in (("linked evidence", gained), ("unlinked evidence", lost)):
        if names:
            record_event(
                journey_id, actor=caller.id, action=action, reason=f"element {element_id}: {', '.join(names)}"
            )
    return written
