"""What the moto-patch tests (local.moto_tuning, local.moto_faults) share: the journey table built from
template.yaml's own properties, so they cannot drift from the table the product uses, and moto in
this process with credentials of its own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from moto import mock_aws
from samtranslator.yaml_helper import yaml_parse


def journey_table_properties() -> dict[str, Any]:
    template = yaml_parse((Path(__file__).parents[1] / "template.yaml").read_text())
    props = template["Resources"]["JourneyTable"]["Properties"]
    keep = ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "BillingMode")
    return {k: props[k] for k in keep if k in props}


@contextmanager
def moto_in_process(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """moto's in-process mock, reached with test credentials rather than any running stack."""
    for k, v in {
        "AWS_DEFAULT_REGION": "eu-west-2",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield
