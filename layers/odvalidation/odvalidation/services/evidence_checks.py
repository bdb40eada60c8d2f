"""The server-side check of an evidence file once it has landed in S3: the object must be one an upload
grant covers (services/uploads.py), and its bytes must be what was declared (a browser can lie)."""

from __future__ import annotations

from .. import clock
from ..dal import evidence as evidence_store
from ..dal import grants, keys
from ..dal.store import to_item
from ..domain.evidence import ALLOWED_TYPES, Verdict, allowed_list, check_upload, safe_display_name, sniff
from ..domain.models import AuditEvent, EvidenceItem, EvidenceStatus
from ..observability import logger
from ..settings import settings
from . import upload_landings as uploads
from .common import db
from .journey_parts import evidence_by_key


def check_landed(key: str) -> str:
    """Check the object S3 says landed at `key`; return what became of it."""
    head = evidence_store.head(key)
    if head is None:
        return "missing"  # already moved, removed or quarantined (S3 delivers an event at least once)
    etag = str(head.get("ETag", ""))
    item = evidence_by_key(key)
    if item is not None and item.status is not EvidenceStatus.PENDING and etag == item.etag:
        return item.status.value  # a repeated event: the object checked is still the one there
    grant = uploads.grant_for(key)
    landed_at = head.get("LastModified")
    if grant is None or landed_at is None or not uploads.live(grant, landed_at):
        return _unbound(key, head, "no live upload grant covers its key")
    if grant.prefix:
        received = uploads.receive_browser_upload(key, grant, landed_at)
        if received is None:
            return _unbound(key, head, "not evidence of a claim being developed, or a repeat")
        return "moved"
    if item is None or item.id != grant.evidence_id:
        return _unbound(key, head, "the evidence it was granted for has been removed")
    if not grants.bind(grant, etag):
        return _unbound(key, head, "its upload grant was used by another object")
    browser = grant.browser_name is not None
    size = int(head.get("ContentLength", 0))
    if item.size is not None and not browser and item.size < size <= settings().upload_max_bytes:
        # Real S3 refuses this through the POST policy; the check holds even where a policy is not enforced.
        verdict = Verdict(False, f"The file is larger than the {item.size:,} bytes declared for it.")
    else:
        verdict = _verdict(evidence_store.first_bytes(key) if size else b"", item.content_type or "", size)
    store = db()
    at = clock.now()
    sk = f"EVIDENCE#{item.claim_number}#{item.id}"
    if verdict.ok:
        update: dict[str, object] = {
            "status": EvidenceStatus.VERIFIED,
            "size": size,
            "etag": etag,
            "reason": None,
        }
        if browser:
            # The type is what the bytes are, and the name gets that type's extension.
            update |= {
                "content_type": verdict.content_type,
                "display_name": safe_display_name(grant.browser_name or "", verdict.content_type),
            }
        checked = item.model_copy(update=update)
        _record_check(item, sk, checked)
        action = "evidence verified"
    else:
        evidence_store.quarantine(key)
        checked = item.model_copy(
            update={
                "status": EvidenceStatus.QUARANTINED,
                "size": size,
                "reason": verdict.reason,
                "etag": etag,
            }
        )
        _record_check(item, sk, checked)
        action = "evidence quarantined"
    event = AuditEvent(
        journey_id=item.journey_id,
        at=at,
        actor="system:evidence-check",
        action=action,
        reason=f"element {item.element_id}: {checked.display_name}"
        + ("" if verdict.ok else f" ({verdict.reason})"),
    )
    store.put(to_item(event, keys.journey_part(item.journey_id, keys.audit_sk(at.isoformat(), item.id))))
    if not verdict.ok:
        # Email only for a file refused: a checked upload, nearly every one, loads no email code.
        from . import notifications

        journey = store.journey(item.journey_id)
        notifications.send_quietly(
            journey,
            "evidence_quarantined",
            filename=checked.display_name,
            element_id=item.element_id,
            reason=verdict.reason,
        )
    return checked.status.value


# What the check records of an item: only these attributes are written, so links and a title the
# practitioner gives the file meanwhile (services/evidence_library.py) are never overwritten.
CHECK_FIELDS = ("status", "size", "etag", "reason", "content_type", "display_name")


def _record_check(item: EvidenceItem, sk: str, checked: EvidenceItem) -> None:
    db().set_fields(keys.journey_part(item.journey_id, sk), checked, CHECK_FIELDS)


def _unbound(key: str, head: dict[str, object], why: str) -> str:
    """An object no live grant covers: only this version is put aside, and no evidence item is touched
    (if it was put over someone's checked file, that file is the current version again)."""
    version = head.get("VersionId")
    evidence_store.quarantine_version(key, str(version) if version and version != "null" else None)
    logger.warning("unbound object quarantined", extra={"key": key, "why": why})
    return "unknown"


def _verdict(head: bytes, declared: str, size: int) -> Verdict:
    max_bytes = settings().upload_max_bytes
    if not declared:
        # A browser upload whose name has no extension we know: its bytes alone must say what it is.
        sniffed = sniff(head)
        if 0 < size <= max_bytes and sniffed not in ALLOWED_TYPES:
            return Verdict(False, f"The file is not a type we accept. Upload one of: {allowed_list()}.")
        declared = sniffed or ""
    return check_upload(head, declared_type=declared, size=size, max_bytes=max_bytes)
