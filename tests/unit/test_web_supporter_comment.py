"""A supporter comments on the draft claim: the drop-down offers the claim's own elements only (a browser
walk found elements 3.1 and 3.2 offered on a practitioner-level claim, which has none of them)."""

from __future__ import annotations

import re
from typing import Any

from odvalidation.domain.frameworks import framework
from odvalidation.domain.models import Level
from odvalidation.services.common import db
from tests.unit.test_web_practitioner import in_claim_development, sign_in
from tests.unit.test_web_practitioner import web as web  # the fixture, shared


def _options(body: str) -> list[str]:
    select = body.split('name="element_id"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option value="([^"]*)"', select)


def test_the_supporters_comment_offers_only_the_elements_of_the_level_claimed(
    web: dict[str, Any],
) -> None:
    browser, _, journey_id = in_claim_development(web)
    supporter, _ = sign_in(web, "sam.supporter@nhs.net", "Sam Okoro", groups=("supporter",))
    token = browser.get(f"/journeys/{journey_id}/claim").csrf_token()
    browser.post(f"/journeys/{journey_id}/level", {"csrf_token": token, "level": "system_od_practitioner"})
    assert (
        browser.post(
            f"/journeys/{journey_id}/supporter",
            {"csrf_token": token, "supporter_email": "sam.supporter@nhs.net"},
        ).status
        == 303
    )
    offered = _options(supporter.get(f"/journeys/{journey_id}").body)

    key = db().journey(journey_id).framework_key
    claimed = [e.id for e in framework(key).elements_for(Level.PRACTITIONER)]
    everything = [e.id for e in framework(key).elements]
    assert set(claimed) < set(everything)  # the level claimed has fewer elements than the framework
    assert offered == ["", *claimed]

    # A comment on an element outside the claim is refused for every client, not only left off the list.
    outside = next(e for e in everything if e not in claimed)
    token = supporter.get(f"/journeys/{journey_id}").csrf_token()
    refused = supporter.post(
        f"/journeys/{journey_id}/comments",
        {"csrf_token": token, "element_id": outside, "text": "Add more here."},
    )
    assert refused.status == 409  # as the page answers every refusal of a comment
    assert f"Element {outside} is not part of this claim" in refused.body
    assert "Add more here." in refused.body  # what they wrote is kept to send again
