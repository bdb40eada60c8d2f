"""A template's Conditions, Rules and AllowedValues, checked and applied before anything is created
(CloudFormation refuses a stack that breaks them; so does the local deploy)."""

from __future__ import annotations

from typing import Any

from .deployed import DeployError
from .intrinsics import _PSEUDO


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
