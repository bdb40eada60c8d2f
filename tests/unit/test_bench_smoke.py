"""A small smoke of the benchmarks that need no local stack, so that `make bench` keeps working.
Nothing here is timed; the figures are checked for shape and sense only."""

from __future__ import annotations

import re

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
    floor, own = section.figures
    ratio = float(floor.value.removesuffix("x"))
    assert ratio > 0.5  # the function imports boto3 too: it cannot be much cheaper than the floor
    assert own.target == f"<= {coldstart.OWN_TARGET}x"  # over the floor plus the required libraries
    assert "check_claim" in render(section)
    assert "With the Tracer" in render(section)  # the record from before the Tracer was dropped
    assert "The same paused (/ floor)" in render(section)
    if not floor.met:
        # A verdict of "not met" says how much the required libraries leave for the function's own code.
        assert re.search(
            r"`check_claim`: \d+\.\d\dx unpaused, \d+\.\d\dx paused; so its own code may add at most [-+]\d+%",
            render(section),
        )


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


def test_calls_made_at_once_count_as_their_longest_branch() -> None:
    """Counted from how the calls were made (dal/parallel.py's waves), not from when they ended here."""
    from bench.meter import Request, Wave

    r = Request("api", "POST", "/api/journeys/j1/outcome")
    # A Query, a transaction, then at once: the resume, and the tagging of each file at once inside it.
    tags = Wave([["s3 PutObjectTagging"] for _ in range(3)])
    r.steps = [
        "dynamodb Query",
        "dynamodb TransactWriteItems",
        Wave([[tags], ["stepfunctions SendTaskSuccess"]]),
    ]
    assert r.sequential == 3
    # A branch that makes two calls one after the other makes its wave two long.
    r.steps[2] = Wave([[tags, "s3 GetObject"], ["stepfunctions SendTaskSuccess"]])
    assert r.sequential == 4
    # Past 8 at once the rest queue: 9 files are two groups.
    r.steps[2] = Wave([["s3 PutObjectTagging"] for _ in range(9)])
    assert r.sequential == 4
    assert Request("web", "GET", "/").sequential == 0


def test_the_meter_records_dal_parallels_waves_with_their_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    """The structure comes from the product's own dal/parallel.py (wrapped by the meter), so a request
    that stops making its calls at once is counted one call after another."""
    from bench import meter as m
    from odvalidation.dal import parallel

    monkeypatch.setattr(parallel, "each", parallel.each)
    m._wrap_parallel()
    request = m.Request("web", "GET", "/lead")
    token = m._request.set(request)

    def call(name: str) -> str:
        branch = m._branch.get()
        (request.steps if branch is None else branch).append(name)
        return name

    try:
        call("dynamodb GetItem")
        assert parallel.each(call, ["dynamodb Query", "dynamodb Query"]) == ["dynamodb Query"] * 2
        parallel.at_once(lambda: parallel.each(call, ["s3 A", "s3 B"]), lambda: call("sfn C"))
    finally:
        m._request.reset(token)
    assert request.sequential == 3
    assert request.steps[0] == "dynamodb GetItem"
    assert isinstance(request.steps[1], m.Wave)
    assert request.steps[1].branches == [["dynamodb Query"], ["dynamodb Query"]]


def test_round_trips_list_every_route_above_the_goal() -> None:
    from bench import roundtrips
    from bench.meter import Request

    def req(route: str, n: int) -> Request:
        r = Request("api", "GET", "/x", route=route)
        r.calls = [(float(i), i + 0.5, "dynamodb", "GetItem") for i in range(n)]
        r.steps = ["dynamodb GetItem"] * n
        return r

    section = roundtrips.section([("b", [req("GET /a", 1), req("GET /a", 1), req("GET /b", 5)])])
    by_name = {f.name: f for f in section.figures}
    assert by_name["Median request: sequential AWS calls"].met
    assert not by_name["Most sequential AWS calls in one request"].met
    (above,) = section.tables[1][2]
    assert above[0] == "api: GET /b"
    assert above[1].startswith("5 (above the most allowed)")


def test_the_monthly_bill_prices_the_template_s_fixed_resources() -> None:
    from collections import Counter

    from bench import bill
    from bench.cost import JourneyCost

    idle_only = JourneyCost(
        "validated as leader", "j", 0, 0, Counter(), Counter(), 0.0, 0.0, 0.0, 0, 0, 0, 0, 0, {}, []
    )
    lines, _ = bill.lines([idle_only])
    by_name = {line.name: line for line in lines}
    # DataKey, CertificateSigningKey: counted from template.yaml, as the bill is.
    assert by_name["KMS keys"].idle == 2 * bill.FIXED_PRICES["kms_key"][0]
    assert by_name["CloudWatch alarms"].idle > 0
    # A year of evidence at 50 MB a claim stays stored when nobody signs in.
    assert by_name["S3: a year of stored evidence, certificates and status list objects"].idle > 0.3
    section = bill.section([idle_only])
    # The idle month, recomputed from template.yaml: a key, alarm or secret added there shows here.
    [idle] = [f for f in section.figures if f.name == "A month with no users"]
    assert idle.value == f"${sum(line.idle for line in lines):.2f}"
    # Nothing polls: the record archive is invoked asynchronously, so no SQS event source is priced,
    # and an archive is paid for when asked for (at scale), never in the idle month.
    assert not [name for name in by_name if "polling" in name]
    archives = by_name[
        "Whole-record archives: an asynchronous invoke, the archive's run, its S3 reads and email"
    ]
    assert archives.idle == 0
    assert 0 < archives.monthly < 0.05
    assert {f.name for f in section.figures} == {
        "Monthly bill at the programme's scale",
        "A month with no users",
    }


def test_make_test_time_is_reported_only_from_a_measured_run(tmp_path: object, monkeypatch: object) -> None:
    import json
    from pathlib import Path

    from bench import testtime

    record = Path(str(tmp_path)) / "t.json"
    monkeypatch.setattr(testtime, "RECORD", record)  # type: ignore[attr-defined]
    assert testtime.section().figures[0].met is False  # no run recorded: not met, and says so
    record.write_text(
        json.dumps({"seconds": 250.0, "fresh_clone": True, "cores": 2, "commit": "abc", "finished": "x"})
    )
    figure = testtime.section().figures[0]
    assert (figure.value, figure.met) == ("250 s", True)
