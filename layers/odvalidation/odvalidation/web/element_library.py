"""An element's page and the claim's evidence library (issue 16.6): the files already in the library as
checkboxes (ticking one links it, no upload), and a form on the page itself that uploads a new file
straight to S3 (the POST-policy grant of services/uploads.py), linked to the element when it lands.
Saving the element's form saves its narrative and its links, then moves on to the next element."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from aws_lambda_powertools.event_handler import Response

from ..domain.access import Caller
from ..domain.claims import claimed_elements
from ..domain.evidence import allowed_list
from ..domain.frameworks import framework
from ..domain.models import EvidenceItem, Journey
from ..services import evidence_library, uploads
from ..services import journeys as js
from ..settings import settings
from . import security
from .evidence_views import library_choices

LIBRARY_FIELD = (
    "library"  # present when the page showed the library's checkboxes (an empty tick list unlinks)
)
CHOSEN_FIELD = "evidence"
# The files the page listed: only these change (one that landed after the page was drawn is not unlinked).
SHOWN_FIELD = "shown"


def context(
    caller: Caller,
    journey: Journey,
    element_id: str,
    evidence: list[EvidenceItem],
    values: Mapping[str, Any] | None,
    posted: Mapping[str, list[str]] | None = None,
) -> dict[str, Any]:
    """posted: the form sent back with an error, whose ticks the page shows again, not the saved links."""
    items = sorted(evidence, key=lambda i: i.uploaded_at)
    linked = [i.id for i in items if element_id in i.elements]
    if posted is not None and LIBRARY_FIELD in posted:
        chosen = {v for v in posted.get(CHOSEN_FIELD, []) if v}
        shown = {v for v in posted.get(SHOWN_FIELD, []) if v}
        # A file the page did not list (it landed since) keeps its saved link, as save_links would.
        linked = [i.id for i in items if i.id in chosen or (i.id not in shown and i.id in linked)]
    back = f"/journeys/{journey.id}/claim/{element_id}"
    # S3 sends the browser back to this page after the upload, with the object's key in the query.
    upload = uploads.browser_upload(caller, journey.id, element_id, settings().public_url(back))
    return {
        "library": library_choices(items),
        "linked": linked,
        "upload": upload,
        "max_mb": upload.max_bytes // 1_048_576,
        "allowed": allowed_list(),
        "library_href": f"/journeys/{journey.id}/evidence",
    }


def allow_upload(response: Response, library: Mapping[str, Any]) -> Response:
    """The page's upload form posts to the bucket: its policy allows that one origin as a form target."""
    target = urlsplit(library["upload"].url)
    response.headers["Content-Security-Policy"] = security.content_security_policy(
        form_action=[f"{target.scheme}://{target.netloc}"]
    )
    return response


def save_links(caller: Caller, journey_id: str, element_id: str, form: Mapping[str, list[str]]) -> None:
    if LIBRARY_FIELD not in form:
        return  # the page had no library to tick (or an older form): links stay as they are
    chosen = {v for v in form.get(CHOSEN_FIELD, []) if v}
    shown = {v for v in form.get(SHOWN_FIELD, []) if v}
    evidence_library.set_element_evidence(caller, journey_id, element_id, chosen, shown)


def after_save(caller: Caller, journey_id: str, element_id: str) -> str:
    """Where "Save and continue" goes: the next element of the claim, or the claim after the last."""
    journey = js.load_for(caller, journey_id)
    order = claimed_elements(framework(journey.framework_key), js.claim(journey))
    if element_id in order and order.index(element_id) + 1 < len(order):
        return f"/journeys/{journey_id}/claim/{order[order.index(element_id) + 1]}?saved={element_id}"
    return f"/journeys/{journey_id}/claim?saved=elements"
