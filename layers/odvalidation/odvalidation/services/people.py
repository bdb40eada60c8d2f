"""People: profiles kept with the journeys, and the accounts academy leads invite (panel members,
supporters, other leads). Practitioners sign themselves up."""

from __future__ import annotations

import secrets
import string

from pydantic import BaseModel, ConfigDict

from ..dal import identity, keys, mail
from ..dal.store import from_item, to_item
from ..domain.academies import academy
from ..domain.access import (
    Caller,
    check_lead,
)
from ..domain.errors import Conflict, Forbidden, InvalidInput
from ..domain.models import (
    Person,
    Role,
)
from ..domain.nominations import role_refusal
from ..email import render
from ..settings import settings
from .common import db

INVITABLE = {Role.PANEL, Role.SUPPORTER, Role.ACADEMY_LEAD}


def ensure_profile(caller: Caller) -> Person:
    """The caller's profile, made from their verified token the first time they act."""
    found = person(caller.id)
    if found is not None:
        return found
    if not caller.email:
        raise InvalidInput("Your sign-in has no email address; sign out and sign in again.")
    return save_person(
        Person(
            id=caller.id,
            name=caller.name or caller.email,
            email=caller.email,
            employer=caller.employer,
            academy_id=caller.academy_id,
        )
    )


def update_profile(caller: Caller, *, name: str, employer: str, line_managers: list[str]) -> Person:
    """The caller's name, employer and line managers. Their academy is the one in their sign-in (set at
    sign-up or by the lead who invited them): it scopes what they may do, so it is never taken from here."""
    if not caller.email:
        raise InvalidInput("Your sign-in has no email address; sign in again.")
    return save_person(
        Person(
            id=caller.id,
            name=name,
            email=caller.email,
            employer=employer,
            academy_id=caller.academy_id,
            line_managers=line_managers,
        )
    )


class Invitation(BaseModel):
    model_config = ConfigDict(defer_build=True)

    email: str
    name: str
    role: Role
    academy_id: str
    employer: str | None = None


def _temporary_password() -> str:
    # Meets the pool's policy (12+, upper, lower, digit); the person must change it at first sign-in.
    alphabet = string.ascii_letters + string.digits
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(16))
        if (
            any(c.isupper() for c in candidate)
            and any(c.islower() for c in candidate)
            and any(c.isdigit() for c in candidate)
        ):
            return candidate


def invite(caller: Caller, invitation: Invitation) -> Person:
    """An academy lead invites a panel member, a supporter or another lead of their academy."""
    check_lead(caller, invitation.academy_id)
    academy(invitation.academy_id)
    if invitation.role not in INVITABLE:
        raise InvalidInput(
            "Leads invite panel members, supporters and other academy leads; practitioners sign up."
        )
    existing = person_by_email(invitation.email)
    if existing is not None:
        # Already has an account: give them the role as well (an idempotent retry lands here too), but
        # only in the academy the account belongs to: the role applies there, whatever the invitation says.
        refusal = role_refusal(existing, invitation.academy_id)
        if refusal:
            raise Forbidden(refusal)
        identity.add_to_group(email=invitation.email, group=invitation.role.value)
        return existing
    password = _temporary_password()
    try:
        sub = identity.invite(
            email=invitation.email,
            name=invitation.name,
            group=invitation.role.value,
            academy=invitation.academy_id,
            employer=invitation.employer,
            temporary_password=password,
        )
    except identity.IdentityError as error:
        raise Conflict(error.message) from None
    person = save_person(
        Person(
            id=sub,
            name=invitation.name,
            email=invitation.email,
            employer=invitation.employer,
            academy_id=invitation.academy_id,
        )
    )
    role_text = {
        Role.PANEL: "a panel member",
        Role.SUPPORTER: "a supporter",
        Role.ACADEMY_LEAD: "an academy lead",
    }
    subject, text, html = render(
        "invitation",
        name=invitation.name,
        inviter=caller.name or "Your academy lead",
        role=role_text[invitation.role],
        academy_name=academy(invitation.academy_id).name,
        link=settings().public_url("/sign-in"),
        email=invitation.email,
        temporary_password=password,
    )
    mail.send([invitation.email], subject, text, html)
    return person


def person_by_email(email: str) -> Person | None:
    items = list(db().query(f"EMAIL#{email.strip().lower()}", index="GSI1"))
    return from_item(Person, items[0]) if items else None


def person(person_id: str) -> Person | None:
    return db().get_model(Person, keys.person(person_id))


def save_person(p: Person) -> Person:
    db().put(to_item(p, keys.person(p.id), GSI1PK=f"EMAIL#{p.email.lower()}", GSI1SK="PERSON"))
    return p
