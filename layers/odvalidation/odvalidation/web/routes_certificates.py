"""Certificate pages (issue 5): the public verification page a certificate's QR code points at, the
public form that checks an uploaded credential file, and the holder's own certificate page.

What a verifier is told is decided by certificates.verification (VerificationResult); the holder's
downloads and sharing by services.certificates. These pages only show the answers.
"""

from __future__ import annotations

import re

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from .. import clock
from ..certificates import sharing as share
from ..certificates.credential import LEVEL_NAMES
from ..certificates.verification import VerificationResult, VerificationStatus, status_of, verify_file
from ..domain.academies import academy
from ..domain.access import Caller as DomainCaller
from ..domain.errors import DomainError, NotFound
from ..domain.frameworks import framework
from ..domain.models import CertificateRecord
from ..domain.uk_time import uk_when
from ..services import certificates, journeys
from ..settings import settings
from . import multipart
from .access import domain_caller
from .forms import first_values
from .pages import feedback_state
from .request import app, form_data, page, redirect, require_caller

router: Router = Router()

CERTIFICATE_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
MAX_CREDENTIAL_BYTES = 64 * 1024  # a signed credential is a few KB of text
FILE_FIELD = "credential"

HEADINGS = {
    VerificationStatus.VALID: "This certificate is valid",
    VerificationStatus.EXPIRED: "This certificate has expired",
    VerificationStatus.REVOKED: "This certificate has been revoked",
    VerificationStatus.SUPERSEDED: "This certificate has been replaced",
    VerificationStatus.UNKNOWN: "We cannot find this certificate",
    VerificationStatus.INVALID: "This file is not a genuine certificate",
}
TAG = {
    VerificationStatus.VALID: ("Valid", "green"),
    VerificationStatus.EXPIRED: ("Expired", "grey"),
    VerificationStatus.REVOKED: ("Revoked", "red"),
    VerificationStatus.SUPERSEDED: ("Replaced", "yellow"),
    VerificationStatus.UNKNOWN: ("Not found", "grey"),
    VerificationStatus.INVALID: ("Not genuine", "red"),
}


def _day(when: object) -> str:
    return when.strftime("%-d %B %Y") if hasattr(when, "strftime") else ""


def result_rows(result: VerificationResult) -> list[dict[str, str]]:
    """Only what the result carries: it already leaves out the name unless the holder shared it."""
    rows: list[dict[str, str]] = []
    pairs = [
        ("Name", result.holder_name),
        ("Validated as", result.level_name),
        ("Issued by", result.academy_name),
        ("Framework", result.framework_title),
        ("Valid from", _day(result.valid_from) if result.valid_from else None),
        ("Valid until", _day(result.valid_until) if result.valid_until else None),
        ("Revoked on", _day(result.revoked_at) if result.revoked_at else None),
        ("Reason for revoking", result.revoked_reason),
        ("Certificate number", result.certificate_id),
    ]
    for key, value in pairs:
        if value:
            rows.append({"key": key, "value": value})
    if result.certificate_id and not result.holder_name and result.level_name:
        rows.insert(0, {"key": "Name", "value": "Not shared by the holder: ask them to confirm it is theirs"})
    return rows


def _result_page(result: VerificationResult, *, from_file: bool = False, status: int = 200) -> Response:
    text, colour = TAG[result.status]
    return page(
        "certificates/result.html",
        status=status,
        page_title=HEADINGS[result.status],
        result=result,
        heading=HEADINGS[result.status],
        tag_text=text,
        tag_colour=colour,
        rows=result_rows(result),
        checked=f"{uk_when(result.checked_at)} UK time",
        from_file=from_file,
        genuine=result.ok,
        # A card for a shared link: the page's own address (a checked file's result is not one).
        open_graph=None
        if from_file or not result.certificate_id
        else share.open_graph(result, settings().public_url(f"/verify/{result.certificate_id}")),
    )


# --------------------------------------------------------------------------- public verification


def _verify_form(values: dict[str, str], errors: dict[str, str], status: int = 200) -> Response:
    return page(
        "certificates/verify.html",
        status=status,
        page_title="Check a certificate",
        values=values,
        errors=errors,
        max_kb=MAX_CREDENTIAL_BYTES // 1024,
    )


@router.get("/verify")
def verify_form() -> Response:
    query = app.current_event.query_string_parameters or {}
    number = (query.get("certificate") or "").strip()
    if "certificate" in query:
        if not number:
            return _verify_form(query, {"certificate": "Enter the certificate number"}, status=400)
        if not CERTIFICATE_ID.match(number):
            return _verify_form(
                query,
                {
                    "certificate": "Enter the certificate number as it is printed, using letters, numbers, - and _"
                },
                status=400,
            )
        return redirect(f"/verify/{number}")
    return _verify_form({}, {})


@router.get("/verify/<certificate_id>")
def verify(certificate_id: str) -> Response:
    # No sign-in: this is the page the PDF's QR code opens. An id of the wrong shape is simply unknown.
    if not CERTIFICATE_ID.match(certificate_id):
        return _result_page(status_of(None, clock.now()), status=404)
    result = certificates.public_status(certificate_id)
    return _result_page(result, status=404 if result.status is VerificationStatus.UNKNOWN else 200)


@router.post("/verify")
def verify_upload() -> Response:
    upload = multipart.from_event(app.current_event.raw_event).files.get(FILE_FIELD)
    if upload is None or not upload.content:
        return _verify_form({}, {FILE_FIELD: "Select the certificate's credential file"}, status=400)
    if len(upload.content) > MAX_CREDENTIAL_BYTES:
        message = (
            f"The file must be smaller than {MAX_CREDENTIAL_BYTES // 1024} KB: a credential file is a few KB"
        )
        return _verify_form({}, {FILE_FIELD: message}, status=400)
    result = verify_file(upload.content.strip(), certificates.jwks(), certificates.record_of, clock.now())
    return _result_page(result, from_file=True)


# --------------------------------------------------------------------------- the holder's certificate


def _holder_rows(record: CertificateRecord) -> list[dict[str, str]]:
    try:
        academy_name = academy(record.academy_id).name
    except NotFound:
        academy_name = record.academy_id
    try:
        fw = framework(record.framework_key)
        framework_title = f"{fw.title}, version {fw.version}"
    except NotFound:
        framework_title = record.framework_key
    return [
        {"key": "Name", "value": record.holder_name},
        {"key": "Validated as", "value": LEVEL_NAMES[record.level]},
        {"key": "Issued by", "value": academy_name},
        {"key": "Framework", "value": framework_title},
        {"key": "Valid from", "value": _day(record.valid_from)},
        {"key": "Valid until", "value": _day(record.valid_until)},
        {"key": "Certificate number", "value": record.id},
    ]


def _title(record: CertificateRecord, holder: bool) -> str:
    """The holder reads "Your certificate"; a lead who opens it reads whose it is."""
    return "Your certificate" if holder else f"{record.holder_name}'s certificate"


def _feedback(caller: DomainCaller, record: CertificateRecord) -> str:
    """Whether to ask the holder for feedback on the process ("ask"), thank them ("given") or neither."""
    try:
        journey = journeys.load_for(caller, record.journey_id)
    except NotFound:
        return ""
    return feedback_state(journey) if journey.certificate_id == record.id else ""


def _holder() -> DomainCaller:
    return domain_caller(require_caller())


@router.get("/certificates/<certificate_id>")
def certificate(certificate_id: str) -> Response:
    caller = _holder()
    if not CERTIFICATE_ID.match(certificate_id):
        raise NotFound("There is no such certificate.")
    record = certificates.mine(caller, certificate_id)
    status = status_of(record, clock.now())
    query = app.current_event.query_string_parameters or {}
    notice = {
        "on": "Your name is now shown to people who check your certificate.",
        "off": "Your name is no longer shown to people who check your certificate.",
    }.get(query.get("sharing", ""), "")
    # The address people are given (as on the PDF and its QR code), not only a link within the site.
    verify_link = settings().public_url(f"/verify/{record.id}")
    rows = _holder_rows(record)
    holder = record.practitioner_id == caller.id
    return page(
        "certificates/certificate.html",
        page_title=_title(record, holder),
        feedback=_feedback(caller, record) if holder else "",
        record=record,
        rows=rows,
        linkedin_link=share.linkedin_add_url(record, academy_name=rows[2]["value"], verify_link=verify_link),
        verification=status,
        tag_text=TAG[status.status][0],
        tag_colour=TAG[status.status][1],
        is_holder=holder,
        verify_link=verify_link,
        notice=notice,
        errors={},
    )


@router.get("/certificates/<certificate_id>/download/<kind>")
def download(certificate_id: str, kind: str) -> Response:
    """A short-lived link made when the holder asks, so that a page left open never offers a dead one."""
    if kind not in {"pdf", "credential", "badge"} or not CERTIFICATE_ID.match(certificate_id):
        raise NotFound("There is no such download.")
    links = certificates.download_links(_holder(), certificate_id)
    if kind not in links:
        raise NotFound("There is no such download.")
    return redirect(links[kind])


@router.post("/certificates/<certificate_id>/sharing")
def sharing(certificate_id: str) -> Response:
    caller = _holder()
    if not CERTIFICATE_ID.match(certificate_id):
        raise NotFound("There is no such certificate.")
    choice = first_values(form_data()).get("public", "")
    if choice not in {"yes", "no"}:
        return redirect(f"/certificates/{certificate_id}")
    try:
        certificates.set_sharing(caller, certificate_id, choice == "yes")
    except DomainError as problem:
        record = certificates.mine(caller, certificate_id)
        return page(
            "certificates/certificate.html",
            status=409,
            page_title=_title(record, record.practitioner_id == caller.id),
            record=record,
            rows=_holder_rows(record),
            verification=status_of(record, clock.now()),
            tag_text="",
            tag_colour=None,
            is_holder=False,
            verify_link=settings().public_url(f"/verify/{record.id}"),
            linkedin_link="",
            notice="",
            errors={"public": problem.message},
        )
    return redirect(f"/certificates/{certificate_id}?sharing={'on' if choice == 'yes' else 'off'}")
