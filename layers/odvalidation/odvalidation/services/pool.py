"""The panel pool in one step (issue 17 item 4): a lead invites a person and adds them to the pool with
one form, so their name, employer and academy are typed once.

The person's account (services.people) and their pool entry (services.panels) are each idempotent: a
retried request finds the account (and only adds the panel role again) and changes the entry it made.
"""

from __future__ import annotations

from pydantic import Field

from ..domain.access import Caller, check_lead
from ..domain.models import Id, MemberKind, Model, Role, ShortText
from ..domain.panels import DateRange, MemberDetails, PanelMember
from ..domain.panels.models import Email, Tag
from ..observability import logger
from . import panels, people


class PoolInvitation(Model):
    """Everything about a new member, as the lead typed it once."""

    email: Email
    name: ShortText
    kind: MemberKind
    employer: ShortText
    academy_id: Id
    line_managers: list[Id] = Field(default_factory=list)
    expertise: list[Tag] = Field(default_factory=list)
    cap: int = Field(ge=0, le=100)
    unavailable: list[DateRange] = Field(default_factory=list)


def invite_to_pool(caller: Caller, entry: PoolInvitation) -> PanelMember:
    """Give the person an account (or the panel role, if they have one) and their place in the pool."""
    check_lead(caller, entry.academy_id)
    entry = entry.model_copy(update={"email": entry.email.strip().lower()})  # one account per address
    person = people.invite(
        caller,
        people.Invitation(
            email=entry.email,
            name=entry.name,
            role=Role.PANEL,
            academy_id=entry.academy_id,
            employer=entry.employer,
        ),
    )
    member = panels.save_member(caller, MemberDetails(id=person.id, **entry.model_dump()))
    logger.info("pool member added", extra={"member_id": member.id, "by": caller.id})
    return member
