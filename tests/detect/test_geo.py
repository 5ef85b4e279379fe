"""Geographic coordinates: decimal pairs, labelled values and degrees-minutes-seconds."""

from __future__ import annotations

import pytest

from dataward.detect import Engine, Finding
from dataward.detect.detectors.geo import GeoCoordinateDetector

BACKENDS = ("hyperscan", "re")
_ENGINES: dict[str, Engine] = {}


def _run(text: str, backend: str, language: str | None = None) -> list[Finding]:
    if backend not in _ENGINES:
        _ENGINES[backend] = Engine([GeoCoordinateDetector()], backend=backend)
    return _ENGINES[backend].detect(text, language=language)


def _values(text: str, language: str | None = None) -> list[str]:
    results = {b: _run(text, b, language) for b in BACKENDS}
    assert results["hyperscan"] == results["re"]
    assert all(f.entity == "GEO_COORDINATE" for f in results["re"])
    return [text[f.start : f.end] for f in results["re"]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("meet at 40.7128, -74.0060 tonight", ["40.7128, -74.0060"]),
        ("GPS: 48.85661,2.35222", ["48.85661,2.35222"]),
        ("Koordinaten 52.5200 13.4050", ["52.5200 13.4050"]),
        ("coordonnées : 48.8566, 2.3522", ["48.8566, 2.3522"]),
        ("coordenadas 40.4168, -3.7038", ["40.4168, -3.7038"]),
        ("coordinate 41.9028, 12.4964", ["41.9028, 12.4964"]),
        ("lat: 48.8566, lon: 2.3522", ["48.8566", "2.3522"]),
        ("at 40°42'46\"N 74°00'21\"W today", ["40°42'46\"N 74°00'21\"W"]),
        ("N 40°42′46″ W 74°00′21″", ["N 40°42′46″ W 74°00′21″"]),
        ("40° 42.767' N, 74° 0.35' W", ["40° 42.767' N, 74° 0.35' W"]),
        ("40.7128° N, 74.0060° W", ["40.7128° N, 74.0060° W"]),
    ],
)
def test_geo_hits(text: str, expected: list[str]) -> None:
    assert _values(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "version 1.2.3",
        "pi 3.14159",
        "prices 12.50, 13.75",
        "probabilities 0.1234, 0.5678",
        "values 95.1234, 200.5678",
        "total 40.7128, 74.0060 EUR",
        "91°00'00\"N 74°00'00\"W",
        "40°75'00\"N 74°00'00\"W",
        "12.34 56.78",
    ],
)
def test_geo_near_misses(text: str) -> None:
    assert _values(text) == []


def test_context_lifts_a_three_decimal_pair() -> None:
    assert _values("40.712, -74.006") == []
    assert _values("location 40.712, -74.006") == ["40.712, -74.006"]
