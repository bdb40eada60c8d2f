"""No function carries the X-Ray SDK: Lambda and Step Functions record their own segments
(`Tracing: Active`), and the SDK (in maintenance mode, end of support 25 February 2027) made two boto3
clients and patched botocore in every cold start. moto's server still brings it into the dev set."""

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ["layers/odvalidation/odvalidation", "functions", "local", "bench", "tools"]


def _imports(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            # `from aws_lambda_powertools import Tracer` reaches the SDK through Powertools.
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


def test_no_module_imports_the_xray_sdk_or_powertools_tracer() -> None:
    offenders = []
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if ".venv" in path.parts:  # tools/checkov's own environment: thousands of files not ours
                continue
            for name in _imports(ast.parse(path.read_text(), str(path))):
                if name.split(".")[0] == "aws_xray_sdk" or name in (
                    "aws_lambda_powertools.Tracer",
                    "aws_lambda_powertools.tracing",
                ):
                    offenders.append(f"{path.relative_to(ROOT)}: {name}")
    assert offenders == []


def test_importing_every_function_loads_no_xray_sdk() -> None:
    functions = sorted(p.parent.name for p in (ROOT / "functions").glob("*/app.py"))
    probe = (
        "import importlib, json, sys\n"
        f"for f in {functions!r}: importlib.import_module(f'functions.{{f}}.app')\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('aws_xray_sdk'))))\n"
    )
    # The environment of a deployed function with active tracing (Powertools reads these).
    env = {
        **os.environ,
        "AWS_REGION": "eu-west-2",
        "AWS_DEFAULT_REGION": "eu-west-2",
        "LAMBDA_TASK_ROOT": str(ROOT),
        "AWS_LAMBDA_FUNCTION_NAME": "od-validation-probe",
        "SESSION_SECRET": "probe-secret-not-a-real-one",
    }
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_the_runtime_set_of_the_lock_has_no_xray_sdk() -> None:
    uv = Path(sys.executable).with_name("uv")
    exported = subprocess.run(
        [str(uv), "export", "--frozen", "--no-dev", "--no-hashes", "--no-emit-project", "--no-header"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    runtime = {line.split("==")[0] for line in exported.splitlines() if "==" in line}
    assert "aws-xray-sdk" not in runtime
    assert "aws-lambda-powertools" in runtime  # Logger and Metrics stay
    for layer in ("odvalidation", "tokens", "pdf"):
        assert "aws-xray-sdk" not in (ROOT / "layers" / layer / "requirements.txt").read_text()
