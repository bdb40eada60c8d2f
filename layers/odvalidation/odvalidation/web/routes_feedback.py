"""The practitioner's feedback on the process, after their outcome: five ratings and their own words."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from ..domain.errors import InvalidTransition
from ..services import feedback as fb
from ..services import journeys as js
from .access import domain_caller
from .forms import first_values, validate
from .request import form_data, page, require_caller

router: Router = Router()
PAGE_TITLE = "Tell us how the validation process was for you"


def _mid_sentence(text: str) -> str:
    """A statement carried on after a colon: lower case first, except the word "I"."""
    if text == "I" or text.startswith("I "):
        return text
    return text[:1].lower() + text[1:]


def _form(journey_id: str, values: dict[str, str], errors: dict[str, str], status: int = 200) -> Response:
    questions = [
        {
            "name": key,
            "legend": text,
            "items": [{"value": str(n), "text": f"{n} - {label}"} for n, label in fb.SCALE.items()],
        }
        for key, text in fb.QUESTIONS.items()
    ]
    return page(
        "feedback/form.html",
        status=status,
        page_title=PAGE_TITLE,
        journey_id=journey_id,
        questions=questions,
        values=values,
        errors=errors,
    )


@router.get("/journeys/<journey_id>/feedback")
def feedback_form(journey_id: str) -> Response:
    caller = domain_caller(require_caller())
    journey = js.load_for(caller, journey_id)
    js.require_practitioner_of(caller, journey)
    if not fb.invitation_open(journey):
        return page("feedback/not_yet.html", status=409, page_title="You cannot give feedback yet")
    if fb.existing(journey) is not None:
        return page("feedback/thanks.html", page_title="Thank you for your feedback", already=True)
    return _form(journey_id, {}, {})


@router.post("/journeys/<journey_id>/feedback")
def give_feedback(journey_id: str) -> Response:
    caller = domain_caller(require_caller())
    values = first_values(form_data())
    shown = {k: values.get(k, "") for k in (*fb.QUESTIONS, "comments")}
    answers, errors = validate(fb.FeedbackIn, shown)
    if answers is None:
        # Name the statement, so the error summary says which answer is missing.
        for key, text in fb.QUESTIONS.items():
            if key in errors:
                errors[key] = f"Select how much you agree that: {_mid_sentence(text)}"
        if "comments" in errors:
            errors["comments"] = "Your comments must be 4,000 characters or fewer"
        return _form(journey_id, shown, errors, status=400)
    try:
        _, created = fb.give(caller, journey_id, answers)
    except InvalidTransition:
        return page("feedback/not_yet.html", status=409, page_title="You cannot give feedback yet")
    return page("feedback/thanks.html", page_title="Thank you for your feedback", already=not created)
