"""Duplicates and races on the local stack: a task token resumed twice, workflow tasks invoked directly
twice, two tabs saving different narratives of one claim at once, and two panel members reviewing while
the lead opens the evidence. Each has exactly one effect per request that was answered with success, and
nothing a person was told was saved is lost.

One journey, driven from registration to a certificate, carries every case in turn.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import pytest
from botocore.exceptions import ClientError

from local import scenario
from local.stack import LocalStack
from odvalidation.domain.frameworks import framework
from odvalidation.domain.models import Level
from odvalidation.services.common import db
from tests.e2e.security_support import message_of, record

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]

ROUNDS = 5  # pairs of tabs saving at once


def _at_once(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released together; each result is its return value or its exception."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            results[i] = call()
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def _actions(api: Any, journey_id: str) -> Counter[str]:
    return Counter(e["action"] for e in api.journey(journey_id)["history"])


def _invoke(stack: LocalStack, logical_id: str, payload: dict[str, Any]) -> dict[str, Any]:
    out = stack.client("lambda").invoke(
        FunctionName=stack.deployed.physical_ids[logical_id], Payload=json.dumps(payload).encode()
    )
    body = json.loads(out["Payload"].read())
    assert not out.get("FunctionError"), body
    return dict(body)


class Race:
    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        self.c = scenario.cast(stack)
        self.api = self.c.practitioner.api
        self.id = scenario.register(self.c)
        self.lost = 0


@pytest.fixture(scope="module")
def race(local_stack: LocalStack) -> Race:
    r = Race(local_stack)
    scenario.reflect(r.c, r.id)
    r.api.wait_step(r.id, "workshop")
    return r


@pytest.fixture(scope="module", autouse=True)
def figures() -> Iterator[dict[str, Any]]:
    out: dict[str, Any] = {"cases": Counter(), "extra_effects": 0, "lost_items": 0, "server_errors": 0}
    yield out
    record("races", out | {"cases_total": sum(out["cases"].values())})


def test_a_task_token_resumed_twice_has_one_effect(
    race: Race, local_stack: LocalStack, figures: dict[str, Any]
) -> None:
    token = db().journey(race.id).task_token
    assert token
    sfn = local_stack.client("stepfunctions")
    before = race.api.journey(race.id)["journey"]["version"]

    def resume() -> bool:
        sfn.send_task_success(taskToken=token, output=json.dumps({"attended": True}))
        return True

    results = _at_once(resume, resume)
    race.api.wait_step(race.id, "decision")
    time.sleep(1)  # room for a second effect to show, were there one
    # At most one resume is accepted; a refused one is Step Functions saying the token is spent.
    accepted = [r for r in results if r is True]
    refused = [r for r in results if isinstance(r, ClientError)]
    assert len(accepted) + len(refused) == 2, results
    assert accepted
    actions = _actions(race.api, race.id)
    figures["cases"]["task token resumed twice"] += 1
    figures["extra_effects"] += actions["decision opened"] - 1
    assert actions["decision opened"] == 1
    assert race.api.journey(race.id)["journey"]["version"] == before + 1


def test_two_tabs_saving_different_narratives_at_once_lose_nothing(
    race: Race, figures: dict[str, Any]
) -> None:
    scenario.decide(race.c, race.id, "ready_now")
    race.api.wait_step(race.id, "claim_development")
    elements = [e.id for e in framework(race.c.framework_key).elements]
    url = f"/api/journeys/{race.id}/claim"
    answered: dict[str, str] = {}
    statuses: Counter[int] = Counter()
    for n in range(ROUNDS):
        one, two = elements[2 * n], elements[2 * n + 1]

        def save(element: str, text: str) -> tuple[int, str]:
            response = race.api.session.put(
                f"{race.api.base_url}{url}", json={"narratives": {element: text}}, timeout=30
            )
            if response.status_code == 200:
                answered[element] = text
            return response.status_code, message_of(response)

        results = _at_once(
            partial(save, one, f"tab one, round {n}"), partial(save, two, f"tab two, round {n}")
        )
        for status, message in results:
            statuses[status] += 1
            assert status in (200, 409), (status, message)
            if status == 409:
                assert "try again" in message
    claim = race.api.journey(race.id)["claim"]
    lost = {e: t for e, t in answered.items() if claim["narratives"].get(e) != t}
    figures["cases"]["two tabs saving at once"] += ROUNDS
    figures["lost_items"] += len(lost)
    figures["server_errors"] += sum(v for k, v in statuses.items() if k >= 500)
    assert lost == {}
    assert statuses[200] == 2 * ROUNDS, statuses  # the service merges and retries: neither tab is refused
    assert claim["version"] == statuses[200]


def test_workflow_tasks_invoked_twice_have_one_effect(
    race: Race, local_stack: LocalStack, figures: dict[str, Any]
) -> None:
    scenario.build_claim(race.c, race.id)
    deadline = time.monotonic() + 30
    while not (race.api.journey(race.id).get("completeness") or {}).get("complete"):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    scenario.submit(race.c, race.id)
    race.api.wait_step(race.id, "panel_review")
    before = race.api.journey(race.id)
    panel = race.c.lead.api.get(f"/api/journeys/{race.id}/panel")
    journey = db().journey(race.id)
    calls: list[tuple[str, dict[str, Any]]] = [
        ("AssignPanelFunction", {"journey_id": race.id}),
        ("CheckClaimFunction", {"journey_id": race.id}),
        (
            "AwaitStepFunction",
            {
                "journey_id": race.id,
                "step": "panel_review",
                "task_token": journey.task_token,
                "execution_arn": journey.execution_arn,
            },
        ),
    ]
    for logical_id, payload in calls:
        first = _invoke(local_stack, logical_id, payload)
        again = _invoke(local_stack, logical_id, payload)
        assert first == again, logical_id
        figures["cases"]["task invoked directly twice"] += 1
    after = race.api.journey(race.id)
    assert after["journey"]["version"] == before["journey"]["version"]
    assert after["history"] == before["history"]
    assert race.c.lead.api.get(f"/api/journeys/{race.id}/panel") == panel
    assert _actions(race.api, race.id)["panel assigned"] == 1


def test_two_panel_members_reviewing_while_the_lead_opens_evidence_lose_nothing(
    race: Race, figures: dict[str, Any]
) -> None:
    lead = race.c.lead.api
    panel = lead.get(f"/api/journeys/{race.id}/panel")
    by_id = {**scenario.PANEL, **{m.id: m for m in race.c.panel}}
    members = [by_id[s["member_id"]] for s in panel["seats"]]
    for m in members:
        m.api.post(f"/api/journeys/{race.id}/panel/declaration", {"conflict": False})
    elements = framework(race.c.framework_key).elements_for(Level.LEADER)
    body: dict[str, Any] = {
        "judgements": [{"element_id": e.id, "judgement": "evidenced", "comment": "Clear."} for e in elements],
        "recommendation": "system_od_leader",
    }
    evidence_id = race.api.journey(race.id)["evidence"][0]["id"]
    before = race.api.journey(race.id)["journey"]["version"]

    def review(member: scenario.Person) -> Callable[[], tuple[int, str]]:
        def call() -> tuple[int, str]:
            r = member.api.session.put(
                f"{member.api.base_url}/api/journeys/{race.id}/panel/review", json=body, timeout=30
            )
            return r.status_code, message_of(r)

        return call

    def open_evidence() -> tuple[int, str]:
        r = lead.session.get(
            f"{lead.base_url}/api/journeys/{race.id}/evidence/{evidence_id}/link", timeout=30
        )
        return r.status_code, message_of(r)

    results = _at_once(review(members[0]), review(members[1]), open_evidence)
    figures["cases"]["two reviews and a lead at once"] += 1
    figures["server_errors"] += sum(1 for s, _ in results if s >= 500)
    assert all(s < 500 for s, _ in results), results
    # A member told to try again does so, as the message says.
    for i, (status, message) in enumerate(results[:2]):
        if status == 409:
            retried = review(members[i])()
            assert retried[0] == 200, (message, retried)
    assert review(members[2])()[0] == 200
    reviews = lead.get(f"/api/journeys/{race.id}/panel/reviews")
    stored = {r["member_id"] for r in reviews["reviews"]}
    figures["lost_items"] += len({m.id for m in members} - stored)
    assert stored == {m.id for m in members}
    status = race.api.wait_step(race.id, "interview")
    actions = Counter(e["action"] for e in status["history"])
    assert actions["submitted review"] == 3
    assert actions["all reviews in"] == 1
    opened = 1 if results[2][0] == 200 else 0
    assert actions["opened evidence"] == opened
    # Each change is one version: the three reviews, the lead's opening, the interview step. The last
    # review in and "all reviews in" are one change (one transaction, issue 19), so one version.
    events_since = [
        e
        for e in status["history"]
        if e["action"] in {"submitted review", "opened evidence", "interview opened"}
    ]
    assert status["journey"]["version"] - before == len(events_since)
    last = max((e for e in status["history"] if e["action"] == "submitted review"), key=lambda e: e["at"])
    closed = next(e for e in status["history"] if e["action"] == "all reviews in")
    assert closed["at"] == last["at"]  # recorded with the last review, not after it


def test_a_certificate_task_invoked_twice_issues_one_certificate(
    race: Race, local_stack: LocalStack, figures: dict[str, Any]
) -> None:
    scenario.interview(race.c, race.id, "system_od_leader")
    status = race.api.wait_for(race.id, lambda j: bool(j.get("certificate_id")), what="a certificate")
    certificate_id = status["journey"]["certificate_id"]
    results = _at_once(
        *[lambda: _invoke(local_stack, "IssueCertificateFunction", {"journey_id": race.id})] * 2
    )
    figures["cases"]["certificate task invoked twice"] += 1
    for r in results:
        assert not isinstance(r, Exception), r
        assert r == {"certificate_id": certificate_id, "issued": False}
    after = race.api.journey(race.id)
    assert after["journey"]["certificate_id"] == certificate_id
    issued = [e for e in after["history"] if "certificate" in e["action"]]
    figures["extra_effects"] += max(0, len(issued) - 1)
    assert len(issued) == 1, issued
