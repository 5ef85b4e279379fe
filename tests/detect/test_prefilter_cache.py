"""The compiled-pattern cache holds data only: a file planted in the cache folder is never
executed, and a damaged one is compiled again (and overwritten), never trusted."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from dataward.detect import prefilter
from dataward.detect.model import Pattern

pytestmark = pytest.mark.skipif(
    "hyperscan" not in prefilter.available_backends(), reason="Hyperscan is not installed"
)

PATTERNS = [Pattern(name="digits", regex=r"\d{3}-\d{2}-\d{4}", score=0.5)]


class _Plant:
    """Unpickling this touches a file: what a planted pickle could do, harmlessly."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[Path]]:
        return (Path.touch, (self.marker,))


def _cache_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("DATAWARD_CACHE_DIR", str(tmp_path / "cache"))
    path = prefilter._cache_path(PATTERNS)
    assert path is not None
    return Path(path)


def test_a_planted_pickle_is_not_run_and_the_database_is_rebuilt(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = _cache_file(monkeypatch, tmp_path)
    marker = tmp_path / "pwned"
    path.parent.mkdir(parents=True)
    path.write_bytes(pickle.dumps((_Plant(marker), [])))

    pf = prefilter._HyperscanPrefilter(PATTERNS)

    assert not marker.exists()
    assert pf.hits("id 123-45-6789") == [0]
    assert path.read_bytes().startswith(prefilter._MAGIC)  # overwritten with data


@pytest.mark.parametrize(
    "damage", [b"", b"DWHS1", b"DWHS1\x02\x00\x00\x00", b"DWHS1\x01\x00\x00\x00" + b"\xff" * 8]
)
def test_a_damaged_cache_is_compiled_again(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, damage: bytes
) -> None:
    path = _cache_file(monkeypatch, tmp_path)
    prefilter._HyperscanPrefilter(PATTERNS)  # writes the cache
    assert prefilter._load_cached(PATTERNS) is not None
    path.write_bytes(damage)
    assert prefilter._load_cached(PATTERNS) is None
    assert prefilter._HyperscanPrefilter(PATTERNS).hits("123-45-6789") == [0]


def test_a_wellformed_container_with_a_bad_database_is_compiled_again(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = _cache_file(monkeypatch, tmp_path)
    path.parent.mkdir(parents=True)
    path.write_bytes(prefilter._pack([b"not a hyperscan database", b""]))
    assert prefilter._HyperscanPrefilter(PATTERNS).hits("123-45-6789") == [0]


def test_pack_round_trips() -> None:
    blobs = [b"", b"a", bytes(range(256)) * 3]
    assert prefilter._unpack(prefilter._pack(blobs)) == blobs
    assert prefilter._unpack(prefilter._pack(blobs) + b"x") is None
