"""Meta-tests: every registered detector is documented and tested."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from dataward.detect.detectors import load_builtins
from dataward.detect.registry import detectors

REPO = Path(__file__).resolve().parents[2]
load_builtins()
NAMES = detectors.names()
TEST_SOURCES = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "tests").rglob("test_*.py"))


def test_the_detector_catalog_is_up_to_date() -> None:
    spec = importlib.util.spec_from_file_location("gen", REPO / "scripts" / "gen_detector_docs.py")
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    current = (REPO / "docs" / "detector-catalog.md").read_text(encoding="utf-8")
    assert current == gen.render(), "run scripts/gen_detector_docs.py"


@pytest.mark.parametrize("name", NAMES)
def test_every_detector_has_tests(name: str) -> None:
    det = detectors.get(name)
    cls = type(det).__name__
    assert f'"{name}"' in TEST_SOURCES or f"'{name}'" in TEST_SOURCES or cls in TEST_SOURCES, (
        f"detector {name!r} ({cls}) is not referenced by any test"
    )


def test_there_are_many_detectors() -> None:
    assert len(NAMES) >= 150
