"""What `sam build` installs is the lock file's runtime set: the layer's requirements.txt plus the PDF
stack of the certificate function. A dependency added to pyproject.toml but not exported would be
missing in AWS while every local test passed."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNTIME_PROVIDED = re.compile(r"^(boto3|botocore|s3transfer|jmespath|python-dateutil|six|urllib3)==")
PDF_ONLY = re.compile(r"^(fpdf2|segno|fonttools|pillow|defusedxml)==")


def lines(path: str) -> list[str]:
    return [line for line in (ROOT / path).read_text().splitlines() if line and not line.startswith("#")]


def test_layer_and_certificate_function_requirements_match_the_lock() -> None:
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
    layer = lines("layers/odvalidation/requirements.txt")
    pdf = lines("functions/issue_certificate/requirements.txt")
    assert layer == [line for line in runtime if not PDF_ONLY.match(line)], "run `make layer-requirements`"
    assert pdf == [line for line in runtime if PDF_ONLY.match(line)], "run `make layer-requirements`"
    assert any(line.startswith("pydantic==") for line in layer)
    assert not any(line.startswith(("boto3==", "botocore==", "fpdf2==")) for line in layer)


def test_only_the_certificate_function_imports_the_pdf_stack() -> None:
    importers = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "layers/odvalidation/odvalidation").rglob("*.py")
        if re.search(r"^\s*(import|from) (fpdf|segno)\b", p.read_text(), re.MULTILINE)
    ]
    assert importers == ["layers/odvalidation/odvalidation/certificates/pdf.py"]
    assert "from .pdf" not in (ROOT / "layers/odvalidation/odvalidation/certificates/__init__.py").read_text()
