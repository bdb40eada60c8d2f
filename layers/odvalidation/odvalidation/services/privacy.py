"""A practitioner's right to erasure: their personal data, evidence and sign-in account go; the anonymised
counts (the reporting counters) and the fact that an erasure happened stay.

Their certificates are their choice. Kept, each stays checkable (its record, with their name, and its
files), so the copies they hold still verify, but their name is no longer shown to whoever checks it:
with the account gone they could not choose that again. Erased, the record and files go too."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from ..dal import erasure, identity, keys, status_lists
from ..dal import schedules as schedule_store
from ..dal.evidence import journey_prefix
from ..dal.store import Store
from ..domain import journey as rules
from ..domain.access import Caller
from ..domain.errors import InvalidInput, InvalidTransition
from ..domain.models import CertificateRecord
from ..settings import settings
from .certificates import certificate_item
from .common import db, reapplied, updated
from .journeys import my_journeys

# What happens to the person's certificates: "keep" them checkable (what the pages promised before the
# choice existed, and so what a caller who does not say gets) or "erase" them with everything else.
CertificateChoice = Literal["keep", "erase"]

# A journey's items that hold what the practitioner wrote or uploaded, and their supporter's comments on
# it. The journey item itself, its audit trail, panels and outcome stay: they carry only ids, and the
# counters are rebuilt from them.
# ATTEST#: who was asked to confirm evidence (a leader's name, address and comment; issue 18.2).
# Reasonable adjustments are personal (often health) data: erased with the rest.
PERSONAL_PARTS = (
    "REFLECTION",
    "DECISION#",
    "CLAIM#",
    "EVIDENCE#",
    "COMMENT#",
    "ATTEST#",
    "ADJUSTMENT#",
    "REVIEWDRAFT#",
)
ERASED = "personal data erased"
CERTIFICATE_ERASED = "certificate erased"


class ErasureReport(BaseModel):
    model_config = ConfigDict(defer_build=True)

    journeys: int
    items_removed: int
    objects_removed: int
    account_deleted: bool


@reapplied()
def erase_personal_data(
    caller: Caller, *, confirm: bool, certificates: CertificateChoice = "keep"
) -> ErasureReport:
    if not confirm:
        raise InvalidInput(
            "Confirm that you want your personal data and evidence erased: this cannot be undone."
        )
    journeys = my_journeys(caller)
    active = [j for j in journeys if j.stage not in rules.RESTING or j.task_token]
    if active:
        raise InvalidTransition(
            "Withdraw from the pathway before asking for your data to be erased: "
            f"your journey in cohort {active[0].cohort_id} is still in progress."
        )
    store = db()
    items = objects = 0
    for journey in journeys:
        schedule_store.cancel(journey.id, "reengage")
        for prefix in PERSONAL_PARTS:
            for item in list(store.query(f"JOURNEY#{journey.id}", prefix=prefix)):
                store.delete({"PK": item["PK"]["S"], "SK": item["SK"]["S"]})
                items += 1
        prefix = journey_prefix(journey.id)
        objects += erasure.erase_prefix(prefix) + erasure.erase_prefix(f"quarantine/{prefix}")
        # The record of the erasure names no one: the actor is the pseudonymous account id. Once per
        # journey: a retried request (the first answer lost) finds it already recorded.
        if not any(e.action == ERASED for e in store.audit_trail(journey.id)):
            store.commit(updated(journey, actor=caller.id, action=ERASED))
    if certificates == "erase":
        erased_items, erased_objects = _erase_certificates(store, caller.id)
        items += erased_items
        objects += erased_objects
    else:
        _stop_sharing_names(store, caller.id)
    # Their whole record, if they (or a lead, for a subject access request) had it made: the archive and
    # the request (services/record_archive.py).
    objects += erasure.erase_prefix(f"exports/{caller.id}/")
    for item in list(store.query(keys.person(caller.id)["PK"], prefix="RECORD#")):
        store.delete({"PK": item["PK"]["S"], "SK": item["SK"]["S"]})
        items += 1
    if store.get(keys.person(caller.id)) is not None:
        store.delete(keys.person(caller.id))
        items += 1
    # Last, so that a failure before it leaves the person able to sign in and ask again; a token they
    # already hold stays valid until it expires (an hour), which a retried request may use.
    account_deleted = identity.delete_account(caller.email) if caller.email else False
    return ErasureReport(
        journeys=len(journeys), items_removed=items, objects_removed=objects, account_deleted=account_deleted
    )


def holds_certificates(person_id: str) -> bool:
    return bool(_certificates(db(), person_id))


def _certificates(store: Store, person_id: str) -> list[CertificateRecord]:
    return store.query_models(CertificateRecord, f"PRACTITIONER#{person_id}", index="GSI1", prefix="CERT#")


def _stop_sharing_names(store: Store, person_id: str) -> None:
    """Kept certificates: no longer shown with the holder's name, and no renewal reminders (there is no
    one left to send them to, and nothing to renew with: the account is gone)."""
    for record in _certificates(store, person_id):
        _cancel_expiry_reminders(record)
        if record.public:
            changed = record.model_copy(update={"public": False})
            store.put(certificate_item(changed))


def _erase_certificates(store: Store, person_id: str) -> tuple[int, int]:
    """Each certificate's record (the holder's name, what was validated) and its files go; its bit in the
    status list is set, so that a copy of the signed credential kept elsewhere no longer verifies, and
    the public check of its id finds no certificate. Files first: a retry after a failure still finds
    the record, and with it what is left to erase."""
    items = objects = 0
    for record in _certificates(store, person_id):
        objects += erasure.erase_prefix(f"certificates/{record.id}/", bucket=settings().certificate_bucket)
        _cancel_expiry_reminders(record)
        # The record of it names no one, as the erasure's own (the actor is the account id).
        change = updated(store.journey(record.journey_id), actor=person_id, action=CERTIFICATE_ERASED)
        change.deletes.append(keys.certificate(record.id))
        if record.status_list_id is not None and record.status_list_index is not None:
            # In the same transaction: the list says "no longer valid" once the record is gone.
            change.updates.append(status_lists.revoke_update(record.status_list_id, record.status_list_index))
        store.commit(change)
        items += 1
    return items, objects


def _cancel_expiry_reminders(record: CertificateRecord) -> None:
    for days in (90, 30):
        schedule_store.cancel(record.journey_id, f"cert-expiry-{days}")
