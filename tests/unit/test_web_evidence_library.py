"""Issue 16.6 through the web handler (moto in process): a file uploaded from the element page itself
lands in the claim's evidence library, is ticked on other elements' pages without a second upload,
titled and linked to many elements at once, listed with the elements still missing, opened by its one
link, and every change is in the audit trail."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from odvalidation.domain.models import EvidenceItem
from tests.unit import test_web_practitioner as practitioner_pages
from tests.unit.test_web_practitioner import PDF, in_claim_development, land, text

web = practitioner_pages.web  # the same fixture: the web handler on moto, the workflow recorded


def element_upload_fields(browser: Any, journey_id: str, element_id: str) -> dict[str, str]:
    page = browser.get(f"/journeys/{journey_id}/claim/{element_id}")
    assert page.status == 200, page.body
    found = re.search(
        r'<form action="([^"]+)" method="post" enctype="multipart/form-data">(.*?)</form>', page.body, re.S
    )
    assert found, "the element page has no upload form"
    assert "form-action 'self' https://od-validation-evidence.s3" in page.header("Content-Security-Policy")
    hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', found[2])
    return {unescape(n): unescape(v) for n, v in hidden}


def items(journey_id: str) -> list[EvidenceItem]:
    from odvalidation.services import journeys as js
    from odvalidation.services.common import db

    return js.evidence(db().journey(journey_id))


def test_one_upload_from_the_element_page_supports_many_elements(web: dict[str, Any]) -> None:
    browser, _, journey_id = in_claim_development(web)
    token = browser.get(f"/journeys/{journey_id}/claim").csrf_token()
    assert (
        browser.post(
            f"/journeys/{journey_id}/level", {"csrf_token": token, "level": "system_od_practitioner"}
        ).status
        == 303
    )

    # Uploaded from element 1.1's own page: it supports 1.1.
    outcome, _ = land(element_upload_fields(browser, journey_id, "1.1"), "Stakeholder map.pdf", PDF)
    assert outcome == "verified"
    (item,) = items(journey_id)
    assert item.elements == ["1.1"]

    # On 1.2's page the library offers it, unticked; ticking it and saving links it (no upload) and
    # moves on to the next element.
    page = browser.get(f"/journeys/{journey_id}/claim/1.2")
    assert re.search(f'name="evidence" type="checkbox" value="{item.id}" aria', page.body)
    saved = browser.post(
        f"/journeys/{journey_id}/claim/1.2",
        [
            ("csrf_token", token),
            ("narrative", "I mapped the system."),
            ("version", "0"),
            ("library", "1"),
            ("shown", item.id),
            ("evidence", item.id),
        ],  # type: ignore[arg-type]
    )
    assert saved.status == 303
    assert saved.header("Location") == f"/journeys/{journey_id}/claim/1.3?saved=1.2"
    assert items(journey_id)[0].elements == ["1.1", "1.2"]
    assert "Element 1.2 has been saved." in text(
        browser.get(f"/journeys/{journey_id}/claim/1.3", saved="1.2").body
    )
    assert f'value="{item.id}" checked' in browser.get(f"/journeys/{journey_id}/claim/1.2").body.replace(
        " checked aria", " checked"
    )

    # Titled, described and linked to several elements at once from the library.
    edit = browser.get(f"/journeys/{journey_id}/evidence/{item.id}/edit")
    assert edit.status == 200
    form = [
        ("csrf_token", token),
        ("title", "Place stakeholder map"),
        ("description", "Who shapes whom."),
        ("linking", "1"),
    ]
    form += [("elements", e) for e in ("1.1", "1.2", "2.1", "2.2")]
    assert browser.post(f"/journeys/{journey_id}/evidence/{item.id}/edit", form).status == 303  # type: ignore[arg-type]
    stored = items(journey_id)[0]
    assert (stored.title, stored.elements) == ("Place stakeholder map", ["1.1", "1.2", "2.1", "2.2"])
    assert stored.id == item.id  # one file, one id, whatever it is linked to

    library = text(browser.get(f"/journeys/{journey_id}/evidence").body)
    assert "Place stakeholder map" in library
    assert "Who shapes whom." in library
    assert "4 of 9 elements evidenced" in library
    assert "1.3 " in library.split("Elements without evidence")[1].split("Files")[0]
    assert "2.1 " not in library.split("Elements without evidence")[1].split("Files")[0]
    # Its one link opens it (a short-lived S3 link), from the library.
    opened = browser.get(f"/journeys/{journey_id}/evidence/{item.id}")
    assert opened.status == 303
    assert "od-validation-evidence" in opened.header("Location")

    # Unticked on 2.1's page: only that link goes.
    browser.post(
        f"/journeys/{journey_id}/claim/2.1",
        [("csrf_token", token), ("narrative", ""), ("version", "0"), ("library", "1"), ("shown", item.id)],
    )  # type: ignore[arg-type]
    assert items(journey_id)[0].elements == ["1.1", "1.2", "2.2"]
    claim = text(browser.get(f"/journeys/{journey_id}/claim").body)
    assert "3 of 9 elements evidenced" in claim  # one file, three elements evidenced

    from odvalidation.services import journeys as js

    actions = [(e.action, e.reason) for e in js.history(journey_id)]
    assert ("linked evidence", "element 1.2: Stakeholder map.pdf") in actions
    assert ("linked evidence", "elements 2.1, 2.2: Place stakeholder map") in actions
    assert ("described evidence", "Place stakeholder map") in actions
    assert ("unlinked evidence", "element 2.1: Place stakeholder map") in actions
    assert any(a == "opened evidence" for a, _ in actions)


def test_a_link_outside_the_level_is_refused_with_a_message(web: dict[str, Any]) -> None:
    browser, _, journey_id = in_claim_development(web)
    token = browser.get(f"/journeys/{journey_id}/claim").csrf_token()
    browser.post(f"/journeys/{journey_id}/level", {"csrf_token": token, "level": "system_od_practitioner"})
    land(element_upload_fields(browser, journey_id, "1.1"), "map.pdf", PDF)
    (item,) = items(journey_id)
    form = [("csrf_token", token), ("title", ""), ("linking", "1"), ("elements", "1.1"), ("elements", "9.9")]
    refused = browser.post(f"/journeys/{journey_id}/evidence/{item.id}/edit", form)  # type: ignore[arg-type]
    assert refused.status == 400
    assert "Element 9.9 is not part of the" in text(refused.body)
    assert items(journey_id)[0].elements == ["1.1"]


def test_another_practitioner_can_neither_read_nor_change_the_library(web: dict[str, Any]) -> None:
    from tests.unit.test_web_practitioner import sign_in

    browser, _, journey_id = in_claim_development(web)
    land(element_upload_fields(browser, journey_id, "1.1"), "map.pdf", PDF)
    (item,) = items(journey_id)
    stranger, _ = sign_in(web, "stranger@example.nhs.uk", "Sam Stranger")
    token = stranger.get("/home").csrf_token()
    assert stranger.get(f"/journeys/{journey_id}/evidence").status == 404
    assert stranger.get(f"/journeys/{journey_id}/evidence/{item.id}").status == 404
    assert stranger.get(f"/journeys/{journey_id}/evidence/{item.id}/edit").status == 404
    form = [("csrf_token", token), ("title", "Mine"), ("linking", "1"), ("elements", "1.2")]
    assert stranger.post(f"/journeys/{journey_id}/evidence/{item.id}/edit", form).status == 404  # type: ignore[arg-type]
    assert items(journey_id)[0].elements == ["1.1"]
    assert items(journey_id)[0].title == ""


def test_the_same_file_uploaded_twice_is_named_as_a_copy_in_the_library(web: dict[str, Any]) -> None:
    # A browser walk uploaded one file twice and found two entries with no word that they were the same.
    browser, _, journey_id = in_claim_development(web)
    token = browser.get(f"/journeys/{journey_id}/claim").csrf_token()
    browser.post(f"/journeys/{journey_id}/level", {"csrf_token": token, "level": "system_od_practitioner"})
    land(element_upload_fields(browser, journey_id, "1.1"), "Interview notes.pdf", PDF)
    land(element_upload_fields(browser, journey_id, "1.2"), "Interview notes.pdf", PDF)
    land(element_upload_fields(browser, journey_id, "1.3"), "Other notes.pdf", PDF + b"\n% another file")

    library = text(browser.get(f"/journeys/{journey_id}/evidence").body)
    assert library.count("This is the same file as") == 1
    assert (
        "This is the same file as \u201cInterview notes.pdf\u201d: link that one to the elements" in library
    )
