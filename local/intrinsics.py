"""CloudFormation's intrinsic functions (Ref, GetAtt, Sub, Join, If, ...) resolved against what has been
deployed so far, and the references a resource makes (for the deploy order)."""

from __future__ import annotations

import re
from typing import Any

from .deployed import ACCOUNT_ID, PARTITION, REGION, STACK_NAME, DeployedStack, DeployError

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
