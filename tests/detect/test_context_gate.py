"""The context gate: a pattern that scores under the threshold without a context word runs only
where one of its detector's context words (or a hint) occurs; the findings stay the same."""

from __future__ import annotations

import importlib.util
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from dataward.detect import Engine, PatternDetector
from dataward.detect.base import score_ceiling
from dataward.detect.model import Finding, Pattern

BENCH = Path(__file__).resolve().parents[2] / "bench"

# identifiers with the words that make them count, and near misses (a word split, cut, glued)
LABELLED = [
    "SSN 523-71-6604 on file; ssn: 523716604, social security no. 523 71 6604",
    "MRN: 84412093 seen today, med rec no 5521980, medical record number A1234567",
    "routing number 021000021 and account no 000123456789 at the bank",
    "NPI 1234567893, licence D1234567, driver license CA A1234567, passport 912803456",
    "Aadhaar 2345 6789 0123, PAN, NHS number 943 476 5919, BSN 111222333",
    "tax id 12-3456789 / EIN 123456789; health plan HP1234567890; member id 987654321",
    "subscriber 123456789, policyholder 55512345, kennitala 120174-3399, cpr 010190-1234",
    "no context: 523716604 84412093 021000021 000123456789 1234567893 943 476 5919",
    "ssn-ish glued: xssn 523716604, socialsecurity523716604, mrn84412093 n.p.i. 1234567893",
    "Ihre Steuer-ID 12345678903; numéro de sécurité sociale 1 85 05 78 006 084 36",
]
HINTS = [(), ("ssn",), ("mrn",), ("routing_number",), ("member id",), ("notes",)]


def _realworld() -> ModuleType:
    spec = importlib.util.spec_from_file_location("realworld_gen", BENCH / "realworld.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("realworld_gen", module)
    spec.loader.exec_module(module)
    return module


def _corpus() -> Iterator[str]:
    rw = _realworld()
    rng = random.Random(12)
    for make in rw.KINDS.values():
        for _ in range(60):
            yield make(rng)
    yield from LABELLED
    for a in LABELLED:  # context words of one line near the numbers of another
        yield a.split(" ", 1)[0] + " " + rng.choice(LABELLED)


def _engines() -> tuple[Engine, Engine]:
    full = Engine.default()
    dets = [d for d in full.detectors if isinstance(d, PatternDetector)]
    gated, plain = Engine(dets), Engine(dets)
    plain.context_gate = False
    return gated, plain


def _key(found: list[Finding]) -> list[tuple[object, ...]]:
    return [(f.entity, f.start, f.end, round(f.score, 9), f.detector) for f in found]


@pytest.mark.parametrize(
    ("threshold", "hyperscan"), [(0.5, True), (0.3, True), (0.0, True), (0.5, False)]
)
def test_gate_keeps_findings(threshold: float, hyperscan: bool) -> None:
    gated, plain = _engines()
    if not hyperscan:  # the gate's portable path: Python ``in`` per detector
        gated._gate._db = None
    texts = list(_corpus())
    compared = found = 0
    for hints in HINTS:
        for text in texts:
            want = plain.detect(text, threshold=threshold, hints=hints, explain=True)
            got = gated.detect(text, threshold=threshold, hints=hints, explain=True)
            assert _key(got) == _key(want), (hints, text[:80])
            assert [f.explanation for f in got] == [f.explanation for f in want]
            compared += 1
            found += len(want)
    assert compared == len(texts) * len(HINTS) and found > 0


def test_gate_skips_work() -> None:
    """The gate is not a no-op: numbers with no context word skip low-scoring patterns."""
    gated, _ = _engines()
    low = [c for c in gated._compiled if c.ceiling is not None and c.ceiling < gated.threshold]
    assert any(c.detector.name == "us-ssn" for c in low)
    text = "order 523716604 shipped, ref 84412093, batch 021000021"
    assert gated._prefilter is not None
    hit = [gated._compiled[i] for i in gated._prefilter.hits(text)]
    opened = gated._gate.open(text, frozenset())
    ssn = [c for c in hit if c in low and c.detector.name == "us-ssn"]
    assert ssn and ssn[0].gate not in opened
    assert ssn[0].gate in gated._gate.open("SSN " + text, frozenset())
    assert ssn[0].gate in gated._gate.open(text, frozenset({"ssn"}))


class _Fixed(PatternDetector):
    entity = "X"
    patterns = (Pattern("p", r"\d{6}", 0.3),)

    def validate(self, value: str, pattern: Pattern) -> float | None:
        if value.startswith("0"):
            return None
        return 0.9 if value.endswith("9") else pattern.score - 0.1


class _Computed(PatternDetector):
    entity = "X"
    patterns = (Pattern("p", r"\d{6}", 0.3),)

    def validate(self, value: str, pattern: Pattern) -> float | None:
        return min(1.0, pattern.score * 4)


@pytest.mark.parametrize(
    ("detector", "ceiling"),
    [(_Fixed(), 0.9), (_Computed(), None), (PatternDetector.__new__(_Fixed), 0.9)],
)
def test_score_ceiling(detector: PatternDetector, ceiling: float | None) -> None:
    assert score_ceiling(detector, detector.patterns[0]) == ceiling


def test_score_ceiling_unknown_for_instance_validate() -> None:
    det = _Fixed()
    det.validate = lambda value, pattern: 1.0  # type: ignore[method-assign]
    assert score_ceiling(det, det.patterns[0]) is None
