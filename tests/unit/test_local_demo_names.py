"""The demo's cohorts are named as people name their academy: a browser walk found "Kss cohort 1"."""

from __future__ import annotations

import pytest

from local.scenario import cohort_name


@pytest.mark.parametrize(
    ("academy", "expected"),
    [
        ("kss", "Kent, Surrey and Sussex cohort 1"),
        ("east-of-england", "East of England cohort 1"),
        ("north-west", "North West cohort 1"),
    ],
)
def test_a_demo_cohort_is_named_after_its_academy(academy: str, expected: str) -> None:
    assert cohort_name(academy, 1) == expected
