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
import threading
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from .conditions import _check_allowed_values, apply_conditions, check_rules, evaluate_conditions
from .deployed import ARTIFACT_BUCKET, REGION, TEMPLATE, DeployedStack, DeployError
from .intrinsics import _PSEUDO, Resolver, references
from .resources import HANDLERS_BY_TYPE, Context

log = logging.getLogger(__name__)

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

# --------------------------------------------------------------------------- resource handlers

# --------------------------------------------------------------------------- conditions and rules


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
