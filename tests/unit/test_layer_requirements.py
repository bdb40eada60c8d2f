"""What `sam build` installs is the lock file's runtime set, split between the domain layer (what every
function needs) and two layers that only some functions load: the token and signature stack, and the
PDF stack. A dependency added to pyproject.toml but not exported would be missing in AWS while every
local test passed; a function importing a package it was not given would fail at its first start."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNTIME_PROVIDED = re.compile(r"^(boto3|botocore|s3transfer|jmespath|python-dateutil|six|urllib3)==")
PDF_ONLY = re.compile(r"^(fpdf2|segno|fonttools|pillow|defusedxml)==")
CRYPTO_ONLY = re.compile(r"^(pyjwt|cryptography|cffi|pycparser)==")


def lines(path: str) -> list[str]:
    file = ROOT / path
    if not file.exists():
        return []
    return [line for line in file.read_text().splitlines() if line and not line.startswith("#")]


def test_the_split_requirements_match_the_lock() -> None:
    uv = Path(sys.executable).with_name("uv")
    exported = subprocess.run(
        [
            str(uv),
            "export",
            "--frozen",
            "--no-dev",
            "--no-hashes",
            "--no-emit-project",
            "--no-header",
            "--no-annotate",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    runtime = [line for line in exported if line and not RUNTIME_PROVIDED.match(line)]
    crypto = [line for line in runtime if CRYPTO_ONLY.match(line)]
    pdf = [line for line in runtime if PDF_ONLY.match(line)]
    assert lines("layers/odvalidation/requirements.txt") == [
        line for line in runtime if line not in crypto and line not in pdf
    ], "run `make layer-requirements`"
    assert lines("layers/tokens/requirements.txt") == crypto
    assert lines("layers/pdf/requirements.txt") == pdf
    # A function folder holds only its entry point: sam's pip builder would ship a function's own
    # packages without bytecode (layers/layer.mk says why that matters).
    assert [p.name for p in (ROOT / "functions").glob("*/requirements.txt")] == []


@pytest.mark.parametrize(
    "function", sorted(p.name for p in (ROOT / "functions").iterdir() if (p / "app.py").exists())
)
def test_every_function_starts_without_the_token_and_pdf_stacks(function: str) -> None:
    # Even those that ship them import them on first use: the web function checks a token only for a
    # signed-in request (public pages and assets need none), the api verifies a credential only when
    # asked to, and the certificate function renders a PDF only for a new certificate.
    blocked = (
        "import sys\nfor name in ('jwt', 'cryptography', 'fpdf', 'segno'):\n    sys.modules[name] = None\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", blocked + f"import functions.{function}.app"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={
            "PATH": "",
            "AWS_DEFAULT_REGION": "eu-west-2",
            "POWERTOOLS_METRICS_NAMESPACE": "x",
        },
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_only_the_certificate_function_imports_the_pdf_stack() -> None:
    importers = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "layers/odvalidation/odvalidation").rglob("*.py")
        if re.search(r"^\s*(import|from) (fpdf|segno)\b", p.read_text(), re.MULTILINE)
    ]
    assert importers == ["layers/odvalidation/odvalidation/certificates/pdf.py"]
