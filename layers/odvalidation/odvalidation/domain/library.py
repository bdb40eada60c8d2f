"""A claim's evidence library (issue 16.6): a file is uploaded once and linked to every element it
supports. The rules on links live here: only elements of the claim's framework expected at the level
claimed, only while the claim is being developed (never after it is submitted)."""

from __future__ import annotations

from collections.abc import Iterable

from .claims import claimed_elements
from .errors import InvalidInput, InvalidTransition
from .models import Claim, EvidenceItem, EvidenceStatus, Framework, FrameworkElement, Stage


def linkable(framework: Framework, claim: Claim | None) -> list[str]:
    """The element ids a library item may be linked to, in the framework's order: those the claim is
    evidenced against (its level's, or a renewal's chosen ones), or every element before a level is
    chosen (a file can be added before the level is settled)."""
    if claim is not None and claim.revalidation and not claim.elements:
        return [e.id for e in framework.elements]
    return claimed_elements(framework, claim)


def check_open(stage: Stage, claim: Claim | None) -> None:
    if stage is not Stage.CLAIM_DEVELOPMENT or (claim is not None and claim.submitted_at is not None):
        raise InvalidTransition(
            "The evidence of a submitted claim stays as the panel reviews it: links can only be changed "
            "while the claim is being developed."
        )


def relinked(
    item: EvidenceItem, element_ids: Iterable[str], framework: Framework, claim: Claim | None
) -> EvidenceItem:
    """The item linked to exactly these elements (in the framework's order), or InvalidInput naming the
    first element it may not be linked to."""
    wanted = list(dict.fromkeys(element_ids))
    allowed = linkable(framework, claim)
    # Only new links are checked: a link made before the level changed may stay (or be taken away).
    for element_id in (e for e in wanted if e not in item.elements):
        if element_id not in allowed:
            if framework.element(element_id) is None:
                raise InvalidInput(f"Element {element_id} is not part of the {framework.title}.")
            raise InvalidInput(
                f"Element {element_id} is not one your claim is evidenced against at the level claimed: "
                "choose from the elements listed on your claim."
            )
    if item.status is EvidenceStatus.QUARANTINED and set(wanted) - set(item.elements):
        raise InvalidInput(
            f"\u201c{item.label}\u201d was not accepted, so it cannot support an element. Upload another file."
        )
    order = [e.id for e in framework.elements]
    ordered = sorted((e for e in wanted if e in order), key=order.index)
    return item.model_copy(update={"element_ids": ordered})


def with_element(
    items: list[EvidenceItem], element_id: str, chosen: set[str], shown: set[str] | None = None
) -> list[EvidenceItem]:
    """The items whose links change when, of the items `shown` on the page (all when None), exactly
    `chosen` support `element_id`: the chosen gain it, the others lose it. An item the page did not show
    (a file that landed after the page was drawn) is left as it is. Only the items that change are
    returned (with element_ids set)."""
    if shown is not None:
        items = [i for i in items if i.id in shown]
    unknown = chosen - {i.id for i in items}
    if unknown:
        raise InvalidInput("That file is no longer in your evidence library. Reload the page and try again.")
    changed = []
    for item in items:
        links = item.elements
        if item.id in chosen and element_id not in links:
            changed.append(item.model_copy(update={"element_ids": [*links, element_id]}))
        elif item.id not in chosen and element_id in links:
            changed.append(item.model_copy(update={"element_ids": [e for e in links if e != element_id]}))
    return changed


def by_element(
    items: Iterable[EvidenceItem], *, verified_only: bool = False
) -> dict[str, list[EvidenceItem]]:
    """Each element's items: a file linked to four elements is under each of them."""
    found: dict[str, list[EvidenceItem]] = {}
    for item in items:
        if verified_only and item.status is not EvidenceStatus.VERIFIED:
            continue
        for element_id in item.elements:
            found.setdefault(element_id, []).append(item)
    return found


def without_evidence(
    framework: Framework, claim: Claim | None, items: Iterable[EvidenceItem]
) -> list[FrameworkElement]:
    """The elements the claim is evidenced against that have no checked evidence yet."""
    covered = by_element(items, verified_only=True)
    expected = set(claimed_elements(framework, claim))
    return [e for e in framework.elements if e.id in expected and e.id not in covered]


def copies(items: Iterable[EvidenceItem]) -> dict[str, EvidenceItem]:
    """Each item that is the same file as one uploaded before it (the same checked object: S3's ETag of a
    single upload is its content's MD5, and the size), with that earlier item. A file uploaded twice
    is then listed twice, each copy with its own links; the library says so, so the practitioner keeps
    one and links it where both were needed."""
    first: dict[tuple[str, int | None], EvidenceItem] = {}
    found: dict[str, EvidenceItem] = {}
    for item in sorted(items, key=lambda i: i.uploaded_at):
        if item.etag is None or item.status is EvidenceStatus.QUARANTINED:
            continue
        same = first.setdefault((item.etag, item.size), item)
        if same is not item:
            found[item.id] = same
    return found
