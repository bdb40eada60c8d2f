"""What the URLs inside a credential name, at those URLs (issue 21): the issuer profiles
(`/academies/<id>`, `/academies/national`), the achievements (`/achievements/<level>`) and the frameworks
the alignments point into (`/frameworks/<key>#<element id>`).

Public, no sign-in. Content negotiation: a client that asks for JSON (`Accept: application/json` or
`application/ld+json`, and not HTML) gets the object as it appears in the credential; anyone else gets a
page. Every id is built from the configured public base URL, as the credential's are, so the JSON here
names itself by the URL it is served at.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from ..certificates.credential import (
    LEVEL_NAMES,
    NATIONAL_ID,
    OB_CONTEXT,
    VC_CONTEXT,
    achievement,
    framework_url,
    issuer_profile,
    national_profile,
)
from ..domain.academies import ACADEMIES
from ..domain.errors import NotFound
from ..domain.frameworks import all_frameworks, framework
from ..domain.models import Level
from ..settings import settings
from .request import app, page

router: Router = Router()

JSON_TYPES = ("application/json", "application/ld+json")
# The same answer for everyone, so caches may keep it; Vary because one URL has two representations.
PUBLIC_HEADERS = {"Vary": "Accept", "Cache-Control": "public, max-age=300"}


def wants_json() -> bool:
    """True when the client asks for JSON and not for HTML (a browser's Accept names text/html)."""
    accept = (app.current_event.headers or {}).get("accept") or (app.current_event.headers or {}).get(
        "Accept", ""
    )
    accept = accept.lower()
    return any(t in accept for t in JSON_TYPES) and "text/html" not in accept


def _json(status: int, body: dict[str, Any], content_type: str = "application/json") -> Response:
    return Response(status, content_type, json.dumps(body, ensure_ascii=False), dict(PUBLIC_HEADERS))


def _ld(body: dict[str, Any]) -> Response:
    """An Open Badges object on its own carries the contexts that a credential gives it."""
    return _json(200, {"@context": [VC_CONTEXT, OB_CONTEXT], **body})


def _not_found(what: str) -> Response:
    if wants_json():
        return _json(404, {"message": f"There is no {what} at this address."})
    return page("errors/not_found.html", status=404, page_title="Page not found")


def _base() -> str:
    return settings().public_base_url.rstrip("/")


@router.get("/academies/<academy_id>")
def issuer(academy_id: str) -> Response:
    base = _base()
    try:
        profile = national_profile(base) if academy_id == NATIONAL_ID else issuer_profile(base, academy_id)
    except NotFound:
        return _not_found("issuer")
    if wants_json():
        return _ld(profile)
    members = list(ACADEMIES) if academy_id == NATIONAL_ID else []
    return page("public/issuer.html", page_title=profile["name"], profile=profile, members=members, base=base)


@router.get("/achievements/<level>")
def achievement_page(level: str) -> Response:
    try:
        the_level = Level(level)
    except ValueError:
        return _not_found("achievement")
    body = achievement(_base(), the_level)
    if wants_json():
        return _ld(body)
    return page("public/achievement.html", page_title=LEVEL_NAMES[the_level], achievement=body)


@router.get("/frameworks/<framework_key>")
def framework_page(framework_key: str) -> Response:
    if framework_key not in all_frameworks():
        return _not_found("framework")
    fw = framework(framework_key)
    url = framework_url(_base(), fw.key)
    if wants_json():
        return _json(
            200,
            {
                "id": url,
                "key": fw.key,
                "title": fw.title,
                "version": fw.version,
                "summary": fw.summary,
                "domains": [
                    {
                        "id": d.id,
                        "title": d.title,
                        "elements": [
                            {
                                "id": e.id,
                                "url": f"{url}#{e.id}",
                                "title": e.title,
                                "description": e.description,
                                "levels": [LEVEL_NAMES[lv] for lv in e.levels],
                            }
                            for e in d.elements
                        ],
                    }
                    for d in fw.domains
                ],
            },
        )
    return page(
        "public/framework.html",
        page_title=f"{fw.title}, version {fw.version}",
        framework=fw,
        level_names=LEVEL_NAMES,
    )
