"""Certificates over time: expiry reminders, a lighter revalidation that supersedes the old
certificate, and revocation with its reason, date and email."""

from __future__ import annotations

import pytest

from local import scenario
from local.stack import LocalStack
from odvalidation.domain.frameworks import framework

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]


def validated(stack: LocalStack) -> tuple[scenario.Cast, str, str]:
    c = scenario.cast(stack)
    journey_id = scenario.to_claim_development(c)
    scenario.build_claim(c, journey_id, "system_od_practitioner")
    scenario.wait_claim_complete(c, journey_id)
    scenario.submit(c, journey_id)
    scenario.review(c, journey_id, "system_od_practitioner")
    scenario.interview(c, journey_id, "system_od_practitioner")
    done = c.practitioner.api.wait_for(journey_id, lambda j: bool(j["certificate_id"]), what="certificate")
    return c, journey_id, str(done["journey"]["certificate_id"])


def test_renewal_supersedes_the_old_certificate(local_stack: LocalStack) -> None:
    c, journey_id, old = validated(local_stack)
    api = c.practitioner.api
    early = api.post(f"/api/certificates/{old}/revalidation", expect=409)
    assert "Renewal opens 90 days before" in early["message"]

    local_stack.advance_clock(days=3 * 365 - 80)  # inside the 90-day window, before the 30-day one
    reminders = [m.subject for m in local_stack.sent_emails() if c.practitioner.email in m.to]
    assert "Your certificate expires in 90 days" in reminders
    assert "Your certificate expires in 30 days" not in reminders

    api.post(f"/api/certificates/{old}/revalidation")
    api.wait_step(journey_id, "claim_development")
    fw = framework(c.framework_key)
    chosen = [d.elements[0].id for d in fw.domains]
    incomplete = api.post(f"/api/journeys/{journey_id}/submission", expect=422)
    assert "reflection on your practice" in incomplete["message"]
    api.put(
        f"/api/journeys/{journey_id}/claim",
        {
            "elements": chosen,
            "practice_reflection": "Three years leading system OD across two places.",
            "narratives": {e: f"Renewed practice for {e}." for e in chosen},
        },
    )
    wrong_level = api.put(f"/api/journeys/{journey_id}/claim", {"level": "system_od_leader"}, expect=422)
    assert "level you were validated at" in wrong_level["message"]
    for element_id in chosen:
        scenario.upload(api, journey_id, element_id, scenario.PDF, f"renewal {element_id}.pdf")
    status = scenario.wait_claim_complete(c, journey_id)
    assert status["completeness"]["total"] == len(chosen)
    scenario.submit(c, journey_id)

    api.wait_step(journey_id, "panel_review")
    panel = c.lead.api.get(f"/api/journeys/{journey_id}/panel")
    assert len(panel["seats"]) == 1  # one reviewer for a renewal
    assert panel["seats"][0]["kind"] == "expert"
    reviewer = scenario.PANEL[panel["seats"][0]["member_id"]]
    reviewer.api.post(f"/api/journeys/{journey_id}/panel/declaration", {"conflict": False})
    reviewer.api.put(
        f"/api/journeys/{journey_id}/panel/review",
        {
            "judgements": [{"element_id": e, "judgement": "evidenced"} for e in chosen],
            "recommendation": "system_od_practitioner",
        },
    )
    scenario.interview(c, journey_id, "system_od_practitioner")
    renewed = api.wait_for(
        journey_id, lambda j: j["certificate_id"] not in (None, old), what="new certificate"
    )
    new = renewed["journey"]["certificate_id"]

    assert api.get(f"/api/public/certificates/{new}/status")["status"] == "valid"
    assert api.get(f"/api/public/certificates/{old}/status")["status"] == "superseded"
    record = api.get(f"/api/certificates/{new}")["certificate"]
    assert record["supersedes"] == old
    assert record["element_ids"] == chosen
    assert renewed["journey"]["claim_number"] == 2
    # The cohort's figures count the renewal apart (issue 18.6), through the API.
    figures = c.lead.api.get(f"/api/reports/cohorts/{c.cohort_id}")["report"]
    assert (figures["revalidations_started"], figures["renewed"]) == (1, 1)
    assert figures["revalidations_lapsed"] == 0


def test_revocation_is_live_and_the_holder_is_told(local_stack: LocalStack) -> None:
    c, journey_id, certificate = validated(local_stack)
    assert c.practitioner.api.post(
        f"/api/certificates/{certificate}/revocation", {"reason": "Not mine"}, expect=403
    )
    c.lead.api.post(
        f"/api/certificates/{certificate}/revocation", {"reason": "Evidence found to be misattributed"}
    )
    status = c.practitioner.api.get(f"/api/public/certificates/{certificate}/status")
    assert status["status"] == "revoked"
    assert "misattributed" in (status.get("reason") or status.get("revoked_reason") or "")
    assert any(
        m.subject == "Your certificate has been revoked"
        for m in local_stack.sent_emails()
        if c.practitioner.email in m.to
    )
    # Issue 15.5: the journey and the reports stop calling it validated; the revocation is counted apart.
    assert c.practitioner.api.journey(journey_id)["journey"]["certificate_revoked"] is True
    figures = c.lead.api.get(f"/api/reports/cohorts/{c.cohort_id}")["report"]
    assert (figures["validated"], figures["revoked"]) == (0, 1)
