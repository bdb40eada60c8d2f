"""The steps of a journey as a client drives them through the HTTP API: shared by `make demo`,
the demo data and the end-to-end tests, so that all three exercise the product the same way."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import requests

from odvalidation import clock
from odvalidation.domain.academies import academy as academy_of
from odvalidation.domain.frameworks import framework
from odvalidation.domain.panels import MemberDetails

from .client import ApiClient, ApiError
from .stack import LocalStack


def cohort_name(academy: str, number: int) -> str:
    """ "Kent, Surrey and Sussex cohort 3": the academy as people say it, not its id ("Kss")."""
    return f"{academy_of(academy).name.removesuffix(' Leadership Academy')} cohort {number}"


PASSWORD = "Demo-password-2026"  # noqa: S105 # nosec B105 - invented demo account for the local stack

# A small real PDF, so that the server-side check sees a true PDF by its magic bytes.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
    b"3 0 obj<</Type/Page/MediaBox[0 0 612 792]/Parent 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@dataclass
class Person:
    email: str
    name: str
    api: ApiClient
    id: str = ""


@dataclass
class Cast:
    lead: Person
    practitioner: Person
    panel: list[Person] = field(default_factory=list)
    cohort_id: str = ""
    framework_key: str = ""
    academy: str = "north-west"


# Every panel member made in this process: the pool is national, so the solver may seat a member
# that another cast created.
PANEL: dict[str, Person] = {}


def person(
    stack: LocalStack, email: str, name: str, groups: list[str], *, academy: str, employer: str
) -> Person:
    if email.lower() not in stack.demo_users:
        stack.create_user(email, name, groups, PASSWORD, {"academy": academy, "employer": employer})
    api = ApiClient(stack.base_url, stack.token_for(email))
    # The academy is the account's (set above); a profile cannot change it.
    me = api.put("/api/me/profile", {"name": name, "employer": employer})
    return Person(email=email, name=name, api=api, id=me["id"])


def _practitioner(stack: LocalStack, tag: str, academy: str) -> Person:
    return person(
        stack,
        f"pat.{tag}@example.nhs.uk",
        "Rowan Achterberg",
        ["practitioner"],
        academy=academy,
        employer=f"Riverside Trust {tag}",
    )


def cast(
    stack: LocalStack,
    *,
    academy: str = "north-west",
    cohort_number: int | None = None,
    framework_key: str = "nw-cipd-combined@1.0",
    tag: str | None = None,
    join: Cast | None = None,
) -> Cast:
    """A lead, a practitioner, a cohort and a national pool of three panel members (1 expert, 2 peers);
    or, to `join` another cast, one more practitioner in its cohort, with its lead and panel."""
    tag = tag or secrets.token_hex(3)
    if join is not None:
        academy = join.academy
        return Cast(
            lead=join.lead,
            practitioner=_practitioner(stack, tag, academy),
            panel=join.panel,
            cohort_id=join.cohort_id,
            framework_key=join.framework_key,
            academy=academy,
        )
    lead = person(
        stack,
        f"lead.{tag}@{academy}.example.nhs.uk",
        "Farah Okonjo",
        ["academy_lead"],
        academy=academy,
        employer=f"{academy} Leadership Academy",
    )
    practitioner = _practitioner(stack, tag, academy)
    members = []
    for i, (kind, name) in enumerate(
        [("expert", "Imogen Vasquez-Reid"), ("peer", "Tunde Halvorsen"), ("peer", "Maeve Ostrowski")]
    ):
        m = person(
            stack,
            f"panel{i}.{tag}@example.nhs.uk",
            name,
            ["panel"],
            academy=academy,
            employer=f"Org {i} {tag}",
        )
        lead.api.put(
            f"/api/panel/members/{m.id}",
            {
                "id": m.id,
                "name": name,
                "email": m.email,
                "kind": kind,
                "employer": f"Org {i} {tag}",
                "academy_id": academy,
                "cap": 4,
                "expertise": ["system leadership"],
            },
        )
        members.append(m)
        PANEL[m.id] = m
    number = cohort_number or (int(tag, 16) % 900) + 10
    for _attempt in range(20):
        try:
            cohort = lead.api.post(
                "/api/cohorts",
                {
                    "academy_id": academy,
                    "name": cohort_name(academy, number),
                    "number": number,
                    "framework_key": framework_key,
                    # Today: attendance is recorded on or after the workshop day.
                    "workshop_date": clock.now().date().isoformat(),
                },
            )
            break
        except ApiError as error:
            # Casts share a stack: another made a cohort with this number first.
            if error.status != 409 or cohort_number:
                raise
            number = secrets.randbelow(989) + 10
    return Cast(
        lead=lead,
        practitioner=practitioner,
        panel=members,
        cohort_id=cohort["id"],
        framework_key=framework_key,
        academy=academy,
    )


def member_details(member: dict[str, Any]) -> dict[str, Any]:
    """What a lead may send back about a pool member read from the API (its load and declared
    conflicts are the service's, and sending them is refused)."""
    editable = MemberDetails.model_fields
    return {k: v for k, v in member.items() if k in editable}


def register(c: Cast) -> str:
    journey = c.practitioner.api.post("/api/journeys", {"cohort_id": c.cohort_id})
    return str(journey["id"])


def reflect(c: Cast, journey_id: str) -> None:
    api = c.practitioner.api
    api.wait_step(journey_id, "reflection")
    ratings = [
        {"element_id": e.id, "rating": 3 + (i % 3), "note": f"My practice on {e.title.lower()}."}
        for i, e in enumerate(framework(c.framework_key).elements)
    ]
    api.put(
        f"/api/journeys/{journey_id}/reflection",
        {"ratings": ratings, "career_note": "Ten years in OD.", "submit": True},
    )


def attend_workshop(c: Cast, journey_id: str) -> None:
    c.practitioner.api.wait_step(journey_id, "workshop")
    c.lead.api.post(f"/api/cohorts/{c.cohort_id}/attendance", {"journey_ids": [journey_id]})


def decide(c: Cast, journey_id: str, readiness: str, reengage_on: str | None = None) -> None:
    c.practitioner.api.wait_step(journey_id, "decision")
    body: dict[str, Any] = {"readiness": readiness}
    if reengage_on:
        body["reengage_on"] = reengage_on
    c.practitioner.api.post(f"/api/journeys/{journey_id}/decision", body)


def to_claim_development(c: Cast) -> str:
    """Steps 1 to 3 with "ready now": a new journey, reflected, workshop attended, decided."""
    journey_id = register(c)
    reflect(c, journey_id)
    attend_workshop(c, journey_id)
    decide(c, journey_id, "ready_now")
    return journey_id


def name_supporter(stack: LocalStack, c: Cast, journey_id: str) -> Person:
    """A supporter account, named by the practitioner on the journey's claim."""
    supporter = person(
        stack,
        f"supporter.{journey_id.lower()}@example.nhs.uk",
        f"Supporter of {c.practitioner.name}",
        ["supporter"],
        academy=c.academy,
        employer="A Trust",
    )
    c.practitioner.api.put(f"/api/journeys/{journey_id}/supporter", {"email": supporter.email})
    return supporter


def upload(
    api: ApiClient,
    journey_id: str,
    element_id: str,
    content: bytes,
    filename: str,
    content_type: str = "application/pdf",
) -> str:
    link = api.post(
        f"/api/journeys/{journey_id}/evidence",
        {
            "element_id": element_id,
            "filename": filename,
            "content_type": content_type,
            "size": len(content),
        },
    )
    # Straight to S3, as the browser does: Lambda never carries the file.
    response = requests.post(
        link["url"], data=link["fields"], files={"file": (filename, content, content_type)}, timeout=30
    )
    response.raise_for_status()
    return str(link["evidence_id"])


def build_claim(c: Cast, journey_id: str, level: str = "system_od_leader") -> None:
    api = c.practitioner.api
    api.wait_step(journey_id, "claim_development")
    elements = framework(c.framework_key).elements
    api.put(
        f"/api/journeys/{journey_id}/claim",
        {
            "level": level,
            "narratives": {e.id: f"How I evidence {e.title.lower()} at system level." for e in elements},
        },
    )
    for e in elements:
        upload(api, journey_id, e.id, PDF, f"evidence {e.id}.pdf")


def wait_claim_complete(c: Cast, journey_id: str, timeout: float = 30) -> dict[str, Any]:
    """Until every element's evidence has been checked and the claim is ready to submit."""
    deadline = time.monotonic() + timeout
    while True:
        status = c.practitioner.api.journey(journey_id)
        if status.get("completeness", {}).get("complete"):
            return status
        if time.monotonic() > deadline:
            raise TimeoutError(f"the claim never became complete: {status.get('completeness')}")
        time.sleep(c.practitioner.api.poll_every)


def part_written_claim(c: Cast, journey_id: str) -> dict[str, str]:
    """A practitioner-level claim on the combined framework, part written (issue 18's crosswalk): 1.1,
    which maps to two new elements, and 4.1 and 4.2, which map to one, with checked evidence on 1.1 and
    4.1. Returns the evidence ids by element."""
    api = c.practitioner.api
    api.wait_step(journey_id, "claim_development")
    narratives = {
        "1.1": "I mapped the partners of the place and how each shapes the others.",
        "4.1": "I coached the leads to run the next round of the work themselves.",
        "4.2": "I grew a system mindset in the partnership board.",
    }
    api.put(
        f"/api/journeys/{journey_id}/claim", {"level": "system_od_practitioner", "narratives": narratives}
    )
    ids = {e: upload(api, journey_id, e, PDF, f"evidence {e}.pdf") for e in ("1.1", "4.1")}
    deadline = time.monotonic() + 30
    while len([e for e in api.journey(journey_id)["evidence"] if e["status"] == "verified"]) < len(ids):
        if time.monotonic() > deadline:
            raise TimeoutError("the evidence was never checked")
        time.sleep(api.poll_every)
    return ids


def move_framework(c: Cast, journey_id: str, framework_key: str) -> dict[str, Any]:
    """The lead moves a claim in development to another framework version, through the crosswalk."""
    return dict(c.lead.api.post(f"/api/journeys/{journey_id}/framework", {"framework_key": framework_key}))


def ask_attestation(
    stack: LocalStack, c: Cast, journey_id: str, evidence_id: str, name: str, email: str, role: str
) -> str:
    """The practitioner asks a leader to confirm one piece of evidence; returns the link from the leader's
    email (read from the local SES mailbox, as the leader would click it)."""
    import re

    c.practitioner.api.post(
        f"/api/journeys/{journey_id}/attestations",
        {
            "evidence_id": evidence_id,
            "name": name,
            "email": email,
            "role": role,
            "message": "Please confirm that we led the system-wide listening programme together, and that "
            "this report is a fair account of it.",
        },
    )
    stack.wait_for_email(email, "asks you to confirm")
    mail = next(m for m in reversed(stack.sent_emails()) if email in m.to)
    found = re.search(r"(https?://\S+/attest\?token=[A-Za-z0-9._-]+)", mail.body)
    assert found, "the leader's email has no link"
    return found.group(1)


def answer_attestation(link: str, decision: str, comment: str = "") -> requests.Response:
    """The leader, without an account, opens the link and answers on the page (CSRF token and all)."""
    import re

    browser = requests.Session()
    page = browser.get(link, timeout=30)
    page.raise_for_status()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf, "the leader's page has no form"
    return browser.post(
        link.split("?", 1)[0],
        data={
            "csrf_token": csrf.group(1),
            "token": link.split("token=", 1)[1],
            "decision": decision,
            "comment": comment,
        },
        timeout=30,
    )


def submit(c: Cast, journey_id: str) -> None:
    c.practitioner.api.post(f"/api/journeys/{journey_id}/submission")


def review(
    c: Cast, journey_id: str, recommendation: str = "system_od_leader", dissent: bool = False
) -> dict[str, Any]:
    """Each panel member declares no conflict and reviews every element."""
    c.practitioner.api.wait_step(journey_id, "panel_review")
    panel = c.lead.api.get(f"/api/journeys/{journey_id}/panel")
    by_id = {**PANEL, **{m.id: m for m in c.panel}}
    level = c.practitioner.api.journey(journey_id)["claim"]["level"]
    elements = framework(c.framework_key).elements_for(level)
    for i, seat in enumerate(panel["seats"]):
        member = by_id[seat["member_id"]]
        member.api.post(f"/api/journeys/{journey_id}/panel/declaration", {"conflict": False})
        grade = "not_yet_evidenced" if dissent and i == 0 else "evidenced"
        member.api.put(
            f"/api/journeys/{journey_id}/panel/review",
            {
                "judgements": [
                    {"element_id": e.id, "judgement": grade, "comment": "Clear evidence."} for e in elements
                ],
                "recommendation": "not_yet" if dissent and i == 0 else recommendation,
            },
        )
    return dict(panel)


_CLOCK_MOVES = threading.Lock()


def held(c: Cast, journey_id: str, location: str = "Room 2, Academy House") -> dict[str, Any]:
    """Arrange the interview a few minutes ahead and hold it: step 6 cannot be skipped, so "held" (and
    the outcome) wait for the arranged time. The product clock (shared with the stack's handlers in this
    process) moves on by those minutes rather than a fortnight, so nothing else falls due meanwhile."""
    # The product's clock (which the local stack may have moved forward), not the wall clock. Journeys
    # driven at once (bench/throughput.py) each move it: one at a time, or another's move could put this
    # time in the past before it is arranged.
    with _CLOCK_MOVES:
        when = (clock.now() + timedelta(minutes=5)).replace(microsecond=0)
        c.lead.api.post(
            f"/api/journeys/{journey_id}/interview", {"at": when.isoformat(), "location": location}
        )
        clock.advance(max(when - clock.now(), timedelta(0)) + timedelta(seconds=1))
    return dict(c.lead.api.post(f"/api/journeys/{journey_id}/interview/held"))


def interview(c: Cast, journey_id: str, outcome: str) -> None:
    c.practitioner.api.wait_step(journey_id, "interview")
    held(c, journey_id)
    panel = c.lead.api.get(f"/api/journeys/{journey_id}/panel")
    chair = next(s["member_id"] for s in panel["seats"] if s["chair"])
    chair_api = {**PANEL, **{m.id: m for m in c.panel}}[chair].api
    feedback = {"3.2": "Build more evidence of influencing senior leaders."} if outcome == "not_yet" else {}
    chair_api.post(
        f"/api/journeys/{journey_id}/outcome",
        {
            "outcome": outcome,
            "feedback": feedback,
            "development_plan": "Shadow a system transformation programme." if outcome == "not_yet" else "",
        },
    )
