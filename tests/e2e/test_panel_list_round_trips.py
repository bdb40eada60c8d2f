"""A panel member's list of claims is read in three round trips however many claims they sit on, and
says what one claim's own pages say about each (issue 19: round trips; services/panel_overview.py)."""

from __future__ import annotations

from typing import Any

import pytest

from local import scenario
from local.stack import LocalStack
from odvalidation.dal import clients
from odvalidation.domain.access import Caller
from odvalidation.domain.models import Role
from odvalidation.services import panel_overview
from odvalidation.web import panel_work

pytestmark = pytest.mark.xdist_group("local_stack")


def _counted(fn: Any) -> tuple[Any, list[str]]:
    calls: list[str] = []

    def count(event_name: str, **kwargs: object) -> None:
        calls.append(event_name.rsplit(".", 1)[-1])

    db = clients.client("dynamodb")
    db.meta.events.register("before-call.dynamodb", count)
    try:
        return fn(), calls
    finally:
        db.meta.events.unregister("before-call.dynamodb", count)


def test_the_assignment_list_reads_every_claim_at_once_and_agrees_with_each_claim_s_page(
    local_stack: LocalStack,
) -> None:
    c = scenario.cast(local_stack)
    first = scenario.to_claim_development(c)
    scenario.build_claim(c, first)
    scenario.wait_claim_complete(c, first)
    scenario.submit(c, first)
    c.practitioner.api.wait_step(first, "panel_review")
    seats = c.lead.api.get(f"/api/journeys/{first}/panel")["seats"]
    member = scenario.PANEL[seats[0]["member_id"]]
    caller = Caller(id=member.id, email=member.email, roles=frozenset({Role.PANEL}))

    rows, calls = _counted(lambda: panel_work.assignment_rows(caller))
    assert first in {r["journey_id"] for r in rows}
    # One Query of the member's seats, one BatchGetItem of their journeys, one of everything else.
    assert calls == ["Query", "BatchGetItem", "BatchGetItem"], calls

    # Each row says what the claim's own page says, read claim by claim as before.
    for row in rows:
        a = panel_work.assignment(caller, row["journey_id"])
        reviewed = panel_work.my_review(caller, row["journey_id"]) is not None
        status, href = panel_work.next_step(a, reviewed)
        assert (row["practitioner"], row["level"], row["status"], row["href"]) == (
            a.practitioner_name,
            a.level_name,
            status,
            href,
        )
        assert row["reviewed"] == ("Yes" if reviewed else "Not yet")


def test_a_member_with_no_seat_sees_no_claim(local_stack: LocalStack) -> None:
    stranger = Caller(id="no-such-member", roles=frozenset({Role.PANEL}))
    seated, calls = _counted(lambda: panel_overview.seated_claims(stranger))
    assert seated == []
    assert calls == ["Query"]  # nothing to read after an empty seat list
