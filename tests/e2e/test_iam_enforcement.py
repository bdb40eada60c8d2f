"""The local stack authorises each function's AWS calls against its own role from template.yaml, as
AWS does (local/iam.py), and the grants the template gives are the ones the product needs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from local import iam, iam_template, scenario
from local.deployed import TEMPLATE
from local.stack import LocalStack
from odvalidation.dal.clients import client
from odvalidation.services.common import db

pytestmark = pytest.mark.xdist_group("local_stack")

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
import iam_table  # noqa: E402


def test_the_default_local_stack_enforces_each_functions_role(local_stack: LocalStack) -> None:
    registry = iam.registry()
    assert registry is not None
    assert set(registry.functions) == set(local_stack.deployed.functions)
    # The notify function's role grants nothing on the evidence bucket: AWS would refuse, so does the stack.
    bucket = local_stack.deployed.global_environment["EVIDENCE_BUCKET"]
    with iam.acting_as(registry.for_function("od-validation-notify")), pytest.raises(ClientError) as refused:
        client("s3").put_object_tagging(Bucket=bucket, Key="journeys/x/y", Tagging={"TagSet": []})
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    assert (
        "assumed-role/od-validation-NotifyFunctionRole/od-validation-notify is not authorized to perform: "
        f"s3:PutObjectTagging on resource: arn:aws:s3:::{bucket}/journeys/x/y"
    ) in refused.value.response["Error"]["Message"]


def test_the_stack_enforces_exactly_the_policies_the_template_gives(local_stack: LocalStack) -> None:
    registry = iam.registry()
    assert registry is not None
    from_template = iam_template.roles(TEMPLATE, local_stack.deployed)
    assert from_template, "the template's roles were not resolved"
    for arn, role in from_template.items():
        assert set(registry.roles[arn].statements) == set(role.statements), arn


def _without_assign_panels_schedule_grant(tmp_path: Path) -> Path:
    """A copy of template.yaml whose assign_panel role no longer may create its review reminders."""
    text = TEMPLATE.read_text()
    section = text.index("  AssignPanelFunction:")
    grant = text.index("              Action: [scheduler:CreateSchedule, scheduler:UpdateSchedule]", section)
    start = text.rindex("            - Effect: Allow\n", section, grant)
    end = text.index("\n", text.index("Resource:", grant)) + 1
    copy = tmp_path / "template.yaml"
    copy.write_text(text[:start] + text[end:])
    assert copy.read_text().count("scheduler:CreateSchedule") == text.count("scheduler:CreateSchedule") - 1
    return copy


def test_a_template_without_one_grant_fails_the_journey_with_access_denied(
    local_stack: LocalStack, tmp_path: Path
) -> None:
    """The check can fail: without assign_panel's schedule grant, every submitted claim ends in
    RecordFailure with AWS's AccessDenied, recorded on the journey for a lead to see and resume."""
    planted = _without_assign_panels_schedule_grant(tmp_path)
    c = scenario.cast(local_stack)
    with iam_template.enforcing(planted, local_stack.deployed):
        journey_id = scenario.to_claim_development(c)
        scenario.build_claim(c, journey_id)
        scenario.wait_claim_complete(c, journey_id)
        scenario.submit(c, journey_id)
        failed = c.lead.api.wait_for(
            journey_id, lambda j: bool(j.get("failure")), what="the failure", timeout=60
        )
    # What the lead sees on the journey, and the failure recorded in full for the problem page.
    assert "AccessDenied" in failed["journey"]["failure"]
    failure = db().journey(journey_id).failure
    assert failure is not None
    # The panel is seated and the journey has moved to panel review before the reminders fail.
    assert failure.step == "panel_review"
    assert (
        "assumed-role/od-validation-AssignPanelFunctionRole/od-validation-assign-panel is not authorized to "
        "perform: scheduler:CreateSchedule"
    ) in failure.cause


def test_the_iam_table_in_docs_security_md_is_what_the_template_and_a_traced_run_give(
    local_stack: LocalStack,
) -> None:
    iam.clear_trace()
    iam_table.traced_run(local_stack)
    traced = iam.trace()
    refused = {k: v for k, v in traced.items() if v != iam.ALLOWED}
    assert not refused, f"the traced run needed what the template does not grant: {refused}"
    ran = iam_table.render(local_stack.deployed, traced).splitlines()
    documented = iam_table.current().splitlines()[1:-1]
    stale = "docs/security.md's IAM table is out of date: run tools/iam_table.py"
    # The grants (every column but the last) are exactly the template's.
    assert [row.rsplit("|", 2)[0] for row in documented] == [row.rsplit("|", 2)[0] for row in ran], stale
    # Every use the doc records happened in this run. This stack is shared with other tests, whose
    # journeys may still be running, so the run may show more uses than the doc's clean run
    # (`tools/iam_table.py --check` compares a clean run exactly).
    for doc_row, run_row in zip(documented, ran, strict=True):
        if doc_row.rsplit("|", 2)[1].strip().startswith("yes"):
            assert run_row.rsplit("|", 2)[1].strip().startswith("yes"), f"{stale}: {doc_row}"
