"""Pages for academy leads (issue 4): cohorts and their journeys, workshop attendance, the one
extension, resuming a failed journey, the panel pool, claims waiting for a panel, the interview, and
revoking a certificate. The rules are the services' (journeys, panels, certificates); pages gather forms.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import ValidationError

from ..dal import parallel
from ..domain.academies import ACADEMIES
from ..domain.access import Caller as DomainCaller
from ..domain.access import reads_claims_as_lead
from ..domain.errors import DomainError
from ..domain.models import Journey, Role, Stage
from ..domain.panels import ClaimToAssign, ExclusionRule, PanelMember, exclusion
from ..domain.uk_time import from_uk, in_uk, uk_clock
from ..services import adjustments, certificates, confirmations, interviews, panels, people, seats
from ..services import journeys as js
from .access import domain_caller
from .forms import first_values
from .pages import academy_name
from .request import app, form_data, page, redirect, require_role

router: Router = Router()

STAGE_TEXT = {s: s.value.replace("_", " ").capitalize() for s in Stage}


def lead_caller() -> DomainCaller:
    return domain_caller(require_role(Role.ACADEMY_LEAD, Role.NATIONAL_LEAD))


def _academy_of(caller: DomainCaller) -> str:
    query = app.current_event.query_string_parameters or {}
    chosen = query.get("academy") if caller.has(Role.NATIONAL_LEAD) else None
    return chosen or caller.academy_id or ACADEMIES[0].id


def _date(values: dict[str, str], name: str) -> date | None:
    try:
        return date(int(values[f"{name}-year"]), int(values[f"{name}-month"]), int(values[f"{name}-day"]))
    except (KeyError, ValueError):
        return None


def _interview_date(values: dict[str, str]) -> tuple[date | None, str]:
    """The interview's date as typed, or the message the NHS date input pattern gives for what is wrong:
    nothing typed, a part missing, or a date that does not exist (31 2 2027)."""
    typed = {p: values.get(f"date-{p}", "").strip() for p in ("day", "month", "year")}
    missing = [p for p, v in typed.items() if not v]
    if len(missing) == 3:
        return None, "Enter the date of the interview"
    if missing:
        return None, f"The date of the interview must include a {missing[0]}"
    if not all(v.isdigit() for v in typed.values()) or len(typed["year"]) != 4:
        return None, "The date of the interview must be a real date"
    try:
        return date(int(typed["year"]), int(typed["month"]), int(typed["day"])), ""
    except ValueError:
        return None, "The date of the interview must be a real date"


def _day(value: date | datetime | None) -> str:
    return value.strftime("%-d %B %Y") if value else ""


def _name(person_id: str) -> str:
    person = people.person(person_id)
    return person.name if person else person_id


# --------------------------------------------------------------------------- cohorts


# --------------------------------------------------------------------------- one journey


def _lead_journey(caller: DomainCaller, journey_id: str) -> Journey:
    return js.load_for(caller, journey_id)


def _journey_form(
    template: str,
    title: str,
    j: Journey,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
    **extra: Any,
) -> Response:
    """A lead's form about one practitioner's journey, with the values typed and what was wrong."""
    return page(
        template,
        status=status,
        page_title=title,
        journey=j,
        name=_name(j.practitioner_id),
        deadline=_day(j.claim_deadline),
        values=values,
        errors=errors,
        **extra,
    )


def _extension_page(
    j: Journey, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> Response:
    return _journey_form("lead/extension.html", "Grant an extension", j, values, errors, status)


@router.get("/lead/journeys/<journey_id>/extension")
def extension_form(journey_id: str) -> Response:
    j = _lead_journey(lead_caller(), journey_id)
    return _extension_page(j, {"weeks": "4"}, {})


@router.post("/lead/journeys/<journey_id>/extension")
def extension(journey_id: str) -> Response:
    caller = lead_caller()
    j = _lead_journey(caller, journey_id)
    values = first_values(form_data())
    errors: dict[str, str] = {}
    weeks = values.get("weeks", "").strip()
    if not weeks.isdigit() or not 1 <= int(weeks) <= 12:
        errors["weeks"] = "Enter a number of weeks between 1 and 12"
    reason = values.get("reason", "").strip()
    if not reason:
        errors["reason"] = "Enter the reason for the extension"
    elif len(reason) > 2000:
        errors["reason"] = "The reason must be 2000 characters or fewer"
    if errors:
        return _extension_page(j, values, errors, status=400)
    try:
        confirmations.grant_extension(caller, journey_id, int(weeks), reason)
    except DomainError as problem:
        return _extension_page(j, values, {"weeks": problem.message}, status=409)
    return redirect(f"/lead/journeys/{journey_id}?done=extension")


@router.post("/lead/journeys/<journey_id>/resume")
def resume(journey_id: str) -> Response:
    caller = lead_caller()
    _lead_journey(caller, journey_id)  # NotFound for a journey the lead may not see
    try:
        js.resume_failed(caller, journey_id)
    except DomainError as problem:
        return page(
            "lead/problem.html", status=409, page_title="The journey was not resumed", message=problem.message
        )
    return redirect(f"/lead/journeys/{journey_id}?done=resumed")


def _interview_page(
    j: Journey, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> Response:
    arranged = seats.interview_of(j)
    title = "Change the interview" if arranged else "Arrange the interview"
    # An agreed interview adjustment's format and length, for the academy lead who arranges it (a
    # national lead arranging one is not shown the practitioner's adjustments).
    agreed = adjustments.agreed_interview(j.id) if reads_claims_as_lead(lead_caller(), j) else ""
    return _journey_form(
        "lead/interview.html", title, j, values, errors, status, arranged=arranged, adjustment=agreed
    )


@router.get("/lead/journeys/<journey_id>/interview")
def interview_form(journey_id: str) -> Response:
    j = _lead_journey(lead_caller(), journey_id)
    arranged = seats.interview_of(j)
    if arranged is None:
        return _interview_page(j, {"duration": "60"}, {})
    # Once arranged, the form shows the arrangement as it was entered (in UK time), to change it.
    local = in_uk(arranged.at)
    return _interview_page(
        j,
        {
            "date-day": str(local.day),
            "date-month": str(local.month),
            "date-year": str(local.year),
            "time": uk_clock(arranged.at),
            "location": arranged.location,
            "duration": str(arranged.duration_minutes),
        },
        {},
    )


@router.post("/lead/journeys/<journey_id>/interview")
def interview(journey_id: str) -> Response:
    caller = lead_caller()
    j = _lead_journey(caller, journey_id)
    values = first_values(form_data())
    errors: dict[str, str] = {}
    day, problem = _interview_date(values)
    if problem:
        errors["date-day"] = problem
    try:
        hour, minute = (int(p) for p in values.get("time", "").strip().split(":"))
        at_time: time | None = time(hour, minute)
    except ValueError:
        at_time = None
        errors["time"] = "Enter the time in 24-hour format, like 14:30"
    location = values.get("location", "").strip()
    if not location:
        errors["location"] = "Enter where the interview takes place, or the video link"
    elif len(location) > 200:
        errors["location"] = "The location must be 200 characters or fewer"
    duration = values.get("duration", "").strip()
    if not duration.isdigit() or not 15 <= int(duration) <= 240:
        errors["duration"] = "Enter a length between 15 and 240 minutes"
    if errors or day is None or at_time is None:
        return _interview_page(j, values, errors, status=400)
    try:
        interviews.schedule_interview(
            # The form asks for UK time: 10:00 in July is 09:00 UTC.
            caller,
            journey_id,
            from_uk(day, at_time),
            location,
            int(duration),
        )
    except DomainError as problem:
        return _interview_page(j, values, {"date-day": problem.message}, status=409)
    return redirect(f"/lead/journeys/{journey_id}?done=interview")


# --------------------------------------------------------------------------- claims waiting for a panel


def _reason(journey_id: str) -> str:
    for event in reversed(js.history(journey_id)):
        if event.action == "no valid panel" and event.reason:
            return event.reason
    return "No valid panel could be formed."


def _waiting(caller: DomainCaller, academy_id: str) -> list[Journey]:
    return [
        j
        for c in js.academy_cohorts(academy_id)
        for j in js.cohort_journeys(caller, c.id)
        if j.stage is Stage.AWAITING_PANEL
    ]


@router.get("/lead/assignments")
def waiting() -> Response:
    caller = lead_caller()
    rows = [
        {
            "id": j.id,
            "name": _name(j.practitioner_id),
            "reason": _reason(j.id),
            "since": _day(j.stage_entered_at),
        }
        for j in _waiting(caller, _academy_of(caller))
    ]
    return page("lead/assignments.html", page_title="Claims waiting for a panel", rows=rows)


FLAGS = {
    ExclusionRule.SELF: "This is the practitioner",
    ExclusionRule.SUPPORTER: "The practitioner's supporter, who helped write the claim: a conflict of interest",
    ExclusionRule.EMPLOYER: "Same organisation as the practitioner: a conflict of interest, never waived",
    ExclusionRule.LINE_CHAIN: "In the practitioner's line-management chain: a conflict of interest",
    ExclusionRule.DECLARED_CONFLICT: "Declared a conflict of interest with the practitioner",
    ExclusionRule.SAME_ACADEMY: "From the practitioner's own academy, which this cohort's panels exclude",
    ExclusionRule.UNAVAILABLE: "Unavailable during the review",
    ExclusionRule.AT_CAPACITY: "At their cap",
}


def _member_flag(m: PanelMember, claim: ClaimToAssign) -> str:
    """Why the rules would keep this member off the practitioner's panel, or that they share an academy."""
    rule = exclusion(m, claim)
    if rule is not None:
        return FLAGS.get(rule, "")
    return "From the practitioner's own academy" if m.academy_id == claim.academy_id else ""


def _resolve_page(j: Journey, values: dict[str, Any], errors: dict[str, str], status: int = 200) -> Response:
    # The claim, the pool, the practitioner's name and why no panel was formed need nothing of one
    # another: read at once (issue 19; dal/parallel.py).
    claim, pool, name, reason = parallel.at_once(
        lambda: panels.claim_to_assign(j),
        panels.pool,
        lambda: _name(j.practitioner_id),
        lambda: _reason(j.id),
    )
    members = []
    for m in sorted(pool, key=lambda m: m.name):
        flag = _member_flag(m, claim)
        load = f"{m.current_load} of {m.cap} claims"
        members.append(
            {
                "value": m.id,
                "text": f"{m.name} ({m.kind.value}, {m.employer}, {academy_name(m.academy_id)})",
                "hint": f"{load}. Warning: {flag}" if flag else load,
            }
        )
    return page(
        "lead/resolve.html",
        status=status,
        page_title="Resolve a claim waiting for a panel",
        journey=j,
        name=name,
        reason=reason,
        members=members,
        values=values,
        errors=errors,
    )


@router.get("/lead/assignments/<journey_id>")
def resolve_form(journey_id: str) -> Response:
    j = _lead_journey(lead_caller(), journey_id)
    return _resolve_page(j, {"chosen": []}, {})


@router.post("/lead/assignments/<journey_id>")
def resolve(journey_id: str) -> Response:
    caller = lead_caller()
    j = _lead_journey(caller, journey_id)
    data = form_data()
    values: dict[str, Any] = {**first_values(data), "chosen": [v for v in data.get("members", []) if v]}
    errors: dict[str, str] = {}
    how = values.get("how", "")
    reason = str(values.get("reason", "")).strip()
    if how == "override" and values.get("revealed") != "yes":
        # Choosing the members overrides the rules: the members and the reason are asked for only now
        # (a server-side reveal, the same with or without JavaScript).
        return _resolve_page(j, values, {})
    if how not in {"retry", "override"}:
        errors["how"] = "Select how to resolve this claim"
    elif how == "override":
        if not values["chosen"]:
            errors["members"] = "Select the members of the panel"
        if not reason:
            errors["reason"] = "Enter the reason for overriding the rules"
    if len(reason) > 2000:
        errors["reason"] = "The reason must be 2000 characters or fewer"
    if errors:
        return _resolve_page(j, values, errors, status=400)
    try:
        panels.resolve_blocked(
            caller, journey_id, member_ids=values["chosen"] if how == "override" else None, reason=reason
        )
    except DomainError as problem:
        return _resolve_page(j, values, {"how": problem.message}, status=409)
    return redirect(f"/lead/journeys/{journey_id}?done=panel")


# --------------------------------------------------------------------------- revoking a certificate


def _revoke_page(
    caller: DomainCaller,
    cert_id: str,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
    confirming: bool = False,
) -> Response:
    # A lead of another academy is refused before anything of the holder is shown.
    record = certificates.for_lead(caller, cert_id)
    return page(
        "lead/revoke.html",
        status=status,
        page_title="Are you sure you want to revoke this certificate?"
        if confirming
        else "Revoke a certificate",
        record=record,
        values=values,
        errors=errors,
        confirming=confirming,
    )


@router.get("/lead/certificates/<certificate_id>/revoke")
def revoke_form(certificate_id: str) -> Response:
    return _revoke_page(lead_caller(), certificate_id, {}, {})


@router.post("/lead/certificates/<certificate_id>/revoke")
def revoke(certificate_id: str) -> Response:
    """Two steps: the reason, then "are you sure" (revoking cannot be undone); then back to the journey."""
    caller = lead_caller()
    values = first_values(form_data())
    reason = values.get("reason", "").strip()
    if len(reason) < 3:
        return _revoke_page(
            caller, certificate_id, values, {"reason": "Enter the reason for revoking the certificate"}, 400
        )
    if len(reason) > 2000:
        return _revoke_page(
            caller, certificate_id, values, {"reason": "The reason must be 2000 characters or fewer"}, 400
        )
    if values.get("confirmed") != "yes":
        return _revoke_page(caller, certificate_id, {"reason": reason}, {}, confirming=True)
    record = certificates.for_lead(caller, certificate_id)
    certificates.revoke(caller, certificate_id, reason)
    return redirect(f"/lead/journeys/{record.journey_id}?done=revoked")


# --------------------------------------------------------------------------- invitations


def _invite_page(
    caller: DomainCaller, values: dict[str, str], errors: dict[str, str], notice: str = "", status: int = 200
) -> Response:
    return page(
        "lead/invite.html",
        status=status,
        page_title="Invite someone",
        academy=academy_name(_academy_of(caller)),
        values=values,
        errors=errors,
        notice=notice,
    )


@router.get("/lead/invitations")
def invite_form() -> Response:
    return _invite_page(lead_caller(), {}, {})


@router.post("/lead/invitations")
def invite() -> Response:
    caller = lead_caller()
    values = first_values(form_data())
    errors: dict[str, str] = {}
    if not values.get("name", "").strip():
        errors["name"] = "Enter the person's full name"
    email = values.get("email", "").strip().lower()
    if "@" not in email or "." not in email.rsplit("@", 1)[-1] or any(c.isspace() for c in email):
        errors["email"] = "Enter an email address in the correct format, like name@nhs.net"
    if values.get("role") not in {"panel", "supporter", "academy_lead"}:
        errors["role"] = "Select what you are inviting them as"
    if errors:
        return _invite_page(caller, values, errors, status=400)
    try:
        person = people.invite(
            caller,
            people.Invitation(
                email=email,
                name=values["name"].strip(),
                role=Role(values["role"]),
                academy_id=_academy_of(caller),
                employer=values.get("employer", "").strip() or None,
            ),
        )
    except (DomainError, ValidationError) as problem:
        message = problem.message if isinstance(problem, DomainError) else "Check the details and try again"
        return _invite_page(caller, values, {"email": message}, status=400)
    return _invite_page(caller, {}, {}, notice=f"Invitation sent to {person.name} ({person.email}).")
