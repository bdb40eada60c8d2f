"""The panel pool in one step (issue 17 item 4): one form invites a person and adds them to the pool;
unavailable periods are NHS date inputs (several, single days or ranges) checked with an error summary;
members with the same name are told apart by role, organisation and academy."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from odvalidation.domain.panels import DateRange
from odvalidation.services import panels, people
from odvalidation.web import date_periods
from tests.browser.harness import in_process_web
from tests.unit.test_web_panel import signed_in


def typed(n: int, end: str, day: str, month: str, year: str) -> dict[str, str]:
    name = date_periods.field(n, end)
    return {f"{name}-day": day, f"{name}-month": month, f"{name}-year": year}


# --------------------------------------------------------------------------- reading the dates


def test_periods_are_ranges_or_single_days_and_blank_rows_are_ignored() -> None:
    values = {
        **typed(1, "from", "1", "3", "2027"),
        **typed(1, "to", "14", "3", "2027"),
        **typed(2, "from", "2", "4", "2027"),  # one day: no end date
        **typed(3, "from", "", "", ""),
    }
    parsed = date_periods.parse(values, 3)
    assert parsed.errors == {}
    assert parsed.periods == [
        DateRange(start=date(2027, 3, 1), end=date(2027, 3, 14)),
        DateRange(start=date(2027, 4, 2), end=date(2027, 4, 2)),
    ]


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        (typed(1, "from", "31", "2", "2027"), "unavailable-1-from-day", "must be a real date"),
        (typed(1, "from", "3", "", "2027"), "unavailable-1-from-day", "must include a month"),
        (typed(1, "from", "3", "3", "27"), "unavailable-1-from-day", "must be a real date"),
        (typed(1, "to", "3", "3", "2027"), "unavailable-1-from-day", "Enter the start date of period 1"),
        (
            {**typed(2, "from", "10", "3", "2027"), **typed(2, "to", "1", "3", "2027")},
            "unavailable-2-to-day",
            "The end date of period 2 must be on or after its start date",
        ),
    ],
)
def test_each_mistake_is_named_against_the_box_to_correct(
    values: dict[str, str], field: str, message: str
) -> None:
    parsed = date_periods.parse(values, 2)
    assert message in parsed.errors[field]
    assert parsed.periods == []


def test_the_form_grows_a_row_when_asked_and_never_beyond_its_limit() -> None:
    assert date_periods.row_count({}) == date_periods.DEFAULT_ROWS
    assert date_periods.row_count({"periods": "3"}, adding=True) == 4
    assert date_periods.row_count({"periods": "999"}, adding=True) == date_periods.MAX_ROWS
    saved = date_periods.as_values([DateRange(start=date(2027, 1, 5), end=date(2027, 1, 9))])
    assert saved["unavailable-1-to-day"] == "9"
    assert saved["periods"] == "2"


# --------------------------------------------------------------------------- the one form


@pytest.fixture
def web(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    import boto3

    from odvalidation.settings import settings

    with in_process_web(monkeypatch) as env:
        # The invitation email goes through SES, which sends only from a verified address.
        boto3.client("ses", region_name="eu-west-2").verify_email_identity(
            EmailAddress=settings().sender_email
        )
        yield env


def member_form(**extra: str) -> dict[str, str]:
    return {
        "name": "Alex Morgan",
        "email": "Alex.Morgan@example.nhs.uk",
        "kind": "expert",
        "employer": "Mersey Care",
        "academy_id": "north-west",
        "cap": "3",
        "periods": "2",
        **typed(1, "from", "1", "3", "2027"),
        **typed(1, "to", "14", "3", "2027"),
        **extra,
    }


def test_one_form_invites_the_person_and_adds_them_to_the_pool(web: dict[str, Any]) -> None:
    browser, _ = signed_in(web, ("academy_lead",))
    form = browser.get("/lead/pool/new")
    assert form.status == 200
    assert 'name="unavailable-2-from-day"' in form.body
    response = browser.submit("/lead/pool/new", member_form())
    assert response.status == 303, response.body[:2000]
    person = people.person_by_email("alex.morgan@example.nhs.uk")
    assert person is not None
    assert person.name == "Alex Morgan"
    assert person.employer == "Mersey Care"
    member = panels.member(person.id)
    assert (member.name, member.employer, member.academy_id, member.cap) == (
        "Alex Morgan",
        "Mersey Care",
        "north-west",
        3,
    )
    assert member.unavailable == [DateRange(start=date(2027, 3, 1), end=date(2027, 3, 14))]
    groups = web["cognito"].admin_list_groups_for_user(UserPoolId=web["pool_id"], Username=person.email)
    assert [g["GroupName"] for g in groups["Groups"]] == ["panel"]
    # The same form sent again (a double click, a retry) changes the member it made; no second account.
    assert browser.submit("/lead/pool/new", member_form(cap="5")).status == 303
    assert panels.member(person.id).cap == 5
    assert len([m for m in panels.pool() if m.email == "alex.morgan@example.nhs.uk"]) == 1
    # Changing the member shows the saved period in the date boxes.
    change = browser.get(f"/lead/pool/{person.id}").body
    assert 'name="unavailable-1-to-day" type="text" inputmode="numeric" value="14"' in change


def test_mistakes_are_listed_in_an_error_summary_and_nothing_typed_is_lost(web: dict[str, Any]) -> None:
    browser, _ = signed_in(web, ("academy_lead",))
    response = browser.submit(
        "/lead/pool/new",
        member_form(employer="", **typed(2, "from", "10", "3", "2027"), **typed(2, "to", "1", "3", "2027")),
    )
    assert response.status == 400
    summary = response.body.split("nhsuk-error-summary__list", 1)[1].split("</ul>", 1)[0]
    assert 'href="#employer"' in summary
    assert 'href="#unavailable-2-to-day"' in summary
    assert 'value="Alex.Morgan@example.nhs.uk"' in response.body
    assert people.person_by_email("alex.morgan@example.nhs.uk") is None  # nobody invited


def test_add_another_period_shows_one_more_row_without_javascript(web: dict[str, Any]) -> None:
    browser, _ = signed_in(web, ("academy_lead",))
    response = browser.submit("/lead/pool/new", member_form(action="add-period"))
    assert response.status == 200
    assert 'name="unavailable-3-from-day"' in response.body
    assert 'value="Alex Morgan"' in response.body
    assert "nhsuk-error-summary" not in response.body
    assert people.person_by_email("alex.morgan@example.nhs.uk") is None


def test_members_with_the_same_name_are_told_apart_in_the_pool(web: dict[str, Any]) -> None:
    browser, _ = signed_in(web, ("academy_lead",))
    browser.submit("/lead/pool/new", member_form())
    browser.submit(
        "/lead/pool/new",
        member_form(email="alex.morgan2@example.nhs.uk", employer="Bolton NHS FT", kind="peer"),
    )
    page = browser.get("/lead/pool").body
    rows = [r for r in page.split('<tr class="nhsuk-table__row">')[2:] if "Alex Morgan" in r]
    assert len(rows) == 2
    assert any("Mersey Care" in r and "Expert" in r for r in rows)
    assert any("Bolton NHS FT" in r and "Peer" in r for r in rows)


def test_a_lead_adds_members_of_their_own_academy_only(web: dict[str, Any]) -> None:
    browser, _ = signed_in(web, ("academy_lead",))
    response = browser.submit("/lead/pool/new", member_form(academy_id="london"))
    assert response.status == 403
    assert "Only a lead of this academy can do this." in response.body
    assert people.person_by_email("alex.morgan@example.nhs.uk") is None
