"""From the outside, over real HTTP to the local stack: S3's POST policy is enforced as S3 enforces it,
an object at a key no upload was granted for never replaces or marks anyone's evidence, and Cognito
enforces its app client's attribute permissions and runs the post-confirmation trigger, so a person
who signs up through any client is a practitioner."""

from __future__ import annotations

import base64
import json
import re
import secrets
import time
from typing import Any

import jwt
import pytest
import requests
from botocore.exceptions import ClientError

from local import scenario
from local.client import ApiClient
from local.stack import LocalStack
from odvalidation.domain.frameworks import framework

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]

PASSWORD = "Signed-up-2026-ok"  # nosec B105 - invented test account


def _code(response: requests.Response) -> tuple[int, str, str]:
    code = re.search(r"<Code>([^<]+)</Code>", response.text)
    message = re.search(r"<Message>([^<]*)</Message>", response.text)
    return response.status_code, code.group(1) if code else "", message.group(1) if message else ""


def _link(api: ApiClient, journey_id: str, element_id: str, content: bytes, name: str = "a.pdf") -> Any:
    return api.post(
        f"/api/journeys/{journey_id}/evidence",
        {"element_id": element_id, "filename": name, "content_type": "application/pdf", "size": len(content)},
    )


def _post(
    link: Any, content: bytes, fields: dict[str, str] | None = None, url: str = ""
) -> requests.Response:
    return requests.post(
        url or link["url"],
        data=fields if fields is not None else link["fields"],
        files={"file": ("a.pdf", content, "application/pdf")},
        timeout=30,
    )


def _evidence(api: ApiClient, journey_id: str) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in api.journey(journey_id)["evidence"]}


def _wait_status(api: ApiClient, journey_id: str, evidence_id: str) -> str:
    deadline = time.monotonic() + 30
    while True:
        status = str(_evidence(api, journey_id)[evidence_id]["status"])
        if status != "pending" or time.monotonic() > deadline:
            return status
        time.sleep(0.1)


@pytest.fixture(scope="module")
def two(local_stack: LocalStack) -> dict[str, Any]:
    """Two practitioners of one cohort in claim development; the second has one verified file."""
    a = scenario.cast(local_stack)
    b = scenario.cast(local_stack, join=a)
    element = framework(a.framework_key).elements[0].id
    a_journey = scenario.to_claim_development(a)
    b_journey = scenario.to_claim_development(b)
    a.practitioner.api.wait_step(a_journey, "claim_development")
    b.practitioner.api.wait_step(b_journey, "claim_development")
    b_evidence = scenario.upload(b.practitioner.api, b_journey, element, scenario.PDF, "b's evidence.pdf")
    assert _wait_status(b.practitioner.api, b_journey, b_evidence) == "verified"
    b_key = _evidence(b.practitioner.api, b_journey)[b_evidence]["key"]
    return {
        "a": a,
        "b": b,
        "element": element,
        "a_journey": a_journey,
        "b_journey": b_journey,
        "b_evidence": b_evidence,
        "b_key": b_key,
    }


# ------------------------------------------------------------------ S3 POST policies


def test_a_post_within_its_policy_is_stored_and_checked(two: dict[str, Any]) -> None:
    api = two["a"].practitioner.api
    link = _link(api, two["a_journey"], two["element"], scenario.PDF)
    assert _post(link, scenario.PDF).status_code == 204
    assert _wait_status(api, two["a_journey"], link["evidence_id"]) == "verified"


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (
            "another practitioner's key",
            (403, "AccessDenied", 'Invalid according to Policy: Policy Condition failed: ["eq", "$key"'),
        ),
        (
            "public/anything.html",
            (403, "AccessDenied", 'Invalid according to Policy: Policy Condition failed: ["eq", "$key"'),
        ),
        (
            "larger than the link allows",
            (400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size"),
        ),
        ("empty", (400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size")),
        (
            "another Content-Type",
            (
                403,
                "AccessDenied",
                'Invalid according to Policy: Policy Condition failed: ["eq", "$Content-Type"',
            ),
        ),
        (
            "a field the policy does not name",
            (403, "AccessDenied", "Invalid according to Policy: Extra input fields: acl"),
        ),
        (
            "a tampered policy",
            (403, "SignatureDoesNotMatch", "The request signature we calculated does not match"),
        ),
        (
            "a tampered signature",
            (403, "SignatureDoesNotMatch", "The request signature we calculated does not match"),
        ),
        (
            "an unknown access key",
            (403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist"),
        ),
        ("no policy", (403, "AccessDenied", "Access Denied")),
    ],
)
def test_a_post_outside_its_policy_is_refused_as_s3_refuses_it(
    two: dict[str, Any], local_stack: LocalStack, case: str, expected: tuple[int, str, str]
) -> None:
    api = two["a"].practitioner.api
    link = _link(api, two["a_journey"], two["element"], scenario.PDF)
    fields = dict(link["fields"])
    content = scenario.PDF
    if case == "another practitioner's key":
        fields["key"] = two["b_key"]
    elif case == "public/anything.html":
        fields["key"] = "public/anything.html"
    elif case == "larger than the link allows":
        content = scenario.PDF + b"0"
    elif case == "empty":
        content = b""
    elif case == "another Content-Type":
        fields["Content-Type"] = "text/html"
    elif case == "a field the policy does not name":
        fields["acl"] = "public-read"
    elif case == "a tampered policy":
        policy = json.loads(base64.b64decode(fields["policy"]))
        policy["conditions"] = [c for c in policy["conditions"] if "key" not in json.dumps(c)]
        fields["policy"] = base64.b64encode(json.dumps(policy).encode()).decode()
        fields["key"] = two["b_key"]
    elif case == "a tampered signature":
        fields["x-amz-signature"] = "0" * 64
    elif case == "an unknown access key":
        fields["x-amz-credential"] = (
            "AKIANOTOURS" + fields["x-amz-credential"][len(fields["x-amz-credential"].split("/")[0]) :]
        )
    elif case == "no policy":
        fields.pop("policy")
    status, code, message = _code(_post(link, content, fields))
    assert (status, code) == expected[:2], message
    assert message.startswith(expected[2]), message
    # Nothing was stored: the other practitioner's evidence is as it was, and no page was planted.
    assert _evidence(two["b"].practitioner.api, two["b_journey"])[two["b_evidence"]]["status"] == "verified"
    s3 = local_stack.client("s3")
    bucket = local_stack.deployed.physical_ids["EvidenceBucket"]
    assert s3.list_objects_v2(Bucket=bucket, Prefix="public/").get("KeyCount", 0) == 0
    assert len(s3.list_object_versions(Bucket=bucket, Prefix=two["b_key"]).get("Versions", [])) == 1


def test_an_expired_policy_is_refused(two: dict[str, Any], local_stack: LocalStack) -> None:
    bucket = local_stack.deployed.physical_ids["EvidenceBucket"]
    form = local_stack.client("s3").generate_presigned_post(
        Bucket=bucket, Key=f"journeys/{two['a_journey']}/late", ExpiresIn=1
    )
    time.sleep(2.1)
    status, code, message = _code(
        requests.post(form["url"], data=form["fields"], files={"file": ("a", b"x")}, timeout=30)
    )
    assert (status, code, message) == (403, "AccessDenied", "Invalid according to Policy: Policy expired.")


# ------------------------------------------------------------------ binding objects to grants


def _b_object(local_stack: LocalStack, key: str) -> bytes:
    bucket = local_stack.deployed.physical_ids["EvidenceBucket"]
    return bytes(local_stack.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read())


def test_an_object_put_over_someones_evidence_without_a_grant_is_put_aside_and_theirs_stands(
    two: dict[str, Any], local_stack: LocalStack
) -> None:
    # Past the POST policy (a direct put with the stack's own credentials): the check is what holds.
    s3 = local_stack.client("s3")
    bucket = local_stack.deployed.physical_ids["EvidenceBucket"]
    intruder = scenario.PDF.replace(b"%%EOF", b"% not theirs\n%%EOF")
    s3.put_object(Bucket=bucket, Key=two["b_key"], Body=intruder)

    item = _evidence(two["b"].practitioner.api, two["b_journey"])[two["b_evidence"]]
    assert item["status"] == "verified"
    assert item["display_name"] == "b's evidence.pdf"
    assert _b_object(local_stack, two["b_key"]) == scenario.PDF  # theirs is the current object again
    aside = s3.list_objects_v2(Bucket=bucket, Prefix=f"quarantine/unbound/{two['b_key']}")
    assert aside["KeyCount"] == 1
    assert not [
        m
        for m in local_stack.sent_emails()
        if m.subject == "We could not accept a file you uploaded" and two["b"].practitioner.email in m.to
    ]


def test_a_second_object_at_a_used_link_does_not_replace_the_first(
    two: dict[str, Any], local_stack: LocalStack
) -> None:
    api = two["a"].practitioner.api
    link = _link(api, two["a_journey"], two["element"], scenario.PDF)
    assert _post(link, scenario.PDF).status_code == 204
    assert _wait_status(api, two["a_journey"], link["evidence_id"]) == "verified"
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * (len(scenario.PDF) - 8)
    assert _post(link, png).status_code == 204  # the policy allows it while the link lives

    item = _evidence(api, two["a_journey"])[link["evidence_id"]]
    assert item["status"] == "verified"
    assert _b_object(local_stack, item["key"]) == scenario.PDF


def test_an_object_at_a_key_nobody_was_granted_is_quarantined_and_recorded_nowhere(
    two: dict[str, Any], local_stack: LocalStack
) -> None:
    s3 = local_stack.client("s3")
    bucket = local_stack.deployed.physical_ids["EvidenceBucket"]
    key = f"journeys/{two['b_journey']}/claim-1/{two['element']}/eplanted"
    before = _evidence(two["b"].practitioner.api, two["b_journey"])
    s3.put_object(Bucket=bucket, Key=key, Body=scenario.PDF)

    assert s3.list_objects_v2(Bucket=bucket, Prefix=key).get("KeyCount", 0) == 0
    assert s3.list_objects_v2(Bucket=bucket, Prefix=f"quarantine/unbound/{key}")["KeyCount"] == 1
    assert _evidence(two["b"].practitioner.api, two["b_journey"]) == before


def test_a_browser_file_with_a_hostile_name_gets_a_safe_key_and_keeps_its_name(
    two: dict[str, Any], local_stack: LocalStack
) -> None:
    a = two["a"]
    session = _signed_in(local_stack.base_url, a.practitioner.email)
    page = session.get(
        f"{local_stack.base_url}/journeys/{two['a_journey']}/claim/{two['element']}/upload", timeout=30
    )
    action = re.search(r'<form action="([^"]+)" method="post" enctype', page.text)
    assert action
    form = page.text[action.start() : page.text.index("</form>", action.start())]
    fields = {
        k: v.replace("&amp;", "&").replace("&#34;", '"')
        for k, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form)
    }
    name = "../../public/Café review #2 (final) & notes.pdf"
    posted = requests.post(
        action.group(1).replace("&amp;", "&"),
        data=fields,
        files={"file": (name, scenario.PDF, "application/octet-stream")},
        allow_redirects=False,
        timeout=30,
    )
    assert posted.status_code == 303, posted.text[:300]
    back = session.get(posted.headers["Location"], timeout=30)
    assert "Café review #2 (final) &amp; notes.pdf has been uploaded and checked." in back.text
    item = next(
        e
        for e in _evidence(a.practitioner.api, two["a_journey"]).values()
        if e["display_name"] == "Café review #2 (final) & notes.pdf"
    )
    assert item["status"] == "verified"
    assert re.fullmatch(rf"journeys/{two['a_journey']}/claim-1/[A-Za-z0-9.]+/e[a-z2-7]+", item["key"])
    s3 = local_stack.client("s3")
    bucket = local_stack.deployed.physical_ids["EvidenceBucket"]
    assert (
        s3.list_objects_v2(Bucket=bucket, Prefix=f"journeys/{two['a_journey']}/incoming/").get("KeyCount", 0)
        == 0
    )


def _signed_in(base: str, email: str, password: str = scenario.PASSWORD) -> requests.Session:
    from tests.e2e.security_support import web_session

    session: requests.Session = web_session(base, email, password)
    return session


# ------------------------------------------------------------------ Cognito


def _email() -> str:
    return f"self.{secrets.token_hex(4)}@example.nhs.uk"


def test_a_client_cannot_write_an_attribute_outside_its_write_attributes(local_stack: LocalStack) -> None:
    idp = local_stack.client("cognito-idp")
    with pytest.raises(ClientError) as refused:
        idp.sign_up(
            ClientId=local_stack.user_pool_client_id,
            Username=_email(),
            Password=PASSWORD,
            UserAttributes=[{"Name": "name", "Value": "Ada"}, {"Name": "custom:academy", "Value": "london"}],
        )
    assert refused.value.response["Error"]["Code"] == "NotAuthorizedException"
    assert refused.value.response["Error"]["Message"] == "A client attempted to write unauthorized attribute"

    address = _email()
    idp.sign_up(
        ClientId=local_stack.user_pool_client_id,
        Username=address,
        Password=PASSWORD,
        UserAttributes=[{"Name": "name", "Value": "Ada"}, {"Name": "custom:employer", "Value": "A Trust"}],
    )
    idp.admin_confirm_sign_up(UserPoolId=local_stack.user_pool_id, Username=address)
    access = local_stack.tokens_for(address, PASSWORD)["AccessToken"]
    with pytest.raises(ClientError) as escalate:
        idp.update_user_attributes(
            AccessToken=access, UserAttributes=[{"Name": "custom:academy", "Value": "london"}]
        )
    assert escalate.value.response["Error"]["Code"] == "NotAuthorizedException"
    idp.update_user_attributes(AccessToken=access, UserAttributes=[{"Name": "custom:employer", "Value": "B"}])
    # An administrator (IAM, not the client) may.
    idp.admin_update_user_attributes(
        UserPoolId=local_stack.user_pool_id,
        Username=address,
        UserAttributes=[{"Name": "custom:academy", "Value": "london"}],
    )
    read = {a["Name"] for a in idp.get_user(AccessToken=access)["UserAttributes"]}
    assert read <= {"sub", "email", "name", "custom:academy", "custom:employer"}


def test_sign_up_and_confirm_through_cognito_itself_makes_a_practitioner_the_api_answers(
    local_stack: LocalStack,
) -> None:
    idp = local_stack.client("cognito-idp")
    address = _email()
    idp.sign_up(
        ClientId=local_stack.user_pool_client_id,
        Username=address,
        Password=PASSWORD,
        UserAttributes=[{"Name": "name", "Value": "Grace Hopper"}],
    )
    idp.confirm_sign_up(ClientId=local_stack.user_pool_client_id, Username=address, ConfirmationCode="123456")

    token = local_stack.token_for(address, PASSWORD)
    assert "practitioner" in jwt.decode(token, options={"verify_signature": False})["cognito:groups"]
    me = ApiClient(local_stack.base_url, token).get("/api/me")
    assert me["email"] == address


def test_admin_confirmation_runs_the_trigger_too_and_an_invited_person_is_not_made_a_practitioner(
    local_stack: LocalStack,
) -> None:
    idp = local_stack.client("cognito-idp")
    address = _email()
    idp.sign_up(
        ClientId=local_stack.user_pool_client_id,
        Username=address,
        Password=PASSWORD,
        UserAttributes=[{"Name": "name", "Value": "Alan Kay"}],
    )
    idp.admin_confirm_sign_up(UserPoolId=local_stack.user_pool_id, Username=address)
    groups = idp.admin_list_groups_for_user(UserPoolId=local_stack.user_pool_id, Username=address)["Groups"]
    assert [g["GroupName"] for g in groups] == ["practitioner"]
    # An invited person (made by an administrator, confirmed already) is not made a practitioner.
    invited = local_stack.create_user(_email(), "Panel Person", ["panel"], PASSWORD)
    groups = idp.admin_list_groups_for_user(UserPoolId=local_stack.user_pool_id, Username=invited.email)[
        "Groups"
    ]
    assert [g["GroupName"] for g in groups] == ["panel"]


def test_the_web_sign_up_page_still_signs_a_practitioner_up_end_to_end(local_stack: LocalStack) -> None:
    base = local_stack.base_url
    session = requests.Session()
    form = session.get(f"{base}/sign-up", timeout=30)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token
    address = _email()
    signed_up = session.post(
        f"{base}/sign-up",
        data={
            "csrf_token": token.group(1),
            "name": "Mary Seacole",
            "email": address,
            "academy": "north-west",
            "employer": "Scutari Trust",
            "password": PASSWORD,
            "confirm_password": PASSWORD,
            "password_confirmation": PASSWORD,
        },
        allow_redirects=False,
        timeout=30,
    )
    assert signed_up.status_code in (302, 303), signed_up.text[:2000]
    confirm = session.get(f"{base}/confirm?email={address}", timeout=30)
    token = re.search(r'name="csrf_token" value="([^"]+)"', confirm.text)
    assert token
    confirmed = session.post(
        f"{base}/confirm",
        data={"csrf_token": token.group(1), "email": address, "code": "123456"},
        allow_redirects=False,
        timeout=30,
    )
    assert confirmed.status_code in (302, 303), confirmed.text[:2000]
    home = _signed_in(base, address, PASSWORD).get(f"{base}/home", timeout=30)
    assert "Practitioner" in home.text
    claims = jwt.decode(local_stack.token_for(address, PASSWORD), options={"verify_signature": False})
    assert claims["custom:academy"] == "north-west"
    assert claims["custom:employer"] == "Scutari Trust"
    assert claims["cognito:groups"] == ["practitioner"]
