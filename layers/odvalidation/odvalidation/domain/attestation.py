"""Stakeholder attestation (issue 18.2): a system leader the practitioner worked with confirms one piece
of evidence, through a link that is signed, expiring, single-use and withdrawable. Pure rules: the
record, the link's token, and which state a link may be used in. No AWS here.

The token names the journey, the attestation and a nonce, with an expiry, and is signed with HMAC-SHA256
under a key the service derives for this purpose alone (services/attestations.link_key). It carries no
personal data. The signature makes it unforgeable; the expiry ends it; the stored record says whether
it is still open (single use is the record's conditional move out of `requested`, and the nonce must
match the record's, so a link from an earlier request is never honoured by a later one).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .models import Id, Model, ShortText

LINK_DAYS = 14
# A practitioner may have this many requests open at once: each sends an email to an address they type,
# so the number is bounded (a claim has at most a few dozen pieces of evidence).
MAX_OPEN = 25
# A request's email may be sent this many times in all (the first and two more, each with a new link that
# ends the one before): each goes to an address the practitioner typed.
MAX_SENDS = 3
# A second "send again" this soon after the last is a repeat (a double click, a retried request): no email.
RESEND_REPEAT = timedelta(minutes=2)
LINK_FORMAT = "a1"  # the first part of every link token: a later format can be told apart

Comment = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
# The same shape the rest of the service accepts for an address (a person's, a supporter's); no CR/LF, so
# it can never add a header to the email sent to it.
EmailAddress = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
]
Message = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class AttestationStatus(StrEnum):
    REQUESTED = "requested"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class Attestation(Model):
    """One request to one leader about one evidence item (`ATTEST#<id>` in the journey's collection)."""

    id: Id
    journey_id: Id
    claim_number: int
    evidence_id: Id
    evidence_name: ShortText  # the file's name when asked: shown on the attester's page and in the email
    attester_name: ShortText
    attester_email: EmailAddress
    attester_role: ShortText  # their role and organisation, as the practitioner gave it
    message: Message  # what the practitioner asks them to confirm
    practitioner_name: ShortText
    requested_by: Id
    requested_at: datetime
    # Not `expires_at`: that is the table's TTL attribute, and the record must outlive its link (the panel
    # reads who attested, and when, long after).
    link_expires: datetime
    # sha256 of the link's nonce: the record can tell its own link from an older one without holding
    # anything a reader of the table could turn into a working link (that also needs the signing key).
    nonce_hash: str
    # The hashes of links sent before the current one ("send again"): told apart from a forged link, so
    # the leader who opens an older email is sent to the newest rather than told the link is not found.
    replaced_nonce_hashes: list[str] = Field(default_factory=list)
    sends: int = 1
    last_sent_at: datetime | None = None
    status: AttestationStatus = AttestationStatus.REQUESTED
    comment: Comment = ""
    responded_at: datetime | None = None
    withdrawn_at: datetime | None = None

    @property
    def open(self) -> bool:
        return self.status is AttestationStatus.REQUESTED

    def expired(self, now: datetime) -> bool:
        return now >= self.link_expires

    def sendable_again(self) -> bool:
        return self.open and self.sends < MAX_SENDS

    def mark(self) -> str:
        """What the panel reads beside the evidence."""
        return f"Attested by {self.attester_name}, {self.attester_role}, {self.responded_at:%-d %B %Y}"


class AttestationIn(BaseModel):
    """The practitioner's request (API body and web form alike)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)

    evidence_id: Id
    name: ShortText
    email: EmailAddress
    role: ShortText
    message: Message


class Decision(StrEnum):
    CONFIRM = "confirm"
    DECLINE = "decline"


class ResponseIn(BaseModel):
    """The attester's answer: confirm or decline, with a comment (required when declining)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, defer_build=True)

    decision: Decision
    comment: Comment = ""


# --------------------------------------------------------------------------- the link


class LinkProblem(StrEnum):
    """Why a link cannot be used; each has its own page, so the leader knows what happened."""

    INVALID = "invalid"  # malformed, tampered, signed with another key: answered as "not found"
    EXPIRED = "expired"
    USED = "used"
    WITHDRAWN = "withdrawn"
    REPLACED = "replaced"  # the practitioner sent the request again: a newer email has the live link


class LinkRefused(Exception):
    def __init__(self, problem: LinkProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True)
class LinkClaims:
    journey_id: str
    attestation_id: str
    nonce: str
    expires: datetime


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _signature(key: bytes, payload: str) -> str:
    return _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest())


def nonce_hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def expiry(now: datetime) -> datetime:
    return now + timedelta(days=LINK_DAYS)


def make_token(key: bytes, journey_id: str, attestation_id: str, nonce: str, expires: datetime) -> str:
    """`a1.<journey>.<attestation>.<nonce>.<expiry epoch>.<signature>`: URL-safe characters only (ids
    and nonces are URL-safe and never contain a dot)."""
    payload = ".".join([LINK_FORMAT, journey_id, attestation_id, nonce, str(int(expires.timestamp()))])
    return f"{payload}.{_signature(key, payload)}"


def read_token(key: bytes, token: str, now: datetime) -> LinkClaims:
    """The token's claims if it is genuine and current; else LinkRefused (INVALID or EXPIRED)."""
    parts = (token or "").split(".")
    if len(parts) != 6 or parts[0] != LINK_FORMAT or len(token) > 400:
        raise LinkRefused(LinkProblem.INVALID)
    payload, signature = ".".join(parts[:5]), parts[5]
    if not hmac.compare_digest(_signature(key, payload), signature):
        raise LinkRefused(LinkProblem.INVALID)
    _, journey_id, attestation_id, nonce, exp = parts[:5]
    try:
        expires = datetime.fromtimestamp(int(exp), tz=now.tzinfo)
    except (ValueError, OverflowError, OSError):
        raise LinkRefused(LinkProblem.INVALID) from None
    if now >= expires:
        raise LinkRefused(LinkProblem.EXPIRED)
    return LinkClaims(journey_id, attestation_id, nonce, expires)


def usable(record: Attestation | None, claims: LinkClaims, now: datetime) -> Attestation:
    """The record a genuine link names, if the link may still be used on it; else LinkRefused.

    Order matters for what the leader is told: a withdrawn request says so even once it has expired;
    an answered one says it was used."""
    if record is None:
        raise LinkRefused(LinkProblem.INVALID)
    presented = nonce_hash(claims.nonce)
    current = hmac.compare_digest(record.nonce_hash, presented)
    if not current and not any(hmac.compare_digest(h, presented) for h in record.replaced_nonce_hashes):
        raise LinkRefused(LinkProblem.INVALID)
    if record.status is AttestationStatus.WITHDRAWN:
        raise LinkRefused(LinkProblem.WITHDRAWN)
    if record.status is not AttestationStatus.REQUESTED:
        raise LinkRefused(LinkProblem.USED)
    if not current:
        raise LinkRefused(LinkProblem.REPLACED)
    if record.expired(now):
        raise LinkRefused(LinkProblem.EXPIRED)
    return record


def confirmed_by_evidence(records: list[Attestation]) -> dict[str, list[Attestation]]:
    """Each evidence item's confirmations, earliest first: what the panel is shown."""
    out: dict[str, list[Attestation]] = {}
    for record in sorted(records, key=lambda r: r.responded_at or r.requested_at):
        if record.status is AttestationStatus.CONFIRMED:
            out.setdefault(record.evidence_id, []).append(record)
    return out
