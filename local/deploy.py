"""Deploy template.yaml into a running moto server, from the template itself (no second resource list).

Steps: zip local code folders into a moto bucket, translate SAM to CloudFormation offline with
aws-sam-translator, then create each resource in dependency order with boto3, one small handler per
resource type. moto's own CloudFormation skips or flattens too much of this template (see
/work/shared/notes/local-aws-on-moto.md), hence this walker.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import logging
import re
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from pydantic import BaseModel, ConfigDict

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parent.parent
TEMPLATE = REPO / "template.yaml"
STACK_NAME = "od-validation"
ACCOUNT_ID = "123456789012"  # moto's default account
REGION = "eu-west-2"
PARTITION = "aws"
ARTIFACT_BUCKET = f"{STACK_NAME}-local-artifacts"
REST_API_ID = "local"  # API Gateway is played by local.http_front; this id only appears in ARNs


class DeployError(RuntimeError):
    """The template cannot be deployed as it stands (unknown type, unresolvable reference, cycle)."""


class Route(BaseModel):
    """One API Gateway route (from the template's Api events, as SAM translated them)."""

    model_config = ConfigDict(frozen=True)

    method: str  # GET, POST, ... or ANY
    path: str  # e.g. /api/{proxy+}
    function_name: str
    cognito: bool  # whether the Cognito user-pool authorizer guards it


class FunctionInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    logical_id: str
    function_name: str
    arn: str
    code_dir: str  # repo-relative, e.g. functions/api
    module: str  # e.g. functions.api.app
    attribute: str  # e.g. handler
    memory_mb: int
    timeout_s: int


@dataclass
class DeployedStack:
    """What the deploy made: physical ids, attributes, functions, routes, and what it skipped."""

    parameters: dict[str, str] = field(default_factory=dict)
    physical_ids: dict[str, str] = field(default_factory=dict)  # logical id -> Ref value
    attributes: dict[str, dict[str, str]] = field(default_factory=dict)  # logical id -> GetAtt values
    types: dict[str, str] = field(default_factory=dict)  # logical id -> resource type
    functions: dict[str, FunctionInfo] = field(default_factory=dict)  # function name -> info
    routes: list[Route] = field(default_factory=list)
    recorded_only: dict[str, str] = field(default_factory=dict)  # logical id -> why it was not created
    global_environment: dict[str, str] = field(default_factory=dict)  # Globals Function env, resolved
    cognito_authorizer_pool: str = ""
    stage_name: str = ""  # the API's stage: its URLs are under /{stage_name}/
    binary_media_types: list[str] = field(default_factory=list)  # as API Gateway reads them (~1 -> /)

    def ref(self, logical_id: str) -> str:
        return self.physical_ids[logical_id]

    def arn(self, logical_id: str) -> str:
        return self.attributes[logical_id]["Arn"]


# --------------------------------------------------------------------------- clients


def clients_for(endpoint_url: str) -> Callable[[str], Any]:
    cache: dict[str, Any] = {}
    config = Config(retries={"max_attempts": 2})
    # One session for all clients: it caches the service models, so each client costs far less.
    session = boto3.session.Session(
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - moto's fake credentials
    )
    lock = threading.Lock()

    def client(service: str) -> Any:
        with lock:
            if service not in cache:
                cache[service] = session.client(  # type: ignore[call-overload]
                    service, endpoint_url=endpoint_url, config=config
                )
            return cache[service]

    return client


# --------------------------------------------------------------------------- SAM -> CloudFormation


def _zip_folder(folder: Path, prefix: str = "") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts:
                    zf.write(path, prefix + path.relative_to(folder).as_posix())
    return buf.getvalue()


def _is_local(uri: Any) -> bool:
    return isinstance(uri, str) and not uri.startswith("s3://")


def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    from samtranslator.yaml_helper import yaml_parse

    template: dict[str, Any] = yaml_parse(path.read_text())
    return template


def stage_name(path: Path = TEMPLATE) -> str:
    """The stage of the template's one API (its StageName, or the default of the parameter it names).

    Read before the deploy, because the service's public base URL (a deploy parameter) includes it."""
    sam = load_template(path)
    apis = [r for r in sam.get("Resources", {}).values() if r.get("Type") == "AWS::Serverless::Api"]
    if len(apis) != 1:
        raise DeployError(f"the local stack plays one AWS::Serverless::Api; the template has {len(apis)}")
    stage = apis[0].get("Properties", {}).get("StageName")
    if isinstance(stage, dict) and set(stage) == {"Ref"}:
        stage = sam.get("Parameters", {}).get(stage["Ref"], {}).get("Default")
    if not isinstance(stage, str) or not stage:
        raise DeployError(f"the API's StageName {stage!r} is not a name the local stack can read")
    return stage


def translate(sam: dict[str, Any], base: Path, s3: Any) -> dict[str, Any]:
    """Upload local code, inline the ASL, and let aws-sam-translator expand the SAM resources."""
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    sam = copy.deepcopy(sam)
    # A second deploy into the same moto (tests) reuses the bucket.
    with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou):
        s3.create_bucket(Bucket=ARTIFACT_BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    for logical_id, resource in sam.get("Resources", {}).items():
        props = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if _is_local(props.get(key)):
                folder = base / props[key]
                build = str(resource.get("Metadata", {}).get("BuildMethod", ""))
                # A layer built by `sam build` with a python BuildMethod carries its code under python/.
                prefix = "python/" if key == "ContentUri" and build.startswith("python") else ""
                s3_key = f"{logical_id}.zip"
                s3.put_object(Bucket=ARTIFACT_BUCKET, Key=s3_key, Body=_zip_folder(folder, prefix))
                props[key] = f"s3://{ARTIFACT_BUCKET}/{s3_key}"
        if _is_local(props.get("DefinitionUri")):
            # Inline the ASL so DefinitionSubstitutions travel with it (applied when it is created).
            props["Definition"] = json.loads((base / props.pop("DefinitionUri")).read_text())
    translator = Translator(None, Parser(), boto_session=boto3.Session(region_name=REGION))
    # No managed policies are named in the template; an empty map keeps the translator offline.
    cfn: dict[str, Any] = translator.translate(sam, parameter_values={}, get_managed_policy_map=dict)
    return cfn


# --------------------------------------------------------------------------- intrinsics

_SUB_VAR = re.compile(r"\$\{([^}!]+)\}")
_PSEUDO = {
    "AWS::StackName": STACK_NAME,
    "AWS::AccountId": ACCOUNT_ID,
    "AWS::Region": REGION,
    "AWS::Partition": PARTITION,
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::StackId": f"arn:aws:cloudformation:{REGION}:{ACCOUNT_ID}:stack/{STACK_NAME}/local",
}


def references(node: Any) -> set[tuple[str, str | None]]:
    """(logical id, attribute or None) pairs a property tree refers to (Ref, GetAtt, Sub)."""
    found: set[tuple[str, str | None]] = set()
    if isinstance(node, dict):
        if "Ref" in node and len(node) == 1:
            found.add((str(node["Ref"]), None))
        elif "Fn::GetAtt" in node and len(node) == 1:
            target = node["Fn::GetAtt"]
            name, attr = target.split(".", 1) if isinstance(target, str) else target
            found.add((name, attr))
        elif "Fn::Sub" in node and len(node) == 1:
            sub = node["Fn::Sub"]
            text, variables = (sub, {}) if isinstance(sub, str) else (sub[0], sub[1])
            for var in _SUB_VAR.findall(text):
                if var in variables:
                    continue
                name, _, attr = var.partition(".")
                found.add((name, attr or None))
            found |= references(variables)
        else:
            for value in node.values():
                found |= references(value)
    elif isinstance(node, list):
        for item in node:
            found |= references(item)
    return found


class Resolver:
    def __init__(self, stack: DeployedStack) -> None:
        self.stack = stack

    def ref(self, name: str) -> str:
        if name in _PSEUDO:
            return _PSEUDO[name]
        if name in self.stack.parameters:
            return self.stack.parameters[name]
        if name in self.stack.physical_ids:
            return self.stack.physical_ids[name]
        raise DeployError(f"Ref to {name!r}, which is neither a parameter nor a created resource")

    def get_att(self, name: str, attr: str) -> str:
        if attr in self.stack.attributes.get(name, {}):
            return self.stack.attributes[name][attr]
        raise DeployError(f"GetAtt {name}.{attr}: no such attribute was recorded for {name}")

    def __call__(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self(item) for item in node if item != {"Ref": "AWS::NoValue"}]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, value),) = node.items()
            if key == "Ref":
                return self.ref(value)
            if key == "Fn::GetAtt":
                name, attr = value.split(".", 1) if isinstance(value, str) else value
                return self.get_att(name, attr)
            if key == "Fn::Sub":
                return self._sub(value)
            if key == "Fn::Join":
                sep, items = value
                return str(sep).join(str(self(item)) for item in self(items))
            if key == "Fn::Select":
                index, items = value
                return self(items)[int(self(index))]
            if key == "Fn::Split":
                sep, text = value
                return str(self(text)).split(sep)
            if key.startswith("Fn::"):
                raise DeployError(f"intrinsic function {key} is not supported by the local deploy")
        return {key: self(value) for key, value in node.items() if value != {"Ref": "AWS::NoValue"}}

    def _sub(self, value: Any) -> str:
        text, variables = (value, {}) if isinstance(value, str) else (value[0], self(value[1]))

        def replace(match: re.Match[str]) -> str:
            var = match.group(1)
            if var in variables:
                return str(variables[var])
            name, _, attr = var.partition(".")
            return self.get_att(name, attr) if attr else self.ref(name)

        return _SUB_VAR.sub(replace, text)


# --------------------------------------------------------------------------- resource handlers

Created = tuple[str, dict[str, str]]  # (Ref value, GetAtt attributes)


@dataclass
class Context:
    client: Callable[[str], Any]
    stack: DeployedStack
    sam: dict[str, Any]  # the untranslated template, for CodeUri folders

    def name_for(self, logical_id: str, limit: int = 64) -> str:
        # CloudFormation invents "<stack>-<logical>-<random>"; a stable name is friendlier locally.
        return f"{STACK_NAME}-{logical_id}"[:limit]


def _tags_list(tags: Any) -> list[dict[str, str]]:
    if isinstance(tags, dict):
        return [{"Key": k, "Value": str(v)} for k, v in tags.items()]
    return list(tags or [])


def _kms_key(ctx: Context, logical_id: str, p: dict[str, Any]) -> Created:
    kms = ctx.client("kms")
    args: dict[str, Any] = {
        "Description": p.get("Description", ""),
        "KeySpec": p.get("KeySpec", "SYMMETRIC_DEFAULT"),
        "KeyUsage": p.get("KeyUsage", "ENCRYPT_DECRYPT"),
        "Tags": [{"TagKey": t["Key"], "TagValue": t["Value"]} for t in _tags_list(p.get("Tags"))],
    }
    if "KeyPolicy" in p:
        args["Policy"] = json.dumps(p["KeyPolicy"])
    meta = kms.create_key(**args)["KeyMetadata"]
    if p.get("EnableKeyRotation"):
        kms.enable_key_rotation(KeyId=meta["KeyId"])
    return meta["KeyId"], {"Arn": meta["Arn"], "KeyId": meta["KeyId"]}


def _dynamodb_table(ctx: Context, logical_id: str, p: dict[str, Any]) -> Created:
    ddb = ctx.client("dynamodb")
    name = p.get("TableName") or ctx.name_for(logical_id, 255)
    args: dict[str, Any] = {
        "TableName": name,
        "AttributeDefinitions": p["AttributeDefinitions"],
        "KeySchema": p["KeySchema"],
        "BillingMode": p.get("BillingMode", "PROVISIONED"),
    }
    for key in (
        "GlobalSecondaryIndexes",
        "LocalSecondaryIndexes",
        "ProvisionedThroughput",
        "StreamSpecification",
    ):
        if key in p:
            args[key] = p[key]
    if "SSESpecification" in p:
        sse = p["SSESpecification"]
        args["SSESpecification"] = {
            k: v
            for k, v in {
                "Enabled": sse.get("SSEEnabled", False),
                "SSEType": sse.get("SSEType"),
                "KMSMasterKeyId": sse.get("KMSMasterKeyId"),
            }.items()
            if v is not None
        }
    if p.get("Tags"):
        args["Tags"] = _tags_list(p["Tags"])
    desc = ddb.create_table(**args)["TableDescription"]
    pitr = p.get("PointInTimeRecoverySpecification", {})
    if pitr.get("PointInTimeRecoveryEnabled"):
        ddb.update_continuous_backups(
            TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
        )
    ttl = p.get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled"):
        ddb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
    attrs = {"Arn": desc["TableArn"]}
    if "LatestStreamArn" in desc:
        attrs["StreamArn"] = desc["LatestStreamArn"]
    return name, attrs


def _lifecycle_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation's lifecycle rule shape -> the S3 API's."""
    out: dict[str, Any] = {"ID": rule.get("Id", ""), "Status": rule["Status"]}
    conditions: list[dict[str, Any]] = []
    if "Prefix" in rule:
        conditions.append({"Prefix": rule["Prefix"]})
    conditions += [{"Tag": {"Key": t["Key"], "Value": t["Value"]}} for t in rule.get("TagFilters", [])]
    if len(conditions) == 0:
        out["Filter"] = {"Prefix": ""}
    elif len(conditions) == 1:
        out["Filter"] = conditions[0]
    else:
        merged: dict[str, Any] = {"Tags": [c["Tag"] for c in conditions if "Tag" in c]}
        merged.update(next((c for c in conditions if "Prefix" in c), {}))
        out["Filter"] = {"And": merged}
    if "ExpirationInDays" in rule:
        out["Expiration"] = {"Days": int(rule["ExpirationInDays"])}
    elif rule.get("ExpiredObjectDeleteMarker"):
        out["Expiration"] = {"ExpiredObjectDeleteMarker": True}
    if "NoncurrentVersionExpiration" in rule:
        nve = rule["NoncurrentVersionExpiration"]
        out["NoncurrentVersionExpiration"] = {"NoncurrentDays": int(nve["NoncurrentDays"])}
    if "AbortIncompleteMultipartUpload" in rule:
        out["AbortIncompleteMultipartUpload"] = {
            "DaysAfterInitiation": int(rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"])
        }
    return out


def _s3_bucket(ctx: Context, logical_id: str, p: dict[str, Any]) -> Created:
    s3 = ctx.client("s3")
    name = p.get("BucketName") or ctx.name_for(logical_id, 63).lower()
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    if "PublicAccessBlockConfiguration" in p:
        s3.put_public_access_block(
            Bucket=name, PublicAccessBlockConfiguration=p["PublicAccessBlockConfiguration"]
        )
    if "OwnershipControls" in p:
        s3.put_bucket_ownership_controls(Bucket=name, OwnershipControls=p["OwnershipControls"])
    if "VersioningConfiguration" in p:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration=p["VersioningConfiguration"])
    if "BucketEncryption" in p:
        rules = [
            {
                "ApplyServerSideEncryptionByDefault": rule["ServerSideEncryptionByDefault"],
                "BucketKeyEnabled": bool(rule.get("BucketKeyEnabled", False)),
            }
            for rule in p["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        ]
        s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": rules})
    if "CorsConfiguration" in p:
        cors_rules = []
        for rule in p["CorsConfiguration"]["CorsRules"]:
            r = {
                k: v
                for k, v in rule.items()
                if k in ("AllowedHeaders", "AllowedMethods", "AllowedOrigins", "ExposedHeaders", "ID")
            }
            if "MaxAge" in rule:
                r["MaxAgeSeconds"] = int(rule["MaxAge"])
            cors_rules.append(r)
        s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": cors_rules})
    if "LifecycleConfiguration" in p:
        s3.put_bucket_lifecycle_configuration(
            Bucket=name,
            LifecycleConfiguration={
                "Rules": [_lifecycle_rule(r) for r in p["LifecycleConfiguration"]["Rules"]]
            },
        )
    notifications = p.get("NotificationConfiguration", {})
    unsupported = set(notifications) - {"LambdaConfigurations"}
    if unsupported:
        raise DeployError(
            f"{logical_id}: bucket notifications {sorted(unsupported)} are not supported locally"
        )
    if notifications.get("LambdaConfigurations"):
        configs = []
        for cfg in notifications["LambdaConfigurations"]:
            item: dict[str, Any] = {"LambdaFunctionArn": cfg["Function"], "Events": [cfg["Event"]]}
            if "Filter" in cfg:
                item["Filter"] = {"Key": {"FilterRules": cfg["Filter"]["S3Key"]["Rules"]}}
            configs.append(item)
        s3.put_bucket_notification_configuration(
            Bucket=name, NotificationConfiguration={"LambdaFunctionConfigurations": configs}
        )
    if p.get("Tags"):
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": _tags_list(p["Tags"])})
    return name, {
        "Arn": f"arn:aws:s3:::{name}",
        "DomainName": f"{name}.s3.amazonaws.com",
        "RegionalDomainName": f"{name}.s3.{REGION}.amazonaws.com",
    }


def _s3_bucket_policy(ctx: Context, logical_id: str, p: dict[str, Any]) -> Created:
    # moto enforces bucket policies and serves plain HTTP on 127.0.0.1, so a "deny unless
    # aws:SecureTransport" statement would refuse every call. Such statements are left out locally
    # (and said so); every other statement is applied as written.
    document = dict(p["PolicyDocument"])
    kept = [s for s in document.get("Statement", []) if not _denies_insecure_transport(s)]
    skipped = len(document.get("Statement", [])) - len(kept)
    if skipped:
        ctx.stack.recorded_only[f"{logical_id}/Statement"] = (
            f"{skipped} deny-insecure-transport statement(s) not applied: moto serves plain HTTP"
        )
    if kept:
        ctx.client("s3").put_bucket_policy(
            Bucket=p["Bucket"], Policy=json.dumps({**document, "Statement": kept})
        )
    return logical_id, {}


def _denies_insecure_transport(statement: dict[str, Any]) -> bool:
    condition = statement.get("Condition", {}).get("Bool", {})
    return statement.get("Effect") == "Deny" and str(condition.get("aws:SecureTransport")).lower() == "false"


def _sqs_queue(ctx: Context, logical_id: str, p: dict[str, Any]) -> Created:
    sqs = ctx.client("sqs")
    name = p.get("QueueName") or ctx.name_for(logical_id, 80)
    # RedrivePolicy is an object in a template and a JSON string in the SQS API.
    attributes = {
        k: json.dumps(v) if isinstance(v, dict) else str(v).lower() if isinstance(v, bool) else str(v)
        for k, v in p.items()
        if k not in ("QueueName", "Tags")
    }
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, {"Arn": arn, "QueueName": name, "QueueUrl": url}


def _event_source_mapping(ctx: Context, logical_id: str, p: dict[str, Any]) -> Created:
    from local import sqs_events  # delivered in the background, not inside SendMessage as moto would

    return sqs_events.event_source_mapping(ctx, logical_id, p)


def _user_pool(ctx: Context, logical_id: str, p: dict[str, Any]) -> Created:
    idp = ctx.client("cognito-idp")
    args = {k: v for k, v in p.items() if k not in ("UserPoolName", "UserPoolTags")}
    pool = idp.create_user_pool(PoolName=p.get("UserPoolName") or ctx.name_for(logical_id), **args)[
        "UserPool"
    ]
    pool_id = pool["Id"]
    provider = f"cognito-idp.{REGION}.amazonaws.com/{pool_id}"
    return pool_id, {"Arn": pool["Arn"], "ProviderName": provider, "ProviderURL": f"https://{provider}"}


def _user_pool_client(ctx: Context, logical_id: str, p: dict[str, Any]) -> Created:
    args = {k: v for k, v in p.items() if k != "ClientName"}
    client = ctx.client("cognito-idp").create_user_pool_client(
        ClientName=p.get("ClientName") or logical_id, **args
    )["UserPoolClient"]
    return client["ClientId"], {"Name": client["ClientName"]}


def _user_pool_group(ctx: Context, logical_id: str, p: dict[str, Any]) -> Created:
    ctx.client("cognito-idp").create_group(**p)
    return p["GroupName"], {}


def _ses_email_identity(ctx: Context, logical_id: str, p: dict[str, Any]) -> Created:
    ctx.client("sesv2").create_email_identity(EmailIdentity=p["EmailIdentity"])
    return p["EmailIdentity"], {}


def _schedule_group(ctx: Context, logical_id: str, p: dict[str, Any]) -> Created:
    name = p.get("Name") or ctx.name_for(logical_id)
    arn = ctx.client("scheduler").create_schedule_group(Name=name)["ScheduleGroupArn"]
    return name, {"Arn": arn}


def _with_version(document: dict[str, Any]) -> dict[str, Any]:
    # SAM's policy templates carry no Version, which moto's PutRolePolicy rejects.
    return {"Version": "2012-10-17", **document}


def _iam_role(ctx: Context, logical_id: str, p: dict[str, Any]) -> Created:
    iam = ctx.client("iam")
    name = p.get("RoleName") or ctx.name_for(logical_id)
    role = iam.create_role(
        RoleName=name,
        Path=p.get("Path", "/"),
        AssumeRolePolicyDocument=json.dumps(p["AssumeRolePolicyDocument"]),
    )["Role"]
    for policy in p.get("Policies", []):
        iam.put_role_policy(
            RoleName=name,
            PolicyName=policy["PolicyName"],
            PolicyDocument=json.dumps(_with_version(policy["PolicyDocument"])),
        )
    aws_managed = [a for a in p.get("ManagedPolicyArns", []) if ":iam::aws:policy/" in a]
    for arn in p.get("ManagedPolicyArns", []):
        if arn not in aws_managed:
            iam.attach_role_policy(RoleName=name, PolicyArn=arn)
    if aws_managed:
        # moto knows AWS managed policies only with MOTO_IAM_LOAD_MANAGED_POLICIES (slow), and
        # enforces no IAM anyway: record them instead of attaching.
        ctx.stack.recorded_only[f"{logical_id}/ManagedPolicyArns"] = ", ".join(aws_managed)
    return name, {"Arn": role["Arn"], "RoleId": role["RoleId"]}


def _iam_policy(ctx: Context, logical_id: str, p: dict[str, Any]) -> Created:
    """An inline policy of its own attached to roles (used where a role's policy would make a cycle)."""
    document = json.dumps(_with_version(p["PolicyDocument"]))
    for role in p.get("Roles", []):
        ctx.client("iam").put_role_policy(RoleName=role, PolicyName=p["PolicyName"], PolicyDocument=document)
    return p["PolicyName"], {}


def _s3_code(ctx: Context, content: dict[str, Any]) -> dict[str, Any]:
    return {"S3Bucket": content["S3Bucket"], "S3Key": content["S3Key"]}


def _layer_version(ctx: Context, logical_id: str, p: dict[str, Any]) -> Created:
    args = {
        k: v
        for k, v in p.items()
        if k in ("Description", "CompatibleRuntimes", "CompatibleArchitectures", "LicenseInfo")
    }
    layer = ctx.client("lambda").publish_layer_version(
        LayerName=p["LayerName"], Content=_s3_code(ctx, p["Content"]), **args
    )
    return layer["LayerVersionArn"], {}


def _code_location(ctx: Context, logical_id: str) -> str:
    """The function's CodeUri folder in the untranslated SAM template (repo-relative)."""
    code_uri = ctx.sam["Resources"].get(logical_id, {}).get("Properties", {}).get("CodeUri")
    if code_uri is None:
        code_uri = ctx.sam.get("Globals", {}).get("Function", {}).get("CodeUri")
    if not isinstance(code_uri, str) or code_uri.startswith("s3://"):
        raise DeployError(f"{logical_id}: only local CodeUri folders can run in-process")
    return code_uri.strip("/")


def _lambda_function(ctx: Context, logical_id: str, p: dict[str, Any]) -> Created:
    lam = ctx.client("lambda")
    name = p.get("FunctionName") or ctx.name_for(logical_id)
    args: dict[str, Any] = {
        k: v
        for k, v in p.items()
        if k
        in (
            "Runtime",
            "Role",
            "Handler",
            "Description",
            "Timeout",
            "MemorySize",
            "Environment",
            "TracingConfig",
            "Layers",
            "Architectures",
            "DeadLetterConfig",
        )
    }
    if p.get("Tags"):
        args["Tags"] = {t["Key"]: t["Value"] for t in _tags_list(p["Tags"])}
    fn = lam.create_function(FunctionName=name, Code=_s3_code(ctx, p["Code"]), **args)
    code_dir = _code_location(ctx, logical_id)
    module_name, _, attribute = str(p.get("Handler", "app.handler")).rpartition(".")
    ctx.stack.functions[name] = FunctionInfo(
        logical_id=logical_id,
        function_name=name,
        arn=fn["FunctionArn"],
        code_dir=code_dir,
        module=f"{code_dir.replace('/', '.')}.{module_name}",
        attribute=attribute,
        memory_mb=int(p.get("MemorySize", 128)),
        timeout_s=int(p.get("Timeout", 3)),
    )
    return name, {"Arn": fn["FunctionArn"]}


def _lambda_permission(ctx: Context, logical_id: str, p: dict[str, Any]) -> Created:
    args = {k: v for k, v in p.items() if k in ("Action", "Principal", "SourceArn", "SourceAccount")}
    ctx.client("lambda").add_permission(FunctionName=p["FunctionName"], StatementId=logical_id, **args)
    return logical_id, {}


def _state_machine(ctx: Context, logical_id: str, p: dict[str, Any]) -> Created:
    definition = p.get("DefinitionString")
    if definition is None:
        definition = json.dumps(p["Definition"])
    for key, value in p.get("DefinitionSubstitutions", {}).items():
        definition = definition.replace("${" + key + "}", str(value))
    leftover = re.findall(r"\$\{[^}]*\}", definition)
    if leftover:
        raise DeployError(f"{logical_id}: definition keeps unsubstituted {sorted(set(leftover))}")
    name = p.get("StateMachineName") or ctx.name_for(logical_id, 80)
    args: dict[str, Any] = {
        "name": name,
        "definition": definition,
        "roleArn": p["RoleArn"],
        "type": p.get("StateMachineType", "STANDARD"),
    }
    if "TracingConfiguration" in p:
        args["tracingConfiguration"] = {"enabled": bool(p["TracingConfiguration"].get("Enabled"))}
    if p.get("Tags"):
        args["tags"] = [{"key": t["Key"], "value": t["Value"]} for t in _tags_list(p["Tags"])]
    arn = ctx.client("stepfunctions").create_state_machine(**args)["stateMachineArn"]
    return arn, {"Arn": arn, "Name": name}


def _sns_topic(ctx: Context, logical_id: str, p: dict[str, Any]) -> Created:
    sns = ctx.client("sns")
    name = p.get("TopicName") or ctx.name_for(logical_id, 256)
    attributes = {k: str(v) for k, v in p.items() if k in ("KmsMasterKeyId", "DisplayName")}
    arn = sns.create_topic(Name=name, Attributes=attributes)["TopicArn"]
    for sub in p.get("Subscription", []):
        sns.subscribe(TopicArn=arn, Protocol=sub["Protocol"], Endpoint=sub["Endpoint"])
    return arn, {"TopicArn": arn, "TopicName": name}


def _cloudwatch_alarm(ctx: Context, logical_id: str, p: dict[str, Any]) -> Created:
    name = p.get("AlarmName") or ctx.name_for(logical_id, 255)
    args = {k: v for k, v in p.items() if k != "AlarmName"}
    for key in ("Period", "EvaluationPeriods", "DatapointsToAlarm"):
        if key in args:
            args[key] = int(args[key])
    if "Threshold" in args:
        args["Threshold"] = float(args["Threshold"])
    ctx.client("cloudwatch").put_metric_alarm(AlarmName=name, **args)
    return name, {"Arn": f"arn:aws:cloudwatch:{REGION}:{ACCOUNT_ID}:alarm:{name}"}


def _rest_api(ctx: Context, logical_id: str, p: dict[str, Any]) -> Created:
    # Recorded, not created: local.http_front plays API Gateway from these routes.
    body = p.get("Body", {})
    cognito_names = {
        name
        for name, spec in body.get("securityDefinitions", {}).items()
        if spec.get("x-amazon-apigateway-authtype") == "cognito_user_pools"
    }
    for name in cognito_names:
        providers = body["securityDefinitions"][name]["x-amazon-apigateway-authorizer"]["providerARNs"]
        ctx.stack.cognito_authorizer_pool = providers[0].rsplit("/", 1)[-1]
    arn_to_name = {info.arn: info.function_name for info in ctx.stack.functions.values()}
    for path, methods in body.get("paths", {}).items():
        for method, spec in methods.items():
            integration = spec.get("x-amazon-apigateway-integration", {})
            match = re.search(r"/functions/(arn:[^/]+)/invocations$", str(integration.get("uri", "")))
            if integration.get("type") != "aws_proxy" or not match or match.group(1) not in arn_to_name:
                raise DeployError(f"{logical_id}: route {method} {path} is not a Lambda proxy integration")
            security = {name for entry in spec.get("security", []) for name in entry}
            ctx.stack.routes.append(
                Route(
                    method="ANY" if method == "x-amazon-apigateway-any-method" else method.upper(),
                    path=path,
                    function_name=arn_to_name[match.group(1)],
                    cognito=bool(security & cognito_names),
                )
            )
    # SAM writes "/" in media types as "~1" (a JSON pointer escape); API Gateway reads them unescaped.
    types = p.get("BinaryMediaTypes") or body.get("x-amazon-apigateway-binary-media-types") or []
    ctx.stack.binary_media_types = [str(t).replace("~1", "/") for t in types]
    ctx.stack.recorded_only[logical_id] = "API Gateway is played by local.http_front"
    return REST_API_ID, {"RootResourceId": "root"}


def _stage(ctx: Context, logical_id: str, p: dict[str, Any]) -> Created:
    # Played by local.http_front, which serves the routes under /{StageName}/ as API Gateway does.
    ctx.stack.stage_name = str(p["StageName"])
    ctx.stack.recorded_only[logical_id] = "API Gateway stages are played by local.http_front"
    return ctx.stack.stage_name, {}  # a Stage's Ref is its name


def _log_group(ctx: Context, logical_id: str, p: dict[str, Any]) -> Created:
    logs = ctx.client("logs")
    name = p.get("LogGroupName") or ctx.name_for(logical_id, 512)
    args = {"kmsKeyId": p["KmsKeyId"]} if "KmsKeyId" in p else {}
    logs.create_log_group(logGroupName=name, **args)
    if "RetentionInDays" in p:
        logs.put_retention_policy(logGroupName=name, retentionInDays=int(p["RetentionInDays"]))
    return name, {"Arn": f"arn:aws:logs:{REGION}:{ACCOUNT_ID}:log-group:{name}:*"}


def _generated_secret(ctx: Context, spec: dict[str, Any]) -> str:
    """GenerateSecretString as CloudFormation does it: a random string, or a JSON template with it added."""
    options = {
        key: spec[key]
        for key in (
            "PasswordLength",
            "ExcludeCharacters",
            "ExcludeNumbers",
            "ExcludePunctuation",
            "ExcludeUppercase",
            "ExcludeLowercase",
            "IncludeSpace",
            "RequireEachIncludedType",
        )
        if key in spec
    }
    if "PasswordLength" in options:
        options["PasswordLength"] = int(options["PasswordLength"])
    value = str(ctx.client("secretsmanager").get_random_password(**options)["RandomPassword"])
    if "SecretStringTemplate" in spec:
        if "GenerateStringKey" not in spec:
            raise DeployError("GenerateSecretString: SecretStringTemplate needs GenerateStringKey")
        document = json.loads(spec["SecretStringTemplate"])
        document[spec["GenerateStringKey"]] = value
        return json.dumps(document)
    return value


def _secret(ctx: Context, logical_id: str, p: dict[str, Any]) -> Created:
    if ("SecretString" in p) == ("GenerateSecretString" in p):
        raise DeployError(f"{logical_id}: give exactly one of SecretString and GenerateSecretString")
    value = p["SecretString"] if "SecretString" in p else _generated_secret(ctx, p["GenerateSecretString"])
    args = {k: v for k, v in p.items() if k in ("Description", "KmsKeyId")}
    if p.get("Tags"):
        args["Tags"] = _tags_list(p["Tags"])
    arn = ctx.client("secretsmanager").create_secret(
        Name=p.get("Name") or ctx.name_for(logical_id, 512), SecretString=value, **args
    )["ARN"]
    return arn, {"Id": arn}


def _custom_domain(ctx: Context, logical_id: str, p: dict[str, Any]) -> Created:
    ctx.stack.recorded_only[logical_id] = "custom domains need DNS and a certificate: none locally"
    host = f"{logical_id.lower()}.execute-api.{REGION}.amazonaws.com"
    return str(p["DomainName"]), {
        "RegionalDomainName": host,
        "RegionalHostedZoneId": "ZLOCAL",
        "DistributionDomainName": host,
        "DistributionHostedZoneId": "ZLOCAL",
    }


def _recorded(why: str) -> Callable[[Context, str, dict[str, Any]], Created]:
    def handler(ctx: Context, logical_id: str, p: dict[str, Any]) -> Created:
        ctx.stack.recorded_only[logical_id] = why
        return f"{logical_id}-local", {}

    return handler


HANDLERS_BY_TYPE: dict[str, Callable[[Context, str, dict[str, Any]], Created]] = {
    "AWS::KMS::Key": _kms_key,
    "AWS::DynamoDB::Table": _dynamodb_table,
    "AWS::S3::Bucket": _s3_bucket,
    "AWS::S3::BucketPolicy": _s3_bucket_policy,
    "AWS::SQS::Queue": _sqs_queue,
    "AWS::Cognito::UserPool": _user_pool,
    "AWS::Cognito::UserPoolClient": _user_pool_client,
    "AWS::Cognito::UserPoolGroup": _user_pool_group,
    "AWS::SES::EmailIdentity": _ses_email_identity,
    "AWS::Scheduler::ScheduleGroup": _schedule_group,
    "AWS::IAM::Role": _iam_role,
    "AWS::IAM::Policy": _iam_policy,
    "AWS::Lambda::LayerVersion": _layer_version,
    "AWS::Lambda::Function": _lambda_function,
    "AWS::Lambda::Permission": _lambda_permission,
    "AWS::Lambda::EventSourceMapping": _event_source_mapping,
    "AWS::StepFunctions::StateMachine": _state_machine,
    "AWS::SNS::Topic": _sns_topic,
    "AWS::CloudWatch::Alarm": _cloudwatch_alarm,
    "AWS::ApiGateway::RestApi": _rest_api,
    # A deployment only matters to API Gateway itself; the HTTP front plays the stage (its path prefix).
    "AWS::ApiGateway::Deployment": _recorded("API Gateway deployments are played by local.http_front"),
    "AWS::ApiGateway::Stage": _stage,
    "AWS::ApiGateway::DomainName": _custom_domain,
    "AWS::ApiGateway::BasePathMapping": _recorded("custom domains need DNS and a certificate: none locally"),
    "AWS::Logs::LogGroup": _log_group,
    "AWS::SecretsManager::Secret": _secret,
}


# --------------------------------------------------------------------------- conditions and rules


def _condition_value(
    node: Any, parameters: dict[str, str], conditions: dict[str, Any], seen: tuple[str, ...] = ()
) -> Any:
    """A condition's (or rule assertion's) value: Fn::Equals/Not/And/Or/Contains, Condition, Ref."""
    if not isinstance(node, dict):
        return node
    if len(node) != 1:
        raise DeployError(f"cannot evaluate {node!r} as a condition")
    ((key, value),) = node.items()

    def of(item: Any) -> Any:
        return _condition_value(item, parameters, conditions, seen)

    if key == "Ref":
        if value in parameters:
            return parameters[value]
        if value in _PSEUDO:
            return _PSEUDO[value]
        raise DeployError(f"a condition refers to {value!r}, which is not a parameter")
    if key == "Condition":
        if value in seen or value not in conditions:
            raise DeployError(f"condition {value!r} is unknown or circular")
        return _condition_value(conditions[value], parameters, conditions, (*seen, value))
    if key == "Fn::Equals":
        left, right = (str(of(item)) for item in value)
        return left == right
    if key == "Fn::Not":
        return not of(value[0])
    if key == "Fn::And":
        return all(of(item) for item in value)
    if key == "Fn::Or":
        return any(of(item) for item in value)
    if key == "Fn::Contains":
        options, wanted = value
        return str(of(wanted)) in [str(of(item)) for item in options]
    raise DeployError(f"{key} is not supported in conditions by the local deploy")


def evaluate_conditions(template: dict[str, Any], parameters: dict[str, str]) -> dict[str, bool]:
    conditions = template.get("Conditions", {})
    return {name: bool(_condition_value(spec, parameters, conditions)) for name, spec in conditions.items()}


def check_rules(template: dict[str, Any], parameters: dict[str, str]) -> None:
    """Refuse the parameters as CloudFormation would when a rule's assertion fails."""
    for name, rule in template.get("Rules", {}).items():
        if "RuleCondition" in rule and not _condition_value(rule["RuleCondition"], parameters, {}):
            continue
        for assertion in rule.get("Assertions", []):
            if not _condition_value(assertion["Assert"], parameters, {}):
                raise DeployError(f"rule {name}: {assertion.get('AssertDescription', 'assertion failed')}")


def apply_conditions(resources: dict[str, Any], conditions: dict[str, bool]) -> dict[str, Any]:
    """The resources whose Condition holds, with every Fn::If replaced by the branch it takes."""

    def choose(node: Any) -> Any:
        if isinstance(node, list):
            return [choose(item) for item in node]
        if not isinstance(node, dict):
            return node
        if len(node) == 1 and "Fn::If" in node:
            name, if_true, if_false = node["Fn::If"]
            if name not in conditions:
                raise DeployError(f"Fn::If names an unknown condition {name!r}")
            return choose(if_true if conditions[name] else if_false)
        return {key: choose(value) for key, value in node.items()}

    kept: dict[str, Any] = {}
    for logical_id, resource in resources.items():
        condition = resource.get("Condition")
        if condition is not None and condition not in conditions:
            raise DeployError(f"{logical_id} names an unknown condition {condition!r}")
        if condition is None or conditions[condition]:
            kept[logical_id] = choose(resource)
    return kept


def _check_allowed_values(template: dict[str, Any], parameters: dict[str, str]) -> None:
    for name, spec in template.get("Parameters", {}).items():
        allowed = [str(v) for v in spec.get("AllowedValues", [])]
        if allowed and parameters.get(name) not in allowed:
            raise DeployError(f"parameter {name}={parameters.get(name)!r} is not one of {allowed}")


# --------------------------------------------------------------------------- the walk


def _path(deps: dict[str, set[tuple[str, str | None]]], start: str, goal: str) -> list[str]:
    """A dependency path start -> ... -> goal, or [] if there is none."""
    stack: list[list[str]] = [[start]]
    seen = {start}
    while stack:
        path = stack.pop()
        if path[-1] == goal:
            return path
        for name, _ in deps.get(path[-1], ()):
            if name not in seen:
                seen.add(name)
                stack.append([*path, name])
    return []


def order(resources: dict[str, Any], parameters: dict[str, str]) -> list[str]:
    """Logical ids in creation order. A dependency cycle fails, as it does in CloudFormation."""
    deps: dict[str, set[tuple[str, str | None]]] = {}
    for logical_id, resource in resources.items():
        edges = {
            (name, attr)
            for name, attr in references(resource.get("Properties", {}))
            if name in resources and name != logical_id
        }
        depends_on = resource.get("DependsOn", [])
        edges |= {(d, None) for d in ([depends_on] if isinstance(depends_on, str) else depends_on)}
        missing = (
            ({n for n, _ in references(resource.get("Properties", {}))} | {n for n, _ in edges})
            - set(resources)
            - set(parameters)
            - set(_PSEUDO)
            - {"AWS::NoValue"}
        )
        if missing:
            raise DeployError(f"{logical_id} refers to unknown {sorted(missing)}")
        deps[logical_id] = edges
    done: list[str] = []
    pending = list(resources)
    while pending:
        ready = [r for r in pending if all(name in done for name, _ in deps[r])]
        if not ready:
            cycle = next(
                [r, *path]
                for r in pending
                for name, _ in sorted(deps[r], key=str)
                if (path := _path(deps, name, r))
            )
            raise DeployError(f"circular dependency: {' -> '.join(cycle)} (CloudFormation rejects it too)")
        done += ready
        pending = [r for r in pending if r not in ready]
    return done


def deploy(
    endpoint_url: str, template_path: Path = TEMPLATE, parameters: dict[str, str] | None = None
) -> DeployedStack:
    """Deploy the SAM template into the moto server at endpoint_url; raise DeployError if it cannot."""
    client = clients_for(endpoint_url)
    sam = load_template(template_path)
    cfn = translate(sam, template_path.parent, client("s3"))

    unknown = sorted({r["Type"] for r in cfn["Resources"].values()} - set(HANDLERS_BY_TYPE))
    if unknown:
        raise DeployError(f"the local deploy does not know how to create {unknown}")

    values = dict(parameters or {})
    for name, spec in cfn.get("Parameters", {}).items():
        if name not in values:
            if "Default" not in spec:
                raise DeployError(f"parameter {name} has no default and no value was given")
            values[name] = str(spec["Default"])
    _check_allowed_values(cfn, values)
    check_rules(cfn, values)
    conditions = evaluate_conditions(cfn, values)
    resources: dict[str, Any] = apply_conditions(cfn["Resources"], conditions)
    skipped = set(cfn["Resources"]) - set(resources)
    stack = DeployedStack(parameters=values)
    ctx = Context(client=client, stack=stack, sam=sam)
    resolver = Resolver(stack)
    for logical_id in order(resources, values):
        resource = resources[logical_id]
        props = resolver(resource.get("Properties", {}))
        ref, attrs = HANDLERS_BY_TYPE[resource["Type"]](ctx, logical_id, props)
        stack.physical_ids[logical_id] = ref
        stack.attributes[logical_id] = attrs
        stack.types[logical_id] = resource["Type"]

    for logical_id in sorted(skipped):
        stack.recorded_only[logical_id] = (
            f"not created: its condition {cfn['Resources'][logical_id]['Condition']} is false"
        )

    env = sam.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    env = apply_conditions({"Globals": {"Properties": env}}, conditions)["Globals"]["Properties"]
    stack.global_environment = {k: str(v) for k, v in resolver(env).items()}
    return stack
