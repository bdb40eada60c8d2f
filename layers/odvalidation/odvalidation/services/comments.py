"""Supporters comment on drafts (the brief: "Supporters, named during claim development, comment on
drafts"). The named supporter comments while the claim is being developed; the practitioner and the
supporter read the comments; no one else does (the panel judges the claim, not the conversation)."""

from __future__ import annotations

import hashlib

from .. import clock
from ..dal import keys
from ..dal.store import to_item
from ..domain.access import Caller
from ..domain.claims import claimed_elements
from ..domain.errors import Forbidden, InvalidInput, InvalidTransition
from ..domain.frameworks import framework
from ..domain.models import DraftComment, Journey, Stage
from .common import db, supporter_ids
from .journey_parts import claim
from .journeys import load_for


def _readable(caller: Caller, journey_id: str) -> tuple[Journey, set[str]]:
    """The journey, if the caller is its practitioner or a supporter named on it. Others who may see the
    journey (its panel, its leads) are told the comments are not theirs; anyone else, that there is no
    such journey."""
    journey = load_for(caller, journey_id)
    supporters = supporter_ids(db(), journey)
    if caller.id != journey.practitioner_id and caller.id not in supporters:
        raise Forbidden("Only the practitioner and their supporter read the comments on a draft claim.")
    return journey, supporters


def comment(caller: Caller, journey_id: str, element_id: str | None, text: str) -> tuple[DraftComment, bool]:
    """Leave a comment on the current draft. Returns (comment, created): the same comment sent again
    (a retried post, a second click) is stored once and returned with created False."""
    journey, supporters = _readable(caller, journey_id)
    text = text.strip()
    if not text:
        raise InvalidInput("Write your comment before sending it.")
    if caller.id not in supporters:
        raise Forbidden("Only the supporter named on this claim can comment on it.")
    if journey.stage is not Stage.CLAIM_DEVELOPMENT:
        raise InvalidTransition(
            "Comments can be left while the claim is being developed, not after it is submitted."
        )
    if element_id and element_id not in claimed_elements(framework(journey.framework_key), claim(journey)):
        # The claim's own elements (its level's, or those a revalidation chose), as the page offers.
        raise InvalidInput(f"Element {element_id} is not part of this claim: comment on one of its elements.")
    record = DraftComment(
        journey_id=journey.id,
        claim_number=journey.claim_number,
        element_id=element_id or None,
        author_id=caller.id,
        text=text,
        at=clock.now(),
    )
    # Keyed by what was said, so a repeat of the same comment is the same item.
    said = hashlib.sha256(f"{caller.id}\n{record.element_id}\n{record.text}".encode()).hexdigest()[:24]
    key = keys.journey_part(journey.id, f"COMMENT#{journey.claim_number:03d}#{said}")
    if db().put(to_item(record, key), only_if_new=True):
        return record, True
    found = db().get_model(DraftComment, key)
    assert found is not None  # the conditional put failed because it exists
    return found, False


def comments(caller: Caller, journey_id: str) -> list[DraftComment]:
    """The comments on the journey's current claim, oldest first (the practitioner and supporter only)."""
    journey, _ = _readable(caller, journey_id)
    return on_claim(journey)


def on_claim(journey: Journey) -> list[DraftComment]:
    """The comments on a journey's current claim, oldest first, for a caller already known to be its
    practitioner or supporter (a page that has loaded the journey need not load it again)."""
    found = db().query_models(
        DraftComment, f"JOURNEY#{journey.id}", prefix=f"COMMENT#{journey.claim_number:03d}#"
    )
    return sorted(found, key=lambda c: c.at)
