"""IAM in the local stack: each function's AWS calls are authorised against its own role, as on AWS.

moto answers every call whatever the caller's role grants (its own IAM enforcement authorises most
services on resource "*", so a policy that names its resources would deny everything). So the check
is made here, in the client, before a request leaves botocore:

- `acting_as(principal)` names who is calling (a contextvar). local.dispatch sets it around every
  handler invocation to the function's role; the Step Functions interpreter's Lambda calls run as the
  state machine's role; a schedule fired by the local stack runs as the schedule's target role.
- A `before-parameter-build` handler, registered on every botocore session (botocore's
  BUILTIN_HANDLERS, plus the default session if it exists already), turns the call into the IAM
  actions and resource ARNs it needs (local.iam_actions) and evaluates the role's policies: explicit
  Deny wins, then any Allow, else denied. A `before-call` handler then answers a refused call with
  the error AWS returns (AccessDeniedException, or AccessDenied for S3 and query services), so the
  product's own error handling runs, and no request reaches moto.
- Calls made outside any principal (tests, the stack's own set-up) are not checked.

Every decision is recorded (`trace()`), which tools/iam_table.py turns into docs/security.md's table.
"""

from __future__ import annotations

import contextvars
import functools
import logging
import re
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from local import iam_actions
from local.deployed import ACCOUNT_ID
from local.iam_actions import Need, Resources

log = logging.getLogger(__name__)

# ------------------------------------------------------------------------------------------ policies


@dataclass(frozen=True)
class Statement:
    effect: str  # "Allow" or "Deny"
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    not_resources: tuple[str, ...] = ()
    condition: Mapping[str, Mapping[str, Any]] = field(default_factory=dict, hash=False, compare=False)
    policy: str = ""  # the name of the policy it came from


@dataclass(frozen=True)
class Role:
    arn: str
    statements: tuple[Statement, ...]

    @property
    def name(self) -> str:
        return self.arn.rsplit("/", 1)[-1]


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return (str(value),) if isinstance(value, str) else tuple(str(v) for v in value)


def statements_of(document: Mapping[str, Any], policy: str = "") -> list[Statement]:
    raw = document.get("Statement", [])
    return [
        Statement(
            effect=str(s.get("Effect", "Allow")),
            actions=_strings(s.get("Action")),
            not_actions=_strings(s.get("NotAction")),
            resources=_strings(s.get("Resource")),
            not_resources=_strings(s.get("NotResource")),
            condition=dict(s.get("Condition", {})),
            policy=policy,
        )
        for s in ([raw] if isinstance(raw, dict) else raw)
    ]


@functools.lru_cache(maxsize=4096)
def _pattern(glob: str, ignore_case: bool) -> re.Pattern[str]:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in glob)
    return re.compile(f"^{body}$", re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def matches(glob: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM's wildcards: `*` any run of characters, `?` one (actions ignore case, ARNs do not)."""
    return bool(_pattern(glob, ignore_case).match(value))


def _action_applies(s: Statement, action: str) -> bool:
    if s.not_actions:
        return not any(matches(p, action, ignore_case=True) for p in s.not_actions)
    return any(matches(p, action, ignore_case=True) for p in s.actions)


def _resource_applies(s: Statement, resource: str) -> bool:
    if s.not_resources:
        return not any(matches(p, resource) for p in s.not_resources)
    return any(matches(p, resource) for p in s.resources)


# Condition operators evaluated; a statement with any other operator, or a key the request does not
# carry, is "unknown": an Allow then does not apply and a Deny does (the strict reading).
_OPERATORS: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": lambda want, got: want == got,
    "StringNotEquals": lambda want, got: want != got,
    "StringEqualsIgnoreCase": lambda want, got: want.lower() == got.lower(),
    "StringLike": lambda want, got: matches(want, got),
    "StringNotLike": lambda want, got: not matches(want, got),
    "ArnEquals": lambda want, got: want == got,
    "ArnLike": lambda want, got: matches(want, got),
    "ArnNotEquals": lambda want, got: want != got,
    "ArnNotLike": lambda want, got: not matches(want, got),
    "Bool": lambda want, got: want.lower() == got.lower(),
}
_NEGATED = {"StringNotEquals", "StringNotLike", "ArnNotEquals", "ArnNotLike"}


def _condition_holds(condition: Mapping[str, Mapping[str, Any]], context: Mapping[str, str]) -> bool | None:
    """True, False, or None when it names an operator or key this check does not evaluate."""
    lowered = {k.lower(): v for k, v in context.items()}
    for operator, tests in condition.items():
        name = operator.removesuffix("IfExists")
        compare = _OPERATORS.get(name)
        if compare is None:
            return None
        for key, wanted in tests.items():
            got = lowered.get(key.lower())
            if got is None:
                if operator.endswith("IfExists"):
                    continue
                return None
            values = _strings(wanted)
            ok = (
                all(compare(w, got) for w in values)
                if name in _NEGATED
                else any(compare(w, got) for w in values)
            )
            if not ok:
                return False
    return True


ALLOWED, NO_ALLOW, EXPLICIT_DENY = "allowed", "no identity-based policy allows it", "explicitly denied"


def evaluate(role: Role, action: str, resource: str, context: Mapping[str, str] | None = None) -> str:
    """ALLOWED, NO_ALLOW or EXPLICIT_DENY, as IAM decides for one identity-based request."""
    allowed = False
    for s in role.statements:
        if not (_action_applies(s, action) and _resource_applies(s, resource)):
            continue
        holds = _condition_holds(s.condition, context or {})
        if s.effect == "Deny" and holds is not False:
            return EXPLICIT_DENY
        if s.effect == "Allow" and holds is True:
            allowed = True
    return ALLOWED if allowed else NO_ALLOW


# ------------------------------------------------------------------------------------------ who calls


@dataclass(frozen=True)
class Principal:
    role_arn: str
    session: str  # the role session: a function's name, or the service that assumed the role
    label: str  # how the trace and the table name it

    @property
    def arn(self) -> str:
        return f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/{self.role_arn.rsplit('/', 1)[-1]}/{self.session}"


_current: contextvars.ContextVar[Principal | None] = contextvars.ContextVar(
    "local_iam_principal", default=None
)


@contextmanager
def acting_as(principal: Principal | None) -> Iterator[None]:
    token = _current.set(principal)
    try:
        yield
    finally:
        _current.reset(token)


def current() -> Principal | None:
    return _current.get()


# ------------------------------------------------------------------------------------------ the stack's roles


@dataclass
class Registry:
    roles: dict[str, Role] = field(default_factory=dict)  # role ARN -> role
    functions: dict[str, str] = field(default_factory=dict)  # function name -> role ARN
    function_keys: dict[str, str] = field(default_factory=dict)  # function name -> env KMS key ARN
    resources: Resources = field(default_factory=Resources)

    def for_function(self, name: str) -> Principal | None:
        role = self.functions.get(name)
        return Principal(role, name, name) if role else None

    def for_role(self, role_arn: str, session: str, label: str) -> Principal:
        return Principal(role_arn, session, label)


_registry: Registry | None = None
_lock = threading.Lock()
_trace: dict[tuple[str, str, str, str], str] = {}  # (label, action, resource, how) -> decision


def registry() -> Registry | None:
    return _registry


def use(new: Registry | None) -> None:
    """Enforce these roles from now on (None: the stack has stopped; nothing is checked)."""
    global _registry
    _registry = new


def snapshot() -> dict[str, Any]:
    """The registry as plain data, for execution environment workers (local.environments)."""
    r = _registry or Registry()
    return {
        "roles": {arn: [s.__dict__ for s in role.statements] for arn, role in r.roles.items()},
        "functions": dict(r.functions),
        "function_keys": dict(r.function_keys),
        "bucket_keys": dict(r.resources.bucket_keys),
        "key_aliases": dict(r.resources.key_aliases),
        "secret_keys": dict(r.resources.secret_keys),
    }


def restore(data: Mapping[str, Any]) -> None:
    use(
        Registry(
            roles={arn: Role(arn, tuple(Statement(**s) for s in st)) for arn, st in data["roles"].items()},
            functions=dict(data["functions"]),
            function_keys=dict(data["function_keys"]),
            resources=Resources(
                dict(data["bucket_keys"]), dict(data["key_aliases"]), dict(data.get("secret_keys", {}))
            ),
        )
    )
    install(patch_moto=False)


def load(client: Callable[[str], Any], function_names: list[str], buckets: list[str]) -> Registry:
    """Read every role, its inline and attached policies, and what the functions run as, from moto."""
    iam = client("iam")
    roles: dict[str, Role] = {}
    for page in iam.get_paginator("list_roles").paginate():
        for role in page["Roles"]:
            name = role["RoleName"]
            statements: list[Statement] = []
            for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]:
                doc = iam.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"]
                statements += statements_of(doc, policy)
            for attached in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
                version = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]["DefaultVersionId"]
                doc = iam.get_policy_version(PolicyArn=attached["PolicyArn"], VersionId=version)
                statements += statements_of(doc["PolicyVersion"]["Document"], attached["PolicyName"])
            roles[role["Arn"]] = Role(role["Arn"], tuple(statements))
    lam, kms, s3 = client("lambda"), client("kms"), client("s3")
    aliases = {
        a["AliasName"]: iam_actions.key_arn(a["TargetKeyId"], Resources())
        for a in kms.list_aliases()["Aliases"]
        if a.get("TargetKeyId")
    }
    res = Resources(key_aliases=aliases)
    functions, function_keys = {}, {}
    for name in function_names:
        config = lam.get_function_configuration(FunctionName=name)
        functions[name] = config["Role"]
        if config.get("KMSKeyArn"):
            function_keys[name] = config["KMSKeyArn"]
    bucket_keys = {}
    for bucket in buckets:
        try:
            rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
        except s3.exceptions.ClientError:
            continue
        default = rules[0].get("ApplyServerSideEncryptionByDefault", {})
        if default.get("SSEAlgorithm") == "aws:kms" and default.get("KMSMasterKeyID"):
            bucket_keys[bucket] = iam_actions.key_arn(default["KMSMasterKeyID"], res)
    secret_keys = {
        secret["ARN"]: iam_actions.key_arn(secret["KmsKeyId"], res)
        for secret in client("secretsmanager").list_secrets().get("SecretList", [])
        if secret.get("KmsKeyId")
    }
    return Registry(roles, functions, function_keys, Resources(bucket_keys, aliases, secret_keys))


# ------------------------------------------------------------------------------------------ deciding


@dataclass(frozen=True)
class Denial:
    principal: Principal
    need: Need
    decision: str

    @property
    def message(self) -> str:
        why = (
            "with an explicit deny in an identity-based policy"
            if self.decision == EXPLICIT_DENY
            else f"because no identity-based policy allows the {self.need.action} action"
        )
        return (
            f"User: {self.principal.arn} is not authorized to perform: {self.need.action} "
            f"on resource: {self.need.resource} {why}"
        )


def decide(principal: Principal, needs: list[Need], how: str = "call") -> Denial | None:
    """The first need the principal's role does not grant (recording every decision), or None."""
    r = _registry
    role = r.roles.get(principal.role_arn) if r else None
    denial = None
    for need in needs:
        context = {"aws:SecureTransport": "true", "aws:PrincipalArn": principal.role_arn, **need.context}
        decision = evaluate(role, need.action, need.resource, context) if role else NO_ALLOW
        with _lock:
            _trace[(principal.label, need.action, need.resource, how)] = decision
        if decision != ALLOWED and denial is None:
            denial = Denial(principal, need, decision)
    return denial


def trace() -> dict[tuple[str, str, str, str], str]:
    """Every (principal, action, resource, how) decided so far in this process, and the decision."""
    with _lock:
        return dict(_trace)


def clear_trace() -> None:
    with _lock:
        _trace.clear()


# ------------------------------------------------------------------------------------------ botocore hooks

_DENIAL = "local_iam_denial"


def _on_parameters(params: Mapping[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
    principal = _current.get()
    if principal is None or _registry is None:
        return
    service = model.service_model.service_name
    if model.auth_type == "none":
        return  # served without a signature, so without IAM (Cognito's SignUp, InitiateAuth, ...)
    if context.get("is_presign_request"):
        if service == "s3" and model.name == "CreateBucket":
            return  # a presigned POST: its key is checked by the wrapper below
        _check_presigned(principal, iam_actions.needs(service, model.name, params, _registry.resources))
        return
    denial = decide(principal, iam_actions.needs(service, model.name, params, _registry.resources))
    if denial is not None:
        context[_DENIAL] = denial


class _Body:
    def stream(self, **_: Any) -> Iterator[bytes]:
        yield b""


def _on_call(model: Any, context: dict[str, Any], **_: Any) -> tuple[Any, dict[str, Any]] | None:
    denial: Denial | None = context.pop(_DENIAL, None)
    if denial is None:
        return None
    from botocore.awsrequest import AWSResponse, HTTPHeaders

    protocol = model.service_model.protocol
    code = "AccessDenied" if protocol in ("rest-xml", "query", "ec2") else "AccessDeniedException"
    status = 400 if protocol == "json" else 403
    log.warning("IAM refused %s: %s", model.name, denial.message)
    request_id = str(uuid.uuid4())
    parsed = {
        "Error": {"Code": code, "Message": denial.message},
        "ResponseMetadata": {"HTTPStatusCode": status, "RequestId": request_id, "HTTPHeaders": {}},
    }
    return AWSResponse("https://local-iam.invalid/", status, HTTPHeaders(), _Body()), parsed


def _check_presigned(principal: Principal, needs: list[Need]) -> None:
    # A presigned request is authorised when it is used, as its signer: the local stack cannot see
    # that use, so it decides now, records it, and says so loudly (the table's test fails on it).
    denial = decide(principal, needs, how="presigned")
    if denial is not None:
        log.error("a presigned request would be refused on AWS: %s", denial.message)


def _wrap_presigned_post(class_attributes: dict[str, Any], **_: Any) -> None:
    original = class_attributes.get("generate_presigned_post")
    if original is None or getattr(original, "_local_iam", False):
        return

    @functools.wraps(original)
    def generate_presigned_post(self: Any, Bucket: str, Key: str, *args: Any, **kwargs: Any) -> Any:  # noqa: N803
        principal = _current.get()
        if principal is not None and _registry is not None:
            _check_presigned(principal, iam_actions.presigned_post(Bucket, Key, _registry.resources))
        return original(self, Bucket, Key, *args, **kwargs)

    generate_presigned_post._local_iam = True  # type: ignore[attr-defined]
    class_attributes["generate_presigned_post"] = generate_presigned_post


_HANDLERS: list[tuple[str, Callable[..., Any]]] = [
    ("before-parameter-build", _on_parameters),
    ("before-call", _on_call),
    ("creating-client-class.s3", _wrap_presigned_post),
]
_hooked = False
_moto_patched = False


def install(patch_moto: bool = True) -> None:
    """Hook every botocore session of this process (idempotent), and (where moto runs) run Step
    Functions' Lambda calls as the state machine's role."""
    global _hooked, _moto_patched
    with _lock:
        if not _hooked:
            import boto3
            from botocore import handlers

            handlers.BUILTIN_HANDLERS.extend(_HANDLERS)
            if boto3.DEFAULT_SESSION is not None:  # made before us: hook it too
                for event, handler in _HANDLERS:
                    boto3.DEFAULT_SESSION.events.register(event, handler)
            _hooked = True
        if patch_moto and not _moto_patched:
            _install_state_machine_role()
            _moto_patched = True


def _install_state_machine_role() -> None:
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils
    from moto.stepfunctions.parser.asl.eval.states import ContextObject

    def as_state_machine(original: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(original)
        def wrapper(env: Any, *args: Any, **kwargs: Any) -> Any:
            role = env.aws_execution_details.role_arn
            with acting_as(Principal(role, "StepFunctions", "state machine")):
                return original(env, *args, **kwargs)

        return wrapper

    for name in ("execute_lambda_function_integration", "exec_lambda_function"):
        setattr(lambda_eval_utils, name, as_state_machine(getattr(lambda_eval_utils, name)))

    # AWS's task tokens are opaque, yet IAM authorises SendTaskSuccess on the token's state machine;
    # locally the token carries the state machine's ARN so that any process can find it.
    def update_task_token(self: Any) -> str:
        from moto.stepfunctions.parser.asl.eval.states import TaskData

        machine = self.context_object_data["StateMachine"]["Id"]
        token = iam_actions.make_task_token(machine, str(uuid.uuid4()))
        self.context_object_data["Task"] = TaskData(Token=token)
        return token

    ContextObject.update_task_token = update_task_token  # type: ignore[method-assign]


# ------------------------------------------------------------------------------------------ functions


class KMSAccessDeniedException(Exception):
    """Lambda could not decrypt the function's environment with its key: the invocation fails."""


@contextmanager
def as_function(function_name: str) -> Iterator[None]:
    """Run a handler as its function's role (unchanged when no stack enforces roles)."""
    r = _registry
    principal = r.for_function(function_name) if r else None
    if principal is not None and r is not None and function_name in r.function_keys:
        # Lambda decrypts the environment with the function's own role before the handler runs.
        need = Need("kms:Decrypt", r.function_keys[function_name], {"kms:ViaService": "lambda.amazonaws.com"})
        denial = decide(principal, [need])
        if denial is not None:
            raise KMSAccessDeniedException(
                f"Lambda was unable to decrypt the environment variables: {denial.message}"
            )
    with acting_as(principal):
        yield
