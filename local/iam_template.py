"""Each role's policies as a template says, resolved offline (aws-sam-translator and the deploy's own
intrinsic resolver) against a deployed stack's names and ARNs.

Used to enforce the policies of a *copy* of template.yaml on a running stack (the planted-grant test)
and to write docs/security.md's table of actions against grants (tools/iam_table.py).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3

from local import iam
from local.deploy import _is_local, load_template
from local.deployed import REGION, TEMPLATE, DeployedStack
from local.intrinsics import Resolver


def translate_offline(path: Path = TEMPLATE) -> dict[str, Any]:
    """The template as CloudFormation, as the deploy makes it, without uploading any code."""
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    sam = copy.deepcopy(load_template(path))
    for logical_id, resource in sam.get("Resources", {}).items():
        props = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if _is_local(props.get(key)):
                props[key] = f"s3://offline/{logical_id}.zip"
        if _is_local(props.get("DefinitionUri")):
            # A copy of the template elsewhere (a test's) still means the repository's state machine.
            uri = props.pop("DefinitionUri")
            base = path.parent if (path.parent / uri).exists() else TEMPLATE.parent
            props["Definition"] = json.loads((base / uri).read_text())
    translator = Translator(None, Parser(), boto_session=boto3.Session(region_name=REGION))
    cfn: dict[str, Any] = translator.translate(sam, parameter_values={}, get_managed_policy_map=dict)
    return cfn


def roles(path: Path, deployed: DeployedStack) -> dict[str, iam.Role]:
    """Role ARN -> the role with the inline policies the template at `path` gives it."""
    resolve = Resolver(deployed)
    resources = translate_offline(path)["Resources"]
    # A policy of its own (AWS::IAM::Policy) attaches to the roles it names, as an inline policy would.
    attached: dict[str, list[dict[str, Any]]] = {}
    for logical_id, resource in resources.items():
        if resource["Type"] == "AWS::IAM::Policy" and logical_id in deployed.attributes:
            props = resolve(resource.get("Properties", {}))
            for role_name in props.get("Roles", []):
                attached.setdefault(str(role_name), []).append(props)
    found: dict[str, iam.Role] = {}
    for logical_id, resource in resources.items():
        if resource["Type"] != "AWS::IAM::Role" or logical_id not in deployed.attributes:
            continue
        props = resolve(resource.get("Properties", {}))
        arn = deployed.arn(logical_id)
        policies = props.get("Policies", []) + attached.get(deployed.ref(logical_id), [])
        statements = [s for p in policies for s in iam.statements_of(p["PolicyDocument"], p["PolicyName"])]
        found[arn] = iam.Role(arn, tuple(statements))
    return found


@contextmanager
def enforcing(path: Path, deployed: DeployedStack) -> Iterator[None]:
    """Within the block the running stack enforces the roles of the template at `path` instead."""
    registry = iam.registry()
    if registry is None:
        raise RuntimeError("no local stack enforces IAM in this process")
    saved = dict(registry.roles)
    registry.roles.update(roles(path, deployed))
    try:
        yield
    finally:
        registry.roles.clear()
        registry.roles.update(saved)
