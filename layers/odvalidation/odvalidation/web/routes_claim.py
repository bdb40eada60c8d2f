"""Step 4 of a practitioner's journey as pages: the claim builder (level, supporter, one page per element
with its narrative and evidence, the upload). Checking and submitting the claim: web/routes_practitioner.py."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import urlsplit

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import Field

from ..domain import access
from ..domain.errors import Conflict, NotFound
from ..domain.evidence import allowed_list
from ..domain.frameworks import framework
from ..domain.models import (
    EvidenceItem,
    EvidenceStatus,
    Framework,
    FrameworkElement,
    Journey,
    Level,
    Stage,
)
from ..services import claim_development, comments, confirmations, people, upload_landings, uploads
from ..services import journeys as js
from ..settings import settings
from . import element_library, security
from .forms import _email, _Form, first_values, validate
from .pages import LEVEL_NAMES, long_date
from .request import ACTIONABLE, form_data, me, page, query, redirect

router: Router = Router()


def _element_status(
    element: FrameworkElement, narratives: dict[str, str], items: list[EvidenceItem]
) -> dict[str, str]:
    mine = [i for i in items if element.id in i.elements]
    verified = any(i.status is EvidenceStatus.VERIFIED for i in mine)
    narrated = bool(narratives.get(element.id, "").strip())
    if verified and narrated:
        return {"status": "Completed"}
    if any(i.status is EvidenceStatus.PENDING for i in mine):
        return {"status": "Being checked", "colour": "yellow"}
    if not mine and not narrated:
        return {"status": "Not started", "colour": "grey"}
    return {"status": "In progress", "colour": "blue"}


def _claim_context(caller: access.Caller, journey_id: str) -> dict[str, Any]:
    state = js.status(caller, journey_id)
    journey: Journey = state["journey"]
    access.check_owner(caller, journey)
    fw = framework(journey.framework_key)
    claim = state["claim"]
    level = claim.level if claim else None
    expected = {e.id for e in (fw.elements_for(level) if level else fw.elements)}
    narratives = claim.narratives if claim else {}
    # The supporter's comments, flagged on the element they are about (read on that element's page).
    commented = Counter(c.element_id for c in state["comments"] if c.element_id)
    groups = []
    for domain in fw.domains:
        items = []
        for element in domain.elements:
            if element.id not in expected:
                continue
            count = commented.get(element.id, 0)
            items.append(
                {
                    "name": f"{element.id} {element.title}",
                    "href": f"/journeys/{journey_id}/claim/{element.id}",
                    **_element_status(element, narratives, state["evidence"]),
                }
                | ({"hint": f"Your supporter commented ({count})"} if count else {})
            )
        if items:
            groups.append({"title": f"{domain.id}. {domain.title}", "items": items, "id": domain.id})
    supporter = people.person(journey.supporter_id) if journey.supporter_id else None
    return {
        "journey": journey,
        "framework": fw,
        "claim": claim,
        "level": level.value if level else "",
        "groups": groups,
        "completeness": state.get("completeness"),
        "deadline": long_date(journey.claim_deadline),
        "supporter": supporter,
        "evidence": state["evidence"],
        "narratives": narratives,
        "expected": expected,
    }


def _claim_page(
    caller: access.Caller,
    journey_id: str,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    context = _claim_context(caller, journey_id)
    if context["journey"].stage is not Stage.CLAIM_DEVELOPMENT:
        return redirect(f"/journeys/{journey_id}")
    notice = {
        "level": "Your level has been saved.",
        "supporter": "Your supporter has been named.",
        "elements": "Your elements have been saved. Check your claim, then submit it.",
    }.get(query().get("saved", ""), "")
    shown = {"level": context["level"], "supporter_email": ""} | (values or {})
    return page(
        "practitioner/claim.html",
        status=status,
        page_title="Build your claim",
        values=shown,
        errors=errors or {},
        levels=[{"value": v.value, "text": t} for v, t in LEVEL_NAMES.items()],
        notice=notice,
        **context,
    )


@router.get("/journeys/<journey_id>/claim")
def claim_builder(journey_id: str) -> Response:
    return _claim_page(me(), journey_id)


@router.post("/journeys/<journey_id>/level")
def save_level(journey_id: str) -> Response:
    caller = me()
    values = first_values(form_data())
    choice = values.get("level", "")
    if choice not in {v.value for v in Level}:
        return _claim_page(caller, journey_id, values, {"level": "Select the level you are claiming"}, 400)
    try:
        claim_development.save_claim(caller, journey_id, level=Level(choice))
    except ACTIONABLE as problem:
        return _claim_page(caller, journey_id, values, {"level": problem.message}, 400)
    return redirect(f"/journeys/{journey_id}/claim?saved=level")


@router.post("/journeys/<journey_id>/supporter")
def name_supporter(journey_id: str) -> Response:
    caller = me()
    values = first_values(form_data())
    email = values.get("supporter_email", "")
    try:
        confirmations.name_supporter(caller, journey_id, _email(email))
    except ValueError as problem:
        message = str(problem).replace("your email address", "your supporter's email address")
        return _claim_page(caller, journey_id, values, {"supporter_email": message}, 400)
    except ACTIONABLE as problem:
        return _claim_page(caller, journey_id, values, {"supporter_email": problem.message}, 400)
    return redirect(f"/journeys/{journey_id}/claim?saved=supporter")


def _element_of(fw: Framework, element_id: str) -> FrameworkElement:
    element = fw.element(element_id)
    if element is None:
        raise NotFound(f"Element {element_id} is not part of this framework.")
    return element


def _upload_notice(journey: Journey, key: str) -> dict[str, str] | None:
    """What became of the file S3 just sent the browser back from (its key is in the redirect's query)."""
    if not key:
        return None
    if not key.startswith(f"journeys/{journey.id}/"):
        return None
    item = upload_landings.evidence_for_landing(journey.id, journey.claim_number, key)
    journey_id = journey.id
    if item is None or item.journey_id != journey_id:
        return {
            "kind": "info",
            "text": "Your file has arrived and is being checked. Refresh this page in a minute.",
        }
    if item.status is EvidenceStatus.VERIFIED:
        return {"kind": "success", "text": f"{item.display_name} has been uploaded and checked."}
    if item.status is EvidenceStatus.QUARANTINED:
        return {"kind": "error", "text": f"{item.display_name} was not accepted. {item.reason or ''}".strip()}
    return {"kind": "info", "text": f"{item.display_name} is being checked. Refresh this page in a minute."}


def _element_page(
    caller: access.Caller,
    journey_id: str,
    element_id: str,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    posted: Mapping[str, list[str]] | None = None,
) -> Response:
    context = _claim_context(caller, journey_id)
    journey: Journey = context["journey"]
    if journey.stage is not Stage.CLAIM_DEVELOPMENT:
        return redirect(f"/journeys/{journey_id}")
    element = _element_of(context["framework"], element_id)
    items = [i for i in context["evidence"] if element_id in i.elements]
    narrative = (values or {}).get("narrative", context["narratives"].get(element_id, ""))
    # The narrative's version as this page shows it; after a refused save, the version the person's
    # page had (so a second save from the same stale page is refused too, not slipped through).
    claim = context["claim"]
    version = (values or {}).get("version") or str(
        claim.narrative_versions.get(element_id, 0) if claim else 0
    )
    # The element page is the practitioner's own (_claim_context checked it): no second authorisation.
    on_element = [c for c in comments.on_claim(journey) if c.element_id == element_id]
    # The library's files to tick, and a form that uploads a new one from this page (issue 16.6).
    library = element_library.context(caller, journey, element_id, context["evidence"], values, posted)
    response = page(
        "practitioner/element.html",
        **library,
        comments=on_element,
        status=status,
        page_title=f"Element {element.id}: {element.title}",
        journey=journey,
        element=element,
        items=items,
        values={"narrative": narrative, "version": version},
        narrative_limit=NARRATIVE_LIMIT,
        errors=errors or {},
        notice=_upload_notice(journey, query().get("key", "")),
        saved=query().get("saved", ""),
        unlinked=query().get("unlinked") == "1",
    )
    return element_library.allow_upload(response, library)


@router.get("/journeys/<journey_id>/claim/<element_id>")
def element_page(journey_id: str, element_id: str) -> Response:
    return _element_page(me(), journey_id, element_id)


NARRATIVE_LIMIT = 20_000


class NarrativeForm(_Form):
    narrative: Annotated[str, Field(max_length=NARRATIVE_LIMIT)] = ""
    # The narrative's version when the page was opened (a hidden field): required, so that a page from
    # another window never overwrites a newer narrative unseen.
    version: Annotated[int, Field(ge=0)]


OUT_OF_DATE = (
    "This page is out of date, so your text was not saved: copy what you need, reload, and save again."
)


def _too_long(text: str) -> str:
    """Which field, its limit, and how much to cut (the count is the one the NHS character count shows)."""
    over = len(text) - NARRATIVE_LIMIT
    return (
        f"Your narrative must be {NARRATIVE_LIMIT:,} characters or fewer. It has {len(text):,}: "
        f"cut {over:,} character{'s' if over != 1 else ''}"
    )


@router.post("/journeys/<journey_id>/claim/<element_id>")
def save_narrative(journey_id: str, element_id: str) -> Response:
    caller = me()
    posted = form_data()
    values = first_values(posted)
    form, errors = validate(NarrativeForm, values)
    if form is None:
        if len(values.get("narrative", "")) > NARRATIVE_LIMIT:
            errors["narrative"] = _too_long(values["narrative"])
        if "version" in errors:  # a page without its hidden version: the page, not the person, is wrong
            errors = {"narrative": errors.get("narrative", OUT_OF_DATE)}
        # The ticks come back as they were sent, not as last saved: nothing the person did is lost.
        return _element_page(caller, journey_id, element_id, values, errors, 400, posted)
    try:
        claim_development.save_claim(
            caller, journey_id, narratives={element_id: form.narrative}, seen={element_id: form.version}
        )
    except ACTIONABLE as problem:
        # The person's text stays in the box (values), and their ticks (posted): after a clash with
        # another window, to copy.
        status = 409 if isinstance(problem, Conflict) else 400
        return _element_page(
            caller, journey_id, element_id, values, {"narrative": problem.message}, status, posted
        )
    try:
        element_library.save_links(caller, journey_id, element_id, posted)
    except ACTIONABLE as problem:
        return _element_page(
            caller, journey_id, element_id, values, {"evidence": problem.message}, 400, posted
        )
    return redirect(element_library.after_save(caller, journey_id, element_id))


@router.get("/journeys/<journey_id>/claim/<element_id>/upload")
def upload_page(journey_id: str, element_id: str) -> Response:
    caller = me()
    journey = js.load_for(caller, journey_id)
    element = _element_of(framework(journey.framework_key), element_id)
    back = f"/journeys/{journey_id}/claim/{element_id}"
    # S3 sends the browser back here after the upload, adding the object's key to the query.
    upload = uploads.browser_upload(caller, journey_id, element_id, settings().public_url(back))
    target = urlsplit(upload.url)
    response = page(
        "practitioner/upload.html",
        page_title=f"Upload evidence for element {element.id}",
        journey=journey,
        element=element,
        upload=upload,
        back=back,
        max_mb=upload.max_bytes // 1_048_576,
        allowed=allowed_list(),
    )
    # The form posts to the bucket, so this page's policy allows that one origin as a form target.
    response.headers["Content-Security-Policy"] = security.content_security_policy(
        form_action=[f"{target.scheme}://{target.netloc}"]
    )
    return response
