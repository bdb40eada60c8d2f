"""The Open Badges 3.0 credential: what it says, and what it keeps private."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from odvalidation.certificates.credential import (
    build_credential,
    certificate_id_of,
    holder_matches,
)
from odvalidation.domain.frameworks import framework
from odvalidation.domain.models import CertificateRecord, Level

BASE = "https://od.example.org"
FRAMEWORK = framework("global-practice@1.0")
ISSUED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def make_record(**changes: object) -> CertificateRecord:
    fields: dict[str, object] = {
        "id": "q3Jk8vPzL1mN0aB2cD4eF6",
        "journey_id": "j-1",
        "practitioner_id": "p-1",
        "holder_name": "Siobhán Ó Raghallaigh",
        "level": Level.LEADER,
        "academy_id": "north-west",
        "framework_key": FRAMEWORK.key,
        "element_ids": [e.id for e in FRAMEWORK.elements_for(Level.LEADER)],
        "valid_from": ISSUED,
        "valid_until": ISSUED + timedelta(days=3 * 365),
        "issued_at": ISSUED,
    }
    fields.update(changes)
    return CertificateRecord.model_validate(fields)


def test_credential_is_an_open_badge_with_the_vc_2_0_shape() -> None:
    credential = build_credential(make_record(), base_url=BASE + "/")

    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["id"] == f"{BASE}/certificates/q3Jk8vPzL1mN0aB2cD4eF6"
    assert credential["validFrom"] == "2026-03-02T09:30:00Z"
    assert credential["validUntil"] == "2029-03-01T09:30:00Z"
    assert credential["issuer"]["name"] == "North West Leadership Academy"
    assert credential["issuer"]["id"] == f"{BASE}/academies/north-west"
    assert credential["issuer"]["parentOrg"]["name"] == "NHS Leadership Academy"
    # Open Badges 3.0 allows one credentialStatus: it is kept for a Bitstring Status List entry, and the
    # live status is answered by the verification page and the public API (docs/architecture.md).
    assert "credentialStatus" not in credential
    assert certificate_id_of(credential) == "q3Jk8vPzL1mN0aB2cD4eF6"
    json.dumps(credential)  # plain JSON, nothing that needs a custom encoder


@pytest.mark.parametrize(
    ("level", "name"), [(Level.LEADER, "System OD leader"), (Level.PRACTITIONER, "System OD practitioner")]
)
def test_achievement_and_result_name_the_level(level: Level, name: str) -> None:
    credential = build_credential(
        make_record(level=level, element_ids=[e.id for e in FRAMEWORK.elements_for(level)]), base_url=BASE
    )
    subject = credential["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["achievement"]["name"] == name
    assert subject["achievement"]["achievementType"] == "Certificate"
    assert subject["achievement"]["criteria"]["narrative"]
    assert subject["result"][0]["value"] == name
    assert subject["result"][0]["resultDescription"] == subject["achievement"]["resultDescription"][0]["id"]


def test_one_alignment_per_element_evidenced_pointing_at_the_pinned_framework_version() -> None:
    record = make_record(element_ids=["1.1", "2.3", "3.1"])
    alignments = build_credential(record, base_url=BASE)["credentialSubject"]["achievement"]["alignment"]

    assert [a["targetCode"] for a in alignments] == ["1.1", "2.3", "3.1"]
    first = alignments[0]
    assert first["type"] == ["Alignment"]
    assert first["targetName"] == FRAMEWORK.element("1.1").title  # type: ignore[union-attr]
    assert first["targetDescription"] == FRAMEWORK.element("1.1").description  # type: ignore[union-attr]
    assert first["targetFramework"] == f"{FRAMEWORK.title}, version 1.0"
    assert first["targetUrl"] == f"{BASE}/frameworks/global-practice@1.0#1.1"


def test_private_certificate_omits_the_name_but_can_confirm_it() -> None:
    credential = build_credential(make_record(public=False), base_url=BASE)

    assert "name" not in credential["credentialSubject"]
    assert "Siobhán" not in json.dumps(credential, ensure_ascii=False)
    assert "Raghallaigh" not in json.dumps(credential)
    # Someone handed the certificate by its holder can still check whose it is.
    assert holder_matches(credential, "Siobhán Ó Raghallaigh")
    assert holder_matches(credential, "  siobhán  ó raghallaigh ")
    assert not holder_matches(credential, "Zoë Smith")


def test_public_certificate_names_the_holder() -> None:
    credential = build_credential(make_record(public=True, holder_name="Zoë Smith"), base_url=BASE)
    assert credential["credentialSubject"]["name"] == "Zoë Smith"
    assert holder_matches(credential, "Zoë Smith")


def test_evidence_is_a_summary_never_the_evidence() -> None:
    record = make_record(element_ids=[e.id for e in FRAMEWORK.elements])  # 11 elements
    evidence = build_credential(record, base_url=BASE, panel_size=3)["evidence"]

    assert len(evidence) == 1
    assert evidence[0]["type"] == ["Evidence"]
    assert "11 framework elements" in evidence[0]["description"]
    assert "panel of 3" in evidence[0]["description"]
    assert set(evidence[0]) == {"id", "type", "name", "description"}  # no URL to the evidence itself


def test_same_record_gives_the_same_credential() -> None:
    assert build_credential(make_record(), base_url=BASE) == build_credential(make_record(), base_url=BASE)
