"""Static checks of template.yaml: it lints, its stores are private and encrypted, and every role
names what it may touch. Checked twice where it matters: in the SAM template as written, and in the
plain CloudFormation that aws-sam-translator makes of it (offline), which is what AWS deploys: the
policy templates (DynamoDBCrudPolicy, LambdaInvokePolicy, ...) only become statements there.
"""

from __future__ import annotations

import copy
import fnmatch
import json
import os
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint_file
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = ROOT / "template.yaml"
ASL_PATH = ROOT / "statemachine" / "journey.asl.json"
REGION = "eu-west-2"
STACK = "od-validation"

GROUPS = {"practitioner", "supporter", "panel", "academy_lead", "national_lead"}
# AWS managed policies SAM attaches by itself: logs for Lambda, and X-Ray because tracing is on.
# Their content cannot be read offline; both are scoped to writing logs and traces.
SAM_MANAGED_POLICIES = {
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
}
# Routes anyone may call without signing in; everything else goes through the Cognito authorizer.
PUBLIC_ROUTES = {
    ("ApiFunction", "GET", "/api/public/{proxy+}"),  # certificate verification
    ("ApiFunction", "GET", "/.well-known/jwks.json"),  # the certificate signing key, published
    ("ApiFunction", "POST", "/api/public/credentials/verification"),  # a credential file, checked
    # The Bitstring Status Lists, signed by their own function (the only public one that may sign).
    ("StatusListFunction", "GET", "/api/public/status-lists/{list_id}"),
    ("WebFunction", "ANY", "/{proxy+}"),  # pages: the web function signs people in itself
    ("WebFunction", "GET", "/"),
}


class _NoManagedPolicies:
    """Offline stand-in for the IAM look-up of managed policy names (this template names none)."""

    def load(self) -> dict[str, str]:
        return {}


@cache
def template() -> dict[str, Any]:
    return yaml_parse(TEMPLATE_PATH.read_text())


@cache
def translated() -> dict[str, Any]:
    """The template as plain CloudFormation, as `sam deploy` would send it (cached per process)."""
    sam = copy.deepcopy(template())
    for name, resource in sam["Resources"].items():
        props = resource.get("Properties", {})
        # The translator accepts only s3:// locations; the content is irrelevant to these checks.
        for key in ("CodeUri", "ContentUri"):
            if key in props:
                props[key] = f"s3://checks-artifacts/{name}.zip"
        if "DefinitionUri" in props:
            props["Definition"] = json.loads((ROOT / props.pop("DefinitionUri")).read_text())
    old_region = os.environ.get("AWS_DEFAULT_REGION")
    os.environ["AWS_DEFAULT_REGION"] = REGION
    try:
        return transform(sam, {}, _NoManagedPolicies())
    finally:
        if old_region is None:
            os.environ.pop("AWS_DEFAULT_REGION", None)
        else:
            os.environ["AWS_DEFAULT_REGION"] = old_region


def resources(of_type: str, tpl: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    tpl = tpl if tpl is not None else template()
    return {name: r for name, r in tpl["Resources"].items() if r["Type"] == of_type}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def statements(tree: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every IAM statement anywhere under `tree`, with where it was found."""
    if isinstance(tree, dict):
        if isinstance(tree.get("Statement"), list | dict):
            for statement in as_list(tree["Statement"]):
                yield where, statement
        for key, value in tree.items():
            yield from statements(value, f"{where}.{key}" if where else key)
    elif isinstance(tree, list):
        for i, value in enumerate(tree):
            yield from statements(value, f"{where}[{i}]")


def is_key_policy(where: str) -> bool:
    name = where.split(".", 1)[0]
    for tpl in (template(), translated()):
        if tpl["Resources"].get(name, {}).get("Type") == "AWS::KMS::Key":
            return ".Properties.KeyPolicy" in where
    return False


def resolve_stack_name(value: Any) -> str:
    """A `!Sub "${AWS::StackName}-x"` name, for a stack called STACK."""
    text = value["Fn::Sub"] if isinstance(value, dict) else value
    return str(text).replace("${AWS::StackName}", STACK)


# ------------------------------------------------------------------ lint


def test_cfn_lint_reports_no_errors() -> None:
    matches = lint_file(TEMPLATE_PATH, ManualArgs(regions=[REGION]))
    errors = [f"{m.rule.id} {m.message} (line {m.linenumber})" for m in matches if m.rule.id.startswith("E")]
    assert errors == []


def test_translation_gives_plain_cloudformation() -> None:
    kinds = {r["Type"] for r in translated()["Resources"].values()}
    assert not any(kind.startswith("AWS::Serverless::") for kind in kinds)
    assert "AWS::StepFunctions::StateMachine" in kinds


# ------------------------------------------------------------------ stores


def test_the_journey_table_is_recoverable_encrypted_and_has_its_indexes() -> None:
    table = template()["Resources"]["JourneyTable"]
    props = table["Properties"]
    assert table["DeletionPolicy"] == "Retain"
    assert {
        i["IndexName"]: [k["AttributeName"] for k in i["KeySchema"]] for i in props["GlobalSecondaryIndexes"]
    } == {
        "GSI1": ["GSI1PK", "GSI1SK"],
        "GSI2": ["GSI2PK", "GSI2SK"],
    }
    assert [k["AttributeName"] for k in props["KeySchema"]] == ["PK", "SK"]


@pytest.mark.parametrize("name", sorted(resources("AWS::DynamoDB::Table")))
def test_every_table_has_point_in_time_recovery_and_kms_encryption(name: str) -> None:
    props = template()["Resources"][name]["Properties"]
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    sse = props["SSESpecification"]
    assert sse["SSEEnabled"] is True
    assert sse["SSEType"] == "KMS"
    assert sse["KMSMasterKeyId"] == {"Ref": "DataKey"}


@pytest.mark.parametrize("name", sorted(resources("AWS::S3::Bucket")))
def test_every_bucket_is_private_versioned_and_kms_encrypted(name: str) -> None:
    props = template()["Resources"][name]["Properties"]
    block = props["PublicAccessBlockConfiguration"]
    assert block == dict.fromkeys(
        ["BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"], True
    )
    assert props["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]  # no ACLs
    assert props["VersioningConfiguration"]["Status"] == "Enabled"
    [rule] = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert rule["ServerSideEncryptionByDefault"]["KMSMasterKeyID"] == {"Ref": "DataKey"}


@pytest.mark.parametrize("name", sorted(resources("AWS::S3::Bucket")))
def test_every_bucket_denies_insecure_transport(name: str) -> None:
    policies = [
        p["Properties"]["PolicyDocument"]
        for p in resources("AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": name}
    ]
    denies = [
        s
        for doc in policies
        for s in as_list(doc["Statement"])
        if s["Effect"] == "Deny"
        and s["Principal"] == "*"
        and s["Action"] in ("s3:*", ["s3:*"])
        and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    ]
    assert denies, f"{name} has no bucket policy denying plain HTTP"
    covered = json.dumps([d["Resource"] for d in denies])
    assert f'"{name}", "Arn"' in covered  # the bucket itself
    assert f"${{{name}.Arn}}/*" in covered  # and every object in it


def test_queues_and_topics_are_encrypted() -> None:
    for props in [r["Properties"] for r in resources("AWS::SQS::Queue").values()]:
        assert props.get("KmsMasterKeyId") or props.get("SqsManagedSseEnabled")
    for props in [r["Properties"] for r in resources("AWS::SNS::Topic").values()]:
        assert props.get("KmsMasterKeyId")


# ------------------------------------------------------------------ keys and sign-in


def test_the_certificate_signing_key_is_an_es256_key() -> None:
    props = template()["Resources"]["CertificateSigningKey"]["Properties"]
    assert props["KeySpec"] == "ECC_NIST_P256"
    assert props["KeyUsage"] == "SIGN_VERIFY"


def test_the_data_key_rotates() -> None:
    assert template()["Resources"]["DataKey"]["Properties"]["EnableKeyRotation"] is True


def test_the_user_pool_has_the_five_groups() -> None:
    groups = {
        g["Properties"]["GroupName"]
        for g in resources("AWS::Cognito::UserPoolGroup").values()
        if g["Properties"]["UserPoolId"] == {"Ref": "UserPool"}
    }
    assert groups == GROUPS


def test_only_the_intended_routes_are_public() -> None:
    api = template()["Resources"]["Api"]["Properties"]
    assert api["Auth"]["DefaultAuthorizer"] == "CognitoAuthorizer"
    assert api["Auth"]["Authorizers"]["CognitoAuthorizer"]["UserPoolArn"] == {
        "Fn::GetAtt": ["UserPool", "Arn"]
    }
    public = {
        (name, event["Properties"]["Method"].upper(), event["Properties"]["Path"])
        for name, function in resources("AWS::Serverless::Function").items()
        for event in function["Properties"].get("Events", {}).values()
        if event["Type"] == "Api" and event["Properties"].get("Auth", {}).get("Authorizer") == "NONE"
    }
    assert public == PUBLIC_ROUTES


# ------------------------------------------------------------------ IAM


def all_statements() -> list[tuple[str, str, dict[str, Any]]]:
    found = [("template", w, s) for w, s in statements(template()["Resources"])]
    found += [("translated", w, s) for w, s in statements(translated()["Resources"])]
    assert len(found) > 20  # guards the walk itself
    return found


def test_no_statement_allows_every_action_on_every_resource() -> None:
    wide = [
        f"{source}: {where}"
        for source, where, s in all_statements()
        if s.get("Effect") == "Allow"
        and {"*", "*:*"} & set(as_list(s.get("Action", [])))
        and "*" in as_list(s.get("Resource", []))
        and not is_key_policy(where)
    ]
    assert wide == []


def test_no_role_allows_anything_on_every_resource() -> None:
    # Identity policies must name their resources; only key and bucket policies may say "*",
    # where it means "this key" or "this bucket".
    wide = [
        f"{source}: {where} {s.get('Action')}"
        for source, where, s in all_statements()
        if s.get("Effect") == "Allow" and "*" in as_list(s.get("Resource", [])) and not is_key_policy(where)
    ]
    assert wide == []


def test_key_policies_grant_kms_star_only_to_the_account() -> None:
    """The standard key policy: `kms:*` on `*` for the account root. In a key policy "*" means this
    key, and the root principal hands control to IAM, so who may use the key is decided by the roles
    checked above. Anything granted to another principal here would bypass those checks."""
    for name, key in resources("AWS::KMS::Key").items():
        policy = key["Properties"]["KeyPolicy"]
        for statement in as_list(policy["Statement"]):
            assert statement["Effect"] == "Allow", name
            if name == "DataKey" and "Service" in statement["Principal"]:
                # CloudWatch (alarms to the topic) and CloudWatch Logs (this stack's log groups) use it;
                # neither may manage it. tests/unit/test_template_operations.py checks what each may do.
                assert "kms:*" not in as_list(statement["Action"])
                continue
            assert statement["Principal"] == {
                "AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}
            }
            assert statement["Resource"] == "*", name


def function_roles() -> dict[str, dict[str, Any]]:
    return {name: translated()["Resources"][f"{name}Role"] for name in resources("AWS::Serverless::Function")}


@pytest.mark.parametrize("name", sorted(resources("AWS::Serverless::Function")))
def test_every_function_has_its_own_role_naming_its_resources(name: str) -> None:
    props = template()["Resources"][name]["Properties"]
    assert "Role" not in props, "a shared role would give every function the sum of their needs"
    assert props.get("Policies"), "no policies: the function could touch nothing it needs"
    role = function_roles()[name]["Properties"]
    assert set(role.get("ManagedPolicyArns", [])) <= SAM_MANAGED_POLICIES
    for policy in role["Policies"]:
        for statement in as_list(policy["PolicyDocument"]["Statement"]):
            # A Deny only narrows what an Allow gave (the session secret: create, never overwrite).
            assert statement["Effect"] in ("Allow", "Deny")
            for resource in as_list(statement["Resource"]):
                assert resource != "*", f"{policy['PolicyName']} {statement['Action']}"


@pytest.mark.parametrize("name", sorted(resources("AWS::Serverless::Function")))
def test_environment_variables_are_encrypted_with_a_key_the_function_may_decrypt(name: str) -> None:
    # A function whose role cannot decrypt its own environment fails on every cold start.
    key = template()["Resources"][name]["Properties"].get("KmsKeyArn") or template()["Globals"][
        "Function"
    ].get("KmsKeyArn")
    assert key == {"Fn::GetAtt": ["DataKey", "Arn"]}
    decrypts = [
        s
        for policy in function_roles()[name]["Properties"]["Policies"]
        for s in as_list(policy["PolicyDocument"]["Statement"])
        if "kms:Decrypt" in as_list(s["Action"]) and "DataKey" in json.dumps(s["Resource"])
    ]
    assert decrypts


def test_the_state_machine_may_invoke_exactly_the_functions_it_calls() -> None:
    machine = template()["Resources"]["JourneyStateMachine"]["Properties"]
    called = {v["Fn::GetAtt"][0] for v in machine["DefinitionSubstitutions"].values()}
    invokable_in_template = {
        p["LambdaInvokePolicy"]["FunctionName"]["Ref"]
        for p in machine["Policies"]
        if "LambdaInvokePolicy" in p
    }
    assert invokable_in_template == called

    # In the deployed role each grant is a name pattern (SAM appends "*" for versions and aliases),
    # so check which of the stack's functions each pattern really matches.
    names = {
        name: resolve_stack_name(f["Properties"]["FunctionName"])
        for name, f in resources("AWS::Serverless::Function").items()
    }
    role = translated()["Resources"]["JourneyStateMachineRole"]["Properties"]
    invokable: set[str] = set()
    other_actions: set[str] = set()
    for policy in role["Policies"]:
        for statement in as_list(policy["PolicyDocument"]["Statement"]):
            actions = set(as_list(statement["Action"]))
            if actions != {"lambda:InvokeFunction"}:
                other_actions |= actions
                continue
            for resource in as_list(statement["Resource"]):
                pattern, variables = resource["Fn::Sub"]
                function = variables["functionName"]["Ref"]
                arn_name = pattern.rsplit(":function:", 1)[1].replace("${functionName}", names[function])
                invokable |= {n for n, real in names.items() if fnmatch.fnmatchcase(real, arn_name)}
    assert invokable == called
    # Besides the functions, it may only start a new execution of itself, and only if the ASL does.
    asl_text = ASL_PATH.read_text()
    assert other_actions == (
        {"states:StartExecution"} if "arn:aws:states:::states:startExecution" in asl_text else set()
    )
    assert set(role.get("ManagedPolicyArns", [])) <= SAM_MANAGED_POLICIES


def test_the_state_machine_runs_the_asl_file() -> None:
    machine = template()["Resources"]["JourneyStateMachine"]["Properties"]
    assert machine["DefinitionUri"] == "statemachine/journey.asl.json"
    assert (ROOT / machine["DefinitionUri"]).is_file()


def test_the_scheduler_role_may_only_invoke_the_scheduled_function() -> None:
    role = template()["Resources"]["SchedulerRole"]["Properties"]
    [statement] = [s for _, s in statements(role["Policies"])]
    assert statement["Action"] == "lambda:InvokeFunction"
    assert functions_named_by(statement["Resource"]) == {"ScheduledFunction"}


def functions_named_by(resource: Any) -> set[str]:
    """The stack's functions an ARN (a GetAtt, or a !Sub ARN with the function's name) can match."""
    if isinstance(resource, dict) and "Fn::GetAtt" in resource:
        return {resource["Fn::GetAtt"][0]}
    arn = resolve_stack_name(resource)
    assert "${" not in arn.rsplit(":function:", 1)[1], f"cannot tell which function {arn} names"
    return {
        name
        for name, f in resources("AWS::Serverless::Function").items()
        if fnmatch.fnmatchcase(
            resolve_stack_name(f["Properties"]["FunctionName"]), arn.rsplit(":function:", 1)[1]
        )
    }


# ------------------------------------------------------------------ code locations


def code_folders() -> list[Any]:
    params = []
    for name, function in sorted(resources("AWS::Serverless::Function").items()):
        folder = ROOT / function["Properties"]["CodeUri"]
        params.append(
            pytest.param(
                folder,
                id=name,
                # git keeps no empty folder, so an empty one is what a fresh clone would not have.
                marks=[pytest.mark.skip(reason=f"{folder.relative_to(ROOT)} is not written yet")]
                if not folder.is_dir() or not any(folder.iterdir())
                else [],
            )
        )
    return params


@pytest.mark.parametrize("folder", code_folders())
def test_every_function_folder_has_its_handler(folder: Path) -> None:
    app = folder / "app.py"
    assert app.is_file()
    assert re.search(r"^(def handler\(|handler\s*=)", app.read_text(), re.MULTILINE), "no `handler` in app.py"


def test_the_layer_folder_holds_the_domain_package() -> None:
    folder = ROOT / template()["Resources"]["DomainLayer"]["Properties"]["ContentUri"]
    assert (folder / "odvalidation" / "__init__.py").is_file()
    assert not (folder / "python").exists()


LAYERS = ("DomainLayer", "TokenLayer", "PdfLayer")


@pytest.mark.parametrize("logical_id", LAYERS)
def test_each_layer_is_built_with_bytecode_from_its_locked_list(logical_id: str) -> None:
    layer = template()["Resources"][logical_id]
    folder = ROOT / layer["Properties"]["ContentUri"]
    # Built by its own Makefile target, which uses the shared recipe: the locked packages with
    # --no-deps for Lambda's arm64 Python 3.13, then bytecode a read-only /opt can use as it is.
    assert layer["Metadata"] == {"BuildMethod": "makefile", "BuildArchitecture": "arm64"}
    makefile = (folder / "Makefile").read_text()
    assert f"build-{logical_id}:" in makefile
    assert "$(locked_packages)" in makefile
    assert "$(bytecode)" in makefile
    assert "include $(dir $(lastword $(MAKEFILE_LIST)))../layer.mk" in makefile
    assert (folder / "requirements.txt").is_file()
    assert layer["Properties"]["CompatibleRuntimes"] == [template()["Globals"]["Function"]["Runtime"]]
    assert (
        layer["Properties"]["CompatibleArchitectures"] == template()["Globals"]["Function"]["Architectures"]
    )


def test_the_shared_layer_recipe() -> None:
    recipe = (ROOT / "layers" / "layer.mk").read_text()
    assert "--no-deps" in recipe
    assert "--python-version 3.13" in recipe
    assert "--platform manylinux2014_aarch64" in recipe
    assert "--invalidation-mode unchecked-hash" in recipe
    assert template()["Globals"]["Function"]["Runtime"] == "python3.13"


def test_only_the_functions_that_need_them_load_the_token_and_pdf_layers() -> None:
    resources = template()["Resources"]
    assert template()["Globals"]["Function"]["Layers"] == [{"Ref": "DomainLayer"}]
    own = {
        name: [ref["Ref"] for ref in r["Properties"].get("Layers", [])]
        for name, r in resources.items()
        if r["Type"] == "AWS::Serverless::Function"
    }
    assert {name: layers for name, layers in own.items() if layers} == {
        "ApiFunction": ["TokenLayer"],
        "WebFunction": ["TokenLayer"],
        "IssueCertificateFunction": ["TokenLayer", "PdfLayer"],
        "StatusListFunction": ["TokenLayer"],
    }


# ------------------------------------------------------------------ suppressed findings


def checkov_skips() -> list[tuple[str, str, str]]:
    return [
        (name, skip["id"], skip.get("comment", ""))
        for name, resource in template()["Resources"].items()
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
    ]


def test_every_suppressed_finding_has_a_written_reason() -> None:
    security = (
        (ROOT / "docs" / "security.md").read_text() if (ROOT / "docs" / "security.md").is_file() else ""
    )
    for name, check, comment in checkov_skips():
        assert len(comment.split()) >= 8, f"{name} skips {check} without saying why"
        assert check in security, f"{check} (skipped on {name}) is not explained in docs/security.md"
    checkov_config = yaml_parse((ROOT / ".checkov.yaml").read_text())
    for check in checkov_config.get("skip-check", []):
        assert check in security, f"{check} (skipped in .checkov.yaml) is not explained in docs/security.md"


def test_only_the_issuing_and_status_list_functions_may_sign_certificates() -> None:
    """kms:Sign on the certificate key mints credentials: the public API and web functions never hold
    it; the status-list function holds it to sign the revocation lists it serves."""
    signers = {
        name
        for name, function in resources("AWS::Serverless::Function").items()
        for policy in function["Properties"].get("Policies", [])
        if isinstance(policy, dict)
        for statement in policy.get("Statement", [])
        if "kms:Sign" in statement.get("Action", [])
    }
    assert signers == {"IssueCertificateFunction", "StatusListFunction"}
