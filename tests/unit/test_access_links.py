"""Who needs the journey's links (supporters, panel seats) looked up before a view is decided: the
short cut must never change a decision, only skip reads whose answer cannot matter."""

from __future__ import annotations

from itertools import product

import pytest

from odvalidation.domain.access import Caller, can_view_journey, needs_links
from odvalidation.domain.models import Role, Stage
from tests.unit.test_journey_rules import journey_at

CALLERS = {
    "practitioner": Caller(id="p1", roles=frozenset({Role.PRACTITIONER})),
    "supporter": Caller(id="s1", roles=frozenset({Role.SUPPORTER})),
    "panel member": Caller(id="m1", roles=frozenset({Role.PANEL})),
    "own academy lead": Caller(id="l1", roles=frozenset({Role.ACADEMY_LEAD}), academy_id="north-west"),
    "other academy lead": Caller(id="l2", roles=frozenset({Role.ACADEMY_LEAD}), academy_id="london"),
    "national lead": Caller(id="n1", roles=frozenset({Role.NATIONAL_LEAD})),
    "stranger": Caller(id="x1", roles=frozenset({Role.PRACTITIONER})),
}


@pytest.mark.parametrize("who", CALLERS)
def test_skipping_the_links_never_changes_who_may_view(who: str) -> None:
    caller, journey = CALLERS[who], journey_at(Stage.SUBMITTED)
    linked = needs_links(caller, journey)
    for supporters, seats in product([set(), {"s1"}], [set(), {"m1"}]):
        full = can_view_journey(caller, journey, supporter_ids=supporters, panel_ids=seats)
        short = can_view_journey(
            caller,
            journey,
            supporter_ids=supporters if linked else set(),
            panel_ids=seats if linked else set(),
        )
        assert short == full


def test_only_the_practitioner_and_their_leads_skip_the_reads() -> None:
    journey = journey_at(Stage.SUBMITTED)
    skipping = {who for who, caller in CALLERS.items() if not needs_links(caller, journey)}
    assert skipping == {"practitioner", "own academy lead", "national lead"}
