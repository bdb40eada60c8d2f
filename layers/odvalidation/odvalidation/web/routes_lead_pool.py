"""The panel pool for leads (issue 17 item 4): the members (each told apart by role, organisation and
academy), adding a person to the pool in one form (it invites them too), and changing a member.
Unavailable dates are NHS date inputs, several periods, checked with an error summary (date_periods).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import ValidationError

from ..domain.academies import ACADEMIES
from ..domain.errors import DomainError, Forbidden
from ..domain.models import MemberKind
from ..domain.panels import MemberDetails, PanelMember
from ..services import panels, people
from ..services.pool import PoolInvitation, invite_to_pool
from . import date_periods
from .forms import first_values
from .pages import academy_name
from .request import app, form_data, page, redirect
from .routes_lead import _academy_of, lead_caller

router: Router = Router()

ADD_PERIOD = "add-period"


def member_label(m: PanelMember) -> str:
    """How a member is named wherever they are listed or chosen: two members may share a name."""
    return f"{m.name} ({m.kind.value}, {m.employer}, {academy_name(m.academy_id)})"


@router.get("/lead/pool")
def pool() -> Response:
    lead_caller()
    members = sorted(panels.pool(), key=lambda m: (m.name, m.employer, m.academy_id))
    notice = {"added": "The member was added to the pool and sent an invitation.", "saved": "Saved."}
    query = (app.current_event.query_string_parameters or {}).get("done", "")
    return page(
        "lead/pool.html",
        page_title="Panel pool",
        members=members,
        academy_name=academy_name,
        notice=notice.get(query, ""),
    )


def _member_form(
    member: PanelMember | None, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> Response:
    rows = date_periods.row_count(values)
    return page(
        "lead/member.html",
        status=status,
        page_title=f"Change {member.name}" if member else "Add someone to the panel pool",
        member=member,
        values={**values, "periods": str(rows)},
        errors=errors,
        periods=[
            {
                "n": n,
                "from": date_periods.field(n, "from"),
                "to": date_periods.field(n, "to"),
            }
            for n in range(1, rows + 1)
        ],
        academy_options=[("", "Select an academy"), *((a.id, a.name) for a in ACADEMIES)],
    )


def _email_of(person_id: str) -> str:
    person = people.person(person_id)
    return person.email if person else person_id


def _member_values(m: PanelMember) -> dict[str, str]:
    return {
        "email": m.email,
        "name": m.name,
        "kind": m.kind.value,
        "employer": m.employer,
        "academy_id": m.academy_id,
        "line_managers": "\n".join(_email_of(i) for i in m.line_managers),
        "expertise": ", ".join(m.expertise),
        "cap": str(m.cap),
        **date_periods.as_values(m.unavailable),
    }


@router.get("/lead/pool/new")
def new_member_form() -> Response:
    caller = lead_caller()
    return _member_form(None, {"cap": "4", "academy_id": _academy_of(caller)}, {})


@router.get("/lead/pool/<member_id>")
def member_form(member_id: str) -> Response:
    lead_caller()
    m = panels.member(member_id)
    return _member_form(m, _member_values(m), {})


def _valid_email(email: str) -> bool:
    return "@" in email and "." in email.rsplit("@", 1)[-1] and not any(c.isspace() for c in email)


def _check(existing: PanelMember | None, values: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The fields as the models take them, and the messages for what was wrong (in the page's order)."""
    errors: dict[str, str] = {}
    email = existing.email if existing else values.get("email", "").strip().lower()
    if not _valid_email(email):
        errors["email"] = "Enter an email address in the correct format, like name@nhs.net"
    if not values.get("name", "").strip():
        errors["name"] = "Enter the member's full name"
    if values.get("kind") not in {k.value for k in MemberKind}:
        errors["kind"] = "Select whether the member is a peer or an expert"
    if not values.get("employer", "").strip():
        errors["employer"] = "Enter the member's employer"
    if values.get("academy_id") not in {a.id for a in ACADEMIES}:
        errors["academy_id"] = "Select the member's academy"
    managers: list[str] = []
    for manager_email in filter(None, (e.strip() for e in values.get("line_managers", "").splitlines())):
        manager = people.person_by_email(manager_email.lower())
        if manager is None:
            errors["line_managers"] = f"No one with the email address {manager_email} has an account"
            break
        managers.append(manager.id)
    cap = values.get("cap", "").strip()
    if not cap.isdigit() or int(cap) > 100:
        errors["cap"] = "Enter the most claims they take in a window, a number from 0 to 100"
    parsed = date_periods.parse(values, date_periods.row_count(values))
    errors |= parsed.errors
    fields = {
        "email": email,
        "name": values.get("name", "").strip(),
        "kind": values.get("kind", ""),
        "employer": values.get("employer", "").strip(),
        "academy_id": values.get("academy_id", ""),
        "line_managers": managers,
        "expertise": [t for t in (x.strip() for x in values.get("expertise", "").split(",")) if t],
        "cap": int(cap) if cap.isdigit() else 0,
        "unavailable": parsed.periods,
    }
    return fields, errors


def _first_problem(problem: ValidationError) -> dict[str, str]:
    # The checks above catch what a person types wrong; what is left (a 300-character name) is said
    # against the field pydantic names.
    error = problem.errors()[0]
    where = str(error["loc"][0]) if error["loc"] else "name"
    return {where if where != "unavailable" else "name": f"Check this answer: {error['msg']}"}


def _save(existing: PanelMember | None) -> Response:
    caller = lead_caller()
    values = first_values(form_data())
    if values.get("action") == ADD_PERIOD:
        # "Add another period" shows one more row, keeping everything typed (no JavaScript needed).
        values["periods"] = str(date_periods.row_count(values, adding=True))
        return _member_form(existing, values, {})
    fields, errors = _check(existing, values)
    if errors:
        return _member_form(existing, values, errors, status=400)
    try:
        if existing is None:
            invite_to_pool(caller, PoolInvitation(**fields))
        else:
            panels.save_member(caller, MemberDetails(id=existing.id, **fields))
    except ValidationError as problem:
        return _member_form(existing, values, _first_problem(problem), status=400)
    except Forbidden as problem:
        return _member_form(existing, values, {"academy_id": problem.message}, status=403)
    except DomainError as problem:
        # An address another account holds, or a rule of the invitation: said against the email.
        return _member_form(existing, values, {"email": problem.message}, status=409)
    return redirect(f"/lead/pool?done={'added' if existing is None else 'saved'}")


@router.post("/lead/pool/new")
def add_member() -> Response:
    return _save(None)


@router.post("/lead/pool/<member_id>")
def change_member(member_id: str) -> Response:
    return _save(panels.member(member_id))
