"""The server-side check of an evidence file once it has landed in S3 (moto enforces none of the
upload policy, and a browser can lie: this check is what protects the product)."""

from __future__ import annotations

from .. import clock
from ..dal import evidence as evidence_store
from ..dal.store import to_item
from ..domain.evidence import ALLOWED_TYPES, Verdict, allowed_list, check_upload, safe_display_name, sniff
from ..domain.models import AuditEvent, EvidenceStatus
from ..observability import logger
from ..settings import settings
from . import notifications
from .common import db, part
from .journeys import browser_upload_name, evidence_by_key, record_browser_upload


def check_landed(key: str) -> str:
    item = evidence_by_key(key)
    browser = False
    if item is None:
        # A file posted by the claim builder's plain HTML form: recorded now, if its key's upload id is ours.
        item = record_browser_upload(key)
        browser = item is not None
    if item is None:
        # Not issued by us (or already removed): it must not stay under a journey's prefix.
        if evidence_store.head(key) is not None:
            evidence_store.quarantine(key)
        logger.warning("unexpected object quarantined", extra={"key": key})
        return "unknown"
    head = evidence_store.head(key)
    etag = str(head.get("ETag", "")) if head else ""
    if item.status is not EvidenceStatus.PENDING and (head is None or etag == item.etag):
        return item.status.value  # S3 may deliver an event twice; the object checked is still the one there
    if head is None:
        return "missing"
    # Pending, or a different object posted again to the same key while its link was live: check it.
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
                "display_name": safe_display_name(browser_upload_name(key), verdict.content_type),
            }
        checked = item.model_copy(update=update)
        store.put(part(item.journey_id, sk, checked, GSI1PK=f"EVIDENCEKEY#{key}", GSI1SK="EVIDENCE"))
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
        store.put(part(item.journey_id, sk, checked, GSI1PK=f"EVIDENCEKEY#{key}", GSI1SK="EVIDENCE"))
        action = "evidence quarantined"
    event = AuditEvent(
        journey_id=item.journey_id,
        at=at,
        actor="system:evidence-check",
        action=action,
        reason=f"element {item.element_id}: {checked.display_name}"
        + ("" if verdict.ok else f" ({verdict.reason})"),
    )
    from ..dal import keys

    store.put(to_item(event, keys.journey_part(item.journey_id, keys.audit_sk(at.isoformat(), item.id))))
    if not verdict.ok:
        journey = store.journey(item.journey_id)
        notifications.send_quietly(
            journey,
            "evidence_quarantined",
            filename=checked.display_name,
            element_id=item.element_id,
            reason=verdict.reason,
        )
    return checked.status.value


def _verdict(head: bytes, declared: str, size: int) -> Verdict:
    max_bytes = settings().upload_max_bytes
    if not declared:
        # A browser upload whose name has no extension we know: its bytes alone must say what it is.
        sniffed = sniff(head)
        if 0 < size <= max_bytes and sniffed not in ALLOWED_TYPES:
            return Verdict(False, f"The file is not a type we accept. Upload one of: {allowed_list()}.")
        declared = sniffed or ""
    return check_upload(head, declared_type=declared, size=size, max_bytes=max_bytes)
