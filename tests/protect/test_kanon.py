from __future__ import annotations

import random

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataward.errors import ConfigError
from dataward.protect import (
    AgeHierarchy,
    CategoricalHierarchy,
    DateHierarchy,
    NumericHierarchy,
    PostcodeHierarchy,
    ProtectError,
    anonymize,
    measure,
)


def _people(n: int, seed: int) -> pa.Table:
    rng = random.Random(seed)
    return pa.table(
        {
            "age": [str(rng.randint(18, 99)) for _ in range(n)],
            "zip": [f"021{rng.randint(0, 99):02d}" for _ in range(n)],
            "dob": [f"19{rng.randint(40, 99)}-{rng.randint(1, 12):02d}-15" for _ in range(n)],
            "sex": [rng.choice(["F", "M"]) for _ in range(n)],
            "dx": [rng.choice(["flu", "asthma", "diabetes", "none"]) for _ in range(n)],
        }
    )


def test_measure_counts_classes() -> None:
    table = pa.table({"zip": ["1", "1", "2", None, None], "dx": ["a", "b", "a", "a", "a"]})
    report = measure(table, ["zip"], sensitive="dx")
    assert (report.records, report.classes, report.k, report.l) == (5, 3, 1, 1)
    assert report.records_below[2] == 1
    assert report.max_risk == 1.0 and report.average_risk == pytest.approx(3 / 5)
    with pytest.raises(ConfigError, match="no column"):
        measure(table, ["nope"])


@settings(max_examples=8, deadline=None)
@given(n=st.integers(40, 300), seed=st.integers(0, 10_000), k=st.integers(2, 8))
def test_anonymize_reaches_the_target_k(n: int, seed: int, k: int) -> None:
    table = _people(n, seed)
    hierarchies = {
        "age": AgeHierarchy(),
        "zip": PostcodeHierarchy(),
        "sex": CategoricalHierarchy(),
    }
    assert measure(table, list(hierarchies)).k < k  # the raw table is not k-anonymous
    result = anonymize(table, hierarchies, k=k, max_suppression=0.1)
    assert result.k >= k
    assert measure(result.table, list(hierarchies)).k >= k
    assert result.suppressed_share <= 0.1
    assert result.table.num_rows == n - result.suppressed
    assert 0 <= result.precision_loss <= 1 and 0 <= result.loss <= 1
    assert result.table.column_names == table.column_names
    assert result.nodes_evaluated == 5 * 6 * 2


def test_anonymize_prefers_less_loss_and_reports_levels() -> None:
    table = pa.table({"age": ["31", "33", "36", "38"], "dx": ["a", "b", "a", "b"]})
    result = anonymize(table, {"age": AgeHierarchy()}, k=2)
    assert result.levels == {"age": 1} and result.heights == {"age": 4}
    assert result.table["age"].to_pylist() == ["30-34", "30-34", "35-39", "35-39"]
    assert result.precision_loss == pytest.approx(0.25)
    # One outlier: suppressing it (25 % allowed) costs less than generalizing everyone.
    skewed = pa.table({"age": ["31", "31", "31", "77"]})
    cheap = anonymize(skewed, {"age": AgeHierarchy()}, k=3, max_suppression=0.25)
    assert cheap.levels == {"age": 0} and cheap.suppressed == 1
    assert cheap.table["age"].to_pylist() == ["31", "31", "31"]


def test_anonymize_with_l_diversity() -> None:
    table = _people(400, 7)
    hierarchies = {"age": AgeHierarchy(), "dob": DateHierarchy(), "zip": PostcodeHierarchy()}
    result = anonymize(table, hierarchies, k=4, l=2, sensitive="dx", max_suppression=0.1)
    assert result.k >= 4 and result.l is not None and result.l >= 2
    report = measure(result.table, list(hierarchies), sensitive="dx")
    assert report.l is not None and report.l >= 2


def test_numeric_and_categorical_hierarchies() -> None:
    nums = NumericHierarchy(widths=(10, 100))
    arr = pa.array([5, 123, None])
    assert nums.generalize(arr, 1).to_pylist() == ["0-9", "120-129", None]
    assert nums.generalize(arr, 3).to_pylist() == ["*", "*", None]
    cats = CategoricalHierarchy(({"flu": "respiratory", "asthma": "respiratory"},))
    assert cats.generalize(pa.array(["flu", "asthma", "gout"]), 1).to_pylist() == [
        "respiratory",
        "respiratory",
        "*",
    ]


def test_impossible_targets_fail_clearly() -> None:
    table = pa.table({"age": ["30", "40"]})
    with pytest.raises(ProtectError, match="k=3"):
        anonymize(table, {"age": AgeHierarchy()}, k=3, max_suppression=0.0)
    with pytest.raises(ConfigError):
        anonymize(table, {"age": AgeHierarchy()}, k=2, l=2)
