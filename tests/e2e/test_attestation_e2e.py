"""Stakeholder attestation through the local stack (issue 18.2): the practitioner asks a named leader
to confirm one piece of evidence; the leader, without an account, opens the emailed link, reads only
that file and the request, and confirms; the panel sees the evidence marked with who attested it and
when. A replayed, raced, withdrawn or tampered link is refused with a page that says so, and a link
that is not genuine shows nothing at all."""

from __future__ import annotations

import re
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from local import scenario
from local.stack import LocalStack
from odvalidation.domain.frameworks import framework
from tests.e2e.security_support import web_session

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]

LINK = re.compile(r"(https?://\S+/attest\?token=[A-Za-z0-9._-]+)")


@dataclass
class Claim:
    c: scenario.Cast
    journey_id: str
    marker: str  # in element 1's narrative: the leader must never see it
    evidence: list[dict[str, Any]]  # verified items, in element order


@pytest.fixture
def claim(local_stack: LocalStack) -> Claim:
    c = scenario.cast(local_stack)
    journey_id = scenario.to_claim_development(c)
    scenario.build_claim(c, journey_id)
    marker = f"NARRATIVE-{secrets.token_hex(4)}-for-the-panel-only"
    first = framework(c.framework_key).elements[0].id
    c.practitioner.api.put(f"/api/journeys/{journey_id}/claim", {"narratives": {first: marker}})
    status = scenario.wait_claim_complete(c, journey_id)
    return Claim(c, journey_id, marker, status["evidence"])


def _ask(
    local_stack: LocalStack, claim: Claim, item: dict[str, Any], who: str
) -> tuple[dict[str, Any], str, str]:
    """Ask a new leader about one item; returns the record, the leader's address and their link."""
    email = f"{who}.{secrets.token_hex(3)}@leaders.example.nhs.uk"
    record = claim.c.practitioner.api.post(
        f"/api/journeys/{claim.journey_id}/attestations",
        {
            "evidence_id": item["id"],
            "name": f"{who.title()} Leader",
            "email": email,
            "role": "Director of Strategy, Northshire ICB",
            "message": "Please confirm we ran the system-wide listening programme together in 2025.",
        },
    )
    local_stack.wait_for_email(email, "asks you to confirm")
    mail = next(m for m in reversed(local_stack.sent_emails()) if email in m.to)
    found = LINK.search(mail.body)
    assert found, mail.body
    return record, email, found.group(1)


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def _answer(
    session: requests.Session, base: str, token: str, page: str, decision: str, comment: str = ""
) -> requests.Response:
    return session.post(
        f"{base}/attest",
        data={"csrf_token": _csrf(page), "token": token, "decision": decision, "comment": comment},
        allow_redirects=False,
        timeout=30,
    )


def _token(link: str) -> str:
    return link.split("token=", 1)[1]


def test_a_leader_confirms_evidence_without_an_account_and_the_panel_sees_it_attested(
    local_stack: LocalStack, claim: Claim, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    base = local_stack.base_url
    item, other = claim.evidence[0], claim.evidence[1]
    record, _email, link = _ask(local_stack, claim, item, "amara")
    assert record["status"] == "requested"
    assert "nonce_hash" not in record
    assert "token" not in str(record)

    leader = requests.Session()  # no account, no sign-in
    page = leader.get(link, timeout=30)
    assert page.status_code == 200, page.text[:300]
    assert item["display_name"] in page.text
    assert "listening programme" in page.text
    assert claim.c.practitioner.name in page.text
    # Nothing else of the claim: not the narrative, not the other evidence, not the journey's pages.
    assert claim.marker not in page.text
    assert other["display_name"] not in page.text
    assert f"/journeys/{claim.journey_id}" not in page.text
    assert page.headers["Cache-Control"] == "no-store"

    opened = leader.get(f"{base}/attest/file?token={_token(link)}", allow_redirects=False, timeout=30)
    assert opened.status_code == 303
    assert requests.get(opened.headers["Location"], timeout=30).content.startswith(b"%PDF-")

    must_say_why = _answer(leader, base, _token(link), page.text, "decline")
    assert must_say_why.status_code == 400
    assert "Say why" in must_say_why.text
    done = _answer(leader, base, _token(link), page.text, "confirm", "We co-led it; the report is accurate.")
    assert done.status_code == 200, done.text[:300]
    assert "Your answer has been sent" in done.text

    # Single use: the same link again (a replay, a second tab) is told it was used.
    again = _answer(leader, base, _token(link), page.text, "decline", "Changed my mind.")
    assert again.status_code == 409
    assert "already been used" in again.text
    assert leader.get(link, timeout=30).status_code == 409

    local_stack.wait_for_email(claim.c.practitioner.email, "has confirmed your evidence")
    listed = claim.c.practitioner.api.get(f"/api/journeys/{claim.journey_id}/attestations")["attestations"]
    mine = next(a for a in listed if a["id"] == record["id"])
    assert mine["status"] == "confirmed"
    assert mine["comment"] == "We co-led it; the report is accurate."
    actions = [e["action"] for e in claim.c.practitioner.api.journey(claim.journey_id)["history"]]
    assert {
        "asked for evidence to be attested",
        "attester opened evidence",
        "attester confirmed evidence",
    } <= set(actions)

    # The practitioner's page lists it; the lead's journey page and the panel's review page mark it.
    me = web_session(base, claim.c.practitioner.email, scenario.PASSWORD)
    mine_page = me.get(f"{base}/journeys/{claim.journey_id}/attestations", timeout=30).text
    assert "Amara Leader" in mine_page
    assert "Confirmed" in mine_page
    lead = web_session(base, claim.c.lead.email, scenario.PASSWORD)
    lead_page = lead.get(f"{base}/lead/journeys/{claim.journey_id}", timeout=30).text
    assert "Attested by Amara Leader, Director of Strategy, Northshire ICB" in lead_page

    scenario.submit(claim.c, claim.journey_id)
    claim.c.practitioner.api.wait_step(claim.journey_id, "panel_review")
    seats = claim.c.lead.api.get(f"/api/journeys/{claim.journey_id}/panel")["seats"]
    members = {**scenario.PANEL, **{m.id: m for m in claim.c.panel}}
    chair = members[next(s["member_id"] for s in seats if s["chair"])]
    chair.api.post(f"/api/journeys/{claim.journey_id}/panel/declaration", {"conflict": False})
    panel = web_session(base, chair.email, scenario.PASSWORD)
    review = panel.get(f"{base}/panel/{claim.journey_id}/review", timeout=30).text
    assert "Attested by Amara Leader, Director of Strategy, Northshire ICB" in review
    assert review.count("Attested by") == 1  # only the confirmed item

    # The link is in the leader's email and nowhere else: no log line carries it, even of a refused form.
    leader.post(f"{base}/attest", data={"token": _token(link), "decision": "confirm"}, timeout=30)
    out, err = capfd.readouterr()
    assert _token(link) not in caplog.text + out + err


def test_withdrawn_raced_and_forged_links_are_refused(local_stack: LocalStack, claim: Claim) -> None:
    base = local_stack.base_url
    _, _, link = _ask(local_stack, claim, claim.evidence[1], "ben")
    opener = requests.Session()  # opens the page, then answers after the request was withdrawn
    page = opener.get(link, timeout=30)
    assert page.status_code == 200
    record, _, raced = _ask(local_stack, claim, claim.evidence[2], "cleo")

    # Two answers at once (two tabs, a double click): exactly one wins, the other is told it was used.
    sessions = [requests.Session(), requests.Session()]
    pages = [s.get(raced, timeout=30).text for s in sessions]
    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(
            pool.map(lambda i: _answer(sessions[i], base, _token(raced), pages[i], "confirm"), range(2))
        )
    assert sorted(a.status_code for a in answers) == [200, 409], [a.text[:200] for a in answers]

    # Withdrawn by the practitioner: the leader's page says so, and an answer is refused.
    ben = next(
        a
        for a in claim.c.practitioner.api.get(f"/api/journeys/{claim.journey_id}/attestations")[
            "attestations"
        ]
        if a["attester_name"] == "Ben Leader"
    )
    withdrawn = claim.c.practitioner.api.post(
        f"/api/journeys/{claim.journey_id}/attestations/{ben['id']}/withdrawal", None
    )
    assert withdrawn["status"] == "withdrawn"
    gone = requests.get(link, timeout=30)
    assert gone.status_code == 410
    assert "withdrawn" in gone.text
    late = _answer(opener, base, _token(link), page.text, "confirm")
    assert late.status_code == 410
    # An answered request cannot be withdrawn.
    claim.c.practitioner.api.post(
        f"/api/journeys/{claim.journey_id}/attestations/{record['id']}/withdrawal", None, expect=409
    )

    # Not genuine: tampered, truncated, absent. Nothing of the request is shown; the file is not served.
    token = _token(link)
    forged = [token[:-1] + ("A" if token[-1] != "A" else "B"), token.rsplit(".", 1)[0], "", "a1.x.y.z.1.sig"]
    for bad in forged:
        for path in ("/attest", "/attest/file"):
            answer = requests.get(f"{base}{path}?token={bad}", allow_redirects=False, timeout=30)
            assert answer.status_code == 404, (bad, path, answer.status_code)
            assert claim.evidence[1]["display_name"] not in answer.text
            assert "Location" not in answer.headers


def test_only_the_practitioner_asks_and_only_they_and_their_supporter_read(
    local_stack: LocalStack, claim: Claim
) -> None:
    base = local_stack.base_url
    path = f"/api/journeys/{claim.journey_id}/attestations"
    body = {
        "evidence_id": claim.evidence[0]["id"],
        "name": "Someone",
        "email": "someone@example.nhs.uk",
        "role": "A role",
        "message": "Confirm this.",
    }
    stranger = scenario.cast(local_stack).practitioner
    stranger.api.get(path, expect=404)
    stranger.api.post(path, body, expect=404)
    assert "Only the practitioner and their supporter" in claim.c.lead.api.get(path, expect=403)["message"]
    claim.c.lead.api.post(path, body, expect=403)
    bad = claim.c.practitioner.api.post(path, {**body, "email": "not an address"}, expect=422)
    assert "email" in str(bad)
    # The web page refuses a stranger without naming anything.
    stranger_web = web_session(base, stranger.email, scenario.PASSWORD)
    assert stranger_web.get(f"{base}/journeys/{claim.journey_id}/attestations", timeout=30).status_code == 404
    me = web_session(base, claim.c.practitioner.email, scenario.PASSWORD)
    page = me.get(f"{base}/journeys/{claim.journey_id}/attestations", timeout=30)
    assert page.status_code == 200

    # The practitioner asks on the page: each missing answer named, then sent, then withdrawn.
    form = {"csrf_token": _csrf(page.text), "evidence_id": claim.evidence[0]["id"], "email": "nope"}
    refused = me.post(f"{base}/journeys/{claim.journey_id}/attestations", data=form, timeout=30)
    assert refused.status_code == 400
    for message in (
        "Enter the leader&#39;s full name",
        "Enter the leader&#39;s email address",
        "role and organisation",
    ):
        assert message in refused.text
    email = f"dana.{secrets.token_hex(3)}@leaders.example.nhs.uk"
    form |= {
        "name": "Dana Leader",
        "email": email,
        "role": "Chair, Vale Partnership",
        "message": "Confirm it.",
    }
    sent = me.post(
        f"{base}/journeys/{claim.journey_id}/attestations", data=form, allow_redirects=False, timeout=30
    )
    assert sent.status_code == 303
    assert sent.headers["Location"].endswith("/attestations?sent=1")
    local_stack.wait_for_email(email, "asks you to confirm")
    listed = me.get(f"{base}/journeys/{claim.journey_id}/attestations?sent=1", timeout=30).text
    assert "Your request has been sent" in listed
    assert "Dana Leader, Chair, Vale Partnership" in listed
    dana = next(
        a for a in claim.c.practitioner.api.get(path)["attestations"] if a["attester_name"] == "Dana Leader"
    )
    withdrawn = me.post(
        f"{base}/journeys/{claim.journey_id}/attestations/{dana['id']}/withdraw",
        data={"csrf_token": _csrf(listed)},
        allow_redirects=False,
        timeout=30,
    )
    assert withdrawn.status_code == 303
    assert "Withdrawn" in me.get(f"{base}/journeys/{claim.journey_id}/attestations", timeout=30).text
    # The supporter reads the list, without the form or the buttons.
    supporter = scenario.name_supporter(local_stack, claim.c, claim.journey_id)
    theirs = web_session(base, supporter.email, scenario.PASSWORD)
    read = theirs.get(f"{base}/journeys/{claim.journey_id}/attestations", timeout=30)
    assert read.status_code == 200
    assert "Dana Leader" in read.text
    assert "Send the request" not in read.text
    assert "/withdraw" not in read.text
    seen = supporter.api.get(path)["attestations"]
    assert seen
    assert all(a["attester_email"] is None for a in seen)  # the leaders' addresses are the practitioner's

    # An erasure takes the requests with the claim (they name the leaders and hold their words).
    claim.c.practitioner.api.post(f"/api/journeys/{claim.journey_id}/withdrawal", {"reason": "not now"})
    claim.c.practitioner.api.wait_stage(claim.journey_id, "withdrawn")
    claim.c.practitioner.api.post("/api/me/erasure", {"confirm": True})
    table = local_stack.deployed.global_environment["TABLE_NAME"]
    left = local_stack.client("dynamodb").query(
        TableName=table,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :a)",
        ExpressionAttributeValues={":pk": {"S": f"JOURNEY#{claim.journey_id}"}, ":a": {"S": "ATTEST#"}},
    )
    assert left["Items"] == []


def _links_to(local_stack: LocalStack, email: str) -> list[str]:
    return [
        found.group(1)
        for m in local_stack.sent_emails()
        if email in m.to and (found := LINK.search(m.body)) is not None
    ]


def test_a_request_sent_again_gets_a_new_link_and_the_old_one_says_a_newer_was_sent(
    local_stack: LocalStack, claim: Claim
) -> None:
    """The email went astray or the link expired: the practitioner sends the request again. The leader
    gets a new link; the old one now says a newer one was sent (not "not found", not answerable); a
    repeat at once sends nothing more; and a request goes out at most three times in all."""
    base = local_stack.base_url
    api = claim.c.practitioner.api
    record, email, first = _ask(local_stack, claim, claim.evidence[3], "dara")
    path = f"/api/journeys/{claim.journey_id}/attestations/{record['id']}/emails"
    opener = requests.Session()  # has the first link's page open while the request is sent again
    opened = opener.get(first, timeout=30)
    assert opened.status_code == 200

    again = api.post(path, None)
    assert again["sends"] == 2
    assert again["status"] == "requested"
    links = _links_to(local_stack, email)  # sent before the answer came back, as the first was
    assert len(links) == 2
    second = links[-1]
    assert second != first
    assert api.post(path, None)["sends"] == 2  # a repeat (a double click): no third email
    assert len(_links_to(local_stack, email)) == 2

    old = requests.get(first, timeout=30)
    assert old.status_code == 410
    assert "A newer link was sent" in old.text
    assert claim.evidence[3]["display_name"] not in old.text
    assert _answer(opener, base, _token(first), opened.text, "confirm").status_code == 410

    local_stack.advance_clock(minutes=3)
    assert api.post(path, None)["sends"] == 3
    local_stack.advance_clock(minutes=3)
    refused = api.post(path, None, expect=409)
    assert "sent 3 times" in refused["message"]
    third = _links_to(local_stack, email)[-1]
    assert requests.get(second, timeout=30).status_code == 410  # replaced in its turn

    # The newest link works, once.
    session = requests.Session()
    page = session.get(third, timeout=30)
    assert page.status_code == 200
    assert _answer(session, base, _token(third), page.text, "confirm").status_code == 200
    answered = api.get(f"/api/journeys/{claim.journey_id}/attestations")["attestations"]
    assert next(a for a in answered if a["id"] == record["id"])["status"] == "confirmed"
    api.post(path, None, expect=409)  # answered: nothing to send again
    history = api.journey(claim.journey_id)["history"]
    assert sum(1 for e in history if e["action"] == "sent an attestation request again") == 2
