"""A person's whole record, downloadable (issue 18), from the pages: the practitioner's own at
/account/record, and an academy lead's subject access request at /lead/journeys/<id>/record.

No JavaScript: asking is a form (POST, then 303 back to the page); while it is prepared the page says
so and offers a link to look again; once ready, the download link goes through
.../record/download, which makes the 15-minute S3 link at that moment (recording the download) and
redirects to it, so no page ever holds a link that outlives it."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from .. import clock
from ..domain.errors import DomainError, Forbidden, NotFound
from ..domain.record import KEPT_FOR, RecordArchive
from ..services import record_archive
from .access import domain_caller
from .forms import SubjectAccessForm, first_values, validate
from .request import current_session, form_data, page, redirect, require_caller

router: Router = Router()


def _size(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB" if size >= 1_048_576 else f"{max(1, round(size / 1024))} KB"


def _view(request: RecordArchive | None) -> dict[str, Any]:
    size = _size(request.size) if request and request.size else ""
    expires = request.expires_at() if request else None
    return {
        "state": request.status.value if request else "none",
        "request": request,
        "size": size,
        "kept_until": f"{expires:%-d %B %Y}" if expires else "",
        "kept_days": KEPT_FOR.days,
        "now": clock.now(),
    }


def _to_file(url: str) -> Response:
    """A 303 to the archive's presigned link (S3, outside the service: not a service path)."""
    headers = {"Location": url, "Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    response = Response(303, "text/html; charset=utf-8", "", headers)
    response.cookies = [*current_session().set_cookies, *response.cookies]
    return response


# --------------------------------------------------------------------------- the practitioner's own


def _own_page(errors: dict[str, str], status: int = 200) -> Response:
    caller = domain_caller(require_caller())
    return page(
        "account/record.html",
        status=status,
        page_title="Download your whole record",
        errors=errors,
        **_view(record_archive.own_status(caller)),
    )


@router.get("/account/record")
def own_record() -> Response:
    return _own_page({})


@router.post("/account/record")
def ask_own_record() -> Response:
    caller = domain_caller(require_caller())
    try:
        record_archive.request_own(caller)
    except DomainError as problem:
        return _own_page({"record": problem.message}, status=422)
    return redirect("/account/record")


@router.get("/account/record/download")
def download_own_record() -> Response:
    return _to_file(record_archive.own_download(domain_caller(require_caller())))


# --------------------------------------------------------------------------- a subject access request


def _subject_page(
    journey_id: str, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> Response:
    caller = domain_caller(require_caller())
    journey, request = record_archive.subject_status(caller, journey_id)
    return page(
        "lead/record.html",
        status=status,
        page_title="Produce a practitioner's whole record",
        journey=journey,
        values=values,
        errors=errors,
        **_view(request),
    )


@router.get("/lead/journeys/<journey_id>/record")
def subject_record(journey_id: str) -> Response:
    return _subject_page(journey_id, {}, {})


@router.post("/lead/journeys/<journey_id>/record")
def ask_subject_record(journey_id: str) -> Response:
    caller = domain_caller(require_caller())
    values = first_values(form_data())
    form, errors = validate(SubjectAccessForm, values)
    if form is None:
        return _subject_page(journey_id, values, errors, status=400)
    try:
        record_archive.request_for_subject(caller, journey_id, form.reason)
    except DomainError as problem:
        if isinstance(problem, Forbidden | NotFound):
            raise
        return _subject_page(journey_id, values, {"reason": problem.message}, status=422)
    return redirect(f"/lead/journeys/{journey_id}/record")


@router.get("/lead/journeys/<journey_id>/record/download")
def download_subject_record(journey_id: str) -> Response:
    return _to_file(record_archive.subject_download(domain_caller(require_caller()), journey_id))
