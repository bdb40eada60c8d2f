"""Stakeholder attestation (issue 18.2): the practitioner asks a named system leader to confirm one piece
of evidence; the leader, who has no account, answers through a signed, expiring, single-use link.

Records are `ATTEST#<id>` items in the journey's item collection (so journey_page's one Query could read
them, and erasure of a journey takes them with it). Every change is one journey commit carrying its
audit event; the leader's answer and the practitioner's withdrawal also carry a conditional update of
the record (`status = requested` and the link's nonce), so two answers racing, a replay, or an answer
racing a withdrawal end with exactly one winner and the others told the link was used or withdrawn.

The link is signed with HMAC-SHA256 under a key derived from the service's session secret for this
purpose alone (`link_key`): the secret is already in Secrets Manager and readable by the two functions
that make and check links, so no new secret or grant to a new resource is needed, and the distinct
derivation means no CSRF token or upload id can ever pass as a link signature, nor the reverse. KMS
signing (the certificates' key) would cost a KMS call per page view for no gain: only this service
ever checks these links. The token is never logged and never stored (the record keeps a hash of its
nonce); it appears only in the email to the leader.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from .. import clock
from ..dal import evidence as evidence_store
from ..dal import keys
from ..dal.session_secret import session_secret
from ..dal.store import to_item
from ..domain import attestation as rules
from ..domain.access import Caller, check_owner
from ..domain.attestation import (
    Attestation,
    AttestationIn,
    AttestationStatus,
    Decision,
    LinkProblem,
    LinkRefused,
    ResponseIn,
)
from ..domain.errors import Conflict, Forbidden, InvalidInput, InvalidTransition, NotFound
from ..domain.models import EvidenceItem, EvidenceStatus, Journey, Person, Stage
from ..domain.nominations import AttesterRefused, attester_refusal
from ..settings import settings
from . import journeys as js
from . import notifications
from .common import db, new_id, reapplied, supporter_ids, updated
from .common import record as record_event
from .people import person

ACTOR = "system:attestation"  # the leader has no account; the event names the request, not them
PREFIX = "ATTEST#"


def link_key() -> bytes:
    """The key links are signed with: derived from the session secret for this purpose only."""
    return hmac.new(session_secret(), b"odvalidation attestation link v1", hashlib.sha256).digest()


def link_url(token: str) -> str:
    # In the query string, not the path: paths are what the web function logs (a refused form, a fault).
    return settings().public_url(f"/attest?token={token}")


def _key(journey_id: str, attestation_id: str) -> dict[str, str]:
    return keys.journey_part(journey_id, f"{PREFIX}{attestation_id}")


def _evidence(journey_id: str, claim_number: int, evidence_id: str) -> EvidenceItem | None:
    # The one place that finds an evidence item by its id (the evidence library may change its key).
    return db().get_model(
        EvidenceItem, keys.journey_part(journey_id, f"EVIDENCE#{claim_number}#{evidence_id}")
    )


def _records(journey: Journey) -> list[Attestation]:
    found = db().query_models(Attestation, f"JOURNEY#{journey.id}", prefix=PREFIX)
    return sorted((a for a in found if a.claim_number == journey.claim_number), key=lambda a: a.requested_at)


def _get(journey_id: str, attestation_id: str) -> Attestation | None:
    return db().get_model(Attestation, _key(journey_id, attestation_id))


def _reason(evidence_name: str, attestation_id: str) -> str:
    # The audit trail outlives an erasure (services/privacy.py keeps it), so it names the file and the
    # request, never the leader: who they are lives in the request record, which an erasure removes.
    return f"{evidence_name} (request {attestation_id})"


def _close(record: Attestation, **fields: object) -> dict[str, object]:
    """The conditional update that ends an open request: only if it is still open, with this nonce."""
    changed = record.model_copy(update=fields)
    item = to_item(changed, _key(record.journey_id, record.id))
    names = {f"#f{i}": name for i, name in enumerate(sorted(fields))}
    values = {f":v{i}": item[name] for i, name in enumerate(sorted(fields)) if name in item}
    sets = [f"#f{i} = :v{i}" for i, name in enumerate(sorted(fields)) if name in item]
    return {
        "Key": {k: {"S": v} for k, v in _key(record.journey_id, record.id).items()},
        "UpdateExpression": "SET " + ", ".join(sets),
        "ConditionExpression": "#status = :open AND nonce_hash = :nonce",
        "ExpressionAttributeNames": {**names, "#status": "status"},
        "ExpressionAttributeValues": {
            **values,
            ":open": {"S": AttestationStatus.REQUESTED.value},
            ":nonce": {"S": record.nonce_hash},
        },
    }


# ---------------------------------------------------------------------------- the practitioner


def _check_attester(caller: Caller, journey: Journey, email: str) -> None:
    """Refuse an attester who is the practitioner (by the address they signed in with or the one on
    their profile) or their current supporter: an attestation is someone else's word."""
    own = person(journey.practitioner_id)
    supporter = person(journey.supporter_id) if journey.supporter_id else None
    refusal = attester_refusal(
        email,
        practitioner_emails=[caller.email, *([own.email] if own else [])],
        supporter_email=supporter.email if supporter else None,
    )
    if refusal:
        raise AttesterRefused(refusal)


@reapplied()
def _store_request(caller: Caller, journey_id: str, body: AttestationIn, nonce: str) -> Attestation:
    journey = js.load_for(caller, journey_id)
    check_owner(caller, journey)
    if journey.stage is not Stage.CLAIM_DEVELOPMENT:
        raise InvalidTransition("You can ask for evidence to be confirmed while you are building your claim.")
    _check_attester(caller, journey, body.email)
    item = _evidence(journey_id, journey.claim_number, body.evidence_id)
    if item is None:
        raise NotFound("There is no such evidence in your claim.")
    if item.status is not EvidenceStatus.VERIFIED:
        raise InvalidTransition(
            "That file has not passed its checks yet. Ask again once it shows as verified."
        )
    if sum(1 for a in _records(journey) if a.open) >= rules.MAX_OPEN:
        raise Conflict(
            f"You have {rules.MAX_OPEN} requests waiting for an answer. Withdraw one before you ask again."
        )
    now = clock.now()
    record = Attestation(
        id=new_id("at-"),
        journey_id=journey_id,
        claim_number=journey.claim_number,
        evidence_id=item.id,
        evidence_name=item.display_name,
        attester_name=body.name,
        attester_email=body.email,
        attester_role=body.role,
        message=body.message,
        practitioner_name=caller.name or "A practitioner",
        requested_by=caller.id,
        requested_at=now,
        link_expires=rules.expiry(now),
        nonce_hash=rules.nonce_hash(nonce),
    )
    db().commit(
        updated(
            journey,
            actor=caller.id,
            action="asked for evidence to be attested",
            reason=_reason(item.display_name, record.id),
            puts=[to_item(record, _key(journey_id, record.id))],
        )
    )
    return record


def request(caller: Caller, journey_id: str, body: AttestationIn) -> Attestation:
    """Store the request, then email the leader their link (a failed email is recorded, not raised)."""
    nonce = secrets.token_urlsafe(18).replace("-", "x").replace("_", "y")
    record = _store_request(caller, journey_id, body, nonce)
    _email_link(record, nonce)
    return record


def _own_request(caller: Caller, journey_id: str, attestation_id: str) -> tuple[Journey, Attestation]:
    """The caller's own journey and one of its current claim's requests (else Forbidden or NotFound)."""
    journey = js.load_for(caller, journey_id)
    check_owner(caller, journey)
    record = _get(journey_id, attestation_id)
    if record is None or record.claim_number != journey.claim_number:
        raise NotFound("There is no such request.")
    return journey, record


@reapplied()
def _store_resend(
    caller: Caller, journey_id: str, attestation_id: str, nonce: str
) -> tuple[Attestation, bool]:
    """The request with a new link (the old one ends) and, True, when an email is to go with it."""
    journey, record = _own_request(caller, journey_id, attestation_id)
    if record.status is AttestationStatus.WITHDRAWN:
        raise InvalidTransition("You withdrew this request. Ask again if you still want it confirmed.")
    if not record.open:
        raise InvalidTransition(f"{record.attester_name} has already answered this request.")
    if journey.stage is not Stage.CLAIM_DEVELOPMENT:
        raise InvalidTransition("You can send a request again while you are building your claim.")
    now = clock.now()
    if record.last_sent_at is not None and now - record.last_sent_at < rules.RESEND_REPEAT:
        return record, False  # sent a moment ago: a repeat of that request, not another email
    if not record.sendable_again():
        raise Conflict(
            f"This request has been sent {rules.MAX_SENDS} times. If {record.attester_name} has not had "
            "it, check their email address with them, then withdraw this request and ask again."
        )
    fields: dict[str, object] = {
        "nonce_hash": rules.nonce_hash(nonce),
        "link_expires": rules.expiry(now),
        "sends": record.sends + 1,
        "last_sent_at": now,
        "replaced_nonce_hashes": [*record.replaced_nonce_hashes, record.nonce_hash],
    }
    change = updated(
        journey,
        actor=caller.id,
        action="sent an attestation request again",
        reason=_reason(record.evidence_name, record.id),
    )
    change.updates.append(_close(record, **fields))
    try:
        db().commit(change)
    except Conflict:
        raise InvalidTransition(f"{record.attester_name} answered a moment ago; reload to see it.") from None
    return record.model_copy(update=fields), True


def send_again(caller: Caller, journey_id: str, attestation_id: str) -> Attestation:
    """Email the leader a new link for an unanswered request (the email went astray, or the link
    expired): the link before it stops working, and tells whoever opens it that a newer one was sent."""
    nonce = secrets.token_urlsafe(18).replace("-", "x").replace("_", "y")
    record, send = _store_resend(caller, journey_id, attestation_id, nonce)
    if send:
        _email_link(record, nonce)
    return record


def _email_link(record: Attestation, nonce: str) -> None:
    token = rules.make_token(link_key(), record.journey_id, record.id, nonce, record.link_expires)
    notifications.send_quietly(
        db().journey(record.journey_id),
        "attestation_request",
        to=[Person(id=record.id, name=record.attester_name, email=record.attester_email)],
        practitioner_name=record.practitioner_name,
        evidence_name=record.evidence_name,
        message=record.message,
        expires=f"{record.link_expires:%-d %B %Y}",
        link=link_url(token),
    )


def for_journey(caller: Caller, journey_id: str) -> list[Attestation]:
    """The current claim's requests: for the practitioner and (to read) their supporter."""
    journey = js.load_for(caller, journey_id)
    if caller.id != journey.practitioner_id and caller.id not in supporter_ids(db(), journey):
        raise Forbidden(
            "Only the practitioner and their supporter can see who was asked to confirm evidence."
        )
    return _records(journey)


@reapplied()
def withdraw(caller: Caller, journey_id: str, attestation_id: str) -> Attestation:
    journey, record = _own_request(caller, journey_id, attestation_id)
    if record.status is AttestationStatus.WITHDRAWN:
        return record  # a repeat: one effect
    if not record.open:
        raise InvalidTransition(
            f"{record.attester_name} has already answered; an answer cannot be withdrawn."
        )
    now = clock.now()
    change = updated(
        journey,
        actor=caller.id,
        action="withdrew an attestation request",
        reason=_reason(record.evidence_name, record.id),
    )
    change.updates.append(_close(record, status=AttestationStatus.WITHDRAWN, withdrawn_at=now))
    try:
        db().commit(change)
    except Conflict:
        raise InvalidTransition(f"{record.attester_name} answered a moment ago; reload to see it.") from None
    return record.model_copy(update={"status": AttestationStatus.WITHDRAWN, "withdrawn_at": now})


def confirmed(journey: Journey) -> dict[str, list[Attestation]]:
    """The confirmed attestations of the journey's current claim, by evidence id (for pages whose reader
    already may see the evidence: the panel, the academy lead, the practitioner and supporter)."""
    return rules.confirmed_by_evidence(_records(journey))


# ---------------------------------------------------------------------------- the leader, by link


@dataclass(frozen=True)
class LinkView:
    """All the leader is shown: the evidence's name, the practitioner's name and their request."""

    attestation: Attestation
    evidence: EvidenceItem


def open_link(token: str) -> LinkView:
    """The request a link names, if it may still be answered; else LinkRefused (what went wrong)."""
    now = clock.now()
    claims = rules.read_token(link_key(), token, now)
    record = rules.usable(_get(claims.journey_id, claims.attestation_id), claims, now)
    item = _evidence(record.journey_id, record.claim_number, record.evidence_id)
    if item is None or item.status is not EvidenceStatus.VERIFIED:
        raise LinkRefused(LinkProblem.WITHDRAWN)  # the practitioner removed the file since asking
    return LinkView(record, item)


def file_link(token: str) -> str:
    """A short-lived download link for the one file the request is about; the opening is audited."""
    view = open_link(token)
    record_event(
        view.attestation.journey_id,
        actor=ACTOR,
        action="attester opened evidence",
        reason=_reason(view.evidence.display_name, view.attestation.id),
    )
    return evidence_store.download_link(view.evidence.key, view.evidence.display_name)


@reapplied()
def _store_answer(token: str, answer: ResponseIn) -> Attestation:
    view = open_link(token)
    record = view.attestation
    if answer.decision is Decision.DECLINE and not answer.comment:
        raise InvalidInput("Say why you cannot confirm this evidence.")
    now = clock.now()
    status = (
        AttestationStatus.CONFIRMED if answer.decision is Decision.CONFIRM else AttestationStatus.DECLINED
    )
    journey = db().journey(record.journey_id)
    change = updated(
        journey,
        actor=ACTOR,
        action=f"attester {status.value} evidence",
        reason=_reason(record.evidence_name, record.id),
    )
    change.updates.append(_close(record, status=status, comment=answer.comment, responded_at=now))
    try:
        db().commit(change)
    except Conflict:
        # The record's condition failed: another answer or a withdrawal landed first. Say which.
        latest = _get(record.journey_id, record.id)
        withdrawn = latest is not None and latest.status is AttestationStatus.WITHDRAWN
        raise LinkRefused(LinkProblem.WITHDRAWN if withdrawn else LinkProblem.USED) from None
    return record.model_copy(update={"status": status, "comment": answer.comment, "responded_at": now})


def respond(token: str, answer: ResponseIn) -> Attestation:
    """Record the leader's answer once, then tell the practitioner."""
    record = _store_answer(token, answer)
    notifications.send_quietly(
        db().journey(record.journey_id),
        "attestation_answered",
        attester_name=record.attester_name,
        attester_role=record.attester_role,
        evidence_name=record.evidence_name,
        confirmed=record.status is AttestationStatus.CONFIRMED,
        comment=record.comment,
        link=settings().public_url(f"/journeys/{record.journey_id}/attestations"),
    )
    return record


__all__ = ["LinkProblem", "LinkRefused"]
