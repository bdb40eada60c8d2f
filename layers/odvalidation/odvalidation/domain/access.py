"""Who may do what. Groups give roles; ownership gives access. Pure rules, tested without AWS."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from .errors import Forbidden, NotFound
from .models import Journey, Role


class Caller(BaseModel):
    """The signed-in person, from verified token claims (never from the request body)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    id: str
    email: str = ""
    name: str = ""
    roles: frozenset[Role] = frozenset()
    academy_id: str | None = None
    employer: str | None = None

    def has(self, role: Role) -> bool:
        return role in self.roles

    @property
    def system(self) -> bool:
        return self.id.startswith("system:")


SYSTEM = Caller(id="system:workflow", name="System", roles=frozenset())


def require_role(caller: Caller, *roles: Role) -> None:
    if not any(caller.has(r) for r in roles):
        wanted = " or ".join(r.value.replace("_", " ") for r in roles)
        raise Forbidden(f"Only a {wanted} can do this.")


def is_lead_for(caller: Caller, academy_id: str) -> bool:
    return caller.has(Role.NATIONAL_LEAD) or (
        caller.has(Role.ACADEMY_LEAD) and caller.academy_id == academy_id
    )


def can_view_journey(
    caller: Caller, journey: Journey, *, supporter_ids: set[str], panel_ids: set[str]
) -> bool:
    return (
        caller.id == journey.practitioner_id
        or caller.id in supporter_ids
        or caller.id in panel_ids
        or is_lead_for(caller, journey.academy_id)
    )


def reads_claims_as_lead(caller: Caller, journey: Journey) -> bool:
    """An academy lead reads the claims and evidence of their own academy's journeys. A national lead
    sees the programme's figures, not a practitioner's evidence or narratives."""
    return caller.has(Role.ACADEMY_LEAD) and caller.academy_id == journey.academy_id


def needs_links(caller: Caller, journey: Journey) -> bool:
    """Whether deciding `can_view_journey` needs the journey's supporters and panel seats: the
    practitioner and the academy's leads are decided without them (two reads fewer per request)."""
    return not (caller.id == journey.practitioner_id or is_lead_for(caller, journey.academy_id))


def check_view(caller: Caller, journey: Journey, *, supporter_ids: set[str], panel_ids: set[str]) -> None:
    # A caller with no reason to see a journey is told it does not exist: ids are not confirmed to strangers.
    if not can_view_journey(caller, journey, supporter_ids=supporter_ids, panel_ids=panel_ids):
        raise NotFound(f"There is no journey '{journey.id}'.")


def check_owner(caller: Caller, journey: Journey) -> None:
    if caller.id != journey.practitioner_id:
        if is_lead_for(caller, journey.academy_id):
            raise Forbidden("Only the practitioner can change their own claim.")
        raise NotFound(f"There is no journey '{journey.id}'.")


def check_lead(caller: Caller, academy_id: str) -> None:
    if not is_lead_for(caller, academy_id):
        raise Forbidden("Only a lead of this academy can do this.")
