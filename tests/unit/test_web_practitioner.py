"""The practitioner's pages through the web handler, with Cognito, DynamoDB and S3 in moto's in-process mock.

The workflow (Step Functions) is replaced by a recorder: these tests are about what the pages show and
send to the services, not about the state machine (tests/e2e drive that).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from datetime import date, timedelta
from html import unescape
from typing import Any

import boto3
import pytest

from tests.browser.harness import PASSWORD, WebClient, in_process_web

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def web(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    from odvalidation.dal import workflow

    calls: list[tuple[str, Any]] = []
    monkeypatch.setattr(
        workflow, "start", lambda journey_id, start_at, **_: calls.append(("start", start_at))
    )

    def resume(token: str, output: dict[str, Any]) -> bool:
        calls.append(("resume", output))
        return True

    monkeypatch.setattr(workflow, "resume", resume)
    with in_process_web(monkeypatch) as env:
        boto3.client("ses", region_name="eu-west-2").verify_email_identity(
            EmailAddress="no-reply@od-validation.example.org"
        )
        env["workflow"] = calls
        yield env


def sign_in(
    web: dict[str, Any], email: str, name: str, groups: tuple[str, ...] = ()
) -> tuple[WebClient, str]:
    """A confirmed account (self sign-up makes a practitioner), signed in; returns the client and the sub."""
    from odvalidation.domain.models import Person
    from odvalidation.services import people

    browser = WebClient(web["handler"])
    details = {
        "name": name,
        "email": email,
        "password": PASSWORD,
        "academy": "north-west",
        "employer": "A trust",
    }
    assert browser.submit("/sign-up", details).status == 303
    assert browser.submit("/confirm", {"email": email, "code": "123456"}).status == 303
    for group in groups:
        web["cognito"].admin_add_user_to_group(UserPoolId=web["pool_id"], Username=email, GroupName=group)
    reply = browser.submit("/sign-in", {"email": email, "password": PASSWORD})
    assert reply.status == 303, reply.body
    user = web["cognito"].admin_get_user(UserPoolId=web["pool_id"], Username=email)
    sub = next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")
    people.save_person(Person(id=sub, name=name, email=email, academy_id="north-west"))
    return browser, sub


def make_cohort(framework_key: str = "global-practice@1.0") -> str:
    from odvalidation import clock
    from odvalidation.domain.access import Caller
    from odvalidation.domain.models import Role
    from odvalidation.services import cohorts

    lead = Caller(id="lead-1", roles=frozenset({Role.ACADEMY_LEAD}), academy_id="north-west")
    cohort = cohorts.create_cohort(
        lead,
        cohorts.NewCohort(
            academy_id="north-west",
            name="North West cohort 7",
            number=7,
            framework_key=framework_key,
            workshop_date=clock.now().date() + timedelta(days=30),
        ),
    )
    return cohort.id


def move_to(journey_id: str, stage: str, **update: Any) -> None:
    """Put the journey at a stage, waiting on the step's callback, as the workflow would."""
    from odvalidation.dal.store import Change
    from odvalidation.domain.models import Stage
    from odvalidation.services.common import db

    journey = db().journey(journey_id)
    waiting = {"claim_development": "claim_development"}.get(stage, stage)
    changed = journey.model_copy(
        update={"stage": Stage(stage), "task_token": "token-" + stage, "waiting_step": waiting, **update}
    )
    db().commit(Change(journey=changed, expected_version=journey.version))


def practitioner_with_journey(web: dict[str, Any]) -> tuple[WebClient, str, str]:
    browser, sub = sign_in(web, "rowan@nhs.net", "Rowan Achterberg")
    cohort_id = make_cohort()
    home = browser.get("/home")
    reply = browser.post("/journeys", {"cohort_id": cohort_id, "csrf_token": home.csrf_token()})
    assert reply.status == 303
    journey_id = str(reply.header("Location")).split("/")[2].split("?")[0]
    return browser, sub, journey_id


def in_claim_development(web: dict[str, Any]) -> tuple[WebClient, str, str]:
    from odvalidation import clock

    browser, sub, journey_id = practitioner_with_journey(web)
    move_to(journey_id, "claim_development", claim_number=1, claim_deadline=clock.now() + timedelta(days=180))
    return browser, sub, journey_id


def text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


# --------------------------------------------------------------------------- home and interest


def test_home_offers_the_open_cohort_and_registering_shows_step_one(web: dict[str, Any]) -> None:
    browser, _, journey_id = practitioner_with_journey(web)

    assert ("start", "reflection") in web["workflow"]
    status = browser.get(f"/journeys/{journey_id}", registered="1")
    assert status.status == 200
    assert "You have registered your interest" in text(status.body)
    home = text(browser.get("/home").body)
    assert "North West cohort 7" in home
    assert "You are at step 1 of 6: Reflection" in home
    assert f'href="/journeys/{journey_id}/reflection"' in browser.get("/home").body
    # Already enrolled: the cohort is no longer offered.
    assert "Express interest" not in home


# --------------------------------------------------------------------------- reflection


def test_submitting_an_incomplete_reflection_names_each_unrated_element_and_keeps_what_was_typed(
    web: dict[str, Any],
) -> None:
    browser, _, journey_id = practitioner_with_journey(web)
    page = browser.get(f"/journeys/{journey_id}/reflection")
    assert page.status == 200

    reply = browser.post(
        f"/journeys/{journey_id}/reflection",
        {
            "csrf_token": page.csrf_token(),
            "rating-1.1": "4",
            "note-1.1": "I led the <b>place</b> partnership review",
            "action": "submit",
        },
    )

    assert reply.status == 400
    assert "nhsuk-error-summary" in reply.body
    assert '<a href="#rating-1-2">Select a rating for element 1.2</a>' in reply.body
    assert "#rating-1-1" not in reply.body
    assert 'value="4" checked' in reply.body
    assert "I led the &lt;b&gt;place&lt;/b&gt; partnership review" in reply.body
    assert not [c for c in web["workflow"] if c[0] == "resume"]


def test_a_draft_reflection_is_saved_and_shown_again(web: dict[str, Any]) -> None:
    browser, _, journey_id = practitioner_with_journey(web)
    page = browser.get(f"/journeys/{journey_id}/reflection")
    reply = browser.post(
        f"/journeys/{journey_id}/reflection",
        {
            "csrf_token": page.csrf_token(),
            "rating-2.1": "2",
            "career_note": "Twelve years in OD",
            "action": "save",
        },
    )
    assert reply.status == 303
    again = browser.get(f"/journeys/{journey_id}/reflection")
    assert "Twelve years in OD" in again.body
    assert re.search(r'name="rating-2.1" type="radio" value="2" checked', again.body)


# --------------------------------------------------------------------------- decision


def test_the_decision_needs_a_choice_and_a_date_in_range(web: dict[str, Any]) -> None:
    browser, _, journey_id = practitioner_with_journey(web)
    move_to(journey_id, "decision")
    page = browser.get(f"/journeys/{journey_id}/decision")
    token = page.csrf_token()

    empty = browser.post(f"/journeys/{journey_id}/decision", {"csrf_token": token})
    assert empty.status == 400
    assert '<a href="#readiness">Select what you have decided</a>' in empty.body

    soon = date.today() + timedelta(days=3)
    too_soon = browser.post(
        f"/journeys/{journey_id}/decision",
        {
            "csrf_token": token,
            "readiness": "ready_12_18_months",
            "reengage-day": str(soon.day),
            "reengage-month": str(soon.month),
            "reengage-year": str(soon.year),
            "note": "Back after my secondment",
        },
    )
    assert too_soon.status == 400
    assert "Ready in 12 to 18 months: choose a date" in too_soon.body  # the service's rule, in the summary
    assert 'href="#reengage-day"' in too_soon.body
    assert "Back after my secondment" in too_soon.body

    ready = browser.post(f"/journeys/{journey_id}/decision", {"csrf_token": token, "readiness": "ready_now"})
    assert ready.status == 303
    assert ("resume", {"readiness": "ready_now"}) in web["workflow"]


def test_a_post_without_the_csrf_token_changes_nothing(web: dict[str, Any]) -> None:
    browser, _, journey_id = practitioner_with_journey(web)
    move_to(journey_id, "decision")
    reply = browser.post(f"/journeys/{journey_id}/decision", {"readiness": "ready_now"})
    assert reply.status == 400
    assert "Your session expired" in reply.body
    assert not [c for c in web["workflow"] if c[0] == "resume"]


# --------------------------------------------------------------------------- claim builder and upload


def upload_form(browser: WebClient, journey_id: str, element_id: str) -> tuple[Any, str, dict[str, str]]:
    page = browser.get(f"/journeys/{journey_id}/claim/{element_id}/upload")
    assert page.status == 200, page.body
    found = re.search(
        r'<form action="([^"]+)" method="post" enctype="multipart/form-data">(.*?)</form>', page.body, re.S
    )
    assert found, "the page has no upload form"
    action = unescape(found[1])
    hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', found[2])
    fields = {unescape(n): unescape(v) for n, v in hidden}
    return page, action, fields


def test_the_upload_form_is_a_presigned_post_whose_policy_limits_key_size_type_and_redirect(
    web: dict[str, Any],
) -> None:
    browser, _, journey_id = in_claim_development(web)
    page, action, fields = upload_form(browser, journey_id, "1.2")

    assert action.startswith("https://od-validation-evidence.s3")
    assert "csrf_token" not in fields  # S3 refuses fields its policy does not name
    form = page.body[page.body.index('enctype="multipart/form-data"') :]
    inputs = re.findall(r'<input [^>]*name="([^"]+)"', form[: form.index("</form>")])
    assert inputs[-1] == "file"  # S3 ignores every field after the file
    policy = json.loads(base64.b64decode(fields["policy"]))
    conditions = policy["conditions"]
    # The browser's file name goes under a prefix of this form's own, never into an evidence key.
    prefix = f"journeys/{journey_id}/incoming/"
    assert ["content-length-range", 1, 25 * 1024 * 1024] in conditions
    starts = next(c for c in conditions if isinstance(c, list) and c[:2] == ["starts-with", "$key"])
    assert starts[2].startswith(prefix)
    assert starts[2].endswith("/")
    assert fields["key"] == starts[2] + "${filename}"
    assert {"Content-Type": "application/octet-stream"} in conditions
    redirect = f"http://127.0.0.1:3000/journeys/{journey_id}/claim/1.2"
    assert {"success_action_redirect": redirect} in conditions
    assert fields["success_action_redirect"] == redirect
    assert {"bucket": "od-validation-evidence"} in conditions
    # The page may post to the bucket, and only this page.
    csp = page.header("Content-Security-Policy")
    assert "form-action 'self' https://od-validation-evidence.s3" in csp
    assert "s3" not in (browser.get(f"/journeys/{journey_id}/claim").header("Content-Security-Policy") or "")


def land(fields: dict[str, str], filename: str, body: bytes) -> tuple[str, str]:
    """What S3 does with the form: store the file under the key with its name, then tell the check; the
    check moves it to a key of the service's own, and S3 tells the check again about that one."""
    from odvalidation.services.evidence_checks import check_landed
    from odvalidation.services.journeys import evidence_by_key
    from odvalidation.services.upload_landings import landed_evidence_id

    key = fields["key"].replace("${filename}", filename)
    boto3.client("s3", region_name="eu-west-2").put_object(
        Bucket="od-validation-evidence", Key=key, Body=body
    )
    outcome = check_landed(key)
    if outcome == "moved":
        journey_id = key.split("/")[1]
        moved = boto3.client("s3", region_name="eu-west-2").list_objects_v2(
            Bucket="od-validation-evidence", Prefix=f"journeys/{journey_id}/claim-"
        )
        target = next(o["Key"] for o in moved["Contents"] if o["Key"].endswith(landed_evidence_id(key)))
        outcome = check_landed(target)
        item = evidence_by_key(target)
        assert item is not None
        assert set(target.split("/")[-1]) <= set("abcdefghijklmnopqrstuvwxyz234567e")
    return outcome, key


def test_a_file_landing_under_a_signed_upload_id_is_recorded_checked_and_listed(web: dict[str, Any]) -> None:
    browser, _, journey_id = in_claim_development(web)
    _, _, fields = upload_form(browser, journey_id, "1.1")

    outcome, key = land(fields, "Place partnership review.pdf", PDF)

    assert outcome == "verified"
    builder = text(browser.get(f"/journeys/{journey_id}/claim").body)
    assert "1 of 11 elements evidenced" in builder
    element = browser.get(f"/journeys/{journey_id}/claim/1.1", key=key, bucket="od-validation-evidence")
    assert "Place partnership review.pdf has been uploaded and checked." in text(element.body)
    assert "Verified" in text(element.body)


def test_a_file_whose_bytes_are_not_what_its_name_says_is_quarantined_with_the_reason(
    web: dict[str, Any],
) -> None:
    browser, _, journey_id = in_claim_development(web)
    _, _, fields = upload_form(browser, journey_id, "1.1")

    outcome, key = land(fields, "minutes.pdf", PNG)

    assert outcome == "quarantined"
    element = text(browser.get(f"/journeys/{journey_id}/claim/1.1", key=key).body)
    assert "Your file was not accepted" in element
    assert "described as PDF but its content is PNG image" in element
    s3 = boto3.client("s3", region_name="eu-west-2")
    assert s3.list_objects_v2(Bucket="od-validation-evidence", Prefix="quarantine/journeys/")["KeyCount"] == 1


def test_a_key_no_upload_was_granted_for_is_quarantined_and_recorded_nowhere(web: dict[str, Any]) -> None:
    browser, _, journey_id = in_claim_development(web)
    _, _, fields = upload_form(browser, journey_id, "1.1")
    # A made-up upload id under the same journey: no grant was recorded for it.
    forged = {"key": fields["key"].replace("/incoming/u", "/incoming/uforged")}

    outcome, _ = land(forged, "report.pdf", PDF)

    assert outcome == "unknown"
    assert "0 of " in text(browser.get(f"/journeys/{journey_id}/claim").body)


def test_the_narrative_level_unlinking_and_a_confirmed_delete_go_through_the_claim_services(
    web: dict[str, Any],
) -> None:
    browser, _, journey_id = in_claim_development(web)
    page = browser.get(f"/journeys/{journey_id}/claim")
    token = page.csrf_token()
    assert "Not started" in text(page.body)

    assert browser.post(f"/journeys/{journey_id}/level", {"csrf_token": token}).status == 400
    assert (
        browser.post(
            f"/journeys/{journey_id}/level", {"csrf_token": token, "level": "system_od_practitioner"}
        ).status
        == 303
    )
    saved = browser.post(
        f"/journeys/{journey_id}/claim/1.1",
        {"csrf_token": token, "narrative": "I convened the ICS OD network.", "version": "0"},
    )
    assert saved.status == 303
    element = browser.get(f"/journeys/{journey_id}/claim/1.1", saved="1")
    assert "I convened the ICS OD network." in element.body
    assert "Your narrative has been saved." in element.body

    _, _, fields = upload_form(browser, journey_id, "1.1")
    land(fields, "evidence.pdf", PDF)
    element_page = browser.get(f"/journeys/{journey_id}/claim/1.1").body
    found = re.search(rf"/journeys/{journey_id}/evidence/([^/]+)/unlink", element_page)
    assert found, "the element page lists no evidence to unlink"
    # The element page only unlinks (issue 16.6 follow-up): it offers no delete from the whole library.
    assert "/remove" not in element_page
    evidence_id = found[1]
    unlinked = browser.post(
        f"/journeys/{journey_id}/evidence/{evidence_id}/unlink", {"csrf_token": token, "element_id": "1.1"}
    )
    assert unlinked.header("Location") == f"/journeys/{journey_id}/claim/1.1?unlinked=1"
    after = browser.get(f"/journeys/{journey_id}/claim/1.1", unlinked="1").body
    assert "No file supports this element yet." in after
    assert "It is still in your" in after
    # The file is still in the library, which offers to delete it, after asking.
    library = browser.get(f"/journeys/{journey_id}/evidence").body
    assert f"/journeys/{journey_id}/evidence/{evidence_id}/remove" in library
    # A delete posted without the confirmation page's answer is shown that page first; nothing goes.
    unconfirmed = browser.post(f"/journeys/{journey_id}/evidence/{evidence_id}/remove", {"csrf_token": token})
    assert unconfirmed.header("Location") == f"/journeys/{journey_id}/evidence/{evidence_id}/remove"
    confirm = browser.get(f"/journeys/{journey_id}/evidence/{evidence_id}/remove")
    assert "Are you sure you want to delete" in confirm.body
    assert "No, keep it" in confirm.body
    assert f"/evidence/{evidence_id}/edit" in browser.get(f"/journeys/{journey_id}/evidence").body
    deleted = browser.post(
        f"/journeys/{journey_id}/evidence/{evidence_id}/remove", {"csrf_token": token, "confirm": "yes"}
    )
    assert deleted.header("Location") == f"/journeys/{journey_id}/evidence?removed=1"
    library = browser.get(f"/journeys/{journey_id}/evidence", removed="1").body
    assert "The file has been deleted from your evidence library." in library
    assert f"/evidence/{evidence_id}/edit" not in library


def test_submitting_an_incomplete_claim_lists_what_is_missing(web: dict[str, Any]) -> None:
    browser, _, journey_id = in_claim_development(web)
    check = browser.get(f"/journeys/{journey_id}/check")
    assert check.status == 200
    assert f'href="/journeys/{journey_id}/claim/1.1">Change' in check.body

    reply = browser.post(f"/journeys/{journey_id}/submit", {"csrf_token": check.csrf_token()})

    assert reply.status == 400
    assert "Choose the level you are claiming" in text(reply.body)
    assert "Element 1.1 (" in text(reply.body)
    assert not [c for c in web["workflow"] if c[0] == "resume"]


# --------------------------------------------------------------------------- who sees what


def test_a_named_supporter_reads_the_claim_and_a_stranger_is_told_nothing(web: dict[str, Any]) -> None:
    browser, _, journey_id = in_claim_development(web)
    supporter, _ = sign_in(web, "sam.supporter@nhs.net", "Sam Okoro", groups=("supporter",))
    token = browser.get(f"/journeys/{journey_id}/claim").csrf_token()
    browser.post(
        f"/journeys/{journey_id}/claim/2.1",
        {"csrf_token": token, "narrative": "My system work.", "version": "0"},
    )

    unknown = browser.post(
        f"/journeys/{journey_id}/supporter", {"csrf_token": token, "supporter_email": "nobody@nhs.net"}
    )
    assert unknown.status == 400
    assert "No one with the email nobody@nhs.net has an account yet" in text(unknown.body)
    assert 'value="nobody@nhs.net"' in unknown.body
    named = browser.post(
        f"/journeys/{journey_id}/supporter", {"csrf_token": token, "supporter_email": "sam.supporter@nhs.net"}
    )
    assert named.status == 303

    assert "Rowan Achterberg's claim (Claim development: you can comment on the draft)" in text(
        supporter.get("/home").body
    )
    view = supporter.get(f"/journeys/{journey_id}")
    assert view.status == 200
    assert "My system work." in view.body
    # The claim is read-only to the supporter: the one form on the page is for comments on the draft.
    main = view.body.split('id="maincontent"')[1]
    assert re.findall(r'<form action="([^"]+)"', main) == [f"/journeys/{journey_id}/comments"]
    assert supporter.get(f"/journeys/{journey_id}/claim").status == 404

    stranger, _ = sign_in(web, "someone.else@nhs.net", "Jo Stranger")
    assert stranger.get(f"/journeys/{journey_id}").status == 404


def test_the_journey_page_reads_the_journey_with_one_query_of_its_item_collection(
    web: dict[str, Any],
) -> None:
    # Issue 19: a page that needs several items of one journey reads them with one Query of its
    # collection; the people and cohort it names come in one BatchGetItem.
    from odvalidation.services.common import db as store

    browser, _, journey_id = in_claim_development(web)
    browser.submit(
        f"/journeys/{journey_id}/claim/1.1", {"narrative": "Led a system-wide redesign.", "version": "0"}
    )
    calls: list[str] = []

    def count(model: Any, **_: Any) -> None:
        calls.append(model.name)

    db = store().db  # the client the product's store holds
    db.meta.events.register("after-call.dynamodb", count)
    try:
        page = browser.get(f"/journeys/{journey_id}")
    finally:
        db.meta.events.unregister("after-call.dynamodb", count)
    assert page.status == 200
    assert "Rowan Achterberg" in text(page.body) or "Your validation journey" in text(page.body)
    assert calls == ["Query", "BatchGetItem"], calls
