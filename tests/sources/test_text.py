"""Plain text, Markdown and log files: one row per line."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from dataward.errors import SourceError
from dataward.sources import Limits, TextSource, open_source
from dataward.sources.text import SCHEMA


@pytest.mark.parametrize("name", ["notes.txt", "README.md", "app.log", "doc.rst", "noext"])
def test_lines_become_rows(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"first line\r\n\nthird: ada@example.org")
    src = open_source(path)
    assert isinstance(src, TextSource) and src.format == "text"
    batches = list(src.batches())
    assert all(b.schema == SCHEMA for b in batches)
    assert pa.Table.from_batches(batches).to_pylist() == [
        {"line": 1, "text": "first line"},
        {"line": 2, "text": ""},
        {"line": 3, "text": "third: ada@example.org"},
    ]


def test_line_numbers_continue_across_batches(tmp_path: Path) -> None:
    path = tmp_path / "n.log"
    path.write_text("".join(f"event {i}\n" for i in range(1, 1001)))
    batches = list(open_source(path).batches(batch_rows=400))
    assert [b.num_rows for b in batches] == [400, 400, 200]
    assert batches[2].column("line")[0].as_py() == 801


def test_latin1_text_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "fr.txt"
    path.write_bytes("Réunion à Besançon avec François et Anaïs, café crème\n".encode("cp1252") * 5)
    assert open_source(path).batches().__next__().column("text")[0].as_py().startswith("Réunion")


def test_long_lines_are_refused_with_the_line_number(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("short\n" + "x" * 5000 + "\n")
    with pytest.raises(SourceError, match="line 2 is longer than 2048 bytes"):
        list(open_source(path, limits=Limits(max_line_bytes=2048)).batches())


def test_an_empty_text_file_gives_no_batches(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert list(open_source(path).batches()) == []


def test_undecodable_text_names_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(b"ok\n" * 30_000 + b"\xff\xfe\xfa bad\n")
    with pytest.raises(
        SourceError, match=r"line 30001 is not valid UTF-8 \(byte 90000 of the file\)"
    ):
        list(open_source(path).batches())
