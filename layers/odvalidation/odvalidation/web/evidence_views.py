"""How library items are shown (issue 16.6): on the library page, on an element's page (the checkboxes
that link a file already uploaded) and on the page about one file. No routes here: both route modules
use these."""

from __future__ import annotations

from typing import Any

from ..domain.models import EvidenceItem, EvidenceStatus, Framework

STATUS = {
    EvidenceStatus.VERIFIED: ("Checked", "green"),
    EvidenceStatus.PENDING: ("Being checked", "yellow"),
    EvidenceStatus.QUARANTINED: ("Not accepted", "red"),
}


def element_names(fw: Framework, element_ids: list[str]) -> list[str]:
    titles = {e.id: e.title for e in fw.elements}
    return [f"{e} {titles.get(e, '')}".strip() for e in element_ids]


def item_view(journey_id: str, fw: Framework, item: EvidenceItem) -> dict[str, Any]:
    text, colour = STATUS[item.status]
    return {
        "id": item.id,
        "label": item.label,
        "file": item.display_name,
        "description": item.description,
        "status": text,
        "colour": colour,
        "reason": item.reason or "",
        "href": f"/journeys/{journey_id}/evidence/{item.id}"
        if item.status is EvidenceStatus.VERIFIED
        else "",
        "supports": element_names(fw, item.elements),
    }


def library_choices(items: list[EvidenceItem]) -> list[dict[str, str]]:
    """The checkboxes of the library's files that can support an element (not those refused)."""
    choices = []
    for item in items:
        if item.status is EvidenceStatus.QUARANTINED:
            continue
        supports = ", ".join(item.elements) or "no element yet"
        status = STATUS[item.status][0].lower()
        choices.append(
            {
                "value": item.id,
                "text": item.label,
                "hint": f"{item.display_name}, {status}; supports {supports}",
            }
        )
    return choices
