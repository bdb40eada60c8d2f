"""A person's whole record, downloadable (issue 18; rules in domain/record.py, contents in
services/record_contents.py).

Asking: the practitioner for their own record, or an academy lead for a subject access request from a
journey of their academy (with the request's reason). One request per person and scope at a time:
asking again while one is being prepared answers with that one (dal/exports.start_request). The
request is handed to RecordArchiveFunction (an asynchronous invoke: Lambda queues it), which makes the zip under exports/, marks it
ready and emails the one who asked a link to the page (never to the file). The page makes a
15-minute presigned link when the download is asked for; nothing stores it. The archive is gone
after 7 days (the bucket's lifecycle rule). Each step is in the audit trail of every journey the
archive covers: requested (with a lead's reason), ready, downloaded.
"""

from __future__ import annotations

from datetime import datetime

from .. import clock
from ..dal import exports, keys
from ..dal.store import to_item
from ..domain.access import Caller, reads_claims_as_lead
from ..domain.errors import Forbidden, InvalidInput, NotFound
from ..domain.models import Journey, Person
from ..domain.record import (
    LINK_SECONDS,
    SELF,
    STALE_AFTER,
    ArchiveStatus,
    RecordArchive,
    academy_scope,
    archive_key,
)
from ..observability import logger
from ..settings import settings
from . import record_contents
from .common import db, new_id, record
from .notifications import send_to

REQUESTED = "whole record requested"
READY = "whole record ready"
DOWNLOADED = "whole record downloaded"
# How many times Lambda tries a request: RecordArchiveFunction's EventInvokeConfig MaximumRetryAttempts
# (2) plus the first (tests/unit/test_template_record_archive.py checks they agree). Lambda does not
# tell a try its number, so the request counts its failed tries; the one that makes them TRIES marks
# it failed, and the page says so and offers to ask again. Before that it stays "being prepared",
# which is true: Lambda will try again.
TRIES = 3


def current(person_id: str, scope: str) -> RecordArchive | None:
    return db().get_model(RecordArchive, keys.record_archive(person_id, scope))


def _ask(
    caller: Caller, person_id: str, scope: str, journeys: list[Journey], reason: str | None
) -> RecordArchive:
    now = clock.now()
    request = RecordArchive(
        person_id=person_id,
        scope=scope,
        request_id=new_id("rec-"),
        requested_at=now,
        requested_by=caller.id,
        requester_email=caller.email,
        requester_name=caller.name or caller.email,
        reason=reason,
        journeys=len(journeys),
    )
    stale = (now - STALE_AFTER).isoformat()
    if not exports.start_request(to_item(request, keys.record_archive(person_id, scope)), stale):
        existing = current(person_id, scope)
        if existing is not None:
            return existing  # the one being prepared: asking twice starts nothing more
    try:
        exports.queue_request(person_id, scope, request.request_id)
    except Exception:
        # Not queued: say so rather than "being prepared" for an hour (the person can ask again at once).
        failed = request.model_copy(update={"status": ArchiveStatus.FAILED, "error": "not queued"})
        exports.settle_request(to_item(failed, keys.record_archive(person_id, scope)))
        raise
    why = f"subject access request: {reason}" if reason else None
    for journey in journeys:
        record(journey.id, actor=caller.id, action=REQUESTED, reason=why)
    return request


def request_own(caller: Caller) -> RecordArchive:
    journeys = record_contents.journeys_of(caller.id, SELF)
    if not journeys:
        raise InvalidInput("You have no journey yet, so there is no record to download.")
    return _ask(caller, caller.id, SELF, journeys, None)


def _subject_journey(caller: Caller, journey_id: str) -> Journey:
    journey = db().journey(journey_id)
    if not reads_claims_as_lead(caller, journey):
        # A national lead too: subject access requests are answered by the academy (domain/record.py).
        raise Forbidden("Only an academy lead of this practitioner's academy can produce their record.")
    return journey


def request_for_subject(caller: Caller, journey_id: str, reason: str) -> RecordArchive:
    journey = _subject_journey(caller, journey_id)
    scope = academy_scope(journey.academy_id)
    journeys = record_contents.journeys_of(journey.practitioner_id, scope)
    return _ask(caller, journey.practitioner_id, scope, journeys, reason)


def own_status(caller: Caller) -> RecordArchive | None:
    return _shown(current(caller.id, SELF))


def subject_status(caller: Caller, journey_id: str) -> tuple[Journey, RecordArchive | None]:
    journey = _subject_journey(caller, journey_id)
    return journey, _shown(current(journey.practitioner_id, academy_scope(journey.academy_id)))


def _shown(request: RecordArchive | None) -> RecordArchive | None:
    """An archive past its week is gone from the bucket: show none rather than a dead link."""
    if request is not None and request.status is ArchiveStatus.READY and request.expired(clock.now()):
        return None
    return request


def _link(caller: Caller, request: RecordArchive | None) -> str:
    if request is None or request.status is not ArchiveStatus.READY or not request.key:
        raise NotFound("There is no record ready to download. Ask for it first.")
    for journey in record_contents.journeys_of(request.person_id, request.scope):
        record(journey.id, actor=caller.id, action=DOWNLOADED)
    name = f"od-validation-record-{request.ready_at:%Y-%m-%d}.zip" if request.ready_at else "record.zip"
    return exports.download_link(request.key, name, LINK_SECONDS)


def own_download(caller: Caller) -> str:
    """A 15-minute link to the caller's own archive (made now; the download is recorded)."""
    return _link(caller, own_status(caller))


def subject_download(caller: Caller, journey_id: str) -> str:
    _, request = subject_status(caller, journey_id)
    return _link(caller, request)


# --------------------------------------------------------------------------- the worker


def make(person_id: str, scope: str, request_id: str) -> RecordArchive | None:
    """Make the archive a request asks for (RecordArchiveFunction). Safe to run again (Lambda delivers
    an asynchronous event at least once): a request already made, failed, or replaced by a newer one
    is left alone. None when there was nothing to do."""
    request = current(person_id, scope)
    if request is None or request.request_id != request_id or request.status is not ArchiveStatus.PREPARING:
        return None
    try:
        return _make(request)
    except Exception as exc:
        _failed_try(request, exc)
        raise  # Lambda tries again, up to TRIES in all, then dead-letters the event


def _failed_try(request: RecordArchive, exc: Exception) -> None:
    """Count the failed try on the request; the last one marks it failed (conditional on its id: a newer
    request is left alone)."""
    tries = request.failed_tries + 1
    update: dict[str, object] = {"failed_tries": tries}
    if tries >= TRIES:
        update |= {"status": ArchiveStatus.FAILED, "error": type(exc).__name__}
    failed = request.model_copy(update=update)
    try:
        exports.settle_request(to_item(failed, keys.record_archive(request.person_id, request.scope)))
    except Exception:
        logger.exception("could not count a failed try", extra={"request_id": request.request_id})


def _make(request: RecordArchive) -> RecordArchive:
    at = clock.now()
    whole = record_contents.gather(request.person_id, request.scope, at)
    body, files = record_contents.build(whole)
    key = archive_key(request.person_id, request.request_id)
    with body:
        size = body.seek(0, 2)
        body.seek(0)
        exports.put_archive(key, body)
    ready = request.model_copy(
        update={
            "status": ArchiveStatus.READY,
            "ready_at": at,
            "key": key,
            "size": size,
            "files": files,
            "journeys": len(whole.journeys),
        }
    )
    if not exports.settle_request(to_item(ready, keys.record_archive(request.person_id, request.scope))):
        # A newer request replaced this one while it was made (that one will tell them), or the same
        # event, delivered twice, settled it first (it told them).
        return ready
    for jr in whole.journeys:
        record(jr.journey.id, actor="system:record-archive", action=READY)
    _tell(ready, [jr.journey for jr in whole.journeys])
    return ready


def page_path(request: RecordArchive, journeys: list[Journey]) -> str:
    if request.scope == SELF or not journeys:
        return "/account/record"
    return f"/lead/journeys/{journeys[-1].id}/record"


def _tell(request: RecordArchive, journeys: list[Journey]) -> None:
    """Email the one who asked that it is ready: a link to the page, never to the file."""
    if not request.requester_email or not journeys:
        return
    try:
        to = Person(
            id=request.requested_by,
            name=request.requester_name or request.requester_email,
            email=request.requester_email,
        )
        send_to(
            journeys[-1],
            "record_ready",
            [to],
            link=settings().public_url(page_path(request, journeys)),
            expires=_day(request.expires_at()),
            for_subject=request.scope != SELF,
        )
    except Exception:
        # The page shows the link either way: an email that fails never fails the archive.
        logger.exception("record_ready email failed", extra={"person_id": request.person_id})


def _day(at: datetime | None) -> str:
    return f"{at:%-d %B %Y}" if at else ""
