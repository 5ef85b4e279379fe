"""discover(): folders, globs, archives, compression, fingerprints and bad inputs."""

from __future__ import annotations

import bz2
import copy
import gzip
import os
import pickle
import zipfile
from pathlib import Path

import pytest
import zstandard

from dataward.errors import ConfigError, SourceError, UnknownNameError
from dataward.sources import Limits, Source, discover, open_source, sources
from dataward.sources.locations import LocalLocation

SECRET = "4111111111111111"
CSV = "id,card\n007,4111111111111111\n"


def names(found: list[Source | SourceError], root: Path) -> list[str]:
    prefix = f"{root}{os.sep}"
    return [s.uri.removeprefix(prefix) for s in found if isinstance(s, Source)]


def errors(found: list[Source | SourceError]) -> list[str]:
    return [str(e) for e in found if isinstance(e, SourceError)]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    for rel, text in {
        "a.csv": CSV,
        "b.jsonl": '{"a": 1}\n',
        "notes.md": "# hi\n",
        "raw/2024/c.csv": CSV,
        "raw/2024/d.parquet.txt": "not parquet\n",
        "raw/tmp/e.csv": CSV,
        ".hidden/f.csv": CSV,
        ".g.csv": CSV,
    }.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_folders_are_walked_in_name_order_skipping_hidden(tree: Path) -> None:
    found = list(discover(tree))
    assert errors(found) == []
    assert names(found, tree) == [
        "a.csv",
        "b.jsonl",
        "notes.md",
        "raw/2024/c.csv",
        "raw/2024/d.parquet.txt",
        "raw/tmp/e.csv",
    ]
    assert ".g.csv" in names(list(discover(tree, hidden=True)), tree)


def test_not_recursive_stays_at_the_top(tree: Path) -> None:
    assert names(list(discover(tree, recursive=False)), tree) == ["a.csv", "b.jsonl", "notes.md"]


@pytest.mark.parametrize(
    ("include", "exclude", "expected"),
    [
        (["*.csv"], [], ["a.csv", "raw/2024/c.csv", "raw/tmp/e.csv"]),
        (["raw/**/*.csv"], [], ["raw/2024/c.csv", "raw/tmp/e.csv"]),
        (["**/*.csv"], ["raw/tmp"], ["a.csv", "raw/2024/c.csv"]),
        ([], ["raw"], ["a.csv", "b.jsonl", "notes.md"]),
        (["*.csv", "*.md"], ["a.*"], ["notes.md", "raw/2024/c.csv", "raw/tmp/e.csv"]),
        (["raw/202?/*"], [], ["raw/2024/c.csv", "raw/2024/d.parquet.txt"]),
        (["[ab].*"], [], ["a.csv", "b.jsonl"]),
    ],
)
def test_include_and_exclude_globs(
    tree: Path, include: list[str], exclude: list[str], expected: list[str]
) -> None:
    assert names(list(discover(tree, include=include, exclude=exclude)), tree) == expected


def test_compressed_files_wrap_the_inner_format(tmp_path: Path) -> None:
    (tmp_path / "a.csv.gz").write_bytes(gzip.compress(CSV.encode()))
    (tmp_path / "b.jsonl.bz2").write_bytes(bz2.compress(b'{"a": "x"}\n'))
    (tmp_path / "c.txt.zst").write_bytes(zstandard.ZstdCompressor().compress(b"line\n"))
    (tmp_path / "d.gz").write_bytes(gzip.compress(CSV.encode() * 3))  # sniffed inside
    found = list(discover(tmp_path))
    assert [(s.uri.rsplit("/", 1)[-1], s.format) for s in found if isinstance(s, Source)] == [
        ("a.csv.gz", "csv"),
        ("b.jsonl.bz2", "jsonl"),
        ("c.txt.zst", "text"),
        ("d.gz", "csv"),
    ]
    first = next(s for s in found if isinstance(s, Source))
    assert next(first.batches()).to_pylist() == [{"id": "007", "card": SECRET}]


def test_a_corrupt_gzip_is_a_source_error_and_others_go_on(tmp_path: Path) -> None:
    data = gzip.compress(("id,n\n" + "".join(f"{i},{i * 7919}\n" for i in range(200_000))).encode())
    (tmp_path / "bad.csv.gz").write_bytes(data[: len(data) // 2])
    (tmp_path / "good.csv").write_text(CSV)
    found = list(discover(tmp_path))
    bad = next(s for s in found if isinstance(s, Source) and s.uri.endswith("bad.csv.gz"))
    with pytest.raises(SourceError, match=r"bad\.csv\.gz: read failed near byte \d+"):
        list(bad.batches())
    assert any(isinstance(s, Source) and s.uri.endswith("good.csv") for s in found)


def make_zip(path: Path, members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> None:
    with zipfile.ZipFile(path, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def test_zip_members_are_sources_and_unsafe_ones_are_errors(tmp_path: Path) -> None:
    make_zip(
        tmp_path / "a.zip",
        {
            "inner/x.csv": CSV.encode(),
            "inner/y.jsonl.gz": gzip.compress(b'{"a": 1}\n'),
            "../evil.csv": CSV.encode(),
            "/etc/abs.csv": CSV.encode(),
            "C:/win.csv": CSV.encode(),
            "bomb.txt": b"0" * (20 << 20),
            "nested.zip": b"PK\x05\x06" + b"\x00" * 18,
            "bin.dat": b"\x00\x01\x02\x03",
            "inner/": b"",
        },
    )
    found = list(discover(tmp_path))
    zip_uri = str(tmp_path / "a.zip")
    assert [(s.uri, s.format) for s in found if isinstance(s, Source)] == [
        (f"{zip_uri}!inner/x.csv", "csv"),
        (f"{zip_uri}!inner/y.jsonl.gz", "jsonl"),
    ]
    problems = errors(found)
    assert problems[3].startswith(f"{zip_uri}!bomb.txt: skipped: compression ratio ")
    assert problems[3].endswith(" is above Limits.max_ratio (200:1); possibly a zip bomb")
    problems[3] = "bomb"
    assert problems == [
        f"{zip_uri}!../evil.csv: skipped: its name climbs out of the archive with '..'",
        f"{zip_uri}!/etc/abs.csv: skipped: its name is an absolute path",
        f"{zip_uri}!C:/win.csv: skipped: its name is an absolute path",
        "bomb",
        f"{zip_uri}!nested.zip: skipped: nested archives are not expanded; unpack it first",
        f"{zip_uri}!bin.dat: binary file (contains NUL bytes); not text, CSV, JSON or a supported columnar format",
    ]
    member = next(s for s in found if isinstance(s, Source))
    assert member.size_bytes == len(CSV)
    assert next(member.batches()).to_pylist() == [{"id": "007", "card": SECRET}]


def test_zip_members_are_filtered_by_globs(tmp_path: Path) -> None:
    make_zip(
        tmp_path / "a.zip", {"x.csv": CSV.encode(), "y.txt": b"hi\n", "__MACOSX/._x.csv": b"\x00"}
    )
    found = list(discover(tmp_path, include=["*.csv"]))
    assert [s.uri.rsplit("!", 1)[-1] for s in found] == ["x.csv"]


def test_overlapping_members_and_size_caps(tmp_path: Path) -> None:
    path = tmp_path / "flat.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.txt", b"hello world\n" * 100)
        twin = copy.copy(zf.filelist[0])
        twin.filename = twin.orig_filename = "b.txt"
        zf.filelist.append(twin)
    assert all("overlaps another member" in e for e in errors(list(discover(path))))
    make_zip(tmp_path / "big.zip", {"a.txt": b"a" * 5000, "b.txt": b"b" * 5000}, zipfile.ZIP_STORED)
    small = Limits(max_member_bytes=4000)
    assert len(errors(list(discover(tmp_path / "big.zip", limits=small)))) == 2
    total = Limits(max_archive_bytes=6000)
    found = list(discover(tmp_path / "big.zip", limits=total))
    assert len([s for s in found if isinstance(s, Source)]) == 1
    assert "add up to more than 6000 bytes" in errors(found)[0]


def test_a_corrupt_zip_is_one_error(tmp_path: Path) -> None:
    (tmp_path / "bad.zip").write_bytes(b"PK\x03\x04 truncated")
    (tmp_path / "ok.txt").write_text("fine\n")
    found = list(discover(tmp_path))
    assert errors(found) == [
        f"{tmp_path / 'bad.zip'}: not a readable zip archive (corrupt or truncated)"
    ]
    assert len(found) == 2


def test_open_source_names_a_member_with_a_bang(tmp_path: Path) -> None:
    make_zip(tmp_path / "a.zip", {"in/x.csv": CSV.encode(), "../evil.csv": b"x"})
    src = open_source(f"{tmp_path / 'a.zip'}!in/x.csv")
    assert src.format == "csv"
    with pytest.raises(SourceError, match="no such member"):
        open_source(f"{tmp_path / 'a.zip'}!in/missing.csv")
    with pytest.raises(SourceError, match="climbs out"):
        open_source(f"{tmp_path / 'a.zip'}!../evil.csv")
    with pytest.raises(SourceError, match="is a zip archive; use discover"):
        open_source(tmp_path / "a.zip")


def test_bad_inputs_are_yielded_as_errors_and_the_rest_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "good.csv").write_text(CSV)
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + SECRET.encode())
    (tmp_path / "blob.csv").write_bytes(SECRET.encode() + b"\x00\x00")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "locked.csv").write_text(CSV)
    real_open = LocalLocation._open

    def deny(self: LocalLocation) -> object:
        if self.path.name == "locked.csv":
            raise PermissionError(13, "Permission denied")
        return real_open(self)

    monkeypatch.setattr(LocalLocation, "_open", deny)
    found = list(discover([tmp_path, tmp_path / "missing.csv"]))
    assert names(found, tmp_path) == ["empty.txt", "good.csv"]
    assert errors(found) == [
        f"{tmp_path / 'blob.csv'}: binary file (contains NUL bytes); not text, CSV, JSON or a supported columnar format",
        f"{tmp_path / 'image.png'}: binary file (a PNG image); not text, CSV, JSON or a supported columnar format",
        f"{tmp_path / 'locked.csv'}: cannot open: permission denied",
        f"{tmp_path / 'missing.csv'}: no such file",
    ]
    assert all(SECRET not in e for e in errors(found))
    empty = next(s for s in found if isinstance(s, Source) and s.uri.endswith("empty.txt"))
    assert list(empty.batches()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_real_permission_denied(tmp_path: Path) -> None:
    path = tmp_path / "locked.csv"
    path.write_text(CSV)
    path.chmod(0)
    try:
        assert errors(list(discover(tmp_path))) == [f"{path}: cannot open: permission denied"]
    finally:
        path.chmod(0o600)


def test_fingerprints_are_stable_and_follow_the_content(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(CSV)
    first = open_source(path).fingerprint()
    assert first.startswith("blake2b:") and len(first) == len("blake2b:") + 64
    assert open_source(path).fingerprint() == first
    (tmp_path / "copy.csv").write_text(CSV)
    assert open_source(tmp_path / "copy.csv").fingerprint() == first
    path.write_text(CSV.replace("007", "008"))
    assert open_source(path).fingerprint() != first
    make_zip(tmp_path / "a.zip", {"x.csv": CSV.encode()})
    member = open_source(f"{tmp_path / 'a.zip'}!x.csv")
    assert member.fingerprint() == first  # member bytes, not the archive's


def test_sources_pickle_for_worker_processes(tmp_path: Path) -> None:
    make_zip(tmp_path / "a.zip", {"x.csv": CSV.encode()})
    (tmp_path / "b.csv.gz").write_bytes(gzip.compress(CSV.encode()))
    for src in discover(tmp_path):
        assert isinstance(src, Source)
        clone = pickle.loads(pickle.dumps(src))
        assert [b.to_pylist() for b in clone.batches()] == [b.to_pylist() for b in src.batches()]
    err = pickle.loads(pickle.dumps(SourceError("x: no such file", path="x")))
    assert err.path == "x"  # type: ignore[attr-defined]


def test_options_reach_the_formats_that_know_them(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("a;b\n1;2\n")
    (tmp_path / "b.jsonl").write_text('{"a": 1}\n')
    found = list(discover(tmp_path, delimiter=";"))
    assert [s.format for s in found if isinstance(s, Source)] == ["csv", "jsonl"]
    with pytest.raises(ConfigError, match="unknown source option 'delimeter'"):
        list(discover(tmp_path, delimeter=";"))
    with pytest.raises(UnknownNameError, match="Did you mean 'csv'"):
        list(discover(tmp_path, format="cvs"))
    forced = list(discover(tmp_path / "b.jsonl", format="text"))
    assert [s.format for s in forced if isinstance(s, Source)] == ["text"]


def test_the_registry_holds_the_builtin_formats() -> None:
    assert sources.names() == ["arrow", "csv", "json", "jsonl", "orc", "parquet", "text", "tsv"]
    with pytest.raises(ConfigError, match="already registered"):
        sources.add("csv", sources.get("csv"))


def test_every_format_is_documented() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "sources.md").read_text()
    for name in sources.names():
        assert f"`{name}`" in docs, name
