"""The security static checks, one command for `make test`: bandit, pip-audit, cfn-lint and checkov.

    .venv/bin/python tools/security_checks.py          # bandit, pip-audit, checkov in parallel (cfn-lint: make template-check); exit 1 on any finding
    .venv/bin/python tools/security_checks.py bandit   # just the ones named

Self-contained: it needs only .venv (made by `make install`) and installs checkov into its own
project, tools/checkov/, whose lock cannot be shared with uv.lock (checkov pins boto3 1.35).

Suppressions (reasons in docs/security.md, "Static checks"):
- bandit shares its rules with ruff's flake8-bandit (Bnnn is ruff's Snnn), so a finding is suppressed
  where ruff's is: the project-wide `ignore` and `per-file-ignores` of pyproject.toml, or a
  `# noqa: Snnn - why` on the line (where ruff flags it too) or `# nosec Bnnn - why` (where only bandit
  does: ruff calls a noqa for a rule it did not fire unused, RUF100). A bare code, no reason: not accepted.
  bandit's hard-coded-password heuristics (B105-B107) also flag `token=None` and `""`; an empty value
  is no secret, so those are dropped.
- pip-audit: advisories listed in IGNORED_ADVISORIES, each with its reason.
- checkov: `.checkov.yaml` (checks that apply to every function alike) and `Metadata: checkov: skip`
  on a resource in template.yaml.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
BANDIT_PATHS = ["layers", "functions", "local"]
# Advisory id -> why it does not apply. Empty: nothing is ignored today.
IGNORED_ADVISORIES: dict[str, str] = {}
EMPTY_SECRET = re.compile(r"Possible hardcoded password: '(None|)'$")
SUPPRESSION = re.compile(r"#\s*(?:noqa|nosec)\b:?\s*((?:[A-Z]+\d+[,\s]*)+)(.*)$")
NETWORK_TROUBLE = re.compile(
    r"ConnectionError|NameResolution|Max retries exceeded|timed out|Temporary failure"
)


@dataclass
class Result:
    name: str
    ok: bool
    report: str


def run(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, env=env, check=False)  # noqa: S603 - fixed argv


# ------------------------------------------------------------------ bandit


def ruff_ignores() -> tuple[set[str], dict[str, set[str]]]:
    lint = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]["lint"]
    everywhere = {code for code in lint.get("ignore", []) if code.startswith("S")}
    per_file = {
        glob: {c for c in codes if c.startswith("S")}
        for glob, codes in lint.get("per-file-ignores", {}).items()
    }
    return everywhere, per_file


def suppressed_on_line(path: Path, lines: list[int], ruff_code: str, bandit_code: str) -> bool:
    text = path.read_text().splitlines()
    for number in lines:
        found = SUPPRESSION.search(text[number - 1]) if 0 < number <= len(text) else None
        if found and {ruff_code, bandit_code} & set(re.findall(r"[A-Z]+\d+", found.group(1))):
            reason = re.sub(r"[-()\u2013:]", " ", found.group(2)).split()
            if len(reason) >= 2:  # a code alone says nothing about why
                return True
    return False


def bandit() -> Result:
    done = run(
        [
            str(BIN / "bandit"),
            "-r",
            *BANDIT_PATHS,
            "-f",
            "json",
            "-q",
            "-x",
            "*/web/static/*",
            # A bare `# nosec` would hide a finding with no reason: see them all, judge the reason here.
            "--ignore-nosec",
        ]
    )
    try:
        findings = json.loads(done.stdout)["results"]
    except (json.JSONDecodeError, KeyError):
        return Result("bandit", False, f"bandit did not run:\n{done.stderr[-2000:]}")
    everywhere, per_file = ruff_ignores()
    left: list[str] = []
    quiet = 0
    for f in findings:
        bandit_code = f["test_id"]
        ruff_code = "S" + bandit_code[1:]
        path = Path(f["filename"])
        ignored_here = everywhere | {
            c for glob, codes in per_file.items() if fnmatch.fnmatch(str(path), glob) for c in codes
        }
        if (
            ruff_code in ignored_here
            or (bandit_code in {"B105", "B106", "B107"} and EMPTY_SECRET.search(f["issue_text"]))
            or suppressed_on_line(
                ROOT / path, f.get("line_range") or [f["line_number"]], ruff_code, bandit_code
            )
        ):
            quiet += 1
            continue
        left.append(
            f"  {path}:{f['line_number']} {bandit_code} [{f['issue_severity'].lower()}] {f['issue_text']}"
        )
    summary = f"{len(findings)} findings, {quiet} suppressed with a reason, {len(left)} left"
    if left:
        return Result(
            "bandit",
            False,
            summary
            + "\n"
            + "\n".join(left)
            + "\n  fix it, or say why on the line: `# noqa: Snnn - why` if ruff flags it too, else `# nosec Bnnn - why`",
        )
    return Result("bandit", True, summary)


# ------------------------------------------------------------------ pip-audit


def pip_audit() -> Result:
    with tempfile.TemporaryDirectory() as tmp:
        requirements = Path(tmp) / "requirements.txt"
        exported = run(
            [
                str(BIN / "uv"),
                "export",
                "--frozen",
                "--no-hashes",
                "--no-emit-project",
                "--format",
                "requirements-txt",
                "--quiet",
                "--output-file",
                str(requirements),
            ]
        )
        if exported.returncode != 0:
            return Result("pip-audit", False, f"uv export failed:\n{exported.stderr[-2000:]}")
        ignores = [arg for advisory in IGNORED_ADVISORIES for arg in ("--ignore-vuln", advisory)]
        done = run(
            [
                str(BIN / "pip-audit"),
                "-r",
                str(requirements),
                "--disable-pip",
                "--no-deps",
                "-f",
                "json",
                "--progress-spinner",
                "off",
                "--timeout",
                "15",
                *ignores,
            ]
        )
    try:
        dependencies = json.loads(done.stdout)["dependencies"]
    except (json.JSONDecodeError, KeyError):
        if NETWORK_TROUBLE.search(done.stderr):
            return Result(
                "pip-audit",
                True,
                "WARNING: the advisory database is unreachable (no network?): the lock file was NOT audited",
            )
        return Result("pip-audit", False, f"pip-audit did not run:\n{done.stderr[-2000:]}")
    audited = [d for d in dependencies if "skip_reason" not in d]
    vulnerable = [
        f"  {d['name']} {d['version']}: {v['id']} (fixed in {', '.join(v.get('fix_versions', [])) or 'no release yet'})"
        for d in audited
        for v in d.get("vulns", [])
    ]
    if vulnerable:
        return Result(
            "pip-audit", False, f"{len(vulnerable)} known vulnerabilities:\n" + "\n".join(vulnerable)
        )
    if not audited:
        # The index answered, but with no advisory data for any pinned version (a mirror, say).
        return Result(
            "pip-audit",
            True,
            f"WARNING: the advisory database had no data for any of the "
            f"{len(dependencies)} locked packages: the lock file was NOT audited",
        )
    skipped = len(dependencies) - len(audited)
    return Result(
        "pip-audit",
        True,
        f"{len(audited)} packages audited, no known vulnerabilities"
        + (f" ({skipped} could not be looked up)" if skipped else ""),
    )


# ------------------------------------------------------------------ the template


def cfn_lint() -> Result:
    done = run([str(BIN / "cfn-lint"), "template.yaml"])
    # cfn-lint exits 2 for errors, 4 for warnings, 8 for informational findings (added together).
    ok = done.returncode & 2 == 0 and done.returncode in (0, 4, 8, 12)
    return Result("cfn-lint", ok, (done.stdout + done.stderr).strip() or "no errors")


def checkov() -> Result:
    env = dict(os.environ)
    # make exports UV_PROJECT_ENVIRONMENT=.venv for the main project: it must not reach checkov's,
    # which would then be synced into (and break) the application's environment.
    env.pop("UV_PROJECT_ENVIRONMENT", None)
    env["UV_PYTHON_DOWNLOADS"] = "never"
    env["BC_SKIP_MAPPING"] = "TRUE"  # no guideline download from the vendor's API
    python = getattr(sys, "_base_executable", sys.executable)
    done = run(
        [
            str(BIN / "uv"),
            "run",
            "--locked",
            "--quiet",
            "--project",
            "tools/checkov",
            "--python",
            python,
            "checkov",
            "-f",
            "template.yaml",
            "--config-file",
            ".checkov.yaml",
        ],
        env=env,
    )
    counts = re.search(r"Passed checks: \d+, Failed checks: \d+, Skipped checks: \d+", done.stdout)
    if done.returncode == 0 and counts:
        return Result("checkov", True, counts.group(0))
    return Result("checkov", False, (done.stdout[-6000:] + done.stderr[-2000:]).strip())


CHECKS: dict[str, Callable[[], Result]] = {
    "bandit": bandit,
    "pip-audit": pip_audit,
    "cfn-lint": cfn_lint,
    "checkov": checkov,
}
# Run when none is named (`make security`, within `make test`). cfn-lint is left to `make template-check`,
# which runs it with its informational rules too (a superset of this one): running it twice cost `make
# test` some 25 CPU-seconds on two cores (issue 19). Name it to run it here.
DEFAULT = ("bandit", "pip-audit", "checkov")


def main(names: list[str]) -> int:
    unknown = set(names) - set(CHECKS)
    if unknown:
        print(f"unknown checks {sorted(unknown)}; choose from {sorted(CHECKS)}")
        return 2
    chosen = [CHECKS[name] for name in names or DEFAULT]
    with ThreadPoolExecutor(len(chosen)) as pool:
        results = list(pool.map(lambda check: check(), chosen))
    for result in results:
        print(f"{'ok  ' if result.ok else 'FAIL'} {result.name}: {result.report}")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
