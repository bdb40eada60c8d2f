"""Form posts: parsing the urlencoded body, and pydantic models whose messages follow the NHS style.

`validate()` gives either the model or an ordered mapping of field id -> message for the error summary,
so every page handles a failed post the same way: render the form again with what was typed.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import parse_qs

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    StringConstraints,
    ValidationError,
    field_validator,
)

from ..dal.identity import STRENGTH_RULE
from ..domain.academies import ACADEMIES
from ..domain.text import control_character_path

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_CODE = re.compile(r"^\d{6}$")


def parse_form(body: str | None, *, is_base64: bool = False) -> dict[str, list[str]]:
    """Every value of every field; a field that was sent empty is present with ''."""
    if not body:
        return {}
    text = base64.b64decode(body).decode("utf-8", errors="replace") if is_base64 else body
    return parse_qs(text, keep_blank_values=True, max_num_fields=1000)


def first_values(form: Mapping[str, list[str]]) -> dict[str, str]:
    return {name: values[0] for name, values in form.items() if values}


def validate[M: BaseModel](model: type[M], data: Mapping[str, object]) -> tuple[M | None, dict[str, str]]:
    """The model, or None and the errors in the order of the model's fields (the order of the form)."""
    try:
        return model.model_validate(dict(data)), {}
    except ValidationError as error:
        found: dict[str, str] = {}
        for problem in error.errors():
            name = str(problem["loc"][0]) if problem["loc"] else ""
            found.setdefault(name, _message(problem))
        ordered = {name: found[name] for name in model.model_fields if name in found}
        ordered.update({k: v for k, v in found.items() if k not in ordered})
        return None, ordered


def _message(problem: Mapping[str, Any]) -> str:
    ctx = problem.get("ctx") or {}
    if isinstance(ctx.get("error"), ValueError):
        return str(ctx["error"])
    if problem.get("type") == "string_too_long":
        return f"Must be {ctx.get('max_length')} characters or fewer"
    return "Enter a valid answer"


def _required(message: str) -> AfterValidator:
    def check(value: str) -> str:
        if not value.strip():
            raise ValueError(message)
        return value.strip()

    return AfterValidator(check)


def _email(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("Enter your email address")
    if not _EMAIL.match(value) or len(value) > 254:
        raise ValueError("Enter an email address in the correct format, like name@nhs.net")
    return value.lower()


def _new_password(value: str) -> str:
    if not value:
        raise ValueError("Create a password")
    strong = (
        len(value) >= 12
        and re.search(r"[A-Z]", value)
        and re.search(r"[a-z]", value)
        and re.search(r"\d", value)
    )
    if not strong:
        raise ValueError(STRENGTH_RULE)
    return value


def _academy(value: str) -> str:
    if value not in {a.id for a in ACADEMIES}:
        raise ValueError("Select your Local Leadership Academy")
    return value


def _code(value: str) -> str:
    value = value.replace(" ", "").strip()
    if not value:
        raise ValueError("Enter the confirmation code")
    if not _CODE.match(value):
        raise ValueError("The confirmation code must be 6 numbers")
    return value


Email = Annotated[str, AfterValidator(_email)]


class _Form(BaseModel):
    # validate_default: a field missing from the post must still get its message.
    model_config = ConfigDict(extra="ignore", str_max_length=2000, validate_default=True, defer_build=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        if control_character_path(value):
            raise ValueError("Remove the hidden control character (such as NUL) from this answer")
        return value


class SignInForm(_Form):
    email: Email = ""
    password: Annotated[str, _required("Enter your password")] = ""


class NewPasswordForm(_Form):
    email: Email = ""
    session: Annotated[str, StringConstraints(min_length=1, max_length=4000)] = ""
    password: Annotated[str, AfterValidator(_new_password)] = ""


class SignUpForm(_Form):
    name: Annotated[str, _required("Enter your full name")] = ""
    email: Email = ""
    password: Annotated[str, AfterValidator(_new_password)] = ""
    academy: Annotated[str, AfterValidator(_academy)] = ""
    employer: Annotated[str, _required("Enter your employer")] = ""


class ConfirmForm(_Form):
    email: Email = ""
    code: Annotated[str, AfterValidator(_code)] = ""


class EmailForm(_Form):
    email: Email = ""


class ResetPasswordForm(_Form):
    email: Email = ""
    code: Annotated[str, AfterValidator(_code)] = ""
    password: Annotated[str, AfterValidator(_new_password)] = ""


class WithdrawForm(_Form):
    reason: Annotated[str, StringConstraints(max_length=1000)] = ""


class ErasureForm(_Form):
    confirm: str = ""
    # Asked only of someone who holds a certificate (web/routes_account.py checks it was answered).
    certificates: str = ""

    @field_validator("certificates")
    @classmethod
    def _a_choice(cls, value: str) -> str:
        if value not in ("", "keep", "erase"):
            raise ValueError("Select whether to keep your certificates or delete them")
        return value

    @field_validator("confirm")
    @classmethod
    def _confirmed(cls, value: str) -> str:
        if value != "yes":
            raise ValueError("Select that you understand your account and evidence will be deleted")
        return value


class SubjectAccessForm(_Form):
    """A lead producing a practitioner's whole record says why (web/routes_record.py)."""

    reason: str = ""

    @field_validator("reason")
    @classmethod
    def _said(cls, value: str) -> str:
        value = value.strip()
        if len(value) < 3:
            raise ValueError("Enter the subject access request this is for, such as its reference and date")
        if len(value) > 500:
            raise ValueError("The reason must be 500 characters or fewer")
        return value
