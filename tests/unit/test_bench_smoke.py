"""A small smoke of the benchmarks that need no local stack, so that `make bench` keeps working.
Nothing here is timed; the figures are checked for shape and sense only."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from bench import coldstart, size
from bench.common import Section, render
from bench.meter import Meter, item_size


def test_every_function_in_the_template_has_a_floor() -> None:
    # A new function without an entry would stop `make bench`: it must say which clients it makes.
    assert set(coldstart.function_dirs()) <= set(coldstart.SERVICES)
    assert "api" in coldstart.function_dirs()


def test_cold_start_measures_one_function_against_its_floor() -> None:
    section = coldstart.run(runs=1, functions=["check_claim"])
    (figure,) = section.figures
    ratio = float(figure.value.removesuffix("x"))
    assert ratio > 0.5  # the function imports boto3 too: it cannot be much cheaper than the floor
    assert "check_claim" in render(section)


def test_layer_size_counts_the_dependencies_but_not_boto3() -> None:
    deps = size.runtime_closure()
    assert {"pydantic", "jinja2", "aws-lambda-powertools"} <= set(deps)
    assert "boto3" not in deps
    assert "botocore" not in deps
    section = size.run()
    layer = next(f for f in section.figures if f.name.startswith("Domain layer"))
    assert float(layer.value.split()[0]) > sum(deps.values()) / size.MB
    # The token and PDF stacks are in layers of their own, counted only for the functions that load them.
    layers = size.layer_sizes()
    assert "fpdf2" in layers["PdfLayer"][1]
    assert "cryptography" in layers["TokenLayer"][1]
    assert "fpdf2" not in deps
    assert "cryptography" not in deps
    loads = size.function_layers()
    assert loads["issue_certificate"] == ["DomainLayer", "TokenLayer", "PdfLayer"]
    assert loads["check_claim"] == ["DomainLayer"]


def test_item_size_follows_dynamodb_rules() -> None:
    assert item_size({"PK": {"S": "ab"}}) == 4
    assert item_size({"n": {"N": "12345"}}) == 1 + 4
    assert item_size({"m": {"M": {"a": {"S": "x"}}}}) == 1 + 3 + 1 + 1 + 1


def test_meter_counts_units_and_scans_of_real_calls() -> None:
    meter = Meter()
    meter.install()
    try:
        with mock_aws():
            db = boto3.client("dynamodb", region_name="eu-west-2")
            db.create_table(
                TableName="t",
                KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
            )
            db.put_item(TableName="t", Item={"PK": {"S": "a"}, "body": {"S": "x" * 1500}})
            db.get_item(TableName="t", Key={"PK": {"S": "a"}}, ConsistentRead=True)
            db.query(
                TableName="t",
                KeyConditionExpression="PK = :p",
                ExpressionAttributeValues={":p": {"S": "a"}},
            )
    finally:
        meter.uninstall()
    outside = "(outside a handler)"
    assert meter.wru[outside] == 2  # 1.5 KB: two write units
    assert meter.rru[outside] == 1 + 0.5  # consistent GetItem, eventually consistent Query
    assert meter.items_read[outside] == 2
    assert meter.calls[(outside, "dynamodb", "PutItem")] == 1
    assert meter.scans == 0


@pytest.mark.parametrize("met", [True, False, None])
def test_report_shows_each_figure_beside_its_target(met: bool | None) -> None:
    s = Section("X")
    s.add("thing", "1.0x", "<= 1.3x", met)
    text = render(s)
    assert "| thing | 1.0x | <= 1.3x |" in text
    assert ("**not met**" in text) is (met is False)
