"""Render the figures the security tests wrote under test-artifacts/ into docs/security.md, between
the markers `<!-- figures:start -->` and `<!-- figures:end -->`.

    .venv/bin/pytest -q tests/e2e/test_security_*.py && .venv/bin/python -m tests.security.report
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "security.md"
START, END = "<!-- figures:start -->", "<!-- figures:end -->"
SHORT = {
    "anonymous": "anon",
    "practitioner_a": "A",
    "practitioner_b": "B",
    "supporter_of_a": "A's supporter",
    "panel_undeclared": "panel, undeclared",
    "panel_declared": "panel, declared",
    "panel_unassigned": "panel, not assigned",
    "lead_of_a": "A's lead",
    "lead_elsewhere": "other lead",
    "national_lead": "national lead",
}


def _load(name: str) -> dict[str, Any]:
    path = ROOT / "test-artifacts" / f"security-{name}.json"
    return json.loads(path.read_text()) if path.exists() else {}


def render() -> str:
    authz, fuzz, faults = _load("authz"), _load("fuzz"), _load("faults")
    out = [
        START,
        "",
        "| suite | measured | leaks | server errors | lost items |",
        "| --- | --- | --- | --- | --- |",
    ]
    if authz:
        out.append(
            f"| authorisation matrix | {authz['routes']} routes x {len(authz['roles'])} roles = "
            f"{authz['cells']} cells | {authz['leaks']} | 0 | - |"
        )
    if fuzz:
        out.append(
            f"| fuzzing (schemathesis) | {fuzz['cases']} requests over {fuzz['operations']} operations | - | "
            f"{fuzz['server_errors']} (and {fuzz['without_message']} refusals without a message) | - |"
        )
    if faults:
        aws = ", ".join(f"{k} {v}" for k, v in sorted(faults["aws_faults"].items()))
        tasks = ", ".join(f"{k} {v}" for k, v in sorted(faults["task_faults"].items()))
        out.append(
            f"| faults | {faults['aws_faults_total']} AWS faults ({aws}); task failures ({tasks}) "
            f"over {faults['journeys']} journeys | - | - | {faults['lost_items']} |"
        )
    hostile, races, audit, retention = _load("hostile"), _load("races"), _load("audit"), _load("retention")
    if hostile:
        out.append(
            f"| hostile input | {hostile['uploads']} hostile uploads ({hostile['verified_hostile']} verified); "
            f"script in narratives and names across {hostile.get('pages', 0)} pages, email and the certificate "
            f"PDF; {hostile['edge_cases']} long or unusual unicode fields | {hostile['leaks']} | "
            f"{hostile['server_errors']} | - |"
        )
    if races:
        cases = ", ".join(f"{k} {v}" for k, v in sorted(races["cases"].items()))
        out.append(
            f"| duplicates and races | {races['cases_total']} cases ({cases}); "
            f"{races['extra_effects']} extra effects | - | {races['server_errors']} | {races['lost_items']} |"
        )
    if audit:
        out.append(
            f"| audit trail | {audit['journeys']} journey replayed, {audit['events']} events compared "
            f"({audit['unexpected']} unexpected) | - | - | {audit['missing']} |"
        )
    if retention:
        out.append(
            f"| retention | {retention['objects']} evidence objects after the outcome | - | - | "
            f"{retention['untagged']} untagged |"
        )
    findings = [*authz.get("known_findings", []), *hostile.get("known_findings", [])]
    if findings:
        out += ["", "Known findings (reported; their tests are `xfail(strict=True)` until fixed):", ""]
        out += [f"- {f}" for f in findings]
    if authz:
        roles = authz["roles"]
        out += ["", "The matrix (observed answer; **bold** where it differs from the expected one):", ""]
        out.append("| route | " + " | ".join(SHORT.get(r, r) for r in roles) + " |")
        out.append("| --- |" + " --- |" * len(roles))
        for route, cells in authz["matrix"].items():
            row = []
            for role in roles:
                cell = cells.get(role)
                if cell is None:
                    row.append("")
                elif cell["got"] != cell["expected"] or cell["leak"]:
                    row.append(f"**{cell['got']}** (want {cell['expected']})")
                else:
                    row.append(str(cell["got"]))
            out.append(f"| `{route}` | " + " | ".join(row) + " |")
    out += ["", END]
    return "\n".join(out)


def main() -> None:
    text = DOC.read_text()
    before, _, rest = text.partition(START)
    _, _, after = rest.partition(END)
    DOC.write_text(before + render() + after)


if __name__ == "__main__":
    main()
