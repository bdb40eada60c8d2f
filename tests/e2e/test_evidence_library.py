"""Issue 16.6 through the public HTTP API with real Cognito tokens on the local stack: a file uploaded
once (the POST-policy grant) is linked to several elements with PATCH (no second upload), the library
lists it with the elements still missing, the supporter reads it and may not change it, another
practitioner cannot see it, bad links are refused (422) with a message a person can act on, one file
completes the claim, and nothing changes after submission. Every change is in the audit trail."""

from __future__ import annotations

import time

import pytest

from local import scenario
from local.client import ApiError
from local.stack import LocalStack
from odvalidation.domain.frameworks import framework
from odvalidation.domain.models import Level

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]


def _refused(call: object, status: int) -> str:
    with pytest.raises(ApiError) as raised:
        call()  # type: ignore[operator]
    assert raised.value.status == status, raised.value.body
    return str(raised.value.body.get("message", ""))


def test_one_upload_links_to_every_element_and_completes_the_claim(local_stack: LocalStack) -> None:
    c = scenario.cast(local_stack, framework_key="global-practice@1.0")
    journey_id = scenario.to_claim_development(c)
    api = c.practitioner.api
    api.wait_step(journey_id, "claim_development")
    elements = [e.id for e in framework(c.framework_key).elements_for(Level.PRACTITIONER)]
    api.put(
        f"/api/journeys/{journey_id}/claim",
        {"level": "system_od_practitioner", "narratives": {e: f"How I work on {e}." for e in elements}},
    )
    supporter = scenario.name_supporter(local_stack, c, journey_id)
    evidence_id = scenario.upload(api, journey_id, elements[0], scenario.PDF, "Stakeholder map.pdf")
    path = f"/api/journeys/{journey_id}/evidence/{evidence_id}"
    library = f"/api/journeys/{journey_id}/evidence"
    deadline = time.monotonic() + 30
    while api.get(library)["items"][0]["status"] != "verified":  # the S3-event check runs on its own
        assert time.monotonic() < deadline, "the file was never checked"
        time.sleep(api.poll_every)

    before = api.get(library)
    assert [i["id"] for i in before["items"]] == [evidence_id]
    assert before["items"][0]["element_ids"] == [elements[0]]
    assert before["missing"] == elements[1:]
    assert before["editable"] is True

    # Linked to every element, titled and described: the same item, the same file, no upload.
    item = api.call(
        "PATCH",
        path,
        {"element_ids": elements, "title": "Stakeholder map", "description": "Who shapes whom."},
    )
    assert (item["id"], item["element_ids"], item["title"]) == (evidence_id, elements, "Stakeholder map")
    after = api.get(library)
    assert after["missing"] == []
    assert len(after["items"]) == 1
    assert api.journey(journey_id)["completeness"]["complete"] is True

    # The supporter reads the library and opens the file; only the practitioner changes it.
    assert supporter.api.get(library)["items"][0]["title"] == "Stakeholder map"
    assert supporter.api.get(f"{path}/link")["url"]
    _refused(lambda: supporter.api.call("PATCH", path, {"title": "Mine"}), 404)
    # Another practitioner is told nothing exists.
    other = scenario.cast(local_stack, join=c)
    _refused(lambda: other.practitioner.api.get(library), 404)
    _refused(lambda: other.practitioner.api.call("PATCH", path, {"element_ids": []}), 404)

    # Bad input: 422 with a message a person can act on, and nothing changed.
    assert "9.9 is not part of the" in _refused(
        lambda: api.call("PATCH", path, {"element_ids": ["9.9"]}), 422
    )
    leader_only = next(
        e.id for e in framework(c.framework_key).elements if Level.PRACTITIONER not in e.levels
    )
    assert "level claimed" in _refused(lambda: api.call("PATCH", path, {"element_ids": [leader_only]}), 422)
    assert "nothing to change" in _refused(lambda: api.call("PATCH", path, {}), 422)
    _refused(lambda: api.call("PATCH", path, {"element_ids": ["one"]}), 422)
    _refused(lambda: api.call("PATCH", f"/api/journeys/{journey_id}/evidence/enothere", {"title": "x"}), 404)
    assert api.get(library)["items"][0]["element_ids"] == elements

    trail = [(e["action"], e.get("reason")) for e in api.journey(journey_id)["history"]]
    assert ("linked evidence", f"elements {', '.join(elements[1:])}: Stakeholder map") in trail
    assert ("described evidence", "Stakeholder map") in trail

    # Submitted: the library is read as it was, and no link changes.
    scenario.submit(c, journey_id)
    api.wait_step(journey_id, "panel_review")
    message = _refused(lambda: api.call("PATCH", path, {"element_ids": [elements[0]]}), 409)
    assert "claim" in message
    frozen = api.get(library)
    assert frozen["editable"] is False
    assert frozen["items"][0]["element_ids"] == elements
