"""One handler per CloudFormation resource type: each creates its resource in moto with boto3 and returns
its Ref value and GetAtt attributes (HANDLERS_BY_TYPE). local/deploy.py walks the template and calls them."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import async_invokes
from .deployed import (
    ACCOUNT_ID,
    REGION,
    REST_API_ID,
    STACK_NAME,
    DeployedStack,
    DeployError,
    FunctionInfo,
    Route,
)

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
    # moto keeps no DeadLetterConfig; the local asynchronous invoker sends failed events there.
    async_invokes.dead_letter_config(name, (p.get("DeadLetterConfig") or {}).get("TargetArn"))
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
    # Played by local/async_invokes.py: moto would run an Event invocation inside Invoke.
    "AWS::Lambda::EventInvokeConfig": async_invokes.event_invoke_config,
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
