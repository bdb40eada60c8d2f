"""The whole record's archive (issue 18) made from a fixture of stored journeys (moto in process): every
part is in it, across every journey of the person (a "not yet" and a renewal included), and nothing of
another person: not another practitioner's journey or files, not a panel member's review, not anyone
else's id, not a file outside the journey's own prefix."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from odvalidation.dal import clients, keys
from odvalidation.dal.store import journey_index, store, to_item
from odvalidation.domain.models import (
    AuditEvent,
    CertificateRecord,
    Claim,
    Decision,
    DraftComment,
    ElementJudgement,
    ElementRating,
    EmailRecord,
    EvidenceItem,
    EvidenceStatus,
    Interview,
    Journey,
    Judgement,
    Level,
    Outcome,
    OutcomeRecord,
    Person,
    Readiness,
    Recommendation,
    Reflection,
    Review,
    Stage,
)
from odvalidation.domain.record import SELF, academy_scope
from odvalidation.services import record_contents
from odvalidation.settings import settings
from tests.moto_tables import journey_table_properties, moto_in_process

AT = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
ME, OTHER, SUPPORTER, MEMBER, LEAD = "me-sub", "other-sub", "supporter-sub", "member-sub", "lead-sub"
PDF = b"%PDF-1.4 my evidence bytes"
OTHER_PDF = b"%PDF-1.4 someone else's evidence"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TABLE_NAME", "record-test")
    monkeypatch.setenv("EVIDENCE_BUCKET", "evidence-test")
    monkeypatch.setenv("CERTIFICATE_BUCKET", "certificates-test")
    settings.cache_clear()
    clients.reset()
    store.cache_clear()
    with moto_in_process(monkeypatch):
        boto3.client("dynamodb").create_table(TableName="record-test", **journey_table_properties())
        s3 = boto3.client("s3")
        for bucket in ("evidence-test", "certificates-test"):
            s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
        _fixture(s3)
        yield
    settings.cache_clear()
    clients.reset()
    store.cache_clear()


def _journey(journey_id: str, who: str, academy: str, **kw: Any) -> Journey:
    return Journey(
        id=journey_id,
        practitioner_id=who,
        cohort_id=f"c-{journey_id}",
        academy_id=academy,
        framework_key="nw-cipd-combined@1.0",
        stage=Stage.CLAIM_DEVELOPMENT,
        created_at=AT,
        updated_at=AT,
        stage_entered_at=AT,
        **kw,
    )


def _put(journey_id: str, sk: str, model: Any) -> None:
    store().put(to_item(model, keys.journey_part(journey_id, sk)))


def _evidence(
    s3: Any, journey_id: str, n: int, element: str, ev_id: str, body: bytes, key: str | None = None
) -> None:
    key = key or f"journeys/{journey_id}/{ev_id}.pdf"
    s3.put_object(Bucket="evidence-test", Key=key, Body=body)
    item = EvidenceItem(
        id=ev_id, journey_id=journey_id, claim_number=n, element_id=element, key=key,
        display_name=f"evidence {element}.pdf", status=EvidenceStatus.VERIFIED, uploaded_at=AT,
    )  # fmt: skip
    _put(journey_id, f"EVIDENCE#{n}#{ev_id}", item)


def _fixture(s3: Any) -> None:
    db = store()
    db.put(to_item(Person(id=ME, name="Rowan Achterberg", email="rowan@example.nhs.uk"), keys.person(ME)))
    # My first journey, in north-west: a "not yet", then a second claim.
    first = _journey(
        "j-first", ME, "north-west", supporter_id=SUPPORTER, claim_number=2, outcome=Outcome.NOT_YET
    )
    db.put(to_item(first, keys.journey(first.id), **journey_index(first)))
    _put(first.id, "REFLECTION", Reflection(
        journey_id=first.id, ratings=[ElementRating(element_id="1.1", rating=4, note="My own rating note")],
        career_note="Ten years in OD.", submitted=True, updated_at=AT))  # fmt: skip
    _put(first.id, f"DECISION#{AT.isoformat()}", Decision(
        journey_id=first.id, readiness=Readiness.READY_NOW, note="Ready now", decided_at=AT))  # fmt: skip
    for n in (1, 2):
        _put(first.id, f"CLAIM#{n}", Claim(
            journey_id=first.id, number=n, narratives={"1.1": f"Narrative of claim {n}"}, updated_at=AT))  # fmt: skip
    _evidence(s3, first.id, 1, "1.1", "ev-one", PDF)
    _evidence(s3, first.id, 2, "1.1", "ev-two", PDF + b" v2")
    # A key outside the journey's prefix (never written by the service, but an item must not carry
    # another person's file out): left out.
    _evidence(s3, first.id, 2, "1.2", "ev-stray", OTHER_PDF, key="journeys/j-other/ev-other.pdf")
    _put(first.id, "COMMENT#001#x", DraftComment(
        journey_id=first.id, claim_number=1, element_id="1.1", author_id=SUPPORTER,
        text="Supporter says: name the partners", at=AT))  # fmt: skip
    _put(first.id, f"REVIEW#1#{MEMBER}", Review(
        journey_id=first.id, claim_number=1, member_id=MEMBER,
        judgements=[ElementJudgement(element_id="1.1", judgement=Judgement.NOT_YET, comment="PRIVATE REVIEW NOTE")],
        recommendation=Recommendation.NOT_YET, submitted_at=AT))  # fmt: skip
    _put(first.id, "INTERVIEW#1", Interview(
        journey_id=first.id, claim_number=1, at=AT + timedelta(days=30), location="Room 4",
        held_recorded_by=LEAD))  # fmt: skip
    _put(first.id, "OUTCOME#1", OutcomeRecord(
        journey_id=first.id, claim_number=1, outcome=Outcome.NOT_YET,
        feedback={"1.1": "Developmental feedback from the panel"}, development_plan="Plan to grow",
        recorded_by=MEMBER, recorded_at=AT))  # fmt: skip
    _put(first.id, "EMAIL#x", EmailRecord(
        journey_id=first.id, kind="panel_assigned", to=["member@example.nhs.uk"], subject="s", sent_at=AT))  # fmt: skip
    _put(first.id, f"AUDIT#{AT.isoformat()}#1", AuditEvent(
        journey_id=first.id, at=AT, actor=MEMBER, action="declared a conflict of interest", reason="MEMBER REASON"))  # fmt: skip
    _put(first.id, f"AUDIT#{AT.isoformat()}#2", AuditEvent(
        journey_id=first.id, at=AT, actor=ME, action="submitted claim"))  # fmt: skip
    # My renewal, in another academy, with a certificate.
    renewal = _journey("j-renew", ME, "london", revalidation=True, claim_number=1, certificate_id="cert-1")
    db.put(to_item(renewal, keys.journey(renewal.id), **journey_index(renewal)))
    _evidence(s3, renewal.id, 1, "2.1", "ev-renew", PDF + b" renewal")
    s3.put_object(Bucket="certificates-test", Key="certs/cert-1.pdf", Body=b"%PDF certificate")
    s3.put_object(Bucket="certificates-test", Key="certs/cert-1.jwt", Body=b"eyJ.header.sig")
    cert = CertificateRecord(
        id="cert-1", journey_id=renewal.id, practitioner_id=ME, holder_name="Rowan Achterberg",
        level=Level.PRACTITIONER, academy_id="london", framework_key="nw-cipd-combined@1.0", element_ids=["2.1"],
        valid_from=AT, valid_until=AT + timedelta(days=1095), issued_at=AT,
        pdf_key="certs/cert-1.pdf", credential_key="certs/cert-1.jwt",
    )  # fmt: skip
    db.put(
        to_item(cert, keys.certificate(cert.id), GSI1PK=f"PRACTITIONER#{ME}", GSI1SK=f"CERT#{AT.isoformat()}")
    )
    # Someone else, in the same academy and cohort.
    other = _journey("j-other", OTHER, "north-west")
    db.put(to_item(other, keys.journey(other.id), **journey_index(other)))
    _put(
        other.id,
        "CLAIM#1",
        Claim(journey_id=other.id, number=1, narratives={"1.1": "OTHER NARRATIVE"}, updated_at=AT),
    )
    _evidence(s3, other.id, 1, "1.1", "ev-other", OTHER_PDF)


def _archive(scope: str = SELF) -> tuple[zipfile.ZipFile, dict[str, Any], str]:
    body, count = record_contents.build(record_contents.gather(ME, scope, AT))
    archive = zipfile.ZipFile(io.BytesIO(body.read()))
    assert count == len(archive.namelist())
    return archive, json.loads(archive.read("record.json")), archive.read("record.html").decode()


def test_every_part_of_every_journey_is_in_the_archive(aws: None) -> None:
    archive, data, html = _archive()
    names = set(archive.namelist())
    assert {"record.html", "record.json"} <= names
    by_id = {j["journey"]["id"]: j for j in data["journeys"]}
    assert set(by_id) == {"j-first", "j-renew"}
    first = by_id["j-first"]
    assert first["reflection"]["career_note"] == "Ten years in OD."
    assert first["decisions"][0]["note"] == "Ready now"
    assert [c["narratives"]["1.1"] for c in first["claims"]] == [
        "Narrative of claim 1",
        "Narrative of claim 2",
    ]
    assert first["supporter_comments"][0]["text"] == "Supporter says: name the partners"
    assert first["interviews"][0]["location"] == "Room 4"
    assert first["outcomes"][0]["feedback"] == {"1.1": "Developmental feedback from the panel"}
    assert first["outcomes"][0]["development_plan"] == "Plan to grow"
    assert [e["action"] for e in first["history"]] == ["declared a conflict of interest", "submitted claim"]
    # Evidence of both claims and of the renewal, byte for byte.
    files = {e["id"]: e["file"] for j in data["journeys"] for e in j["evidence"]}
    assert archive.read(files["ev-one"]) == PDF
    assert archive.read(files["ev-two"]) == PDF + b" v2"
    assert archive.read(files["ev-renew"]) == PDF + b" renewal"
    assert archive.read("certificates/cert-1/certificate.pdf") == b"%PDF certificate"
    assert archive.read("certificates/cert-1/credential.jwt") == b"eyJ.header.sig"
    assert data["certificates"][0]["id"] == "cert-1"
    assert data["person"]["name"] == "Rowan Achterberg"
    for text in ("Narrative of claim 2", "Supporter says", "Developmental feedback from the panel", "Room 4"):
        assert text in html


def test_nothing_of_another_person_is_in_it(aws: None) -> None:
    archive, data, html = _archive()
    everything = json.dumps(data) + html
    for secret in ("OTHER NARRATIVE", "j-other/", "PRIVATE REVIEW NOTE", "MEMBER REASON", "member@example"):
        assert secret not in everything
    for person in (OTHER, SUPPORTER, MEMBER, LEAD):
        assert person not in everything
    assert all(archive.read(n) != OTHER_PDF for n in archive.namelist())
    files = {e["id"]: e["file"] for j in data["journeys"] for e in j["evidence"]}
    assert files["ev-stray"] is None  # listed (it is their evidence item), its file not read
    actors = {e["actor"] for e in data["journeys"][0]["history"]}
    assert actors <= {"you", "a panel member", "programme staff", "the service", "your supporter"}


def test_a_leads_archive_holds_only_the_leads_academy(aws: None) -> None:
    archive, data, _ = _archive(academy_scope("north-west"))
    assert [j["journey"]["id"] for j in data["journeys"]] == ["j-first"]
    assert data["certificates"] == []  # issued by london
    assert not any(n.startswith("certificates/") or "j-renew" in n for n in archive.namelist())
