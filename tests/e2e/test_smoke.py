"""tools/smoke.py, the after-deploy smoke test of docs/deploy.md, run here against the local stack as it
would be run against AWS: a separate process that knows only the base URL, the region, the app
client id and people's credentials (Cognito is moto's, reached through AWS_ENDPOINT_URL)."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from local import scenario
from local.deployed import REGION
from local.stack import LocalStack

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_stack")]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def people_and_certificate(local_stack: LocalStack) -> tuple[dict[str, dict[str, str]], str]:
    c = scenario.cast(local_stack)
    journey_id = scenario.to_claim_development(c)
    supporter = scenario.name_supporter(local_stack, c, journey_id)
    scenario.build_claim(c, journey_id, "system_od_practitioner")
    scenario.wait_claim_complete(c, journey_id)
    scenario.submit(c, journey_id)
    scenario.review(c, journey_id, "system_od_practitioner")
    scenario.interview(c, journey_id, "system_od_practitioner")
    done = c.practitioner.api.wait_for(journey_id, lambda j: bool(j["certificate_id"]), what="certificate")
    national = scenario.person(
        local_stack,
        f"national.smoke.{secrets.token_hex(3)}@england.example.nhs.uk",
        "Odile Marchetti",
        ["national_lead"],
        academy=c.academy,
        employer="NHS England",
    )
    people = {
        "practitioner": c.practitioner.email,
        "supporter": supporter.email,
        "panel": c.panel[0].email,
        "academy_lead": c.lead.email,
        "national_lead": national.email,
    }
    credentials = {role: {"email": email, "password": scenario.PASSWORD} for role, email in people.items()}
    return credentials, str(done["journey"]["certificate_id"])


def smoke(
    stack: LocalStack, tmp_path: Path, credentials: dict[str, dict[str, str]], certificate: str
) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "smoke-users.json"
    path.write_text(json.dumps(credentials))
    return subprocess.run(
        [
            sys.executable,
            str(ROOT / "tools" / "smoke.py"),
            "--base-url",
            stack.base_url,
            "--region",
            REGION,
            "--client-id",
            stack.user_pool_client_id,
            "--credentials",
            str(path),
            "--certificate",
            certificate,
        ],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "AWS_ENDPOINT_URL": stack.endpoint_url},
        check=False,
    )


def test_the_smoke_script_passes_against_the_local_stack(
    local_stack: LocalStack, tmp_path: Path, people_and_certificate: tuple[dict[str, dict[str, str]], str]
) -> None:
    credentials, certificate = people_and_certificate
    result = smoke(local_stack, tmp_path, credentials, certificate)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    for role in credentials:
        assert f"ok   {role}: signs in on the web and opens their home page" in "\n".join(lines)
        assert f"ok   {role}: signs in with Cognito (ID token issued)" in lines
    assert any(line.startswith(f"ok   certificate {certificate}: signed credential (ES256") for line in lines)
    assert lines[-1] == "passed: 0 failure(s)"


def test_the_smoke_script_fails_on_a_wrong_password_and_an_unknown_certificate(
    local_stack: LocalStack, tmp_path: Path, people_and_certificate: tuple[dict[str, dict[str, str]], str]
) -> None:
    credentials, certificate = people_and_certificate
    wrong = {
        "practitioner": {**credentials["practitioner"], "password": "Not-the-password-1"},
        "academy_lead": credentials["academy_lead"],
    }
    result = smoke(local_stack, tmp_path, wrong, certificate[:-1] + ("0" if certificate[-1] != "0" else "1"))
    assert result.returncode == 1, result.stdout + result.stderr
    failed = [line for line in result.stdout.splitlines() if line.startswith("FAIL ")]
    assert any("practitioner: signs in on the web" in line for line in failed)
    assert any("practitioner: signs in with Cognito" in line for line in failed)
    assert any("public status" in line for line in failed)
    assert any("signed credential" in line for line in failed)
    assert not any(line.startswith("FAIL academy_lead") for line in failed)
    assert result.stdout.splitlines()[-1] == f"FAILED: {len(failed)} failure(s)"
