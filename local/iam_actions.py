"""Which IAM actions, on which resource ARNs, an AWS API call needs: the request side of local.iam.

Each rule follows the Service Authorization Reference and the services' own IAM pages, not the
operation's name alone: a DynamoDB transaction is authorised item by item (PutItem, UpdateItem,
DeleteItem, ConditionCheckItem on each item's table); a Query on an index needs the index's ARN; S3
names object actions after the version when a VersionId is given (s3:DeleteObjectVersion) and lists
versions as s3:ListBucketVersions; an S3 write to a bucket encrypted with a KMS key also needs
kms:GenerateDataKey on that key, a read kms:Decrypt; a schedule's target role needs iam:PassRole;
SendTaskSuccess and SendTaskFailure are authorised on the state machine the task token belongs to.
Operations that AWS serves without a signature (Cognito's SignUp, InitiateAuth, ...) need none.

An operation not described here fails loudly (UnmappedCall) rather than pass unchecked.
"""

from __future__ import annotations

import base64
import binascii
import email.utils
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from local.deployed import ACCOUNT_ID, REGION

PARTITION = "aws"


class UnmappedCall(NotImplementedError):
    """The local IAM check does not know what an operation needs: add it here, do not let it pass."""


@dataclass(frozen=True)
class Need:
    """One IAM action on one resource that a call needs, with the request's condition keys."""

    action: str
    resource: str
    context: Mapping[str, str] = field(default_factory=dict)
    # For the error: S3 refuses an object write for its KMS key with its own AccessDenied.
    implicit: bool = False


@dataclass(frozen=True)
class Resources:
    """What the mapping needs to know about the deployed stack (shipped to worker processes too)."""

    bucket_keys: Mapping[str, str] = field(default_factory=dict)  # bucket -> KMS key ARN
    key_aliases: Mapping[str, str] = field(default_factory=dict)  # alias/name -> KMS key ARN
    secret_keys: Mapping[str, str] = field(default_factory=dict)  # secret ARN -> its KMS key ARN


def _arn(service: str, rest: str, region: str = REGION, account: str = ACCOUNT_ID) -> str:
    return f"arn:{PARTITION}:{service}:{region}:{account}:{rest}"


# ----------------------------------------------------------------------------------- DynamoDB


def _table(name: str) -> str:
    return name if name.startswith("arn:") else _arn("dynamodb", f"table/{name}")


_TRANSACT_WRITE = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}


def _dynamodb(operation: str, params: Mapping[str, Any], res: Resources) -> list[Need]:
    if operation == "TransactWriteItems":
        return [
            Need(f"dynamodb:{_TRANSACT_WRITE[kind]}", _table(body["TableName"]))
            for item in params.get("TransactItems", [])
            for kind, body in item.items()
        ]
    if operation == "TransactGetItems":
        return [
            Need("dynamodb:GetItem", _table(i["Get"]["TableName"])) for i in params.get("TransactItems", [])
        ]
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return [Need(f"dynamodb:{operation}", _table(t)) for t in params.get("RequestItems", {})]
    if operation == "ListTables":
        return [Need("dynamodb:ListTables", "*")]
    if "TableName" not in params:
        raise UnmappedCall(f"dynamodb {operation} without a TableName")
    resource = _table(params["TableName"])
    if params.get("IndexName"):
        resource = f"{resource}/index/{params['IndexName']}"
    return [Need(f"dynamodb:{operation}", resource)]


# ----------------------------------------------------------------------------------- S3

# operation -> (action, action when a VersionId is given, reads the object's bytes, writes them)
_S3_OBJECT = {
    "GetObject": ("s3:GetObject", "s3:GetObjectVersion", True, False),
    "HeadObject": ("s3:GetObject", "s3:GetObjectVersion", False, False),
    "PutObject": ("s3:PutObject", "s3:PutObject", False, True),
    "DeleteObject": ("s3:DeleteObject", "s3:DeleteObjectVersion", False, False),
    "PutObjectTagging": ("s3:PutObjectTagging", "s3:PutObjectVersionTagging", False, False),
    "GetObjectTagging": ("s3:GetObjectTagging", "s3:GetObjectVersionTagging", False, False),
    "DeleteObjectTagging": ("s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging", False, False),
}
_S3_BUCKET = {
    "ListObjects": "s3:ListBucket",
    "ListObjectsV2": "s3:ListBucket",
    "ListObjectVersions": "s3:ListBucketVersions",
    "GetBucketLocation": "s3:GetBucketLocation",
    "HeadBucket": "s3:ListBucket",
}


def _s3_object(bucket: str, key: str) -> str:
    return f"arn:{PARTITION}:s3:::{bucket}/{key}"


def _kms_for(bucket: str, res: Resources, action: str) -> list[Need]:
    key = res.bucket_keys.get(bucket)
    return [Need(action, key, {"kms:ViaService": f"s3.{REGION}.amazonaws.com"}, implicit=True)] if key else []


def _s3(operation: str, params: Mapping[str, Any], res: Resources) -> list[Need]:
    bucket = str(params.get("Bucket", ""))
    if operation in _S3_OBJECT:
        plain, versioned, reads, writes = _S3_OBJECT[operation]
        needs = [Need(versioned if params.get("VersionId") else plain, _s3_object(bucket, params["Key"]))]
        if operation == "PutObject" and params.get("Tagging"):
            needs.append(Need("s3:PutObjectTagging", _s3_object(bucket, params["Key"])))
        if reads:
            needs += _kms_for(bucket, res, "kms:Decrypt")
        if writes:
            needs += _kms_for(bucket, res, "kms:GenerateDataKey")
        return needs
    if operation == "CopyObject":
        source = params["CopySource"]
        if isinstance(source, str):
            src_bucket, _, src_key = source.lstrip("/").partition("/")
            source = {"Bucket": src_bucket, "Key": src_key.split("?versionId=")[0]}
        read = "s3:GetObjectVersion" if source.get("VersionId") else "s3:GetObject"
        return [
            Need(read, _s3_object(source["Bucket"], source["Key"])),
            *_kms_for(source["Bucket"], res, "kms:Decrypt"),
            Need("s3:PutObject", _s3_object(bucket, params["Key"])),
            *_kms_for(bucket, res, "kms:GenerateDataKey"),
        ]
    if operation == "DeleteObjects":
        # S3 authorises each object of a multi-object delete on its own.
        return [
            Need(
                "s3:DeleteObjectVersion" if o.get("VersionId") else "s3:DeleteObject",
                _s3_object(bucket, o["Key"]),
            )
            for o in params.get("Delete", {}).get("Objects", [])
        ]
    if operation in _S3_BUCKET:
        return [Need(_S3_BUCKET[operation], f"arn:{PARTITION}:s3:::{bucket}")]
    raise UnmappedCall(f"s3 {operation}")


def presigned_post(bucket: str, key: str, res: Resources) -> list[Need]:
    """What the signer of a presigned POST must be allowed when the browser uses it."""
    # `${filename}` is filled in by S3 from the browser's file: any key under the prefix.
    return [
        Need("s3:PutObject", _s3_object(bucket, key.replace("${filename}", "*"))),
        *_kms_for(bucket, res, "kms:GenerateDataKey"),
    ]


# ----------------------------------------------------------------------------------- KMS


def key_arn(key_id: str, res: Resources) -> str:
    if key_id.startswith("arn:") and ":key/" in key_id:
        return key_id
    if key_id.startswith("arn:") and ":alias/" in key_id:
        key_id = "alias/" + key_id.split(":alias/", 1)[1]
    if key_id.startswith("alias/"):
        return res.key_aliases.get(key_id, _arn("kms", key_id))
    return _arn("kms", f"key/{key_id}")


def _kms(operation: str, params: Mapping[str, Any], res: Resources) -> list[Need]:
    if "KeyId" in params:
        return [Need(f"kms:{operation}", key_arn(str(params["KeyId"]), res))]
    if operation in ("ListKeys", "ListAliases", "CreateKey"):
        return [Need(f"kms:{operation}", "*")]
    raise UnmappedCall(f"kms {operation} without a KeyId")


# ----------------------------------------------------------------------------------- SES


def _identity(address: str) -> str:
    return _arn("ses", f"identity/{email.utils.parseaddr(address)[1] or address}")


def _sesv2(operation: str, params: Mapping[str, Any], res: Resources) -> list[Need]:
    if operation == "SendEmail":
        identity = params.get("FromEmailAddressIdentityArn") or _identity(
            str(params.get("FromEmailAddress", ""))
        )
        needs = [Need("ses:SendEmail", identity)]
        if params.get("ConfigurationSetName"):
            needs.append(
                Need("ses:SendEmail", _arn("ses", f"configuration-set/{params['ConfigurationSetName']}"))
            )
        return needs
    raise UnmappedCall(f"sesv2 {operation}")


def _ses(operation: str, params: Mapping[str, Any], res: Resources) -> list[Need]:
    if operation in ("SendEmail", "SendRawEmail"):
        return [Need(f"ses:{operation}", _identity(str(params.get("SourceArn") or params.get("Source", ""))))]
    raise UnmappedCall(f"ses {operation}")


# ----------------------------------------------------------------------------------- Step Functions

TOKEN_PREFIX = "local:"  # noqa: S105 - a marker, not a secret


def make_task_token(state_machine_arn: str, unique: str) -> str:
    """A task token that names its state machine, as AWS's opaque tokens let IAM find it."""
    raw = f"{state_machine_arn}#{unique}".encode()
    return TOKEN_PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def state_machine_of(token: str) -> str | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    body = token[len(TOKEN_PREFIX) :]
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    arn, _, _ = raw.partition("#")
    return arn if arn.startswith("arn:") and ":stateMachine:" in arn else None


def _stepfunctions(operation: str, params: Mapping[str, Any], res: Resources) -> list[Need]:
    if operation in ("SendTaskSuccess", "SendTaskFailure", "SendTaskHeartbeat"):
        machine = state_machine_of(str(params.get("taskToken", "")))
        # A token Step Functions never issued is answered InvalidToken before any IAM check.
        return [Need(f"states:{operation}", machine)] if machine else []
    for name in ("stateMachineArn", "executionArn"):
        if name in params:
            return [Need(f"states:{operation}", str(params[name]))]
    raise UnmappedCall(f"stepfunctions {operation}")


# ----------------------------------------------------------------------------------- Scheduler


def _scheduler(operation: str, params: Mapping[str, Any], res: Resources) -> list[Need]:
    if operation in ("CreateSchedule", "UpdateSchedule", "DeleteSchedule", "GetSchedule"):
        group = params.get("GroupName") or "default"
        needs = [Need(f"scheduler:{operation}", _arn("scheduler", f"schedule/{group}/{params['Name']}"))]
        role = params.get("Target", {}).get("RoleArn")
        if operation in ("CreateSchedule", "UpdateSchedule") and role:
            # Scheduler assumes the target's role: whoever names it must be allowed to pass it.
            needs.append(Need("iam:PassRole", role, {"iam:PassedToService": "scheduler.amazonaws.com"}))
        return needs
    raise UnmappedCall(f"scheduler {operation}")


# ----------------------------------------------------------------------------------- the rest


def _cognito(operation: str, params: Mapping[str, Any], res: Resources) -> list[Need]:
    if "UserPoolId" in params:
        return [Need(f"cognito-idp:{operation}", _arn("cognito-idp", f"userpool/{params['UserPoolId']}"))]
    raise UnmappedCall(f"cognito-idp {operation}")


def function_arn(name: str) -> str:
    if name.startswith("arn:"):
        return name
    if ":" in name:  # name:qualifier or account:function:name
        return (
            _arn("lambda", f"function:{name}")
            if name.count(":") == 1
            else f"arn:{PARTITION}:lambda:{REGION}:{name}"
        )
    return _arn("lambda", f"function:{name}")


def _lambda(operation: str, params: Mapping[str, Any], res: Resources) -> list[Need]:
    action = "lambda:InvokeFunction" if operation in ("Invoke", "InvokeAsync") else f"lambda:{operation}"
    if "FunctionName" in params:
        return [Need(action, function_arn(str(params["FunctionName"])))]
    raise UnmappedCall(f"lambda {operation}")


def _sqs(operation: str, params: Mapping[str, Any], res: Resources) -> list[Need]:
    url = str(params.get("QueueUrl", ""))
    if url:
        name = url.rstrip("/").rsplit("/", 1)[-1]
        return [Need(f"sqs:{operation}", _arn("sqs", name))]
    raise UnmappedCall(f"sqs {operation}")


def _sts(operation: str, params: Mapping[str, Any], res: Resources) -> list[Need]:
    if operation == "GetCallerIdentity":
        return []  # AWS answers it for any signed request
    raise UnmappedCall(f"sts {operation}")


# ----------------------------------------------------------------------------------- Secrets Manager


def _secretsmanager(operation: str, params: Mapping[str, Any], res: Resources) -> list[Need]:
    secret = str(params.get("SecretId", ""))
    if operation == "GetSecretValue" and secret.startswith("arn:"):
        # Reading a secret under a customer managed key is also kms:Decrypt on that key, for the caller.
        needs = [Need("secretsmanager:GetSecretValue", secret)]
        if secret in res.secret_keys:
            needs.append(
                Need(
                    "kms:Decrypt",
                    res.secret_keys[secret],
                    {"kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com"},
                )
            )
        return needs
    # A name alone would need the ARN's random suffix to be matched against policies: the product
    # reads secrets by the ARN the template gives it.
    raise UnmappedCall(f"secretsmanager {operation} (by ARN only)")


# ----------------------------------------------------------------------------------- Parameter Store


def _ssm(operation: str, params: Mapping[str, Any], res: Resources) -> list[Need]:
    name = str(params.get("Name", ""))
    if not name:
        raise UnmappedCall(f"ssm {operation}")
    # A parameter's ARN is "parameter" followed by its name, which starts with "/" when it has a path.
    arn = _arn("ssm", "parameter" + (name if name.startswith("/") else "/" + name))
    if operation == "GetParameter":
        # Decrypting a SecureString is also kms:Decrypt on its key for the caller; that key is not in the
        # request, so this mapping cannot name it: tests/unit/test_template_operations.py checks statically
        # that every role that reads the session secret may decrypt with DataKey.
        return [Need("ssm:GetParameter", arn)]
    if operation == "PutParameter":
        # ssm:Overwrite is always in the context ("false" when not asked), so a Deny on "true" is decided.
        needs = [Need("ssm:PutParameter", arn, {"ssm:Overwrite": str(bool(params.get("Overwrite"))).lower()})]
        if params.get("Type") == "SecureString":
            key = key_arn(str(params.get("KeyId") or "alias/aws/ssm"), res)
            needs.append(Need("kms:Encrypt", key, {"kms:ViaService": f"ssm.{REGION}.amazonaws.com"}))
        return needs
    raise UnmappedCall(f"ssm {operation}")


_BY_SERVICE: dict[str, Callable[[str, Mapping[str, Any], Resources], list[Need]]] = {
    "dynamodb": _dynamodb,
    "s3": _s3,
    "kms": _kms,
    "sesv2": _sesv2,
    "ses": _ses,
    "stepfunctions": _stepfunctions,
    "scheduler": _scheduler,
    "cognito-idp": _cognito,
    "lambda": _lambda,
    "sqs": _sqs,
    "sts": _sts,
    "secretsmanager": _secretsmanager,
    "ssm": _ssm,
}


def needs(service: str, operation: str, params: Mapping[str, Any], res: Resources) -> list[Need]:
    """The (action, resource) pairs an authorised call needs. Raises UnmappedCall if unknown."""
    rule = _BY_SERVICE.get(service)
    if rule is None:
        raise UnmappedCall(f"{service} {operation}: the local IAM check knows no {service} operation")
    return rule(operation, params, res)
