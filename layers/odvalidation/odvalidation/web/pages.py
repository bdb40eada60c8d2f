"""What the pages show, apart from how they are routed: the seams other parts of the product fill in."""

from __future__ import annotations

from typing import Any

from ..domain.academies import ACADEMIES
from ..domain.models import Role
from .security import Caller

ROLE_NAMES = {
    Role.PRACTITIONER: "Practitioner",
    Role.SUPPORTER: "Supporter",
    Role.PANEL: "Panel member",
    Role.ACADEMY_LEAD: "Academy lead",
    Role.NATIONAL_LEAD: "National lead",
}

STEPS = (
    "Reflection",
    "Workshop",
    "Decision",
    "Claim development",
    "Submission and panel review",
    "Validation interview",
)


def academy_name(academy_id: str | None) -> str:
    return next((a.name for a in ACADEMIES if a.id == academy_id), "Not given")


def role_names(caller: Caller) -> list[str]:
    return [ROLE_NAMES[r] for r in Role if r in caller.roles] or ["No role yet"]


def home_context(caller: Caller) -> dict[str, Any]:
    """The context of home.html for this caller.

    The seam for journey data: replace this (and home.html) to show where the practitioner is among the
    six steps and what is due when. It must return page_title, account_rows and steps.
    """
    return {
        "page_title": "Your account",
        "account_rows": [
            {"key": "Name", "value": caller.name},
            {"key": "Email address", "value": caller.email},
            {"key": "Roles", "value": role_names(caller)},
            {"key": "Local Leadership Academy", "value": academy_name(caller.academy)},
            {"key": "Employer", "value": caller.employer or "Not given"},
        ],
        "steps": [{"name": step, "status": "Cannot start yet"} for step in STEPS],
    }
