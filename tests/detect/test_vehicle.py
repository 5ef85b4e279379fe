"""VINs: ISO 3779 shape, North American check digit, context for VINs without one."""

from __future__ import annotations

import pytest

from dataward.detect import Engine, Finding
from dataward.detect.detectors.vehicle import VinDetector, vin_check_digit

BACKENDS = ("hyperscan", "re")
_ENGINES: dict[str, Engine] = {}


def _run(text: str, backend: str) -> list[Finding]:
    if backend not in _ENGINES:
        _ENGINES[backend] = Engine([VinDetector()], backend=backend)
    return _ENGINES[backend].detect(text)


def _values(text: str) -> list[str]:
    results = {b: _run(text, b) for b in BACKENDS}
    assert results["hyperscan"] == results["re"]
    assert all(f.entity == "VIN" for f in results["re"])
    return [text[f.start : f.end] for f in results["re"]]


@pytest.mark.parametrize(
    ("vin", "check"),
    [("1M8GDM9AXKP042788", "X"), ("1HGCM82633A004352", "3"), ("11111111111111111", "1")],
)
def test_check_digit(vin: str, check: str) -> None:
    assert vin_check_digit(vin) == check


@pytest.mark.parametrize(
    "text",
    [
        "car 1M8GDM9AXKP042788 sold",
        "1HGCM82633A004352",
        "VIN: WVWZZZ1JZXW000001",
        "Fahrgestellnummer WVWZZZ1JZXW000001",
        "numéro de châssis VF1AB000123456789",
        "telaio ZFA22300005556677",
    ],
)
def test_vin_hits(text: str) -> None:
    vin = next(w for w in text.split() if len(w) == 17 and any(c.isdigit() for c in w))
    assert _values(text) == [vin]


@pytest.mark.parametrize(
    "text",
    [
        "1HGCM82643A004352",  # wrong check digit, no context
        "WVWZZZ1JZXW000001",  # European, no context
        "1HGCM82633A00435",  # 16 characters
        "1HGCM82633A0043521",  # 18 characters
        "1HGCM8I633A004352",  # I is not allowed
        "12345678901234567",  # digits only
        "ABCDEFGHJKLMNPRST",  # letters only
        "1hgcm82633a004352",  # lower case
    ],
)
def test_vin_near_misses(text: str) -> None:
    assert _values(text) == []


def test_valid_check_digit_scores_high_without_context() -> None:
    [f] = _run("1M8GDM9AXKP042788", "re")
    assert f.score >= 0.85
