"""Object-store URLs through fsspec (tested with file:// URLs; no network)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from dataward.errors import SourceError
from dataward.sources import Source, UrlLocation, discover, open_source


def test_a_missing_fsspec_names_the_cloud_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "fsspec", None)
    with pytest.raises(SourceError) as err:
        open_source("s3://bucket/data.csv")
    assert "pip install 'dataward[cloud]'" in str(err.value)
    assert err.value.extra == "cloud"  # type: ignore[attr-defined]
    found = list(discover(["gs://bucket/folder", "abfs://container/x.csv"]))
    assert len(found) == 2 and all(isinstance(e, SourceError) for e in found)
    assert "gs:// URLs needs fsspec" in str(found[0])


def test_file_urls_without_fsspec_read_the_local_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "fsspec", None)
    (tmp_path / "a.csv").write_text("a\n1\n")
    src = open_source(f"file://{tmp_path / 'a.csv'}")
    assert next(src.batches()).to_pylist() == [{"a": "1"}]


def test_file_urls_through_fsspec(tmp_path: Path) -> None:
    pytest.importorskip("fsspec")
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.csv").write_text("id\n007\n")
    (tmp_path / "sub" / "b.jsonl").write_text('{"x": {"y": "z"}}\n')
    (tmp_path / "sub" / "c.bin").write_bytes(b"\x00\x01")
    src = open_source(f"file://{tmp_path / 'a.csv'}")
    assert isinstance(src.location, UrlLocation)
    assert src.size_bytes == len("id\n007\n")
    assert next(src.batches()).to_pylist() == [{"id": "007"}]
    assert src.fingerprint() == open_source(tmp_path / "a.csv").fingerprint()
    found = list(discover(f"file://{tmp_path}"))
    good = [s for s in found if isinstance(s, Source)]
    assert [s.uri.rsplit("/", 1)[-1] for s in good] == ["a.csv", "b.jsonl"]
    assert all(s.uri.startswith("file://") for s in good)
    assert next(good[1].batches()).to_pylist() == [{"x.y": "z"}]
    assert len([e for e in found if isinstance(e, SourceError)]) == 1
    assert [s.uri.rsplit("/", 1)[-1] for s in discover(f"file://{tmp_path}", recursive=False)] == [
        "a.csv"
    ]
