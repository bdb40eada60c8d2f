"""What a person's whole record holds, and the zip it is made into (issue 18; rules in domain/record.py).

The archive:
- `record.html`: the record to read (jinja2, autoescaped, one page with no outside resources);
- `record.json`: the same, for a machine: the person, every journey in scope with its reflection,
  decisions, claims (narratives), evidence, supporter comments, interviews, outcomes (the panel's
  developmental feedback), the person's own feedback on the process, and history; the certificates;
- `evidence/<journey>/claim-<n>/<element>/<file>`: every evidence file the bucket still holds;
- `certificates/<id>/certificate.pdf`, `credential.jwt`, `badge.png`: each certificate's files.

Read from the journeys' own item collections, one Query each; never the panel's individual reviews,
the panel's seats, the email log or anyone else's id (history_for and actor_label). An evidence key
outside the journey's own prefix is never read, whatever an item says.
"""

from __future__ import annotations

import json
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import IO, TYPE_CHECKING, Any

from ..dal import exports, keys
from ..dal.evidence import journey_prefix
from ..dal.store import _de, _plain, from_item
from ..domain.frameworks import framework
from ..domain.history import history_for
from ..domain.models import (
    AuditEvent,
    CertificateRecord,
    Claim,
    Decision,
    DraftComment,
    EvidenceItem,
    Interview,
    Journey,
    OutcomeRecord,
    Person,
    Reflection,
)
from ..domain.record import actor_label, scope_academy
from ..domain.uk_time import uk_when
from .common import db

if TYPE_CHECKING:
    from jinja2 import Environment

# Kept in memory up to this size, then on /tmp (Lambda gives 512 MB of it by default).
_SPOOL_BYTES = 32 * 1024 * 1024
# Left out of the journey item: workflow plumbing (nothing of the person's) and the supporter's id
# (another person's; their comments say "supporter").
_INTERNAL = {
    "task_token",
    "resume_token",
    "execution_arn",
    "version",
    "waiting_step",
    "failure",
    "supporter_id",
}


@dataclass
class JourneyRecord:
    journey: Journey
    framework_title: str
    element_titles: dict[str, str]
    reflection: Reflection | None = None
    decisions: list[Decision] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    evidence: list[EvidenceItem] = field(default_factory=list)
    comments: list[DraftComment] = field(default_factory=list)
    interviews: list[Interview] = field(default_factory=list)
    outcomes: list[OutcomeRecord] = field(default_factory=list)
    feedback: list[dict[str, Any]] = field(default_factory=list)
    history: list[AuditEvent] = field(default_factory=list)


@dataclass
class WholeRecord:
    person: Person | None
    person_id: str
    generated_at: datetime
    journeys: list[JourneyRecord]
    certificates: list[CertificateRecord]


def journeys_of(person_id: str, scope: str) -> list[Journey]:
    """Every journey of the person, or, for a lead's request, those of the lead's academy."""
    found = db().query_models(Journey, f"PRACTITIONER#{person_id}", index="GSI1", prefix="JOURNEY#")
    academy = scope_academy(scope)
    return [j for j in found if academy is None or j.academy_id == academy]


def gather(person_id: str, scope: str, at: datetime) -> WholeRecord:
    store = db()
    journeys = [_journey_record(j) for j in journeys_of(person_id, scope)]
    academy = scope_academy(scope)
    certificates = [
        c
        for c in store.query_models(
            CertificateRecord, f"PRACTITIONER#{person_id}", index="GSI1", prefix="CERT#"
        )
        if c.practitioner_id == person_id and (academy is None or c.academy_id == academy)
    ]
    return WholeRecord(
        person=store.get_model(Person, keys.person(person_id)),
        person_id=person_id,
        generated_at=at,
        journeys=journeys,
        certificates=certificates,
    )


def _journey_record(journey: Journey) -> JourneyRecord:
    items = db().collection(f"JOURNEY#{journey.id}")

    def starting(prefix: str) -> list[dict[str, Any]]:
        return [item for sk, item in items.items() if sk.startswith(prefix)]

    try:
        fw = framework(journey.framework_key)
        title, titles = fw.title, {e.id: e.title for d in fw.domains for e in d.elements}
    except Exception:  # a retired framework version: the ids still say which element
        title, titles = journey.framework_key, {}
    history = [
        e.model_copy(
            update={
                "actor": actor_label(
                    e.actor, practitioner_id=journey.practitioner_id, supporter_id=journey.supporter_id
                )
            }
        )
        for e in history_for(
            [from_item(AuditEvent, i) for i in starting("AUDIT#")],
            sees_evidence=True,
            sees_panel_choice=False,
        )
    ]
    comments = [from_item(DraftComment, i) for i in starting("COMMENT#")]
    return JourneyRecord(
        journey=journey,
        framework_title=title,
        element_titles=titles,
        reflection=from_item(Reflection, items["REFLECTION"]) if "REFLECTION" in items else None,
        decisions=[from_item(Decision, i) for i in starting("DECISION#")],
        claims=[from_item(Claim, i) for i in starting("CLAIM#")],
        evidence=[from_item(EvidenceItem, i) for i in starting("EVIDENCE#")],
        comments=[
            c.model_copy(update={"author_id": "supporter"}) for c in sorted(comments, key=lambda c: c.at)
        ],
        interviews=[from_item(Interview, i) for i in starting("INTERVIEW#")],
        outcomes=[from_item(OutcomeRecord, i) for i in starting("OUTCOME#")],
        feedback=[
            _plain({k: _de.deserialize(v) for k, v in i.items() if k not in ("PK", "SK", "GSI2PK", "GSI2SK")})
            for i in starting("FEEDBACK#")
        ],
        history=history,
    )


def as_json(record: WholeRecord, files: dict[str, str]) -> dict[str, Any]:
    """The machine-readable record. `files`: evidence key -> its path in the archive."""

    def dump(model: Any, drop: set[str] | None = None) -> dict[str, Any]:
        data: dict[str, Any] = model.model_dump(mode="json", exclude_none=True, exclude=drop or set())
        return data

    journeys = []
    for jr in record.journeys:
        journeys.append(
            {
                "journey": dump(jr.journey, _INTERNAL),
                "framework": jr.framework_title,
                "reflection": dump(jr.reflection) if jr.reflection else None,
                "decisions": [dump(d) for d in jr.decisions],
                "claims": [dump(c, {"version"}) for c in jr.claims],
                "evidence": [{**dump(e, {"etag", "key"}), "file": files.get(e.key)} for e in jr.evidence],
                "supporter_comments": [dump(c, {"author_id"}) for c in jr.comments],
                "interviews": [dump(i, {"held_recorded_by"}) for i in jr.interviews],
                "outcomes": [dump(o, {"recorded_by"}) for o in jr.outcomes],
                "your_feedback_on_the_process": jr.feedback,
                "history": [dump(e) for e in jr.history],
            }
        )
    return {
        "generated_at": record.generated_at.isoformat(),
        "person": dump(record.person) if record.person else {"id": record.person_id},
        "journeys": journeys,
        "certificates": [dump(c) for c in record.certificates],
    }


def _safe(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")
    return cleaned[:100] or "file"


@cache
def _templates() -> Environment:
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=PackageLoader("odvalidation", "services/record_templates"),
        autoescape=select_autoescape(["html"], default=True),
        undefined=StrictUndefined,
    )
    env.globals["uk_when"] = uk_when  # the interview in UK time, as the invitation said it
    return env


def as_html(record: WholeRecord, files: dict[str, str]) -> str:
    return _templates().get_template("record.html").render(record=record, files=files)


def build(record: WholeRecord) -> tuple[IO[bytes], int]:
    """The zip, in a spooled temporary file positioned at its start, and how many files it holds."""
    out: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115 - returned open
    files: dict[str, str] = {}
    count = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for jr in record.journeys:
            own = journey_prefix(jr.journey.id)
            for item in jr.evidence:
                if item.key in files or not item.key.startswith(own):
                    continue  # a crosswalk's link to a file already in; never another journey's key
                data = exports.evidence_bytes(item.key)
                if data is None:
                    continue  # no longer held (the retention rule): the JSON says "file": null
                path = f"evidence/{jr.journey.id}/claim-{item.claim_number}/{_safe(item.element_id)}/{item.id}-{_safe(item.display_name)}"
                archive.writestr(path, data)
                files[item.key] = path
                count += 1
        for cert in record.certificates:
            for key, name in (
                (cert.pdf_key, "certificate.pdf"),
                (cert.credential_key, "credential.jwt"),
                (cert.badge_key, "badge.png"),
            ):
                data = exports.certificate_bytes(key) if key else None
                if data is not None:
                    archive.writestr(f"certificates/{cert.id}/{name}", data)
                    count += 1
        archive.writestr("record.json", json.dumps(as_json(record, files), indent=2, ensure_ascii=False))
        archive.writestr("record.html", as_html(record, files))
        count += 2
    out.seek(0)
    return out, count
