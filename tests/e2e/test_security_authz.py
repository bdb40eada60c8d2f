"""The authorisation matrix: every route of the OpenAPI document x every kind of caller, through the
local stack's HTTP front with real Cognito tokens.

Practitioner A's journey waits at panel review (claim, evidence and a supporter in place); A also holds
a certificate from a second, validated journey. Every cell has one expected answer. A *leak* is a 2xx
where a refusal was expected, or any body that carries A's narrative to someone who may not read it.
Routes that change things run last (declaration, revocation, withdrawal), so one set-up serves all.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import secrets
import time
from collections.abc import Callable, Iterator
from typing import Any

import jwt
import pytest
import requests

from local import scenario
from local.stack import LocalStack
from odvalidation import clock
from odvalidation.api.app import openapi_json
from odvalidation.domain.frameworks import framework
from tests.e2e.security_support import message_of, record

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]

ROLES = [
    "anonymous",
    "practitioner_a",
    "practitioner_b",
    "supporter_of_a",
    "panel_undeclared",
    "panel_declared",
    "panel_unassigned",
    "lead_of_a",
    "lead_elsewhere",
    "national_lead",
]
# Who may read A's claim narrative and evidence.
# National leads see the programme's figures, not a practitioner's claim or evidence.
CONTENT_ROLES = {"practitioner_a", "supporter_of_a", "panel_declared", "lead_of_a"}


@dataclasses.dataclass
class World:
    stack: LocalStack
    journey_id: str
    evidence_id: str
    element_id: str
    cohort_id: str
    certificate_id: str
    member_id: str  # a dummy pool entry leads may edit
    marker: str  # written in A's narrative: no one outside CONTENT_ROLES may ever see it
    people: dict[str, scenario.Person | None]
    results: dict[str, dict[str, dict[str, Any]]] = dataclasses.field(default_factory=dict)

    def session(self, role: str) -> requests.Session:
        p = self.people[role]
        return p.api.session if p else requests.Session()

    @functools.cached_property
    def status_list_id(self) -> str:
        """The Bitstring Status List A's certificate is in (read from A's credential, as a verifier would)."""
        a = self.people["practitioner_a"]
        assert a is not None
        link = a.api.get(f"/api/certificates/{self.certificate_id}")["links"]["credential"]
        body = jwt.decode(requests.get(link, timeout=30).text, options={"verify_signature": False})
        return str(body["credentialStatus"]["statusListCredential"]).rsplit("/", 1)[-1]


def _wait_complete(api: Any, journey_id: str) -> None:
    deadline = time.monotonic() + 30
    while not (api.journey(journey_id).get("completeness") or {}).get("complete"):
        if time.monotonic() > deadline:
            raise TimeoutError("the evidence was never verified")
        time.sleep(0.1)


def _new_cohort(c: scenario.Cast) -> str:
    for _ in range(20):
        number = secrets.randbelow(980) + 10
        response = c.lead.api.post(
            "/api/cohorts",
            {
                "academy_id": "north-west",
                "name": f"Authz cohort {number}",
                "number": number,
                "framework_key": c.framework_key,
                # Today: attendance is recorded on or after the workshop day.
                "workshop_date": clock.now().date().isoformat(),
            },
            expect=(200, 409),
        )
        if "id" in response:
            return str(response["id"])
    raise AssertionError("no free cohort number")


@pytest.fixture(scope="module")
def world(local_stack: LocalStack) -> Iterator[World]:
    stack = local_stack
    tag = secrets.token_hex(3)
    c = scenario.cast(stack, tag=tag)
    marker = f"NARRATIVE-{tag}-only-for-those-allowed"

    def someone(kind: str, groups: list[str], academy: str = "north-west") -> scenario.Person:
        return scenario.person(
            stack,
            f"{kind}.{tag}@example.nhs.uk",
            f"{kind.title()} Person",
            groups,
            academy=academy,
            employer=f"{kind} employer {tag}",
        )

    b = someone("bee", ["practitioner"])
    supporter = someone("supporter", ["supporter"])
    unassigned = someone("unassigned", ["panel"])
    other_lead = someone("otherlead", ["academy_lead"], academy="london")
    national = someone("national", ["national_lead"], academy="london")

    # A's journey, to panel review.
    journey_id = scenario.register(c)
    scenario.reflect(c, journey_id)
    scenario.attend_workshop(c, journey_id)
    scenario.decide(c, journey_id, "ready_now")
    scenario.build_claim(c, journey_id)
    element = framework(c.framework_key).elements[0].id
    a = c.practitioner.api
    a.put(f"/api/journeys/{journey_id}/claim", {"narratives": {element: marker}})
    a.put(f"/api/journeys/{journey_id}/supporter", {"email": supporter.email})
    _wait_complete(a, journey_id)
    scenario.submit(c, journey_id)
    a.wait_step(journey_id, "panel_review")
    seats = c.lead.api.get(f"/api/journeys/{journey_id}/panel")["seats"]
    members = {**scenario.PANEL, **{m.id: m for m in c.panel}}
    chair = members[next(s["member_id"] for s in seats if s["chair"])]
    undeclared = members[next(s["member_id"] for s in seats if not s["chair"])]
    chair.api.post(f"/api/journeys/{journey_id}/panel/declaration", {"conflict": False})
    evidence_id = a.journey(journey_id)["evidence"][0]["id"]
    b.api.post("/api/journeys", {"cohort_id": c.cohort_id})  # B's own journey in the same cohort

    # A's second journey, to a certificate.
    c2 = dataclasses.replace(c, cohort_id=_new_cohort(c))
    j2 = scenario.register(c2)
    scenario.reflect(c2, j2)
    scenario.attend_workshop(c2, j2)
    scenario.decide(c2, j2, "ready_now")
    scenario.build_claim(c2, j2)
    _wait_complete(a, j2)
    scenario.submit(c2, j2)
    scenario.review(c2, j2)
    scenario.interview(c2, j2, "system_od_leader")
    certificate_id = a.wait_for(j2, lambda j: bool(j["certificate_id"]), what="certificate")["journey"][
        "certificate_id"
    ]

    w = World(
        stack=stack,
        journey_id=journey_id,
        evidence_id=evidence_id,
        element_id=element,
        cohort_id=c.cohort_id,
        certificate_id=certificate_id,
        member_id=f"authz-dummy-{tag}",
        marker=marker,
        people={
            "anonymous": None,
            "practitioner_a": c.practitioner,
            "practitioner_b": b,
            "supporter_of_a": supporter,
            "panel_undeclared": undeclared,
            "panel_declared": chair,
            "panel_unassigned": unassigned,
            "lead_of_a": c.lead,
            "lead_elsewhere": other_lead,
            "national_lead": national,
        },
    )
    yield w
    _write_summary(w)


# ---------------------------------------------------------------------------- the expected answers


def _cells(default: int | None = None, anonymous: int = 401, **by_role: int) -> dict[str, int]:
    """One answer per role: the named roles, else `default`."""
    out = {"anonymous": anonymous}
    for role in ROLES[1:]:
        answer = by_role.get(role, default)
        assert answer is not None, role
        out[role] = answer
    return out


# A's own journey: A allowed (or told its state is wrong); leads told it is A's to change; everyone
# else told it does not exist (ids are not confirmed to strangers).
def owner_only(a: int) -> dict[str, int]:
    return _cells(404, practitioner_a=a, lead_of_a=403, national_lead=403)


def viewers(code: int = 200) -> dict[str, int]:
    return _cells(
        404,
        practitioner_a=code,
        supporter_of_a=code,
        panel_undeclared=code,
        panel_declared=code,
        lead_of_a=code,
        national_lead=code,
    )


def leads_only(code: int) -> dict[str, int]:
    return _cells(403, lead_of_a=code, national_lead=code)


def seated(*, undeclared: int, declared: int, leads: int = 404) -> dict[str, int]:
    return _cells(
        404, panel_undeclared=undeclared, panel_declared=declared, lead_of_a=leads, national_lead=leads
    )


Body = Callable[[World, str], Any]


def _profile(w: World, role: str) -> Any:
    p = w.people[role]
    name = p.name if p else "Nobody"
    return {"name": name, "employer": f"Employer of {name}"}


def _evidence_body(w: World, _role: str) -> Any:
    return {"element_id": w.element_id, "filename": "x.pdf", "content_type": "application/pdf", "size": 100}


def _attestation_body(w: World, _role: str) -> Any:
    return {
        "evidence_id": w.evidence_id,
        "name": "Matrix Leader",
        "email": "matrix.leader@example.nhs.uk",
        "role": "Director, Matrix ICB",
        "message": "Confirm this evidence.",
    }


def _pool_member(w: World, _role: str) -> Any:
    return {
        "id": w.member_id,
        "name": "Dummy Member",
        "email": "dummy.member@example.nhs.uk",
        "kind": "peer",
        "employer": "Dummy Org",
        "academy_id": "north-west",
        "cap": 0,
    }


def _cohort_again(w: World, _role: str) -> Any:
    # The existing cohort's number: a lead may create cohorts, and is told this one exists.
    number = int(w.cohort_id.rsplit("-", 1)[1])
    return {
        "academy_id": "north-west",
        "name": "Again",
        "number": number,
        "framework_key": "nw-cipd-combined@1.0",
        "workshop_date": "2030-01-01",
    }


def _const(value: Any) -> Body:
    return lambda _w, _r: value


def _credential_of_a(w: World, _role: str) -> Any:
    # A's credential file, as A would hand it to anyone: the public route checks it for everyone alike.
    a = w.people["practitioner_a"]
    assert a is not None
    link = a.api.get(f"/api/certificates/{w.certificate_id}")["links"]["credential"]
    return {"credential": requests.get(link, timeout=30).text}


PUBLIC = dict.fromkeys(ROLES, 200)

# (method, OpenAPI path, body, expected answer per role), in the order they run.
MATRIX: list[tuple[str, str, Body | None, dict[str, int]]] = [
    ("GET", "/.well-known/jwks.json", None, PUBLIC),
    ("GET", "/api/public/certificates/{certificate_id}/status", None, PUBLIC),
    ("GET", "/api/public/frameworks", None, PUBLIC),
    ("GET", "/api/public/frameworks/{key}", None, PUBLIC),
    ("GET", "/api/public/frameworks/{key}/crosswalks", None, PUBLIC),
    ("POST", "/api/public/credentials/verification", _credential_of_a, PUBLIC),
    ("GET", "/api/public/status-lists/{list_id}", None, PUBLIC),
    ("GET", "/api/me", None, _cells(200)),
    ("PUT", "/api/me/profile", _profile, _cells(200)),
    ("POST", "/api/me/erasure", _const({"confirm": False}), _cells(422)),
    ("GET", "/api/cohorts", None, _cells(200)),
    ("POST", "/api/cohorts", _cohort_again, leads_only(409)),
    ("GET", "/api/cohorts/{cohort_id}/journeys", None, leads_only(200)),
    # A's workshop step is long over: an equivalent session cannot be recorded for it now.
    ("POST", "/api/journeys/{journey_id}/equivalent-session", _const({"kind": "one_to_one", "reason": "Shift work."}), leads_only(409)),
    ("POST", "/api/cohorts/{cohort_id}/attendance", lambda w, _r: {"journey_ids": [w.journey_id]}, leads_only(200)),
    ("POST", "/api/journeys", lambda w, _r: {"cohort_id": w.cohort_id}, _cells(403, practitioner_a=200, practitioner_b=200)),
    ("GET", "/api/journeys/{journey_id}", None, viewers()),
    ("PUT", "/api/journeys/{journey_id}/reflection", _const({"ratings": []}), owner_only(409)),
    ("POST", "/api/journeys/{journey_id}/decision", _const({"readiness": "ready_now"}), owner_only(409)),
    ("PUT", "/api/journeys/{journey_id}/claim", _const({"narratives": {}}), owner_only(409)),
    ("POST", "/api/journeys/{journey_id}/evidence", _evidence_body, owner_only(409)),
    ("PUT", "/api/journeys/{journey_id}/evidence/{evidence_id}", _evidence_body, owner_only(409)),
    ("DELETE", "/api/journeys/{journey_id}/evidence/{evidence_id}", None, owner_only(409)),
    # The evidence library (issue 16.6): read by whoever reads the claim; links changed by A alone, and
    # not once the claim is submitted.
    ("GET", "/api/journeys/{journey_id}/evidence", None, viewers() | {"panel_undeclared": 403, "national_lead": 403}),
    ("PATCH", "/api/journeys/{journey_id}/evidence/{evidence_id}", _const({"title": "Stakeholder map"}), owner_only(409)),
    ("PUT", "/api/journeys/{journey_id}/supporter", lambda w, _r: {"email": w.people["supporter_of_a"].email}, owner_only(200)),  # type: ignore[union-attr]
    # The supporter's comments on a draft: theirs and the practitioner's alone. A's claim is submitted,
    # so even its supporter is told it is too late to comment.
    ("GET", "/api/journeys/{journey_id}/comments", None, viewers(403) | {"practitioner_a": 200, "supporter_of_a": 200}),
    ("POST", "/api/journeys/{journey_id}/comments", _const({"text": "A comment."}), viewers(403) | {"supporter_of_a": 409}),
    # Stakeholder attestation (issue 18.2): A's claim is submitted, so even A may no longer ask; the list
    # is A's and their supporter's to read; an unknown request is not found (to A) and A's to withdraw.
    ("POST", "/api/journeys/{journey_id}/attestations", _attestation_body, owner_only(409)),
    ("GET", "/api/journeys/{journey_id}/attestations", None, viewers(403) | {"practitioner_a": 200, "supporter_of_a": 200}),
    ("POST", "/api/journeys/{journey_id}/attestations/{attestation_id}/withdrawal", None, owner_only(404)),
    ("POST", "/api/journeys/{journey_id}/attestations/{attestation_id}/emails", None, owner_only(404)),
    ("POST", "/api/journeys/{journey_id}/submission", None, owner_only(200)),  # a repeat: one effect
    # Reasonable adjustments (issue 18): the practitioner asks; only they and their academy lead read them
    # (a national lead, the supporter and the panel are refused); only that lead decides.
    ("PUT", "/api/journeys/{journey_id}/adjustments/{kind}", _const({"interview_format": "online", "interview_minutes": 90}), owner_only(200)),
    ("GET", "/api/journeys/{journey_id}/adjustments", None, viewers(403) | {"practitioner_a": 200, "lead_of_a": 200}),
    ("POST", "/api/journeys/{journey_id}/adjustments/{kind}/decision", _const({"agree": True}), _cells(403, lead_of_a=200)),
    ("POST", "/api/journeys/{journey_id}/adjustments/{kind}/withdrawal", None, owner_only(200)),
    ("POST", "/api/journeys/{journey_id}/new-claim", None, owner_only(409)),
    # The route back after "considering further development": A's claim is submitted, so not A's now.
    ("POST", "/api/journeys/{journey_id}/decide-again", None, owner_only(409)),
    # A's claim is submitted: no lead may move it to another framework (issue 18), and nobody else may try.
    ("POST", "/api/journeys/{journey_id}/framework", _const({"framework_key": "global-practice@1.0"}), leads_only(409)),
    ("POST", "/api/journeys/{journey_id}/extension", _const({"weeks": 2, "reason": "illness"}), leads_only(409)),
    ("POST", "/api/journeys/{journey_id}/resume", None, leads_only(409)),
    # The pool is national: any lead may read it (to propose members across academies).
    ("GET", "/api/panel/members", None, _cells(403, lead_of_a=200, lead_elsewhere=200, national_lead=200)),
    ("PUT", "/api/panel/members/{member_id}", _pool_member, leads_only(200)),
    ("GET", "/api/panel/assignments", None, _cells(200)),
    ("GET", "/api/journeys/{journey_id}/panel", None, viewers()),
    ("GET", "/api/journeys/{journey_id}/evidence/{evidence_id}/link", None, viewers() | {"panel_undeclared": 403, "national_lead": 403}),
    ("PUT", "/api/journeys/{journey_id}/panel/review", _const({"judgements": [], "recommendation": "not_yet"}), seated(undeclared=403, declared=422)),
    ("GET", "/api/journeys/{journey_id}/panel/reviews", None, seated(undeclared=403, declared=403, leads=200)),
    # A draft is its author's alone: no one else's key holds one, so everyone else is told there is none.
    ("PUT", "/api/journeys/{journey_id}/panel/review/draft", _const({"judgements": [{"element_id": "9.9"}]}), seated(undeclared=403, declared=422)),
    ("GET", "/api/journeys/{journey_id}/panel/review/draft", None, _cells(404)),
    ("POST", "/api/journeys/{journey_id}/panel/resolution", _const({"reason": "try again"}), leads_only(409)),
    ("POST", "/api/journeys/{journey_id}/interview", _const({"at": "2031-01-01T10:00:00Z", "location": "Room 1"}), leads_only(409)),
    # No interview has been arranged for A's claim (it waits at panel review).
    ("GET", "/api/journeys/{journey_id}/interview", None, viewers(404)),
    ("POST", "/api/journeys/{journey_id}/interview/held", None, leads_only(409)),
    ("POST", "/api/journeys/{journey_id}/outcome", _const({"outcome": "system_od_leader"}), seated(undeclared=403, declared=409)),
    ("GET", "/api/reports/national", None, _cells(403, lead_of_a=200, lead_elsewhere=200, national_lead=200)),
    # Another academy's lead sees it as /api/reports/national shows it (suppressed), not a 403.
    ("GET", "/api/reports/academies/{academy_id}", None, _cells(403, lead_of_a=200, lead_elsewhere=200, national_lead=200)),
    ("GET", "/api/reports/cohorts/{cohort_id}", None, leads_only(200)),
    ("GET", "/api/reports/cohorts/{cohort_id}/feedback", None, leads_only(200)),
    ("GET", "/api/reports/export.csv", None, _cells(403, lead_of_a=200, lead_elsewhere=200, national_lead=200)),
    ("GET", "/api/reports/cohorts", None, _cells(403, lead_of_a=200, lead_elsewhere=200, national_lead=200)),
    ("GET", "/api/reports/cohorts.csv", None, _cells(403, lead_of_a=200, lead_elsewhere=200, national_lead=200)),
    ("POST", "/api/journeys/{journey_id}/feedback", _const(dict.fromkeys(("integrity", "assurance", "opened_doors", "confidence", "connections"), 5)), _cells(404, practitioner_a=409)),
    ("GET", "/api/certificates/{certificate_id}", None, _cells(404, practitioner_a=200, lead_of_a=200, national_lead=200, lead_elsewhere=403)),
    ("PUT", "/api/certificates/{certificate_id}/sharing", _const({"public": False}), _cells(404, practitioner_a=200, lead_of_a=409, national_lead=409, lead_elsewhere=403)),
    ("POST", "/api/invitations", _const({"email": "invited.by.matrix@example.nhs.uk", "name": "Invited Person", "role": "supporter", "academy_id": "north-west"}), leads_only(200)),
    # Leads' alerts (issue 17): the academy's leads and national leads; the dismissal of an unknown alert is a 404.
    ("GET", "/api/academies/{academy_id}/alerts", None, leads_only(200)),
    ("POST", "/api/academies/{academy_id}/alerts/{alert_id}/dismissal", None, leads_only(404)),
    # The pool in one step: idempotent, so both leads get 200 for the same person (cap 0: never seated).
    ("POST", "/api/panel/invitations", _const({"email": "pool.invited.by.matrix@example.nhs.uk", "name": "Pooled Person", "kind": "peer", "employer": "Matrix Org", "academy_id": "north-west", "cap": 0}), leads_only(200)),
    # Renewal opens 90 days before expiry: the holder is told when; nobody else may start it.
    ("POST", "/api/certificates/{certificate_id}/revalidation", None, _cells(404, practitioner_a=409, lead_of_a=403, national_lead=403, lead_elsewhere=403)),
    # The whole record (issue 18): anyone signed in asks for their own (those with no journey are told
    # there is nothing to download); only a lead of A's academy produces A's, for a subject access
    # request. Links first: nothing has been made yet.
    ("GET", "/api/me/record", None, _cells(200)),
    ("GET", "/api/me/record/link", None, _cells(404)),
    ("POST", "/api/me/record", None, _cells(422, practitioner_a=202, practitioner_b=202)),
    ("GET", "/api/journeys/{journey_id}/record", None, _cells(403, lead_of_a=200)),
    ("GET", "/api/journeys/{journey_id}/record/link", None, _cells(403, lead_of_a=404)),
    ("POST", "/api/journeys/{journey_id}/record", _const({"reason": "Subject access request ref 42"}), _cells(403, lead_of_a=202)),
    # Changing routes last: the undeclared member declares here, a lead revokes, A withdraws.
    ("POST", "/api/journeys/{journey_id}/panel/declaration", _const({"conflict": False}), seated(undeclared=200, declared=200)),
    ("POST", "/api/certificates/{certificate_id}/revocation", _const({"reason": "issued in error"}), leads_only(200)),
    ("POST", "/api/journeys/{journey_id}/withdrawal", _const({"reason": "moving abroad"}), owner_only(200)),
]  # fmt: skip

# Cells where the product's answer is known to be wrong, reported to the product's owners: the test
# expects the right answer and is marked xfail(strict), so it turns red (XPASS) once fixed.
KNOWN_FINDINGS: dict[tuple[str, str], str] = {}


def _operations() -> set[str]:
    doc = json.loads(openapi_json())
    return {f"{m.upper()} {p}" for p, ops in doc["paths"].items() for m in ops}


def test_every_route_has_an_expected_answer_for_every_role() -> None:
    covered = {f"{m} {p}" for m, p, _, _ in MATRIX}
    assert _operations() - covered == set(), "routes with no row in the authorisation matrix"
    assert covered - _operations() == set(), "matrix rows for routes that no longer exist"
    assert all(set(expected) == set(ROLES) for *_, expected in MATRIX)


def _url(w: World, path: str) -> str:
    return w.stack.base_url.rstrip("/") + path.format(
        journey_id=w.journey_id,
        evidence_id=w.evidence_id,
        cohort_id=w.cohort_id,
        certificate_id=w.certificate_id,
        member_id=w.member_id,
        attestation_id="at-none",
        academy_id="north-west",
        alert_id="no-such-alert",
        kind="interview",
        key="nw-cipd-combined@1.0",
        list_id=w.status_list_id if "{list_id}" in path else "",
    )


CELLS = [
    pytest.param(
        method,
        path,
        role,
        id=f"{method} {path} as {role}",
        marks=[pytest.mark.xfail(strict=True, reason=KNOWN_FINDINGS[(f"{method} {path}", role)])]
        if (f"{method} {path}", role) in KNOWN_FINDINGS
        else [],
    )
    for method, path, _, _ in MATRIX
    for role in ROLES
]
_ROWS = {(m, p): (body, expected) for m, p, body, expected in MATRIX}


@pytest.mark.parametrize(("method", "path", "role"), CELLS)
def test_cell(world: World, method: str, path: str, role: str) -> None:
    body_of, expected = _ROWS[(method, path)]
    want = expected[role]
    body = body_of(world, role) if body_of else None
    response = world.session(role).request(method, _url(world, path), json=body, timeout=60)
    leaked_content = role not in CONTENT_ROLES and world.marker in response.text
    refused = want >= 400
    leak = (refused and 200 <= response.status_code < 300) or leaked_content
    row = world.results.setdefault(f"{method} {path}", {})
    row[role] = {"expected": want, "got": response.status_code, "leak": leak}
    if role == "panel_undeclared" and method == "GET" and path == "/api/journeys/{journey_id}":
        # The claim is not theirs to read until they declare: the journey, yes; its content, no.
        assert not leaked_content, "an undeclared panel member can read A's narrative"
    assert not leak, f"{role} got {response.status_code} with {response.text[:300]}"
    assert response.status_code == want, (
        f"{role}: expected {want}, got {response.status_code}: {response.text[:300]}"
    )
    if response.status_code >= 400:
        assert message_of(response), f"a {response.status_code} with no message: {response.text[:200]}"


def test_evidence_links_download_the_file_and_every_opening_is_audited(world: World) -> None:
    a = world.people["practitioner_a"]
    assert a is not None
    link = a.api.get(f"/api/journeys/{world.journey_id}/evidence/{world.evidence_id}/link")
    downloaded = requests.get(link["url"], timeout=30)
    assert downloaded.status_code == 200
    assert downloaded.content.startswith(b"%PDF-")
    trail = a.api.journey(world.journey_id)["history"]
    openings = [e for e in trail if e["action"] == "opened evidence"]
    assert openings
    assert all(e["actor"] and e["at"] for e in openings)
    assert a.id in {e["actor"] for e in openings}


def _write_summary(w: World) -> None:
    cells = [cell for row in w.results.values() for cell in row.values()]
    record(
        "authz",
        {
            "roles": ROLES,
            "routes": len(w.results),
            "cells": len(cells),
            "leaks": sum(1 for c in cells if c["leak"]),
            "mismatches": sum(1 for c in cells if c["got"] != c["expected"]),
            "known_findings": [f"{route} as {role}: {why}" for (route, role), why in KNOWN_FINDINGS.items()],
            "matrix": w.results,
        },
    )
