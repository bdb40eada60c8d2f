"""The reporting pages for an academy lead (issue 17.9): /reports and another academy's page follow
one rule. /reports shows every academy's row suppressed, so another academy's page shows that row, the
same way, instead of a 403; the page says which rule its figures follow."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.harness import PASSWORD, WebClient, in_process_web


@pytest.fixture
def web(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    monkeypatch.setenv("SUPPRESSION_THRESHOLD", "5")
    with in_process_web(monkeypatch) as env:
        yield env


def academy_lead(web: dict[str, Any], academy: str) -> WebClient:
    cognito, pool = web["cognito"], web["pool_id"]
    email = f"lead-{uuid.uuid4().hex[:6]}@nhs.net"
    cognito.admin_create_user(
        UserPoolId=pool,
        Username=email,
        UserAttributes=[
            {"Name": "email", "Value": email},
            {"Name": "name", "Value": "Olusegun Adeyemi"},
            {"Name": "custom:academy", "Value": academy},
        ],
        MessageAction="SUPPRESS",
    )
    cognito.admin_set_user_password(UserPoolId=pool, Username=email, Password=PASSWORD, Permanent=True)
    cognito.admin_add_user_to_group(UserPoolId=pool, Username=email, GroupName="academy_lead")
    browser = WebClient(web["handler"])
    assert browser.submit("/sign-in", {"email": email, "password": PASSWORD}).status == 303
    return browser


def test_an_academy_lead_sees_another_academy_as_reports_shows_it(web: dict[str, Any]) -> None:
    browser = academy_lead(web, "north-west")
    national = browser.get("/reports")
    assert national.status == 200
    assert "Counts from 1 to 4, and counts that would reveal them" in national.body
    assert "/reports/academies/london" in national.body  # every academy's row opens
    assert "Renewals started" in national.body  # renewals by academy (issue 18.6)
    other = browser.get("/reports/academies/london")
    assert other.status == 200, other.body[:500]
    assert "London Leadership Academy" in other.body
    assert "Counts from 1 to 4, and counts that would reveal them" in other.body
    assert "Time spent in each step" not in other.body  # exact figures are for its own leads
    own = browser.get("/reports/academies/north-west")
    assert own.status == 200
    assert "Exact counts" in own.body


def test_the_table_by_cohort_and_its_csv_named_after_its_filter(web: dict[str, Any]) -> None:
    browser = academy_lead(web, "north-west")
    page = browser.get("/reports/cohorts", academy="london")
    assert page.status == 200, page.body[:500]
    assert "Cohorts: London Leadership Academy" in page.body
    assert "Counts from 1 to 4" in page.body
    assert "/reports/cohorts.csv?academy=london" in page.body
    download = browser.get("/reports/cohorts.csv", academy="london")
    assert download.status == 200
    assert (download.header("Content-Type") or "").startswith("text/csv")
    assert 'filename="od-cohorts_london_all-frameworks_all-years_' in (
        download.header("Content-Disposition") or ""
    )
    assert download.body.splitlines()[0].startswith("Academy,Cohort,Framework,Expressed interest,")
