"""A lead's cohort form: creating a cohort, and changing one afterwards (its name, workshop date,
venue and places, claim window and panel size; not its number or framework, which claims are pinned to).
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from ..domain.access import check_lead
from ..domain.errors import DomainError
from ..domain.frameworks import all_frameworks
from ..services import cohorts
from ..services import journeys as js
from .forms import first_values
from .request import form_data, page, redirect
from .routes_lead import _academy_of, _date, lead_caller

router: Router = Router()


COHORT_FIELDS = (
    "name",
    "number",
    "framework_key",
    "workshop_date-day",
    "venue",
    "places",
    "claim_window_months",
    "panel_size",
)


def cohort_form(
    values: dict[str, str], errors: dict[str, str], status: int = 200, cohort_id: str = ""
) -> Response:
    """The cohort form: a new cohort, or (cohort_id given) the changes a lead may make to one."""
    # The error summary lists the problems in the order of the fields on the page.
    errors = {k: errors[k] for k in COHORT_FIELDS if k in errors} | errors
    options = [("", "Select a framework")] + [
        (key, f"{fw.title}, version {fw.version}") for key, fw in sorted(all_frameworks().items())
    ]
    return page(
        "lead/cohort_new.html",
        status=status,
        page_title="Change the cohort" if cohort_id else "Create a cohort",
        cohort_id=cohort_id,
        values=values,
        errors=errors,
        framework_options=options,
    )


@router.get("/lead/cohorts/new")
def new_cohort_form() -> Response:
    lead_caller()
    return cohort_form({"panel_size": "3", "claim_window_months": "6"}, {})


def cohort_changes(values: dict[str, str], errors: dict[str, str]) -> cohorts.CohortChanges | None:
    """The fields a cohort keeps changeable, checked; each problem is added to `errors`."""
    name = values.get("name", "").strip()
    if not name:
        errors["name"] = "Enter the cohort's name"
    elif len(name) > 200:
        errors["name"] = "The name must be 200 characters or fewer"
    workshop = _date(values, "workshop_date")
    if workshop is None:
        errors["workshop_date-day"] = "Enter the workshop date, like 14 3 2027"
    venue = values.get("venue", "").strip()
    if len(venue) > 200:
        errors["venue"] = "The venue must be 200 characters or fewer"
    places = values.get("places", "").strip()
    if places and (not places.isdigit() or not 1 <= int(places) <= 500):
        errors["places"] = "Enter the number of places, from 1 to 500, or leave it empty"
    size = values.get("panel_size", "")
    if size not in {"2", "3", "4", "5"}:
        errors["panel_size"] = "A panel has between 2 and 5 members"
    window = values.get("claim_window_months", "")
    if not window.isdigit() or not 1 <= int(window) <= 9:
        errors["claim_window_months"] = "The claim window is between 1 and 9 months"
    if errors or workshop is None:
        return None
    return cohorts.CohortChanges(
        name=name,
        workshop_date=workshop,
        claim_window_months=int(window),
        panel_size=int(size),
        exclude_same_academy_panel=values.get("exclude_same_academy_panel") == "yes",
        venue=venue,
        places=int(places) if places else None,
    )


@router.post("/lead/cohorts/new")
def create_cohort() -> Response:
    caller = lead_caller()
    values = first_values(form_data())
    errors: dict[str, str] = {}
    number = values.get("number", "").strip()
    if not number.isdigit() or int(number) < 1:
        errors["number"] = "Enter the cohort number, like 3"
    if values.get("framework_key") not in all_frameworks():
        errors["framework_key"] = "Select the framework this cohort uses"
    changes = cohort_changes(values, errors)
    if errors or changes is None:
        return cohort_form(values, errors, status=400)
    spec = cohorts.NewCohort(
        academy_id=_academy_of(caller),
        number=int(number),
        framework_key=values["framework_key"],
        **changes.model_dump(),
    )
    try:
        created = cohorts.create_cohort(caller, spec)
    except DomainError as problem:
        return cohort_form(values, {"number": problem.message}, status=409)
    return redirect(f"/lead/cohorts/{created.id}")


@router.get("/lead/cohorts/<cohort_id>/edit")
def edit_cohort_form(cohort_id: str) -> Response:
    caller = lead_caller()
    c = js.cohort(cohort_id)
    check_lead(caller, c.academy_id)  # a lead of another academy is refused before seeing the form
    fw = all_frameworks().get(c.framework_key)
    values = {
        "name": c.name,
        "number": str(c.number),
        "framework": f"{fw.title}, version {fw.version}" if fw else c.framework_key,
        "workshop_date-day": str(c.workshop_date.day),
        "workshop_date-month": str(c.workshop_date.month),
        "workshop_date-year": str(c.workshop_date.year),
        "venue": c.venue,
        "places": str(c.places or ""),
        "claim_window_months": str(c.claim_window_months),
        "panel_size": str(c.panel_size),
        "exclude_same_academy_panel": "yes" if c.exclude_same_academy_panel else "",
    }
    return cohort_form(values, {}, cohort_id=cohort_id)


@router.post("/lead/cohorts/<cohort_id>/edit")
def edit_cohort(cohort_id: str) -> Response:
    caller = lead_caller()
    c = js.cohort(cohort_id)
    fw = all_frameworks().get(c.framework_key)
    values = first_values(form_data()) | {
        "number": str(c.number),
        "framework": f"{fw.title}, version {fw.version}" if fw else c.framework_key,
    }
    errors: dict[str, str] = {}
    changes = cohort_changes(values, errors)
    if errors or changes is None:
        return cohort_form(values, errors, status=400, cohort_id=cohort_id)
    try:
        cohorts.update_cohort(caller, cohort_id, changes)
    except DomainError as problem:
        return cohort_form(values, {"places": problem.message}, status=409, cohort_id=cohort_id)
    return redirect(f"/lead/cohorts/{cohort_id}?done=changed")
