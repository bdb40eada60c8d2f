"""Issuing, sharing, revoking and verifying certificates (issue 5)."""

from __future__ import annotations

import contextlib
import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from .. import clock
from ..certificates import sharing
from ..certificates.credential import build_credential, verify_url
from ..certificates.ids import new_certificate_id, readable_form
from ..certificates.verification import VerificationResult, status_of
from ..dal import keys, workflow
from ..dal import schedules as schedule_store
from ..dal.clients import client
from ..dal.store import Change, to_item
from ..domain.academies import academy
from ..domain.access import (
    Caller,
    check_lead,
)
from ..domain.claims import claimed_elements
from ..domain.errors import Forbidden, InvalidTransition, NotFound
from ..domain.frameworks import framework
from ..domain.models import (
    AuditEvent,
    CertificateRecord,
    Journey,
    Level,
    Outcome,
    OutcomeRecord,
    Role,
    Stage,
)
from ..settings import settings
from . import journey_parts as js
from . import notifications
from .common import db, reapplied, updated
from .people import person
from .seats import current_panel

if TYPE_CHECKING:
    from ..certificates.checks import CredentialVerification

SYSTEM = "system:certificates"


def _put_object(key: str, body: bytes, content_type: str) -> None:
    client("s3").put_object(
        Bucket=settings().certificate_bucket,
        Key=key,
        Body=body,
        ContentType=content_type,
        # No ServerSideEncryption here: "aws:kms" without a key id makes S3 use the AWS managed aws/s3
        # key instead of the bucket's default, DataKey (moto applies the default either way, so
        # tests/unit/test_template.py checks this statically).
    )


@reapplied(task=True)
def issue(journey_id: str) -> dict[str, Any]:
    """Exactly one certificate per validated outcome, however often the step runs: the issuance guard
    item is created in the same transaction as the certificate and the journey's link to it."""
    store = db()
    journey = store.journey(journey_id)
    already = store.get(keys.issuance(journey.id, journey.claim_number))
    if already is not None:
        return {"certificate_id": already["certificate_id"]["S"], "issued": False}
    if journey.stage is not Stage.VALIDATED or journey.outcome in (None, Outcome.NOT_YET):
        raise InvalidTransition(f"Journey {journey_id} has no validated outcome to certify.")
    assert journey.outcome is not None
    level = Level(journey.outcome.value)
    holder = person(journey.practitioner_id)
    if holder is None:
        raise NotFound(f"No profile for practitioner {journey.practitioner_id}.")
    fw = framework(journey.framework_key)
    # Valid from the outcome the panel recorded after the interview, not from when this task ran.
    outcome = db().get_model(OutcomeRecord, keys.journey_part(journey.id, f"OUTCOME#{journey.claim_number}"))
    at = outcome.recorded_at if outcome is not None else clock.now()
    s = settings()
    record = CertificateRecord(
        id=new_certificate_id(),
        journey_id=journey.id,
        practitioner_id=journey.practitioner_id,
        holder_name=holder.name,
        level=level,
        academy_id=journey.academy_id,
        framework_key=journey.framework_key,
        element_ids=claimed_elements(fw, js.claim(journey)),
        valid_from=at,
        valid_until=at + timedelta(days=s.certificate_validity_days),
        issued_at=clock.now(),
        pdf_key=None,
        credential_key=None,
    )
    from ..certificates.badge import render_badge_png
    from ..certificates.jws import sign_credential
    from ..certificates.pdf import render_certificate_pdf
    from ..dal import status_lists
    from ..dal.signing import KmsSigner

    signer = KmsSigner.for_this_environment(s.signing_key_id)
    # Its revocation bit in the academy's Bitstring Status List for this key (claimed before the
    # transaction: a position claimed by a run that then loses the race below is simply never used).
    list_id, index = status_lists.allocate(record.academy_id, signer.key_id, record.id)
    record = record.model_copy(
        update={
            "pdf_key": f"certificates/{record.id}/certificate.pdf",
            "credential_key": f"certificates/{record.id}/credential.jwt",
            "badge_key": f"certificates/{record.id}/badge.png",
            "status_list_id": list_id,
            "status_list_index": index,
        }
    )

    panel_size = None
    with contextlib.suppress(NotFound):
        panel_size = len(current_panel(journey.id).seats)
    credential = build_credential(record, base_url=s.public_base_url, panel_size=panel_size)
    token = sign_credential(credential, signer)
    pdf = render_certificate_pdf(
        record,
        academy_name=academy(record.academy_id).name,
        framework_title=f"{fw.title}, version {fw.version}",
        verify_url=verify_url(s.public_base_url, record.id),
    )
    badge = render_badge_png(record, academy_name=academy(record.academy_id).name, token=token)
    assert record.credential_key
    assert record.pdf_key
    assert record.badge_key
    _put_object(record.credential_key, token.encode(), "application/vc+jwt")
    _put_object(record.pdf_key, pdf, "application/pdf")
    _put_object(record.badge_key, badge, "image/png")
    change = updated(
        journey,
        actor=SYSTEM,
        action="certificate issued",
        reason=record.id,
        update={"certificate_id": record.id},
    )
    previous = record_of(journey.certificate_id) if journey.certificate_id else None
    if previous is not None and previous.superseded_by is None:
        # A renewal: the earlier certificate answers "superseded" from this moment on.
        record = record.model_copy(update={"supersedes": previous.id})
        change.puts.append(
            certificate_item(previous.model_copy(update={"superseded_by": record.id, "superseded_at": at}))
        )
    change.puts.append(certificate_item(record))
    change.guards.append(
        {k: {"S": v} for k, v in keys.issuance(journey.id, journey.claim_number).items()}
        | {"certificate_id": {"S": record.id}}
    )
    try:
        store.commit(change)
    except Exception:
        # Another run of this step won the race: its certificate is the one.
        existing = store.get(keys.issuance(journey.id, journey.claim_number))
        if existing is not None:
            return {"certificate_id": existing["certificate_id"]["S"], "issued": False}
        raise
    for days in (90, 30):
        schedule_store.put(
            journey.id,
            f"cert-expiry-{days}",
            record.valid_until - timedelta(days=days),
            {"kind": "certificate_expiry", "certificate_id": record.id, "days_left": days},
        )
    return {"certificate_id": record.id, "issued": True}


def certificate_item(record: CertificateRecord) -> dict[str, Any]:
    return to_item(
        record,
        keys.certificate(record.id),
        GSI1PK=f"PRACTITIONER#{record.practitioner_id}",
        GSI1SK=f"CERT#{record.issued_at.isoformat()}",
    )


def record_of(certificate_id: str) -> CertificateRecord | None:
    found = db().get_model(CertificateRecord, keys.certificate(certificate_id))
    if found is None:
        # A readable id typed with look-alike characters, another case or without its hyphens.
        meant = readable_form(certificate_id)
        if meant is not None and meant != certificate_id:
            found = db().get_model(CertificateRecord, keys.certificate(meant))
    return found


def for_lead(caller: Caller, certificate_id: str) -> CertificateRecord:
    """A certificate as a lead of its academy (or a national lead) sees it, to revoke it."""
    record = record_of(certificate_id)
    if record is None:
        raise NotFound("There is no such certificate.")
    check_lead(caller, record.academy_id)
    return record


def public_status(certificate_id: str) -> VerificationResult:
    return status_of(record_of(certificate_id), clock.now())


def check_credential(token: str) -> CredentialVerification:
    """Which checks a credential file passes, against the published keys and the live record."""
    from ..certificates.checks import check_credential as check

    return check(token, jwks(), record_of, clock.now())


def jwks() -> dict[str, Any]:
    from ..dal.signing import signing_jwks

    return dict(signing_jwks(settings().signing_key_id))


def mine(caller: Caller, certificate_id: str) -> CertificateRecord:
    record = record_of(certificate_id)
    if record is None:
        raise NotFound("There is no such certificate.")
    if record.practitioner_id != caller.id:
        if not (caller.has(Role.ACADEMY_LEAD) or caller.has(Role.NATIONAL_LEAD)):
            # Someone else's certificate, to anyone but a lead: its private view is not confirmed to
            # exist (the public status page says what anyone may know).
            raise NotFound("There is no such certificate among yours.")
        check_lead(caller, record.academy_id)
    return record


def download_links(caller: Caller, certificate_id: str) -> dict[str, str]:
    record = mine(caller, certificate_id)
    s3 = client("s3")
    links = {}
    for name, key, suffix in (
        ("pdf", record.pdf_key, "certificate.pdf"),
        ("credential", record.credential_key, "credential.jwt"),
        ("badge", record.badge_key, "badge.png"),
    ):
        if key:
            # Saved under the holder's name rather than "certificate.pdf" (the object's key).
            disposition = sharing.content_disposition(sharing.file_name(record, suffix))
            links[name] = s3.generate_presigned_url(
                "get_object",
                Params={
                    "Bucket": settings().certificate_bucket,
                    "Key": key,
                    "ResponseContentDisposition": disposition,
                },
                ExpiresIn=300,
            )
    return links


def credential_token(certificate_id: str) -> str:
    record = record_of(certificate_id)
    if record is None or not record.credential_key:
        raise NotFound("There is no such certificate.")
    out = client("s3").get_object(Bucket=settings().certificate_bucket, Key=record.credential_key)
    return str(out["Body"].read().decode())


def set_sharing(caller: Caller, certificate_id: str, public: bool) -> CertificateRecord:
    record = mine(caller, certificate_id)
    if record.practitioner_id != caller.id:
        raise InvalidTransition("Only the holder chooses what is shared.")
    changed = record.model_copy(update={"public": public})
    db().put(certificate_item(changed))
    return changed


@reapplied()
def revoke(caller: Caller, certificate_id: str, reason: str) -> CertificateRecord:
    record = record_of(certificate_id)
    if record is None:
        raise NotFound("There is no such certificate.")
    check_lead(caller, record.academy_id)
    if record.revoked_at is not None:
        return record
    at = clock.now()
    revoked = record.model_copy(update={"revoked_at": at, "revoked_reason": reason})
    store = db()
    journey = store.journey(record.journey_id)
    # The journey's current certificate revoked: every page and report reads this flag and stops
    # calling the practitioner validated; the counters move the validation to "revoked" (issue 15.5).
    # An older, superseded certificate's revocation leaves the journey's current one alone.
    current = journey.certificate_id == record.id
    change: Change = updated(
        journey,
        actor=caller.id,
        action="certificate revoked",
        reason=reason,
        update={"certificate_revoked": True} if current else None,
    )
    change.puts.append(certificate_item(revoked))
    if record.status_list_id is not None and record.status_list_index is not None:
        from ..dal.status_lists import revoke_update

        # The list's bit is set in the same transaction: the list says "revoked" once the record does.
        change.updates.append(revoke_update(record.status_list_id, record.status_list_index))
    store.commit(change)
    notifications.send_quietly(journey, "certificate_revoked", reason=reason, revoked_on=f"{at:%-d %B %Y}")
    return revoked


def audit(journey_id: str) -> list[AuditEvent]:
    return js.history(journey_id)


def as_json(record: CertificateRecord) -> str:
    return json.dumps(record.model_dump(mode="json"))


@reapplied()
def start_revalidation(caller: Caller, certificate_id: str) -> Journey:
    """Renewal: a lighter claim on the same journey that, once confirmed, issues a certificate that
    supersedes this one. Open from 90 days before the certificate expires (and after it has)."""
    record = mine(caller, certificate_id)
    if record.practitioner_id != caller.id:
        raise Forbidden("Only the holder can renew their certificate.")
    at = clock.now()
    if record.revoked_at is not None or record.superseded_by is not None:
        raise InvalidTransition("This certificate has been revoked or already renewed.")
    if at < record.valid_until - timedelta(days=90):
        raise InvalidTransition(
            f"Renewal opens 90 days before the certificate expires, on {record.valid_until - timedelta(days=90):%-d %B %Y}."
        )
    journey = db().journey(record.journey_id)
    if journey.stage is not Stage.VALIDATED or journey.certificate_id != record.id:
        raise InvalidTransition("A renewal has already been started.")
    stored = db().commit(
        updated(
            journey,
            actor=caller.id,
            action="started revalidation",
            reason=record.id,
            update={"revalidation": True},
        )
    )
    workflow.start(journey.id, "claim_development", name_suffix=f"renew{journey.claim_number + 1}")
    return stored
