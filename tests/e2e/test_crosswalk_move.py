"""Issue 18: a lead moves a claim in development to the framework later cohorts use, through the
crosswalk; through the local stack's HTTP front with real Cognito tokens, and through the lead's pages."""

from __future__ import annotations

import re
import time

import pytest
import requests

from local import scenario
from local.stack import LocalStack
from tests.e2e.security_support import web_session

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]

NEW = "global-practice@1.0"


def _partial_claim(c: scenario.Cast) -> tuple[str, dict[str, str]]:
    journey_id = scenario.to_claim_development(c)
    return journey_id, scenario.part_written_claim(c, journey_id)


def test_a_lead_moves_a_claim_in_development_and_the_practitioner_is_told(local_stack: LocalStack) -> None:
    c = scenario.cast(local_stack)
    journey_id, ids = _partial_claim(c)
    path = f"/api/journeys/{journey_id}/framework"

    refused = c.practitioner.api.post(path, {"framework_key": NEW}, expect=403)
    assert "lead of this academy" in refused["message"]
    unknown = c.lead.api.post(path, {"framework_key": "nw-cipd-combined@9.9"}, expect=422)
    assert "no crosswalk" in unknown["message"]
    assert NEW in unknown["message"]

    moved = scenario.move_framework(c, journey_id, NEW)
    assert (moved["from_framework"], moved["to_framework"]) == ("nw-cipd-combined@1.0", NEW)
    rows = {r["element_id"]: r for r in moved["elements"]}
    assert rows["4.2"]["from_elements"] == ["4.1", "4.2"]
    assert "2.1" in moved["uncovered"]
    assert rows["2.1"]["missing"] == "a narrative and evidence"
    assert "3.1" not in moved["uncovered"]  # leader-only: not asked of a practitioner

    status = c.practitioner.api.journey(journey_id)
    assert status["journey"]["framework_key"] == NEW
    narratives = status["claim"]["narratives"]
    # One-to-many: 1.1's narrative on both of its new elements, with the same file linked to each.
    assert (
        narratives["2.2"]
        == narratives["3.1"]
        == "I mapped the partners of the place and how each shapes the others."
    )
    # The file stays one item of the library, supporting both: listed once, nothing uploaded again.
    [moved_file] = [e for e in status["evidence"] if e["id"] == ids["1.1"]]
    assert moved_file["element_ids"] == ["2.2", "3.1"]
    assert moved_file["status"] == "verified"
    assert [e["id"] for e in status["evidence"] if e["key"] == moved_file["key"]] == [ids["1.1"]]
    # Many-to-one: 4.1 and 4.2 under a heading each.
    assert re.search(r"From element 4\.1, .*coached.*From element 4\.2, .*board", narratives["4.2"], re.S)
    assert "1.1" not in narratives  # nothing left on the old ids
    event = next(e for e in status["history"] if e["action"] == "moved claim to another framework")
    assert "nw-cipd-combined@1.0" in event["reason"]
    assert NEW in event["reason"]
    assert event["actor"] == c.lead.id

    mail = [m for m in local_stack.sent_emails() if c.practitioner.email in m.to and "moved" in m.subject]
    assert len(mail) == 1
    assert mail[0].subject == "Your claim has moved to a new framework"
    assert "2.1 Entry and contracting: needs a narrative and evidence" in mail[0].body
    assert f"/journeys/{journey_id}/claim" in mail[0].body

    # Unlinking it from one new element leaves the file on the other, and it still opens.
    c.practitioner.api.call(
        "PATCH", f"/api/journeys/{journey_id}/evidence/{ids['1.1']}", {"element_ids": ["2.2"]}
    )
    link = c.practitioner.api.get(f"/api/journeys/{journey_id}/evidence/{ids['1.1']}/link")
    after = c.practitioner.api.journey(journey_id)["evidence"]
    assert [e["element_ids"] for e in after if e["id"] == ids["1.1"]] == [["2.2"]]

    assert requests.get(link["url"], timeout=30).content.startswith(b"%PDF-")

    # The practitioner writes against the new framework from now on; a second move is refused.
    old_id = c.practitioner.api.put(
        f"/api/journeys/{journey_id}/claim", {"narratives": {"5.4": "x"}}, expect=422
    )
    assert "5.4 is not part" in old_id["message"]
    c.practitioner.api.put(f"/api/journeys/{journey_id}/claim", {"narratives": {"2.1": "Contracted."}})
    again = c.lead.api.post(path, {"framework_key": NEW}, expect=422)
    assert "already on" in again["message"]


def test_a_submitted_claim_is_never_moved(local_stack: LocalStack) -> None:
    c = scenario.cast(local_stack)
    journey_id = scenario.to_claim_development(c)
    scenario.build_claim(c, journey_id)
    scenario.wait_claim_complete(c, journey_id, timeout=60)
    scenario.submit(c, journey_id)
    refused = c.lead.api.post(f"/api/journeys/{journey_id}/framework", {"framework_key": NEW}, expect=409)
    assert "submitted claim never is" in refused["message"]
    status = c.lead.api.journey(journey_id)
    assert status["journey"]["framework_key"] == "nw-cipd-combined@1.0"
    assert not [e for e in status["history"] if e["action"] == "moved claim to another framework"]


def test_the_lead_confirms_the_move_on_a_page_that_works_without_javascript(local_stack: LocalStack) -> None:
    c = scenario.cast(local_stack)
    journey_id, _ = _partial_claim(c)
    base = local_stack.base_url
    browser = web_session(base, c.lead.email, scenario.PASSWORD)

    cohort = browser.get(f"{base}/lead/cohorts/{c.cohort_id}", timeout=30).text
    assert f"/lead/journeys/{journey_id}/framework" in cohort
    assert "Move to another framework" in cohort
    confirm = browser.get(f"{base}/lead/journeys/{journey_id}/framework", timeout=30)
    assert confirm.status_code == 200
    assert "What moves where" in confirm.text
    assert "Elements left uncovered" in confirm.text
    assert "2.1 Entry and contracting: a narrative and evidence" in confirm.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', confirm.text)
    assert token
    # Nothing moves until the lead confirms.
    assert c.lead.api.journey(journey_id)["journey"]["framework_key"] == "nw-cipd-combined@1.0"

    done = browser.post(
        f"{base}/lead/journeys/{journey_id}/framework",
        data={"csrf_token": token.group(1), "framework_key": NEW},
        allow_redirects=False,
        timeout=30,
    )
    assert done.status_code == 303, done.text[:300]
    assert done.headers["Location"].endswith(f"/lead/journeys/{journey_id}?done=moved")
    assert c.lead.api.journey(journey_id)["journey"]["framework_key"] == NEW
    twice = browser.post(
        f"{base}/lead/journeys/{journey_id}/framework",
        data={"csrf_token": token.group(1), "framework_key": NEW},
        allow_redirects=False,
        timeout=30,
    )
    assert twice.status_code == 303  # a second click is told it is done, and moves nothing again
    assert twice.headers["Location"].endswith(f"/lead/journeys/{journey_id}?done=already-moved")
    moves = [e for e in c.lead.api.journey(journey_id)["history"] if e["action"].startswith("moved claim")]
    assert len(moves) == 1
    after = browser.get(f"{base}/lead/journeys/{journey_id}/framework", timeout=30).text
    assert "no crosswalk from this claim" in after


def test_anyone_reads_the_crosswalks_from_a_framework(local_stack: LocalStack) -> None:
    base = local_stack.base_url
    found = requests.get(f"{base}/api/public/frameworks/nw-cipd-combined@1.0/crosswalks", timeout=30)
    assert found.status_code == 200
    (walk,) = found.json()["crosswalks"]
    assert (walk["from"], walk["to"]) == ("nw-cipd-combined@1.0", NEW)
    assert {"from": "1.1", "to": ["2.2", "3.1"]}.items() <= walk["mappings"][0].items()
    assert requests.get(f"{base}/api/public/frameworks/{NEW}/crosswalks", timeout=30).json() == {
        "crosswalks": []
    }
    assert requests.get(f"{base}/api/public/frameworks/none@1.0/crosswalks", timeout=30).status_code == 404


def test_a_narrative_saved_while_the_move_is_worked_out_is_carried_not_lost(
    local_stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The move writes the claim only if it is still the version it read: a practitioner's save landing
    between the lead's read and write sends the move back to read again, and the new words move too."""
    from odvalidation.domain.access import Caller
    from odvalidation.domain.models import Role
    from odvalidation.services import crosswalks

    c = scenario.cast(local_stack)
    journey_id, _ = _partial_claim(c)
    real = crosswalks.move_claim
    calls: list[int] = []

    def racing(*args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) == 1:  # the practitioner saves just after the lead's first read
            c.practitioner.api.put(
                f"/api/journeys/{journey_id}/claim", {"narratives": {"5.3": "Late words."}}
            )
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(crosswalks, "move_claim", racing)
    lead = Caller(id=c.lead.id, roles=frozenset({Role.ACADEMY_LEAD}), academy_id=c.academy)
    crosswalks.move(lead, journey_id, NEW)
    assert len(calls) == 2  # read again after the conditional write found the claim changed
    narratives = c.practitioner.api.journey(journey_id)["claim"]["narratives"]
    assert narratives["1.3"] == "Late words."  # 5.3 Use of self -> 1.3 Self as instrument


def test_an_upload_form_opened_before_the_move_does_not_land_on_the_new_framework(
    local_stack: LocalStack,
) -> None:
    """Element ids repeat across frameworks: a plain-HTML upload form opened for old 1.1 (reading the
    wider system) and used after the move must not put its file on new 1.1 (applying OD theory)."""
    c = scenario.cast(local_stack)
    journey_id, _ = _partial_claim(c)
    base = local_stack.base_url
    practitioner = web_session(base, c.practitioner.email, scenario.PASSWORD)
    page = practitioner.get(f"{base}/journeys/{journey_id}/claim/1.1/upload", timeout=30)
    page.raise_for_status()
    scenario.move_framework(c, journey_id, NEW)

    action = re.search(r'<form action="([^"]+)" method="post" enctype', page.text)
    assert action
    form = page.text[action.start() : page.text.index("</form>", action.start())]
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form))
    fields = {k: v.replace("&amp;", "&").replace("&#34;", '"') for k, v in fields.items()}
    posted = requests.post(
        action.group(1).replace("&amp;", "&"),
        data=fields,
        files={"file": ("late.pdf", scenario.PDF, "application/pdf")},
        allow_redirects=False,
        timeout=30,
    )
    assert posted.status_code in (200, 201, 204, 303), posted.text[:300]
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        names = [e["display_name"] for e in c.practitioner.api.journey(journey_id)["evidence"]]
        assert "late.pdf" not in names, "a file for the old framework's element landed on the new one"
        time.sleep(0.3)
