"""A certificate as an Open Badges 3.0 `OpenBadgeCredential` (W3C Verifiable Credentials Data Model 2.0).

Pure: the same record and base URL always give the same credential, so it can be rebuilt and re-signed.

`credentialStatus`: Open Badges 3.0 allows one status per credential (cardinality 0..1 in its data
model, a single CredentialStatus object in 1EdTech's AchievementCredential JSON schema). A certificate
with a status list position carries a W3C `BitstringStatusListEntry` (certificates/status_list.py), the
mechanism badge verifiers understand. The product's live status (revocation with its reason and date,
renewal, supersession) is answered by the verification page (`/verify/<id>`) and the public API
(`GET /api/public/certificates/<id>/status`, and `POST /api/public/credentials/verification` for a whole
credential). Credentials issued before the lists carry none, or (older still) `StatusCheck2026` pointing
at that status route: it keeps answering.
See docs/architecture.md, "Open Badges 3.0 conformance".
"""

from __future__ import annotations

import hashlib
import unicodedata
from typing import Any

from ..domain.academies import NATIONAL_ISSUER, academy
from ..domain.frameworks import framework
from ..domain.models import CertificateRecord, Level
from .status_list import status_entry
from .vocabulary import VC_CONTEXT, iso_z, issuer_url

OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
# The status type of credentials issued before credentialStatus was given up (see above).
STATUS_TYPE = "StatusCheck2026"

LEVEL_NAMES: dict[Level, str] = {
    Level.LEADER: "System OD leader",
    Level.PRACTITIONER: "System OD practitioner",
}

LEVEL_DESCRIPTIONS: dict[Level, str] = {
    Level.LEADER: (
        "Validated to lead organisational development work at system level: influencing senior system "
        "leaders and mobilising support for system transformation across organisational boundaries."
    ),
    Level.PRACTITIONER: (
        "Validated to operate and deliver organisational development interventions at system level, "
        "working alongside system leaders across organisational boundaries."
    ),
}

CRITERIA = (
    "The holder completed the NHS developmental validation pathway for system-level OD practitioners: a "
    "reflection against the framework, a system OD workshop, six months of supported claim development, "
    "a claim with evidence against every framework element expected at this level, a review of that "
    "evidence by a panel of peers and experts, and a developmental validation interview with the panel "
    "that confirmed the claim."
)


def normalise_name(name: str) -> str:
    """The form of a name that is hashed: NFC, single spaces, case-folded ("Zoë  Smith" = "zoë smith")."""
    return " ".join(unicodedata.normalize("NFC", name).split()).casefold()


def name_hash(name: str, salt: str) -> str:
    """Open Badges `IdentityHash`: "sha256$" + hex(sha256(identity + salt))."""
    digest = hashlib.sha256((normalise_name(name) + salt).encode("utf-8")).hexdigest()
    return f"sha256${digest}"


def certificate_id_of(credential: dict[str, Any]) -> str:
    """The certificate id: the last path segment of the credential's id URL."""
    cid = credential.get("id")
    if not isinstance(cid, str) or "/certificates/" not in cid:
        raise ValueError("the credential has no certificate id")
    return cid.rsplit("/", 1)[-1]


def status_url(base_url: str, certificate_id: str) -> str:
    return f"{base_url.rstrip('/')}/api/public/certificates/{certificate_id}/status"


def verify_url(base_url: str, certificate_id: str) -> str:
    """The human page a QR code and a link point to."""
    return f"{base_url.rstrip('/')}/verify/{certificate_id}"


def holder_matches(credential: dict[str, Any], name: str) -> bool:
    """Does this credential belong to the person called `name`? Works whether or not the name is public.

    A verifier who has been handed a certificate by someone can confirm it is theirs; nobody can read
    the name out of a private certificate.
    """
    subject = credential.get("credentialSubject") or {}
    if isinstance(subject.get("name"), str) and normalise_name(subject["name"]) == normalise_name(name):
        return True
    for ident in subject.get("identifier") or []:
        if (
            ident.get("identityType") == "name"
            and ident.get("hashed")
            and ident.get("identityHash") == name_hash(name, str(ident.get("salt", "")))
        ):
            return True
    return False


def framework_url(base_url: str, framework_key: str) -> str:
    """The public page (or JSON) of a framework: alignment targets are `<this>#<element id>`."""
    return f"{base_url.rstrip('/')}/frameworks/{framework_key}"


def achievement_url(base_url: str, level: Level) -> str:
    return f"{base_url.rstrip('/')}/achievements/{level.value}"


NATIONAL_ID = "national"


def national_profile(base_url: str) -> dict[str, Any]:
    return {"id": issuer_url(base_url, NATIONAL_ID), "type": ["Profile"], "name": NATIONAL_ISSUER}


def issuer_profile(base_url: str, academy_id: str) -> dict[str, Any]:
    """The issuer `Profile` of an academy, as in a credential and at its own URL."""
    the_academy = academy(academy_id)
    return {
        "id": issuer_url(base_url, the_academy.id),
        "type": ["Profile"],
        "name": the_academy.name,
        "description": f"Local Leadership Academy, {the_academy.region}",
        "parentOrg": national_profile(base_url),
    }


def achievement(base_url: str, level: Level) -> dict[str, Any]:
    """The `Achievement` of a level, without the alignments (those are the holder's claimed elements)."""
    achievement_id = achievement_url(base_url, level)
    return {
        "id": achievement_id,
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": LEVEL_NAMES[level],
        "description": LEVEL_DESCRIPTIONS[level],
        "criteria": {"narrative": CRITERIA},
        "resultDescription": [
            {
                "id": f"{achievement_id}#level",
                "type": ["ResultDescription"],
                "name": "Level validated",
                "resultType": "RubricCriterionLevel",
                "allowedValue": [LEVEL_NAMES[each] for each in Level],
            }
        ],
        "tag": ["organisational development", "system leadership", "NHS"],
    }


def build_credential(
    record: CertificateRecord, *, base_url: str, panel_size: int | None = None
) -> dict[str, Any]:
    """The unsigned Open Badges 3.0 credential for a certificate record.

    `panel_size` (not on the record) only sharpens the evidence summary when the caller knows it.
    The evidence itself never leaves the service: the credential carries a summary only.
    """
    base = base_url.rstrip("/")
    the_academy = academy(record.academy_id)
    the_framework = framework(record.framework_key)
    level_name = LEVEL_NAMES[record.level]
    framework_label = f"{the_framework.title}, version {the_framework.version}"
    framework_page = framework_url(base, the_framework.key)
    the_achievement = achievement(base, record.level)
    result_description_id = the_achievement["resultDescription"][0]["id"]

    alignments: list[dict[str, Any]] = []
    for element_id in record.element_ids:
        element = the_framework.element(element_id)
        alignment: dict[str, Any] = {
            "type": ["Alignment"],
            "targetName": element.title if element else f"Element {element_id}",
            "targetCode": element_id,
            "targetFramework": framework_label,
            "targetUrl": f"{framework_page}#{element_id}",
        }
        if element is not None:
            alignment["targetDescription"] = element.description
        alignments.append(alignment)

    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        # OB 3.0 wants an id or an identifier for the subject. A salted hash lets someone who already
        # knows the holder's name confirm it without the name being published.
        "identifier": [
            {
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": True,
                "identityHash": name_hash(record.holder_name, record.id),
                "salt": record.id,
            }
        ],
        # The same key order as before the achievement was factored out: "alignment" after "criteria".
        "achievement": {
            **{k: v for k, v in the_achievement.items() if k not in ("resultDescription", "tag")},
            "alignment": alignments,
            "resultDescription": the_achievement["resultDescription"],
            "tag": the_achievement["tag"],
        },
        "result": [{"type": ["Result"], "resultDescription": result_description_id, "value": level_name}],
    }
    if record.public:
        subject["name"] = record.holder_name

    panel = f"a panel of {panel_size} peers and experts" if panel_size else "a panel of peers and experts"
    count = len(record.element_ids)
    evidence_summary = (
        f"Evidence against {count} framework element{'s' if count != 1 else ''} of the {framework_label}, "
        f"reviewed element by element by {panel} and confirmed at a developmental validation interview. "
        "The evidence itself is held privately by the academy and is not part of this credential."
    )

    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": f"{base}/certificates/{record.id}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{level_name}: validation certificate",
        "description": (
            f"Validation as a {level_name} through the NHS developmental validation pathway, "
            f"run by {the_academy.name} for the {NATIONAL_ISSUER}."
        ),
        "issuer": issuer_profile(base, the_academy.id),
        "validFrom": iso_z(record.valid_from),
        "validUntil": iso_z(record.valid_until),
        "awardedDate": iso_z(record.issued_at),
        "credentialSubject": subject,
        "evidence": [
            {
                "id": f"{base}/certificates/{record.id}#evidence",
                "type": ["Evidence"],
                "name": "Panel review and validation interview",
                "description": evidence_summary,
            }
        ],
        "credentialSchema": [{"id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    } | _status(record, base)


def _status(record: CertificateRecord, base: str) -> dict[str, Any]:
    if record.status_list_id is None or record.status_list_index is None:
        return {}

    return {"credentialStatus": status_entry(base, record.status_list_id, record.status_list_index)}
