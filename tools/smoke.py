"""Smoke test of a deployed service, from the outside, against any base URL (docs/deploy.md, step 7).

    .venv/bin/python tools/smoke.py --base-url https://od-validation.example.nhs.uk/ \\
        --region eu-west-2 --client-id <UserPoolClientId output> \\
        --credentials smoke-users.json --certificate <a certificate number>

smoke-users.json names one person per role to try (any subset of the five roles):
    {"practitioner": {"email": "...", "password": "..."}, "academy_lead": {...}, ...}

What it checks, each as a person or a verifier would meet it:
- the start page answers;
- each person signs in through the web sign-in form (which signs in with Cognito) and opens their
  role's home page, and signs in with Cognito directly (USER_PASSWORD_AUTH, as the API's clients do);
- with --certificate: the public status says valid, the public verify page shows it, and its signed
  credential (downloaded by its holder or a lead) verifies against the service's published JWKS.
Exit status 0 when every check passes, 1 otherwise. It changes nothing in the service.

Against the local stack (make dev), Cognito is moto: set AWS_ENDPOINT_URL to the stack's moto URL.
The product never imports this file.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
import jwt
import requests
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

# Where each role starts once signed in (paths under the base URL).
ROLE_PAGES = {
    "practitioner": ["home"],
    "supporter": ["home"],
    "panel": ["home", "panel"],
    "academy_lead": ["home", "lead"],
    "national_lead": ["home", "lead"],
}
# Who may download a certificate's signed credential: its holder, or a lead.
CREDENTIAL_READERS = ("practitioner", "academy_lead", "national_lead")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
TIMEOUT = 30


class SmokeFailure(Exception):
    pass


@dataclass
class Smoke:
    base_url: str  # with any stage prefix (/v1) and no trailing slash
    region: str
    client_id: str
    credentials: dict[str, dict[str, str]]
    certificate: str | None = None
    say: Callable[[str], None] = print
    failures: list[str] = field(default_factory=list)
    _id_tokens: dict[str, str] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def check(self, what: str, test: Callable[[], str | None]) -> None:
        try:
            detail = test()
        except (
            SmokeFailure,
            requests.RequestException,
            BotoCoreError,
            ClientError,
            jwt.PyJWTError,
            KeyError,
            ValueError,
        ) as problem:
            self.failures.append(f"{what}: {problem}")
            self.say(f"FAIL {what}: {problem}")
            return
        self.say(f"ok   {what}" + (f" ({detail})" if detail else ""))

    # ------------------------------------------------------------------ checks

    def start_page(self) -> str:
        reply = requests.get(self.url(""), timeout=TIMEOUT)
        _expect(reply, 200)
        if "<h1" not in reply.text:
            raise SmokeFailure("the start page has no heading")
        return f"{len(reply.content)} bytes"

    def web_sign_in(self, role: str) -> str:
        person = self.credentials[role]
        browser = requests.Session()
        form = browser.get(self.url("sign-in"), timeout=TIMEOUT)
        _expect(form, 200)
        token = CSRF.search(form.text)
        if token is None:
            raise SmokeFailure("the sign-in form carries no CSRF token")
        reply = browser.post(
            self.url("sign-in"),
            data={"email": person["email"], "password": person["password"], "csrf_token": token.group(1)},
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        if reply.status_code != 303:
            raise SmokeFailure(f"sign-in answered {reply.status_code}, not a redirect: {_gist(reply.text)}")
        where = urlsplit(reply.headers.get("Location", "")).path
        if where.endswith(("/sign-in", "/confirm", "/new-password")):
            raise SmokeFailure(f"sign-in sent {person['email']} to {where}: finish their account first")
        opened = []
        for page in ROLE_PAGES[role]:
            answer = browser.get(self.url(page), allow_redirects=False, timeout=TIMEOUT)
            _expect(answer, 200)  # signed out, it would redirect to the sign-in page
            if page == "home" and person["email"] not in answer.text:
                raise SmokeFailure("the home page does not show who is signed in")
            opened.append(f"/{page}")
        return ", ".join(opened)

    def cognito_sign_in(self, role: str) -> str:
        person = self.credentials[role]
        # InitiateAuth needs no AWS credentials: the app client is public, as for any browser.
        idp = boto3.client("cognito-idp", region_name=self.region, config=Config(signature_version=UNSIGNED))
        result = idp.initiate_auth(
            ClientId=self.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": person["email"], "PASSWORD": person["password"]},
        )
        if "AuthenticationResult" not in result:
            raise SmokeFailure(f"Cognito asks for {result.get('ChallengeName')}: finish the account first")
        self._id_tokens[role] = result["AuthenticationResult"]["IdToken"]
        groups = jwt.decode(self._id_tokens[role], options={"verify_signature": False}).get(
            "cognito:groups", []
        )
        if role not in groups:
            raise SmokeFailure(f"{person['email']} is not in the {role} group (groups: {groups})")
        return "ID token issued"

    def certificate_status(self) -> str:
        reply = requests.get(self.url(f"api/public/certificates/{self.certificate}/status"), timeout=TIMEOUT)
        _expect(reply, 200)
        status = reply.json().get("status")
        if status != "valid":
            raise SmokeFailure(f"status is {status!r}, not 'valid'")
        page = requests.get(self.url(f"verify/{self.certificate}"), timeout=TIMEOUT)
        _expect(page, 200)
        return "valid, and the verify page shows it"

    def credential_signature(self) -> str:
        readers = [role for role in CREDENTIAL_READERS if role in self._id_tokens]
        if not readers:
            raise SmokeFailure("give the holder's or a lead's credentials to download the credential")
        for role in readers:
            reply = requests.get(
                self.url(f"api/certificates/{self.certificate}"),
                headers={"Authorization": f"Bearer {self._id_tokens[role]}"},
                timeout=TIMEOUT,
            )
            if reply.status_code == 200:
                break
        else:
            raise SmokeFailure(f"none of {readers} may read it (last answer {reply.status_code})")
        link = reply.json()["links"]["credential"]
        credential = requests.get(link, timeout=TIMEOUT)
        _expect(credential, 200)
        token = credential.text.strip()
        jwks = requests.get(self.url(".well-known/jwks.json"), timeout=TIMEOUT)
        _expect(jwks, 200)
        kid = jwt.get_unverified_header(token).get("kid")
        keys = {str(key.key_id): key for key in jwt.PyJWKSet.from_dict(jwks.json()).keys}
        if kid not in keys:
            raise SmokeFailure(f"the credential's key {kid!r} is not in the published JWKS {sorted(keys)}")
        # The signature is what matters here; the credential's own dates are the verifier's business.
        claims = jwt.decode(
            token,
            keys[kid].key,
            algorithms=["ES256"],
            options={"verify_exp": False, "verify_nbf": False, "verify_iat": False, "verify_aud": False},
        )
        if str(self.certificate) not in json.dumps(claims):
            raise SmokeFailure("the signed credential does not name this certificate")
        return f"ES256 signature verified with key {kid} (read as {role})"

    # ------------------------------------------------------------------ all of it

    def run(self) -> bool:
        self.check("start page", self.start_page)
        for role in self.credentials:
            if role not in ROLE_PAGES:
                self.check(f"role {role}", partial(_fail, f"unknown role {role!r}"))
                continue
            self.check(
                f"{role}: signs in on the web and opens their home page", partial(self.web_sign_in, role)
            )
            self.check(f"{role}: signs in with Cognito", partial(self.cognito_sign_in, role))
        if self.certificate:
            self.check(f"certificate {self.certificate}: public status", self.certificate_status)
            self.check(f"certificate {self.certificate}: signed credential", self.credential_signature)
        self.say(f"{'FAILED' if self.failures else 'passed'}: {len(self.failures)} failure(s)")
        return not self.failures


def _fail(message: str) -> str:
    raise SmokeFailure(message)


def _gist(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip()[:200]


def _expect(reply: requests.Response, status: int) -> None:
    if reply.status_code != status:
        raise SmokeFailure(f"GET/POST {reply.url} answered {reply.status_code}: {_gist(reply.text)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base-url", required=True, help="the service's URL (ServiceUrl output)")
    parser.add_argument("--region", required=True, help="the stack's region (Cognito)")
    parser.add_argument("--client-id", required=True, help="the UserPoolClientId output")
    parser.add_argument("--credentials", type=Path, required=True, help="JSON: role -> {email, password}")
    parser.add_argument("--certificate", help="a certificate number to verify")
    args = parser.parse_args(argv)
    credentials: dict[str, Any] = json.loads(args.credentials.read_text())
    smoke = Smoke(
        base_url=args.base_url.rstrip("/"),
        region=args.region,
        client_id=args.client_id,
        credentials=credentials,
        certificate=args.certificate,
    )
    return 0 if smoke.run() else 1


if __name__ == "__main__":
    sys.exit(main())
