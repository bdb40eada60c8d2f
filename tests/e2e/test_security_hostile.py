"""Hostile input on the local stack: uploads through the real presigned POST (oversize, a spoofed type,
polyglots, names with path traversal or control characters), script in narratives and names (inert in
the API's JSON, the web pages, email and the certificate PDF), email header injection, and very long or
unusual unicode fields (a 4xx with a message, never a 500).

One journey carries all of it, from registration to a certificate, so the module costs one journey.
"""

from __future__ import annotations

import email
import email.policy
import io
import json
import re
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from pypdf import PdfReader

from local import scenario
from local.stack import LocalStack
from odvalidation.domain.frameworks import framework
from tests.e2e.security_support import message_of, record, web_session

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]

MB = 1024 * 1024
SCRIPT = "<script>alert(1)</script>"
NARRATIVE = f"I led the system's OD work. {SCRIPT} & <img src=x onerror=alert(2)>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
# One name carries both attacks: markup for pages, email HTML and the PDF, and a CRLF for headers.
HOSTILE_NAME = f"Eve {SCRIPT}\r\nBcc: attacker@example.org"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


@dataclass
class Upload:
    case: str
    filename: str
    declared: str
    evidence_id: str = ""
    refused: tuple[int, str] | None = None  # the API's answer when the link itself is refused
    s3_refused: tuple[int, str] | None = None  # S3's status and error code when its POST policy refuses it


@dataclass
class Journey:
    cast: scenario.Cast
    id: str
    uploads: list[Upload] = field(default_factory=list)
    evidence: dict[str, dict[str, Any]] = field(default_factory=dict)  # by evidence id, after the checks
    browser_key: str = ""
    claim_json: dict[str, Any] = field(default_factory=dict)
    claim_content_type: str = ""
    pages: dict[str, str] = field(default_factory=dict)  # path -> HTML
    edge_cases: list[tuple[str, int, str]] = field(default_factory=list)  # (case, status, message)
    certificate_pdf: bytes = b""


def _upload(api: Any, journey_id: str, element_id: str, content: bytes, upload: Upload, size: int) -> None:
    """The API's presigned POST, then the bytes straight to S3 as a browser sends them."""
    response = api.session.post(
        f"{api.base_url}/api/journeys/{journey_id}/evidence",
        json={
            "element_id": element_id,
            "filename": upload.filename,
            "content_type": upload.declared,
            "size": size,
        },
        timeout=30,
    )
    if response.status_code != 200:
        upload.refused = (response.status_code, message_of(response))
        return
    link = response.json()
    upload.evidence_id = link["evidence_id"]
    posted = requests.post(
        link["url"], data=link["fields"], files={"file": ("f", content, upload.declared)}, timeout=60
    )
    if posted.status_code >= 400:
        code = re.search(r"<Code>([^<]+)</Code>", posted.text)
        upload.s3_refused = (posted.status_code, code.group(1) if code else posted.text[:200])
        return
    posted.raise_for_status()


def _browser_upload(
    session: requests.Session, base: str, journey_id: str, element_id: str, filename: str
) -> None:
    """The claim builder's plain HTML form: S3 puts the browser's own file name into the key."""
    page = session.get(f"{base}/journeys/{journey_id}/claim/{element_id}/upload", timeout=30)
    page.raise_for_status()
    action = re.search(r'<form action="([^"]+)" method="post" enctype', page.text)
    assert action
    # The upload form's own fields only: S3 refuses a field its policy does not name (another form's
    # CSRF token, say), as the local stack now does too.
    form = page.text[action.start() : page.text.index("</form>", action.start())]
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form))
    fields = {k: v.replace("&amp;", "&").replace("&#34;", '"') for k, v in fields.items()}
    posted = requests.post(
        action.group(1).replace("&amp;", "&"),
        data=fields,
        files={"file": (filename, scenario.PDF, "application/octet-stream")},
        allow_redirects=False,
        timeout=30,
    )
    assert posted.status_code in (200, 201, 204, 303), posted.text[:300]


def _raw(api: Any, method: str, path: str, body: str | bytes) -> requests.Response:
    """A request whose body is sent exactly as written (JSON escapes such as \\ud800 kept)."""
    return api.session.request(
        method,
        f"{api.base_url}{path}",
        data=body.encode() if isinstance(body, str) else body,
        headers={"Content-Type": "application/json"},
        timeout=30,
    )


def _edge_cases(
    stack: LocalStack, c: scenario.Cast, journey_id: str, element_id: str
) -> list[tuple[str, int, str]]:
    """Very long fields and unicode edge cases against the fields people type into."""
    # A person of its own, so names that are accepted do not rename anyone the journey needs.
    other = scenario.person(
        stack,
        f"edge.{journey_id.lower()}@example.nhs.uk",
        "Edge Case",
        ["practitioner"],
        academy="north-west",
        employer="Edge Trust",
    )
    api = c.practitioner.api
    claim = f"/api/journeys/{journey_id}/claim"
    evidence = f"/api/journeys/{journey_id}/evidence"

    def narrative(text: str) -> str:
        return f'{{"narratives": {{"{element_id}": "{text}"}}}}'

    def name(text: str) -> str:
        return f'{{"name": "{text}", "employer": "Edge Trust"}}'

    def filename(text: str) -> str:
        body = {"element_id": element_id, "filename": "@", "content_type": "application/pdf", "size": 10}
        return json.dumps(body).replace('"@"', f'"{text}"')

    cases: list[tuple[str, Any, str, str, str | bytes]] = [
        ("narrative of 100,000 characters", api, "PUT", claim, narrative("n" * 100_000)),
        ("name of 10,000 characters", other.api, "PUT", "/api/me/profile", name("N" * 10_000)),
        ("file name of 10,000 characters", api, "POST", evidence, filename("f" * 10_000 + ".pdf")),
        ("lone surrogate in a narrative", api, "PUT", claim, narrative("before \\ud800 after")),
        ("lone surrogate in a name", other.api, "PUT", "/api/me/profile", name("Eve \\udfff")),
        ("lone surrogate in a file name", api, "POST", evidence, filename("\\ud800.pdf")),
        ("NUL in a narrative", api, "PUT", claim, narrative("before \\u0000 after")),
        ("NUL in a name", other.api, "PUT", "/api/me/profile", name("Eve\\u0000Smith")),
        ("zero-width joiner in a name", other.api, "PUT", "/api/me/profile", name("Zo\\u200de")),
        ("RTL override in a narrative", api, "PUT", claim, narrative("abc \\u202e fed")),
        (
            "invalid UTF-8 bytes",
            other.api,
            "PUT",
            "/api/me/profile",
            b'{"name": "\xff\xfe", "employer": "x"}',
        ),
        (
            "supporter email with CRLF",
            api,
            "PUT",
            f"/api/journeys/{journey_id}/supporter",
            '{"email": "a@example.org\\r\\nBcc: b@example.org"}',
        ),
    ]
    out = []
    for case, client, method, path, body in cases:
        response = _raw(client, method, path, body)
        out.append((case, response.status_code, message_of(response)))
    return out


def _wait_checked(api: Any, journey_id: str, ids: set[str]) -> dict[str, dict[str, Any]]:
    deadline = time.monotonic() + 60
    while True:
        items = {e["id"]: e for e in api.journey(journey_id)["evidence"]}
        if ids <= set(items) and all(items[i]["status"] != "pending" for i in ids):
            return items
        assert time.monotonic() < deadline, f"evidence never checked: {items}"
        time.sleep(0.2)


@pytest.fixture(scope="module")
def hostile(local_stack: LocalStack) -> Journey:
    stack = local_stack
    c = scenario.cast(stack)
    p = c.practitioner
    p.api.put("/api/me/profile", {"name": HOSTILE_NAME, "employer": "Riverside Trust"})
    journey_id = scenario.register(c)
    scenario.reflect(c, journey_id)
    scenario.attend_workshop(c, journey_id)
    scenario.decide(c, journey_id, "ready_now")
    scenario.build_claim(c, journey_id)
    j = Journey(cast=c, id=journey_id)
    element = framework(c.framework_key).elements[0].id

    # Uploads through the real presigned POST.
    pdf_with_script = scenario.PDF.replace(b"%%EOF", b"<script>alert(1)</script>\n%%EOF")
    html_first_pdf = b"<html><body><script>alert(1)</script></body></html>\n" + scenario.PDF
    plans: list[tuple[Upload, bytes, int]] = [
        (Upload("declared over 25 MB", "big.pdf", "application/pdf"), scenario.PDF, 26 * MB),
        (Upload("lands over 25 MB", "grew.pdf", "application/pdf"), scenario.PDF + b"0" * (25 * MB), 1000),
        (Upload("PNG declared as PDF", "photo.pdf", "application/pdf"), PNG, len(PNG)),
        (
            Upload("text with a script tag", "notes.txt", "text/plain"),
            b"Notes\n" + SCRIPT.encode() + b"\n",
            40,
        ),
        (
            Upload("PDF whose first bytes are HTML", "page.pdf", "application/pdf"),
            html_first_pdf,
            len(html_first_pdf),
        ),
        (
            Upload("PDF carrying a script tag", "carrier.pdf", "application/pdf"),
            pdf_with_script,
            len(pdf_with_script),
        ),
        (
            Upload("path traversal", "../../etc/passwd.pdf", "application/pdf"),
            scenario.PDF,
            len(scenario.PDF),
        ),
        (
            Upload("CRLF in the name", "report\r\nContent-Type: text/html.pdf", "application/pdf"),
            scenario.PDF,
            400,
        ),
        (Upload("NUL in the name", "nul\x00byte.pdf", "application/pdf"), scenario.PDF, 400),
        (Upload("RTL override in the name", "invoice\u202efdp.exe", "application/pdf"), scenario.PDF, 400),
    ]
    for upload, content, size in plans:
        _upload(p.api, journey_id, element, content, upload, size)
        j.uploads.append(upload)
    session = web_session(stack.base_url, p.email, scenario.PASSWORD)
    _browser_upload(session, stack.base_url, journey_id, element, "../../etc/passwd.pdf")
    issued = {u.evidence_id for u in j.uploads if u.evidence_id and not u.s3_refused}
    deadline = time.monotonic() + 60
    while True:
        items = {e["id"]: e for e in p.api.journey(journey_id)["evidence"]}
        # The browser form's file: named as the API's path traversal case is, but no link of ours was for it.
        granted = {u.evidence_id for u in j.uploads}
        browser = [e for e in items.values() if e["id"] not in granted and e["display_name"] == "passwd.pdf"]
        if (
            issued <= set(items)
            and browser
            and all(items[i]["status"] != "pending" for i in issued | {browser[0]["id"]})
        ):
            break
        assert time.monotonic() < deadline, f"evidence never checked: {items}"
        time.sleep(0.2)
    j.evidence = items
    j.browser_key = browser[0]["key"]

    # Script in a narrative: the API returns it as data.
    p.api.put(f"/api/journeys/{journey_id}/claim", {"narratives": {element: NARRATIVE}})
    read = p.api.session.get(f"{stack.base_url}/api/journeys/{journey_id}", timeout=30)
    j.claim_content_type = read.headers.get("Content-Type", "")
    j.claim_json = read.json()["claim"]
    j.edge_cases = _edge_cases(stack, c, journey_id, element)
    # The edge cases may have changed the narrative (an RTL override is ordinary text): put it back.
    p.api.put(f"/api/journeys/{journey_id}/claim", {"narratives": {element: NARRATIVE}})
    for path in (
        f"/journeys/{journey_id}/claim/{element}",
        f"/journeys/{journey_id}/check",
        f"/journeys/{journey_id}",
    ):
        j.pages[path] = session.get(f"{stack.base_url}{path}", timeout=30).text

    # The panel reads it, then the journey runs to a certificate.
    deadline = time.monotonic() + 30
    while not (p.api.journey(journey_id).get("completeness") or {}).get("complete"):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    scenario.submit(c, journey_id)
    p.api.wait_step(journey_id, "panel_review")
    panel = c.lead.api.get(f"/api/journeys/{journey_id}/panel")
    chair = next(s["member_id"] for s in panel["seats"] if s["chair"])
    member = {**scenario.PANEL, **{m.id: m for m in c.panel}}[chair]
    member.api.post(f"/api/journeys/{journey_id}/panel/declaration", {"conflict": False})
    panel_session = web_session(stack.base_url, member.email, scenario.PASSWORD)
    review_page = f"/panel/{journey_id}/review"
    j.pages[review_page] = panel_session.get(f"{stack.base_url}{review_page}", timeout=30).text
    scenario.review(c, journey_id)
    scenario.interview(c, journey_id, "system_od_leader")
    status = p.api.wait_for(journey_id, lambda s: bool(s.get("certificate_id")), what="a certificate")
    certificate = p.api.get(f"/api/certificates/{status['journey']['certificate_id']}")
    j.certificate_pdf = requests.get(certificate["links"]["pdf"], timeout=30).content
    return j


@pytest.fixture(scope="module", autouse=True)
def figures() -> Iterator[dict[str, Any]]:
    figures: dict[str, Any] = {
        "uploads": 0,
        "verified_hostile": 0,
        "leaks": 0,
        "server_errors": 0,
        "edge_cases": 0,
        "pages": 0,
        "known_findings": [],
    }
    yield figures
    record("hostile", figures)


def _by_case(j: Journey, case: str) -> tuple[Upload, dict[str, Any] | None]:
    upload = next(u for u in j.uploads if u.case == case)
    return upload, j.evidence.get(upload.evidence_id)


HOSTILE_CONTENT = [
    "PNG declared as PDF",
    "text with a script tag",
    "PDF whose first bytes are HTML",
    "PDF carrying a script tag",
]


def test_a_file_declared_over_the_limit_is_refused_with_a_message(
    hostile: Journey, figures: dict[str, Any]
) -> None:
    upload, item = _by_case(hostile, "declared over 25 MB")
    assert item is None
    assert upload.refused is not None
    status, message = upload.refused
    assert status == 422
    assert "25 MB" in message
    figures["uploads"] += 1


@pytest.mark.parametrize("case", HOSTILE_CONTENT)
def test_hostile_content_is_quarantined_never_verified(
    hostile: Journey, local_stack: LocalStack, case: str, figures: dict[str, Any]
) -> None:
    upload, item = _by_case(hostile, case)
    assert item is not None, upload.refused
    figures["uploads"] += 1
    if item["status"] == "verified":
        figures["verified_hostile"] += 1
    assert item["status"] == "quarantined"
    assert item["reason"]
    # Moved out of the journey's prefix: nothing under journeys/<id>/ holds it any more.
    s3 = local_stack.client("s3")
    bucket = local_stack.deployed.physical_ids["EvidenceBucket"]
    assert s3.list_objects_v2(Bucket=bucket, Prefix=item["key"]).get("KeyCount", 0) == 0
    assert s3.list_objects_v2(Bucket=bucket, Prefix=f"quarantine/{item['key']}")["KeyCount"] == 1


def test_an_object_larger_than_its_link_allows_is_refused_by_s3_and_never_verified(hostile: Journey) -> None:
    # The link's POST policy allows at most the declared size: S3 (and the local stack, as S3 does)
    # refuses the body before it is stored, so the evidence item is never anything but pending.
    upload, item = _by_case(hostile, "lands over 25 MB")
    assert upload.s3_refused == (400, "EntityTooLarge")
    assert item is not None
    assert item["status"] == "pending"


def test_a_spoofed_type_is_explained_to_the_practitioner_in_the_list_and_by_email(
    hostile: Journey, local_stack: LocalStack
) -> None:
    _, item = _by_case(hostile, "PNG declared as PDF")
    assert item is not None
    reason = item["reason"]
    assert reason == "The file was described as PDF but its content is PNG image."
    element = item["element_id"]
    assert reason in hostile.pages[f"/journeys/{hostile.id}/claim/{element}"]
    mails = [
        m
        for m in local_stack.sent_emails()
        if hostile.cast.practitioner.email in m.to and m.subject == "We could not accept a file you uploaded"
    ]
    assert any(reason in m.body and "photo.pdf" in m.body for m in mails), [m.body for m in mails]


NAME_CASES = ["path traversal", "CRLF in the name", "NUL in the name", "RTL override in the name"]


@pytest.mark.parametrize("case", NAME_CASES)
def test_hostile_file_names_are_stored_safe_and_the_key_stays_under_the_journey(
    hostile: Journey, case: str, figures: dict[str, Any]
) -> None:
    upload, item = _by_case(hostile, case)
    if case == "NUL in the name":
        # A NUL has no place in any text the API takes: refused outright, with a message.
        assert item is None
        assert upload.refused is not None
        status, message = upload.refused
        assert status == 422
        assert "control character" in message
        return
    assert item is not None, upload.refused
    figures["uploads"] += 1
    name = item["display_name"]
    assert name.endswith(".pdf")
    assert not {"/", "\\"} & set(name)
    assert ".." not in name
    assert not any(unicodedata.category(ch) in {"Cc", "Cf", "Cs"} for ch in name), repr(name)
    assert item["key"].startswith(f"journeys/{hostile.id}/claim-")
    assert upload.filename not in item["key"]


def test_a_browser_form_upload_named_with_path_traversal_stays_under_the_journey(
    hostile: Journey, figures: dict[str, Any]
) -> None:
    key = hostile.browser_key
    # The key is the service's own, of safe characters only; the browser's name is the display name.
    assert re.fullmatch(rf"journeys/{hostile.id}/claim-1/[A-Za-z0-9.]+/e[a-z2-7]+", key), key
    item = next(e for e in hostile.evidence.values() if e["key"] == key)
    assert item["display_name"] == "passwd.pdf"
    assert item["status"] == "verified"
    figures["uploads"] += 1


def test_script_in_a_narrative_is_returned_as_data(hostile: Journey) -> None:
    assert hostile.claim_content_type.startswith("application/json")
    element = framework(hostile.cast.framework_key).elements[0].id
    assert hostile.claim_json["narratives"][element] == NARRATIVE


def test_script_in_a_narrative_is_escaped_in_every_page(hostile: Journey, figures: dict[str, Any]) -> None:
    element = framework(hostile.cast.framework_key).elements[0].id
    shown = [
        f"/journeys/{hostile.id}/claim/{element}",
        f"/journeys/{hostile.id}/check",
        f"/panel/{hostile.id}/review",
    ]
    figures["pages"] = len(hostile.pages)
    for path, html in hostile.pages.items():
        if SCRIPT in html or "<img src=x" in html:
            figures["leaks"] += 1
        assert SCRIPT not in html, path
        assert "<img src=x" not in html, path
        if path in shown:
            assert ESCAPED in html, f"{path} does not show the narrative"


def test_script_in_a_name_is_escaped_in_the_outcome_email(hostile: Journey, local_stack: LocalStack) -> None:
    outcome = [
        m
        for m in local_stack.sent_emails()
        if hostile.cast.practitioner.email in m.to and m.subject.startswith("You have been validated")
    ]
    assert len(outcome) == 1
    html = outcome[0].html or ""
    assert SCRIPT not in html
    assert ESCAPED in html


def test_no_name_adds_a_header_to_any_email(hostile: Journey, local_stack: LocalStack) -> None:
    mails = [m for m in local_stack.sent_emails() if hostile.cast.practitioner.email in m.to]
    assert {"We could not accept a file you uploaded"} <= {m.subject for m in mails}
    assert len(mails) >= 4  # quarantines, the interview invitation, the outcome
    for m in mails:
        assert m.raw, "email is sent raw"
        parsed = email.message_from_string(m.raw, policy=email.policy.default)
        headers = {k.lower() for k in parsed}
        assert not {"bcc", "cc"} & headers, m.subject
        assert set(m.to) == {hostile.cast.practitioner.email}
        head = m.raw.split("\n\n", 1)[0]
        assert "attacker@example.org" not in head


def test_script_in_the_holder_name_prints_as_text_in_the_certificate(hostile: Journey) -> None:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(hostile.certificate_pdf)).pages)
    assert SCRIPT in text
    assert "/JavaScript" not in hostile.certificate_pdf.decode("latin-1")


MUST_REFUSE = [
    "narrative of 100,000 characters",
    "name of 10,000 characters",
    "file name of 10,000 characters",
    "lone surrogate in a narrative",
    "lone surrogate in a name",
    "lone surrogate in a file name",
    "invalid UTF-8 bytes",
    "supporter email with CRLF",
]


def test_long_fields_and_unicode_edge_cases_get_a_4xx_with_a_message_never_a_500(
    hostile: Journey, figures: dict[str, Any]
) -> None:
    figures["edge_cases"] = len(hostile.edge_cases)
    figures["server_errors"] = sum(1 for _, status, _ in hostile.edge_cases if status >= 500)
    answers = {case: (status, message) for case, status, message in hostile.edge_cases}
    for case, (status, message) in answers.items():
        assert status < 500, (case, status, message)
        if status >= 400:
            assert message, case
    for case in MUST_REFUSE:
        assert 400 <= answers[case][0] < 500, (case, answers[case])
    # Ordinary text that happens to hold a joiner or a direction mark is accepted.
    assert answers["zero-width joiner in a name"][0] == 200
    assert answers["RTL override in a narrative"][0] == 200


def test_nul_in_a_name_or_narrative_is_refused(hostile: Journey, figures: dict[str, Any]) -> None:
    answers = {case: status for case, status, _ in hostile.edge_cases}
    assert 400 <= answers["NUL in a narrative"] < 500
    assert 400 <= answers["NUL in a name"] < 500


def test_every_version_of_the_evidence_is_due_to_expire_after_the_outcome(
    hostile: Journey, local_stack: LocalStack
) -> None:
    s3 = local_stack.client("s3")
    bucket = local_stack.deployed.physical_ids["EvidenceBucket"]
    versions = s3.list_object_versions(Bucket=bucket, Prefix=f"journeys/{hostile.id}/").get("Versions", [])
    untagged = [
        v["Key"]
        for v in versions
        if {"Key": "retention", "Value": "expire"}
        not in s3.get_object_tagging(Bucket=bucket, Key=v["Key"], VersionId=v["VersionId"])["TagSet"]
    ]
    assert untagged == []
