"""Supporters comment on drafts: the named supporter comments while the claim is developed, the
practitioner reads the comments, no one else does, and an erasure takes them with the claim."""

from __future__ import annotations

import re
from typing import Any

import pytest

from local import scenario
from local.stack import LocalStack
from odvalidation.domain.frameworks import framework
from tests.e2e.security_support import web_session

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]


def test_the_named_supporter_comments_and_the_practitioner_reads_it(local_stack: LocalStack) -> None:
    c = scenario.cast(local_stack)
    journey_id = scenario.to_claim_development(c)
    c.practitioner.api.wait_step(journey_id, "claim_development")
    supporter = scenario.name_supporter(local_stack, c, journey_id)
    element = framework(c.framework_key).elements[0].id
    path = f"/api/journeys/{journey_id}/comments"

    on_element = supporter.api.post(path, {"element_id": element, "text": "  Say more about the system.  "})
    assert on_element["element_id"] == element
    assert on_element["text"] == "Say more about the system."
    assert on_element["author_id"] == supporter.id
    whole = supporter.api.post(path, {"text": "A strong start overall."})
    assert whole["element_id"] is None
    # Sent again (a second click): stored once, the first answer returned.
    assert supporter.api.post(path, {"text": "A strong start overall."}) == whole

    seen = c.practitioner.api.get(path)["comments"]
    assert [x["text"] for x in seen] == ["Say more about the system.", "A strong start overall."]
    assert supporter.api.get(path)["comments"] == seen

    # The practitioner does not comment on their own claim; the lead reads the journey, not the comments.
    refused = c.practitioner.api.post(path, {"text": "Me too."}, expect=403)
    assert "Only the supporter" in refused["message"]
    assert "Only the practitioner and their supporter" in c.lead.api.get(path, expect=403)["message"]
    stranger = scenario.cast(local_stack).practitioner
    stranger.api.get(path, expect=404)
    unknown = supporter.api.post(path, {"element_id": "99.9", "text": "Where?"}, expect=422)
    assert "Element 99.9 is not part of this claim" in unknown["message"]
    supporter.api.post(path, {"text": ""}, expect=422)


def test_comments_close_with_the_draft_and_go_with_an_erasure(local_stack: LocalStack) -> None:
    c = scenario.cast(local_stack)
    journey_id = scenario.to_claim_development(c)
    c.practitioner.api.wait_step(journey_id, "claim_development")
    supporter = scenario.name_supporter(local_stack, c, journey_id)
    path = f"/api/journeys/{journey_id}/comments"
    supporter.api.post(path, {"text": "Check the evidence for 2.1."})

    c.practitioner.api.post(f"/api/journeys/{journey_id}/withdrawal", {"reason": "not now"})
    c.practitioner.api.wait_stage(journey_id, "withdrawn")
    late = supporter.api.post(path, {"text": "One more thing."}, expect=409)
    assert "while the claim is being developed" in late["message"]

    c.practitioner.api.post("/api/me/erasure", {"confirm": True})
    table = local_stack.deployed.global_environment["TABLE_NAME"]
    left = local_stack.client("dynamodb").query(
        TableName=table,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :c)",
        ExpressionAttributeValues={":pk": {"S": f"JOURNEY#{journey_id}"}, ":c": {"S": "COMMENT#"}},
    )
    assert left["Items"] == []


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def test_the_supporter_comments_in_the_browser_and_the_practitioner_sees_it(local_stack: LocalStack) -> None:
    c = scenario.cast(local_stack)
    journey_id = scenario.to_claim_development(c)
    c.practitioner.api.wait_step(journey_id, "claim_development")
    supporter = scenario.name_supporter(local_stack, c, journey_id)
    element = framework(c.framework_key).elements[0]
    base = local_stack.base_url
    browser = web_session(base, supporter.email, scenario.PASSWORD)

    page = browser.get(f"{base}/journeys/{journey_id}", timeout=30)
    assert "Your comments on the draft" in page.text
    assert "You have not commented yet." in page.text

    def send(text: str) -> Any:
        return browser.post(
            f"{base}/journeys/{journey_id}/comments",
            data={"csrf_token": _csrf(page.text), "element_id": element.id, "text": text},
            allow_redirects=False,
            timeout=30,
        )

    empty = send("  ")
    assert empty.status_code == 400
    assert "Enter your comment" in empty.text
    sent = send("Name the system partners.")
    assert sent.status_code in (302, 303), sent.text[:300]
    assert "done=commented" in sent.headers["Location"]

    practitioner = web_session(base, c.practitioner.email, scenario.PASSWORD)
    status = practitioner.get(f"{base}/journeys/{journey_id}", timeout=30).text
    assert "Comments from your supporter" in status
    assert "Name the system partners." in status
    assert f"Element {element.id}" in status
    on_element = practitioner.get(f"{base}/journeys/{journey_id}/claim/{element.id}", timeout=30).text
    assert (
        "Your supporter&#39;s comments on this element" in on_element
        or "Your supporter's comments" in on_element
    )
    assert "Name the system partners." in on_element
    # No form for the practitioner: only the supporter comments.
    assert f'action="/journeys/{journey_id}/comments"' not in status
