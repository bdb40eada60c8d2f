"""Demo data for `make dev`: invented people, cohorts in several academies, and journeys at different
steps, all made through the HTTP API as a client would (so the data is exactly what the product makes)."""

from __future__ import annotations

from datetime import timedelta

from odvalidation import clock

from . import scenario
from .stack import LocalStack

# Invented names for the practitioners who fill the pipeline.
NAMES = (
    "Aisling Mbeki",
    "Bartholomew Quaye",
    "Chiara Lindgren",
    "Dov Okafor",
    "Esme Raghunathan",
    "Femi Castellano",
    "Gwen Adeyemi-Hart",
    "Hamza Thorsen",
    "Isla Nakamura",
    "Jonah Achebe",
    "Kirsty Valdés",
    "Leon Abara",
    "Mirela Dunmore",
    "Niamh Oyelaran",
    "Osian Petrakis",
    "Priya Halloran",
    "Quinn Mabuza",
    "Rosa Ekwueme",
    "Soren Iheanacho",
    "Tamsin Balogun",
    "Umar Whitlock",
    "Vesna O'Hagan",
    "Wren Adebayo",
    "Yusuf Lindqvist",
)
# (academy, cohort number, framework, the stage each practitioner reaches): register, reflect and decide are
# quick through the API, so most journeys stop early and the dashboard still shows a realistic pipeline.
PIPELINE = (
    (
        "north-west",
        2,
        "nw-cipd-combined@1.0",
        ["ready_now", "ready_12_18_months", "further_development", "workshop"],
    ),
    ("yorkshire-humber", 1, "global-practice@1.0", ["ready_12_18_months", "reflection"]),
    ("east-midlands", 1, "global-practice@1.0", ["further_development", "registered"]),
    ("south-west", 1, "global-practice@1.0", ["ready_12_18_months", "registered"]),
    ("kss", 1, "global-practice@1.0", ["further_development"]),
)


def _fill(
    stack: LocalStack,
    national: scenario.Person,
    academy: str,
    number: int,
    framework_key: str,
    stops: list[str],
    names: list[str],
) -> None:
    """A cohort made by the national lead (who may act for any academy), and practitioners at `stops`."""
    cohort = national.api.post(
        "/api/cohorts",
        {
            "academy_id": academy,
            "name": scenario.cohort_name(academy, number),
            "number": number,
            "framework_key": framework_key,
            # Held a fortnight ago: attendance is recorded on or after the workshop day.
            "workshop_date": (clock.now() - timedelta(days=14)).date().isoformat(),
        },
    )
    reengage = (clock.now() + timedelta(days=400)).date().isoformat()
    for i, stop in enumerate(stops):
        name = names.pop()
        p = scenario.person(
            stack,
            f"{name.split()[0].lower()}.{academy}{number}.{i}@example.nhs.uk",
            name,
            ["practitioner"],
            academy=academy,
            employer=f"{academy.replace('-', ' ').title()} Integrated Care Board",
        )
        each = scenario.Cast(
            lead=national, practitioner=p, cohort_id=cohort["id"], framework_key=framework_key
        )
        journey_id = scenario.register(each)
        if stop == "registered":
            continue
        scenario.reflect(each, journey_id)
        if stop == "reflection":
            continue
        scenario.attend_workshop(each, journey_id)
        if stop == "workshop":
            continue
        scenario.decide(
            each, journey_id, stop, reengage_on=reengage if stop == "ready_12_18_months" else None
        )


def _attested(stack: LocalStack, north_west: scenario.Cast) -> None:
    """Issue 18.2: a claim at panel review with one piece of evidence confirmed by a system leader (the
    panel's review page marks it) and one request the leader has not answered yet."""
    c = scenario.cast(stack, join=north_west, tag="nw-attested")
    journey_id = scenario.to_claim_development(c)
    scenario.build_claim(c, journey_id)
    evidence = scenario.wait_claim_complete(c, journey_id)["evidence"]
    link = scenario.ask_attestation(
        stack, c, journey_id, evidence[0]["id"], "Dame Olwen Castellanos",
        "olwen.castellanos@icb.example.nhs.uk", "Chief Executive, Mersey Vale Integrated Care Board",
    )  # fmt: skip
    scenario.answer_attestation(link, "confirm", "We co-led this programme; the report is accurate.")
    scenario.ask_attestation(
        stack, c, journey_id, evidence[1]["id"], "Rhys Penhaligon",
        "rhys.penhaligon@council.example.gov.uk", "Director of Public Health, Mersey Vale Council",
    )  # fmt: skip
    scenario.submit(c, journey_id)


def _evidence_library(c: scenario.Cast, journey_id: str) -> None:
    """Issue 16.6: a claim's evidence library with one file, uploaded once and linked to three elements."""
    api = c.practitioner.api
    api.put(
        f"/api/journeys/{journey_id}/claim",
        {
            "level": "system_od_practitioner",
            "narratives": {"1.1": "I mapped who shapes whom across the place partnership."},
        },
    )
    evidence_id = scenario.upload(api, journey_id, "1.1", scenario.PDF, "Place stakeholder map.pdf")
    api.call(
        "PATCH",
        f"/api/journeys/{journey_id}/evidence/{evidence_id}",
        {
            "element_ids": ["1.1", "1.2", "2.1"],
            "title": "Place stakeholder map",
            "description": "The partners of the place, and how each shapes the others (March 2026).",
        },
    )


def load(stack: LocalStack) -> None:
    north_west = scenario.cast(stack, academy="north-west", cohort_number=1, tag="nw")
    validated = scenario.register(north_west)
    scenario.reflect(north_west, validated)
    scenario.attend_workshop(north_west, validated)
    scenario.decide(north_west, validated, "ready_now")
    scenario.build_claim(north_west, validated)
    scenario.wait_claim_complete(north_west, validated)
    scenario.submit(north_west, validated)
    scenario.review(north_west, validated)
    scenario.interview(north_west, validated, "system_od_leader")
    north_west.practitioner.api.wait_for(validated, lambda j: bool(j["certificate_id"]), what="certificate")
    north_west.practitioner.api.post(
        f"/api/journeys/{validated}/feedback",
        {
            "integrity": 5,
            "assurance": 5,
            "opened_doors": 4,
            "confidence": 5,
            "connections": 4,
            "comments": "The process had integrity and was robust, and it opened doors for me.",
        },
    )

    # Issue 18: the North West moved to the global practice framework while a claim was being written.
    # The lead moved this practitioner's part-written claim across through the crosswalk; the claim page
    # shows the carried narratives, and the practitioner's email lists what is still uncovered.
    moved = scenario.cast(stack, join=north_west, tag="nw-moved")
    moved_claim = scenario.to_claim_development(moved)
    scenario.part_written_claim(moved, moved_claim)
    scenario.move_framework(moved, moved_claim, "global-practice@1.0")

    _attested(stack, north_west)

    london = scenario.cast(
        stack, academy="london", cohort_number=2, tag="ldn", framework_key="global-practice@1.0"
    )
    in_claim = scenario.register(london)
    scenario.reflect(london, in_claim)
    scenario.attend_workshop(london, in_claim)
    scenario.decide(london, in_claim, "ready_now")
    london.practitioner.api.wait_step(in_claim, "claim_development")
    # Every role has a demo user: a supporter, named on the London practitioner's claim.
    supporter = scenario.person(
        stack,
        "supporter.ldn@example.nhs.uk",
        "Tomasz Achebe-Lind",
        ["supporter"],
        academy="london",
        employer="Thameside Community Health",
    )
    london.practitioner.api.put(f"/api/journeys/{in_claim}/supporter", {"email": supporter.email})
    # Issue 18: a reasonable adjustment, agreed. The practitioner asked for more time (on top of the one
    # standard extension) and an online interview with breaks; the London lead agreed both. Their journey
    # and the lead's pages show them; no report, export or panel page does.
    adjustments = f"/api/journeys/{in_claim}/adjustments"
    london.practitioner.api.put(
        f"{adjustments}/more_time", {"weeks": 6, "details": "I care for a parent, and my hours vary."}
    )
    london.practitioner.api.put(
        f"{adjustments}/interview",
        {"interview_format": "online", "interview_breaks": True, "interview_minutes": 90},
    )
    london.lead.api.post(f"{adjustments}/more_time/decision", {"agree": True, "note": "Agreed: six weeks."})
    london.lead.api.post(f"{adjustments}/interview/decision", {"agree": True})
    _evidence_library(london, in_claim)

    national = scenario.person(
        stack,
        "national.lead@england.example.nhs.uk",
        "Marguerite Osei",
        ["national_lead"],
        academy="north-west",
        employer="NHS England",
    )
    names = list(NAMES)
    for academy, number, framework_key, stops in PIPELINE:
        _fill(stack, national, academy, number, framework_key, stops, names)

    # One line per role, so the banner stays on the first screen; /_local/ lists (and signs in) them all.
    by_role: dict[str, list[str]] = {}
    for user in stack.demo_users.values():
        by_role.setdefault(", ".join(user.groups), []).append(user.email)
    print(f"Demo users (password for all: {scenario.PASSWORD}; every one at /_local/):")
    for role, emails in by_role.items():
        more = f" and {len(emails) - 1} more" if len(emails) > 1 else ""
        print(f"  {role:14} {emails[0]}{more}")
