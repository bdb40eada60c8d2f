"""Confirmation pages (the NHS confirmation page pattern) after the practitioner's two big decisions:
submitting their claim, and deciding when to claim (step 3). Each says what was done, what happens next
and what the person can do now; the emails they mention are sent by services.confirmations and the
workflow.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from ..domain import access
from ..domain.models import Readiness
from ..services import journeys as js
from .pages import domain_caller, long_date
from .request import page, redirect, require_caller

router: Router = Router()


def me() -> access.Caller:
    return domain_caller(require_caller())


@router.get("/journeys/<journey_id>/submitted")
def submitted(journey_id: str) -> Response:
    """The confirmation after submitting: what happens next, and the email that says so."""
    caller = me()
    journey = js.load_for(caller, journey_id)
    access.check_owner(caller, journey)
    claim = js.claim(journey)
    if claim is None or claim.submitted_at is None:  # nothing submitted: nothing to confirm
        return redirect(f"/journeys/{journey_id}")
    return page(
        "practitioner/confirmation.html",
        page_title="Claim submitted",
        panel_title="Claim submitted",
        panel_body="We have received your claim of system OD practice.",
        next_steps=[
            f"We have sent a confirmation to {caller.email}.",
            "We are choosing a panel of peers and experts with no conflict of interest. We will email you "
            "when your panel is ready. Its members review your evidence, then your academy invites you to "
            "the developmental interview.",
            "You cannot change your claim now.",
        ],
        links=[
            ["See your journey and your claim", f"/journeys/{journey_id}"],
            ["Go to your home page", "/home"],
        ],
    )


DECIDED: dict[Readiness, dict[str, Any]] = {
    Readiness.READY_NOW: {
        "panel_body": "You are ready to make your claim.",
        "next_steps": [
            "Your claim is open now. Choose the level you are claiming, then give a narrative and evidence "
            "for each element of the framework. You have six months; we will remind you before the deadline.",
            "You can name a supporter, who can read your draft and comment on it.",
        ],
        "first_link": ["Start building your claim", "/claim"],
    },
    Readiness.READY_LATER: {
        "panel_body": "You will be ready in 12 to 18 months.",
        "next_steps": ["We will email you on {reengage} to decide again. Nothing is lost in the meantime."],
        "first_link": None,
    },
    Readiness.FURTHER_DEVELOPMENT: {
        "panel_body": "You are considering further development first.",
        "next_steps": [
            "We have emailed you ways to develop your system OD practice. No claim is open and no deadline "
            "is running.",
            "When you are ready, decide again from your journey page: step 3 opens again and you can choose "
            "to make a claim now or in 12 to 18 months. You can also join a later cohort of your academy.",
        ],
        "first_link": None,
    },
}


@router.get("/journeys/<journey_id>/decided")
def decided(journey_id: str) -> Response:
    """The confirmation after the decision (step 3): what was decided and what happens next."""
    caller = me()
    journey = js.load_for(caller, journey_id)
    access.check_owner(caller, journey)
    if journey.readiness is None:
        return redirect(f"/journeys/{journey_id}")
    shown = DECIDED[journey.readiness]
    reengage = long_date(journey.reengage_on) or "the date you chose"
    # Only "ready now" has a first link (the claim): the other two choices have nothing to open yet.
    first = shown["first_link"]
    links = [[first[0], f"/journeys/{journey_id}{first[1]}"]] if first else []
    return page(
        "practitioner/confirmation.html",
        page_title="Decision recorded",
        panel_title="Decision recorded",
        panel_body=shown["panel_body"],
        next_steps=[p.format(reengage=reengage) for p in shown["next_steps"]],
        links=[*links, ["See your journey", f"/journeys/{journey_id}"], ["Go to your home page", "/home"]],
    )
