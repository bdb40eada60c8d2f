"""The claim's evidence library (issue 16.6): every file of the claim with the elements it supports,
the elements still without evidence, a page to title, describe and link one file, and the link that
opens a file. The practitioner, their supporter, a declared panel member and their academy's lead may
read it (services/evidence_library.py says who); only the practitioner changes it, before submission.
The element page's own part (its library checkboxes and upload form) is in `element_library`.
"""

from __future__ import annotations

import contextlib
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import Field

from ..domain import access
from ..domain import library as library_rules
from ..domain.errors import Conflict, InvalidInput, InvalidTransition, NotFound
from ..domain.models import EvidenceItem, EvidenceStatus
from ..services import claim_development, evidence_library, panels
from . import pages
from .evidence_views import element_names, item_view
from .forms import _Form, first_values, validate
from .request import form_data, page, redirect, require_caller

router: Router = Router()
ACTIONABLE = (InvalidInput, InvalidTransition, Conflict)


def me() -> access.Caller:
    return pages.domain_caller(require_caller())


@router.get("/journeys/<journey_id>/evidence")
def library_page(journey_id: str) -> Response:
    caller = me()
    lib = evidence_library.library(caller, journey_id)
    fw = lib.framework
    expected = [e for e in fw.elements if e.id in set(lib.linkable)]
    owner = caller.id == lib.journey.practitioner_id
    same = library_rules.copies(lib.items)
    missing = [
        {"name": f"{e.id} {e.title}", "status": "No evidence yet", "colour": "grey"}
        | ({"href": f"/journeys/{journey_id}/claim/{e.id}"} if lib.editable else {})
        for e in lib.missing
    ]
    return page(
        "practitioner/library.html",
        page_title="Evidence library",
        journey=lib.journey,
        owner=owner,
        editable=lib.editable,
        items=[item_view(journey_id, fw, i) | {"copy_of": _copy_of(i, same)} for i in lib.items],
        missing=missing,
        covered=len(expected) - len(lib.missing),
        total=len(expected),
        saved=(router.current_event.query_string_parameters or {}).get("saved", ""),
        removed=(router.current_event.query_string_parameters or {}).get("removed") == "1",
        back=f"/journeys/{journey_id}/claim" if lib.editable else f"/journeys/{journey_id}",
    )


def _copy_of(item: EvidenceItem, same: dict[str, EvidenceItem]) -> str:
    """The label of the earlier item this one is the same file as, or ""."""
    return same[item.id].label if item.id in same else ""


@router.get("/journeys/<journey_id>/evidence/<evidence_id>")
def open_item(journey_id: str, evidence_id: str) -> Response:
    """A short-lived download link, made (and audited) when asked for: the same rules as the panel's."""
    return redirect(panels.evidence_link(me(), journey_id, evidence_id))


class ItemForm(_Form):
    title: Annotated[str, Field(max_length=200)] = ""
    description: Annotated[str, Field(max_length=2000)] = ""


def _item_page(
    caller: access.Caller,
    journey_id: str,
    evidence_id: str,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    lib = evidence_library.library(caller, journey_id)
    if not lib.editable:
        return redirect(f"/journeys/{journey_id}/evidence")
    item = next((i for i in lib.items if i.id == evidence_id), None)
    if item is None:
        return redirect(f"/journeys/{journey_id}/evidence")
    fw = lib.framework
    shown = {"title": item.title, "description": item.description, "elements": item.elements} | (values or {})
    return page(
        "practitioner/evidence_item.html",
        status=status,
        page_title=f"About {item.display_name}",
        journey=lib.journey,
        item=item_view(journey_id, fw, item),
        values=shown,
        errors=errors or {},
        elements=[
            {"value": e, "text": n}
            for e, n in zip(lib.linkable, element_names(fw, lib.linkable), strict=True)
        ],
        accepted=item.status is not EvidenceStatus.QUARANTINED,
    )


@router.get("/journeys/<journey_id>/evidence/<evidence_id>/edit")
def item_page(journey_id: str, evidence_id: str) -> Response:
    return _item_page(me(), journey_id, evidence_id)


@router.post("/journeys/<journey_id>/evidence/<evidence_id>/edit")
def save_item(journey_id: str, evidence_id: str) -> Response:
    caller = me()
    raw = form_data()
    values = first_values(raw)
    chosen = [v for v in raw.get("elements", []) if v]
    form, errors = validate(ItemForm, values)
    if form is None:
        return _item_page(caller, journey_id, evidence_id, values | {"elements": chosen}, errors, 400)
    try:
        evidence_library.update_item(
            caller,
            journey_id,
            evidence_id,
            element_ids=chosen if "linking" in raw else None,
            title=form.title,
            description=form.description,
        )
    except ACTIONABLE as problem:
        return _item_page(
            caller, journey_id, evidence_id, values | {"elements": chosen}, {"elements": problem.message}, 400
        )
    return redirect(f"/journeys/{journey_id}/evidence?saved={evidence_id}")


# --------------------------------------------------------------------------- unlink, and delete (NHS pattern)
# An element page only unlinks a file from that element (it stays in the library for the others);
# deleting a file from the library is done from the library, after a page that asks "are you sure".


@router.post("/journeys/<journey_id>/evidence/<evidence_id>/unlink")
def unlink(journey_id: str, evidence_id: str) -> Response:
    caller = me()
    element_id = first_values(form_data()).get("element_id", "")
    # Gone already (deleted from the library in another tab): the page shows the list as it is.
    with contextlib.suppress(NotFound):
        evidence_library.set_element_evidence(caller, journey_id, element_id, set(), {evidence_id})
    return redirect(f"/journeys/{journey_id}/claim/{element_id}?unlinked=1")


@router.get("/journeys/<journey_id>/evidence/<evidence_id>/remove")
def confirm_remove(journey_id: str, evidence_id: str) -> Response:
    lib = evidence_library.library(me(), journey_id)
    item = next((i for i in lib.items if i.id == evidence_id), None)
    if not lib.editable or item is None:
        return redirect(f"/journeys/{journey_id}/evidence")
    return page(
        "practitioner/evidence_remove.html",
        page_title=f"Are you sure you want to delete {item.label}?",
        journey=lib.journey,
        item=item_view(journey_id, lib.framework, item),
    )


@router.post("/journeys/<journey_id>/evidence/<evidence_id>/remove")
def remove_evidence(journey_id: str, evidence_id: str) -> Response:
    """Deletes the file from the whole library, only from the confirmation page (its "confirm" field):
    any other post is shown that page first."""
    caller = me()
    if first_values(form_data()).get("confirm") != "yes":
        return redirect(f"/journeys/{journey_id}/evidence/{evidence_id}/remove")
    with contextlib.suppress(NotFound):  # deleted already (a second click): the library shows it gone
        claim_development.remove_evidence(caller, journey_id, evidence_id)
    return redirect(f"/journeys/{journey_id}/evidence?removed=1")
