"""The local deploy evaluates Conditions, Fn::If and Rules as CloudFormation does, so the optional
custom domain and Cognito's email through SES are created (or not) locally from the same template."""

from __future__ import annotations

from typing import Any

import pytest

from local.conditions import apply_conditions, check_rules, evaluate_conditions
from local.deployed import DeployError

TEMPLATE: dict[str, Any] = {
    "Conditions": {
        "HasDomain": {"Fn::Not": [{"Fn::Equals": [{"Ref": "DomainName"}, ""]}]},
        "Verified": {"Fn::Equals": [{"Ref": "SenderVerified"}, "true"]},
        "Both": {"Fn::And": [{"Condition": "HasDomain"}, {"Condition": "Verified"}]},
        "Either": {"Fn::Or": [{"Condition": "HasDomain"}, {"Condition": "Verified"}]},
        "InLondon": {"Fn::Contains": [["eu-west-2", "eu-west-1"], {"Ref": "AWS::Region"}]},
    },
    "Rules": {
        "DomainNeedsCertificate": {
            "RuleCondition": {"Fn::Not": [{"Fn::Equals": [{"Ref": "DomainName"}, ""]}]},
            "Assertions": [
                {
                    "Assert": {"Fn::Not": [{"Fn::Equals": [{"Ref": "CertificateArn"}, ""]}]},
                    "AssertDescription": "A custom domain needs a certificate.",
                }
            ],
        }
    },
}
RESOURCES: dict[str, Any] = {
    "Domain": {"Type": "AWS::ApiGateway::DomainName", "Condition": "HasDomain", "Properties": {}},
    "Pool": {
        "Type": "AWS::Cognito::UserPool",
        "Properties": {
            "EmailConfiguration": {
                "Fn::If": [
                    "Verified",
                    {"EmailSendingAccount": "DEVELOPER"},
                    {"EmailSendingAccount": "COGNITO_DEFAULT"},
                ]
            },
            "Tags": [{"Fn::If": ["HasDomain", {"Key": "domain", "Value": "yes"}, {"Ref": "AWS::NoValue"}]}],
        },
    },
}


def params(domain: str = "", verified: str = "false", certificate: str = "") -> dict[str, str]:
    return {"DomainName": domain, "SenderVerified": verified, "CertificateArn": certificate}


def test_conditions_combine_as_in_cloudformation() -> None:
    assert evaluate_conditions(TEMPLATE, params()) == {
        "HasDomain": False,
        "Verified": False,
        "Both": False,
        "Either": False,
        "InLondon": True,
    }
    given = evaluate_conditions(TEMPLATE, params("od.example.nhs.uk", "true", "arn:cert"))
    assert given["HasDomain"]
    assert given["Both"]
    assert given["Either"]


def test_a_resource_whose_condition_is_false_is_left_out_and_fn_if_takes_its_branch() -> None:
    none = apply_conditions(RESOURCES, evaluate_conditions(TEMPLATE, params()))
    assert set(none) == {"Pool"}
    assert none["Pool"]["Properties"]["EmailConfiguration"] == {"EmailSendingAccount": "COGNITO_DEFAULT"}
    # A branch of AWS::NoValue stays a NoValue, which the resolver drops as CloudFormation does.
    assert none["Pool"]["Properties"]["Tags"] == [{"Ref": "AWS::NoValue"}]

    given = apply_conditions(RESOURCES, evaluate_conditions(TEMPLATE, params("od.example.nhs.uk", "true")))
    assert set(given) == {"Domain", "Pool"}
    assert given["Pool"]["Properties"]["EmailConfiguration"] == {"EmailSendingAccount": "DEVELOPER"}
    assert given["Pool"]["Properties"]["Tags"] == [{"Key": "domain", "Value": "yes"}]


def test_a_rule_refuses_parameters_that_break_its_assertion() -> None:
    check_rules(TEMPLATE, params())  # no domain: the rule does not apply
    check_rules(TEMPLATE, params("od.example.nhs.uk", certificate="arn:cert"))
    with pytest.raises(DeployError, match="A custom domain needs a certificate"):
        check_rules(TEMPLATE, params("od.example.nhs.uk"))


def test_unknown_conditions_and_functions_fail_loudly() -> None:
    with pytest.raises(DeployError, match="unknown condition 'Nope'"):
        apply_conditions({"X": {"Type": "AWS::SQS::Queue", "Condition": "Nope"}}, {})
    with pytest.raises(DeployError, match="unknown condition"):
        apply_conditions({"X": {"Type": "AWS::SQS::Queue", "Properties": {"Fn::If": ["Nope", 1, 2]}}}, {})
    with pytest.raises(DeployError, match="Fn::FindInMap is not supported"):
        evaluate_conditions({"Conditions": {"C": {"Fn::FindInMap": ["M", "a", "b"]}}}, {})
    with pytest.raises(DeployError, match="circular"):
        evaluate_conditions({"Conditions": {"A": {"Condition": "B"}, "B": {"Condition": "A"}}}, {})
