"""IMEI (Luhn), IMEISV and MEID: grouped forms, context for bare numbers."""

from __future__ import annotations

import pytest

from dataward.detect import Engine, Finding
from dataward.detect.detectors.device import ImeiDetector, MeidDetector
from dataward.detect.validators import luhn_ok

BACKENDS = ("hyperscan", "re")
_ENGINES: dict[str, Engine] = {}


def _run(text: str, backend: str) -> list[Finding]:
    if backend not in _ENGINES:
        _ENGINES[backend] = Engine([ImeiDetector(), MeidDetector()], backend=backend)
    return _ENGINES[backend].detect(text)


def _found(text: str) -> list[tuple[str, str]]:
    results = {b: _run(text, b) for b in BACKENDS}
    assert results["hyperscan"] == results["re"]
    return [(f.entity, text[f.start : f.end]) for f in results["re"]]


def test_luhn() -> None:
    assert luhn_ok("352099001761481")
    assert not luhn_ok("352099001761482")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("IMEI: 352099001761481", ("IMEI", "352099001761481")),
        ("imei 490154203237518", ("IMEI", "490154203237518")),
        ("device 35-209900-176148-1", ("IMEI", "35-209900-176148-1")),
        ("35 209900 176148 1", ("IMEI", "35 209900 176148 1")),
        ("35209900-176148-1", ("IMEI", "35209900-176148-1")),
        ("IMEISV 35-209900-176148-23", ("IMEI", "35-209900-176148-23")),
        ("IMEI/SV: 3520990017614823", ("IMEI", "3520990017614823")),
        ("MEID A0000012345678", ("MEID", "A0000012345678")),
        ("MEID: 270113177609613456", ("MEID", "270113177609613456")),
    ],
)
def test_device_hits(text: str, expected: tuple[str, str]) -> None:
    assert _found(text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "IMEI: 352099001761482",  # Luhn fails
        "35-209900-176148-2",  # Luhn fails
        "352099001761481",  # bare 15 digits: needs context
        "order 352099001761481",
        "000000000000000",
        "3520990017614823",  # 16 digits without context
        "A0000012345678",  # MEID without context
        "hash deadbeefcafe12",
    ],
)
def test_device_near_misses(text: str) -> None:
    assert _found(text) == []
