"""Who may be given a role, named supporter or asked to attest (domain/nominations.py), and a profile that
cannot claim to change the academy: the rules as a person meets them, without AWS."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from odvalidation.api.schemas import ProfileIn
from odvalidation.domain.models import Journey, Person, Stage
from odvalidation.domain.nominations import attester_refusal, role_refusal, supporter_refusal
from odvalidation.services.common import supporter_ids, supporter_links


def someone(academy_id: str | None = "north-west", person_id: str = "sam") -> Person:
    return Person(
        id=person_id, name="Sam Okafor", email="Sam.Okafor@nw.example.nhs.uk", academy_id=academy_id
    )


# --- a role for an existing account -----------------------------------------------------------------


def test_an_account_of_the_invited_academy_may_be_given_a_role() -> None:
    # A lead adding a role (panel, supporter, lead) to someone of their own academy; a retried invitation.
    assert role_refusal(someone("north-west"), "north-west") is None


def test_an_account_of_another_academy_is_left_to_its_own_lead() -> None:
    refusal = role_refusal(someone("north-west"), "london")
    assert refusal is not None
    assert (
        "already has an account with North West Leadership Academy, not London Leadership Academy" in refusal
    )
    assert "a lead of North West Leadership Academy must invite them" in refusal


def test_an_account_of_no_academy_cannot_be_given_an_academys_role() -> None:
    refusal = role_refusal(someone(None), "london")
    assert refusal is not None
    assert "belongs to no academy" in refusal


# --- the supporter ----------------------------------------------------------------------------------


def _supporter(candidate: Person, **overrides: object) -> str | None:
    values: dict[str, object] = {
        "practitioner_id": "pat",
        "academy_id": "north-west",
        "seated": set(),
        "in_same_cohort": False,
    }
    return supporter_refusal(candidate, **(values | overrides))  # type: ignore[arg-type]


def test_someone_of_the_practitioners_academy_may_be_named() -> None:
    assert _supporter(someone("north-west")) is None


@pytest.mark.parametrize(
    ("candidate", "overrides", "says"),
    [
        (someone(person_id="pat"), {}, "someone other than yourself"),
        (someone("london"), {}, "not part of North West Leadership Academy"),
        (someone(None), {}, "ask them to invite the person you have in mind"),
        (someone(), {"in_same_cohort": True}, "being validated in your cohort"),
        (someone(), {"seated": {"sam"}}, "sits on the panel reviewing your claim"),
    ],
)
def test_a_supporter_who_would_undermine_the_claim_is_refused(
    candidate: Person, overrides: dict[str, object], says: str
) -> None:
    refusal = _supporter(candidate, **overrides)
    assert refusal is not None
    assert says in refusal


# --- the attester -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "says"),
    [
        ("pat@nw.example.nhs.uk", "cannot confirm your own evidence"),
        ("  PAT@NW.Example.NHS.uk ", "cannot confirm your own evidence"),
        ("pat.home@example.org", "cannot confirm your own evidence"),  # the address on their profile
        ("sam.okafor@nw.example.nhs.uk", "supporter helps you build your claim"),
    ],
)
def test_an_attestation_must_come_from_someone_else(email: str, says: str) -> None:
    refusal = attester_refusal(
        email,
        practitioner_emails=["pat@nw.example.nhs.uk", "pat.home@example.org"],
        supporter_email="Sam.Okafor@nw.example.nhs.uk",
    )
    assert refusal is not None
    assert says in refusal
    assert "someone else who saw the work" in refusal


def test_a_system_leader_may_attest() -> None:
    assert (
        attester_refusal(
            "director@icb.example.nhs.uk", practitioner_emails=["pat@x.nhs.uk", ""], supporter_email=None
        )
        is None
    )


# --- the profile ------------------------------------------------------------------------------------


def test_a_profile_naming_an_academy_is_refused_with_the_reason() -> None:
    with pytest.raises(ValidationError) as raised:
        ProfileIn.model_validate({"name": "Pat", "employer": "Trust", "academy_id": "london"})
    assert "academy_id cannot be changed here: your academy is set by your academy lead" in str(raised.value)


def test_a_profile_without_an_academy_is_accepted() -> None:
    body = ProfileIn.model_validate({"name": " Pat ", "employer": "Trust", "line_managers": ["boss"]})
    assert (body.name, body.line_managers) == ("Pat", ["boss"])


# --- a supporter's access ---------------------------------------------------------------------------


class _Links:
    """A store holding a journey's supporter links, as DynamoDB's Query returns them."""

    def __init__(self, *ids: str) -> None:
        self.ids = ids

    def query(self, pk: str, *, prefix: str) -> list[dict[str, Any]]:
        assert (pk, prefix) == ("JOURNEY#j1", "SUPPORTER#")
        return [{"SK": {"S": f"SUPPORTER#{i}"}} for i in self.ids]


def _journey(supporter_id: str | None) -> Journey:
    at = datetime(2026, 12, 5, tzinfo=UTC)
    return Journey(
        id="j1", practitioner_id="pat", cohort_id="north-west-3", academy_id="north-west",
        framework_key="nw-cipd-combined@1.0", stage=Stage.CLAIM_DEVELOPMENT, created_at=at, updated_at=at,
        stage_entered_at=at, supporter_id=supporter_id,
    )  # fmt: skip


def test_only_the_supporter_named_now_has_a_supporters_access() -> None:
    # A link an earlier version left behind when the supporter was replaced grants nothing.
    store: Any = _Links("old", "new")
    assert supporter_links(store, "j1") == {"old", "new"}
    assert supporter_ids(store, _journey("new")) == {"new"}
    assert supporter_ids(store, _journey(None)) == set()
    assert supporter_ids(_Links(), _journey("new")) == set()  # named, but the link is not there
