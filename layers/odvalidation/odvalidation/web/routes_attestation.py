"""Stakeholder attestation pages (issue 18.2).

The practitioner's page (`/journeys/<id>/attestations`): who they asked to confirm which evidence, the
answers, a form to ask someone else, and a button to withdraw an open request. Their supporter may read
it.

The leader's page (`/attest?token=...`), public, no sign-in: the file's name and the file itself (through
a short-lived link, `/attest/file`), the practitioner's name and what they ask; nothing else of the claim.
The token rides in the query string and in a hidden form field, never in the path, because paths are
what this function logs; no route here logs anything about the request. A link that is not genuine gets
the ordinary "page not found"; one that is genuine but spent says why (expired, used, withdrawn).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from .. import clock
from ..domain.access import Caller
from ..domain.attestation import (
    Attestation,
    AttestationIn,
    AttestationStatus,
    LinkProblem,
    LinkRefused,
    ResponseIn,
)
from ..domain.errors import Conflict, DomainError, Forbidden, InvalidInput, InvalidTransition, NotFound
from ..domain.models import EvidenceStatus, Stage
from ..domain.nominations import AttesterRefused
from ..services import attestations, people
from ..services import journeys as js
from .access import domain_caller
from .forms import first_values, validate
from .pages import long_date
from .request import app, form_data, page, redirect, require_caller

router: Router = Router()

FIELDS = ("evidence_id", "name", "email", "role", "message")
FIELD_MESSAGES = {
    "evidence_id": "Select the evidence you want them to confirm",
    "name": "Enter the leader's full name",
    "email": "Enter the leader's email address, like name@example.nhs.uk",
    "role": "Enter the leader's role and organisation",
    "message": "Say what you are asking them to confirm (up to 2,000 characters)",
}
STATUS_TAGS = {
    AttestationStatus.REQUESTED: ("Waiting for an answer", "yellow"),
    AttestationStatus.CONFIRMED: ("Confirmed", "green"),
    AttestationStatus.DECLINED: ("Declined", "red"),
    AttestationStatus.WITHDRAWN: ("Withdrawn", "grey"),
}
NOTICES = {
    "sent": "Your request has been sent. We will email you when they answer.",
    "sent_again": "Your request has been sent again with a new link. The link in the earlier email no longer works.",
    "withdrawn": "The request has been withdrawn. Its link no longer works.",
}
REFUSALS: dict[LinkProblem, tuple[int, str, str]] = {
    LinkProblem.EXPIRED: (
        410,
        "This link has expired",
        "Links to confirm evidence work for 14 days. Ask the person who sent it for a new one if you "
        "still want to answer.",
    ),
    LinkProblem.USED: (
        409,
        "This link has already been used",
        "Someone has already answered this request with this link, so it cannot be answered again. If "
        "that was not you, tell the person who sent it.",
    ),
    LinkProblem.REPLACED: (
        410,
        "A newer link was sent",
        "The person who asked you sent this request again, with a new link. Use the link in their most "
        "recent email.",
    ),
    LinkProblem.WITHDRAWN: (
        410,
        "This request was withdrawn",
        "The person who sent it no longer asks you to confirm this evidence. You do not need to do anything.",
    ),
}


# --------------------------------------------------------------------------- the practitioner's page


def _rows(records: list[Attestation], *, can_withdraw: bool) -> list[dict[str, Any]]:
    rows = []
    now = clock.now()
    for r in reversed(records):
        text, colour = STATUS_TAGS[r.status]
        if r.open and r.expired(now):
            text, colour = "Link expired", "orange"
        rows.append(
            {
                "id": r.id,
                "evidence": r.evidence_name,
                "who": f"{r.attester_name}, {r.attester_role}",
                "asked": long_date(r.requested_at),
                "status": text,
                "colour": colour,
                "answered": long_date(r.responded_at) if r.responded_at else "",
                "comment": r.comment,
                "withdrawable": can_withdraw and r.status is AttestationStatus.REQUESTED,
                "sendable": can_withdraw and r.sendable_again(),
            }
        )
    return rows


def _practitioner_name(practitioner_id: str) -> str:
    found = people.person(practitioner_id)
    return found.name if found else "The practitioner"


def _list_page(
    journey_id: str, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> Response:
    caller = domain_caller(require_caller())
    records = attestations.for_journey(caller, journey_id)  # the practitioner and their supporter only
    journey = js.load_for(caller, journey_id)
    owner = caller.id == journey.practitioner_id
    can_ask = owner and journey.stage is Stage.CLAIM_DEVELOPMENT
    verified = [e for e in js.evidence(journey) if e.status is EvidenceStatus.VERIFIED] if can_ask else []
    query = app.current_event.query_string_parameters or {}
    notice = next((text for key, text in NOTICES.items() if query.get(key)), "")
    return page(
        "practitioner/attestations.html",
        status=status,
        # The supporter reads the same page: it is worded for them, about the practitioner's evidence.
        page_title="Ask system leaders to confirm your evidence"
        if owner
        else f"{_practitioner_name(journey.practitioner_id)}'s evidence confirmed by system leaders",
        journey=journey,
        rows=_rows(records, can_withdraw=owner),
        can_ask=can_ask,
        owner=owner,
        evidence_options=[("", "Select a file"), *((e.id, e.display_name) for e in verified)],
        values={k: values.get(k, "") for k in FIELDS},
        errors=errors,
        notice=notice,
    )


@router.get("/journeys/<journey_id>/attestations")
def attestation_list(journey_id: str) -> Response:
    return _list_page(journey_id, {}, {})


@router.post("/journeys/<journey_id>/attestations")
def attestation_request(journey_id: str) -> Response:
    caller = domain_caller(require_caller())
    values = {k: v for k, v in first_values(form_data()).items() if k in FIELDS}
    body, errors = validate(AttestationIn, values)
    if body is None:
        return _list_page(
            journey_id, values, {k: FIELD_MESSAGES.get(k, v) for k, v in errors.items()}, status=400
        )
    try:
        attestations.request(caller, journey_id, body)
    except AttesterRefused as problem:
        return _list_page(journey_id, values, {"email": problem.message}, status=400)
    except (InvalidTransition, Conflict, InvalidInput) as problem:
        return _list_page(journey_id, values, {"evidence_id": problem.message}, status=409)
    except NotFound as problem:
        if "evidence" not in problem.message:  # the journey itself: the ordinary "page not found"
            raise
        return _list_page(journey_id, values, {"evidence_id": problem.message}, status=400)
    return redirect(f"/journeys/{journey_id}/attestations?sent=1")


@router.post("/journeys/<journey_id>/attestations/<attestation_id>/withdraw")
def attestation_withdraw(journey_id: str, attestation_id: str) -> Response:
    return _on_request(journey_id, attestation_id, attestations.withdraw, notice="withdrawn")


@router.post("/journeys/<journey_id>/attestations/<attestation_id>/send-again")
def attestation_send_again(journey_id: str, attestation_id: str) -> Response:
    return _on_request(journey_id, attestation_id, attestations.send_again, notice="sent_again")


def _on_request(
    journey_id: str, attestation_id: str, act: Callable[[Caller, str, str], object], *, notice: str
) -> Response:
    """The practitioner's button on one of their requests: done, then the list with what happened; a
    request that cannot be acted on is the list again, saying why (a page not found stays one)."""
    caller = domain_caller(require_caller())
    try:
        act(caller, journey_id, attestation_id)
    except (Forbidden, NotFound):
        raise
    except DomainError as problem:
        return _list_page(journey_id, {}, {"requests": problem.message}, status=409)
    return redirect(f"/journeys/{journey_id}/attestations?{notice}=1")


# --------------------------------------------------------------------------- the leader's page (public)


def _refused(problem: LinkProblem) -> Response:
    if problem is LinkProblem.INVALID:
        return page("errors/not_found.html", status=404, page_title="Page not found")
    status, title, text = REFUSALS[problem]
    return page("attestation/refused.html", status=status, page_title=title, text=text)


def _attest_page(token: str, values: dict[str, str], errors: dict[str, str], status: int = 200) -> Response:
    try:
        view = attestations.open_link(token)
    except LinkRefused as refused:
        return _refused(refused.problem)
    return page(
        "attestation/attest.html",
        status=status,
        page_title=f"Confirm evidence for {view.attestation.practitioner_name}",
        a=view.attestation,
        file_name=view.evidence.display_name,
        token=token,
        expires=long_date(view.attestation.link_expires),
        decisions=[
            {"value": "confirm", "text": "Yes, I confirm this evidence"},
            {"value": "decline", "text": "No, I cannot confirm it"},
        ],
        values=values,
        errors=errors,
    )


def _token() -> str:
    return str((app.current_event.query_string_parameters or {}).get("token") or "")


@router.get("/attest")
def attest_form() -> Response:
    return _attest_page(_token(), {}, {})


@router.get("/attest/file")
def attest_file() -> Response:
    try:
        url = attestations.file_link(_token())
    except LinkRefused as refused:
        return _refused(refused.problem)
    return redirect(url)


@router.post("/attest")
def attest_answer() -> Response:
    values = first_values(form_data())
    token = values.get("token", "")
    shown = {"decision": values.get("decision", ""), "comment": values.get("comment", "")}
    answer, errors = validate(ResponseIn, shown)
    if answer is None:
        messages = {
            "decision": "Select whether you can confirm this evidence",
            "comment": "Your comment must be 2,000 characters or fewer",
        }
        return _attest_page(token, shown, {k: messages.get(k, v) for k, v in errors.items()}, status=400)
    try:
        record = attestations.respond(token, answer)
    except LinkRefused as refused:
        return _refused(refused.problem)
    except DomainError as problem:  # declining without saying why
        return _attest_page(token, shown, {"comment": problem.message}, status=400)
    confirmed = record.status is AttestationStatus.CONFIRMED
    return page(
        "attestation/answered.html",
        page_title="Thank you: your answer has been sent",
        confirmed=confirmed,
        practitioner_name=record.practitioner_name,
    )
