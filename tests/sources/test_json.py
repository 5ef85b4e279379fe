"""JSON and JSONL sources, and the flattening rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from dataward.errors import SourceError
from dataward.sources import JsonlSource, JsonSource, Limits, flatten, open_source
from dataward.sources.flatten import to_batch

SECRET = "4111111111111111"


def rows(path: Path, **options: Any) -> list[dict[str, Any]]:
    return [r for b in open_source(path, **options).batches() for r in b.to_pylist()]


@pytest.mark.parametrize(
    ("record", "flat"),
    [
        ({"a": "x"}, {"a": "x"}),
        (
            {"patient": {"name": "Ada", "dob": "1815-12-10"}},
            {"patient.name": "Ada", "patient.dob": "1815-12-10"},
        ),
        (
            {
                "patient": {
                    "contacts": [{"phone": "555-0100"}, {"phone": "555-0101", "kind": "work"}]
                }
            },
            {
                "patient.contacts[].phone": ["555-0100", "555-0101"],
                "patient.contacts[].kind": ["work"],
            },
        ),
        ({"tags": ["a", "b", None]}, {"tags[]": ["a", "b", None]}),
        ({"m": [[1, 2], [3]]}, {"m[][]": ["1", "2", "3"]}),
        ({"n": 1, "f": 1.5, "t": True, "z": None}, {"n": "1", "f": "1.5", "t": "true", "z": None}),
        ({"big": 12345678901234567890}, {"big": "12345678901234567890"}),
        ({"empty": [], "obj": {}}, {}),
        ("just text", {"value": "just text"}),
        ([1, "two"], {"value[]": ["1", "two"]}),
        ({"a": [{"b": [{"c": "deep"}]}]}, {"a[].b[].c": ["deep"]}),
    ],
)
def test_flattening_rules(record: Any, flat: dict[str, Any]) -> None:
    assert flatten(record) == flat


def test_array_paths_are_list_columns_and_the_rest_strings() -> None:
    batch = to_batch([flatten({"tags": "one"}), flatten({"tags": ["a", "b"]})])
    assert batch.schema == pa.schema([("tags", pa.string()), ("tags[]", pa.list_(pa.string()))])
    assert batch.to_pylist() == [
        {"tags": "one", "tags[]": None},
        {"tags": None, "tags[]": ["a", "b"]},
    ]


def test_jsonl_is_flattened_and_blank_lines_skipped(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text(
        '{"id": "007", "patient": {"contacts": [{"phone": "555-0100"}]}}\n\n'
        '{"id": "008", "note": "hi"}\r\n',
        encoding="utf-8",
    )
    src = open_source(path)
    assert isinstance(src, JsonlSource) and src.format == "jsonl"
    assert rows(path) == [
        {"id": "007", "patient.contacts[].phone": ["555-0100"], "note": None},
        {"id": "008", "patient.contacts[].phone": None, "note": "hi"},
    ]


@pytest.mark.parametrize("suffix", [".ndjson", ".jsonlines"])
def test_jsonl_extensions(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"x{suffix}"
    path.write_text('{"a": 1}\n', encoding="utf-8")
    assert open_source(path).format == "jsonl"


def test_jsonl_batches_are_bounded_by_rows_and_bytes(tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl"
    path.write_text("".join(json.dumps({"i": i, "pad": "x" * 100}) + "\n" for i in range(3000)))
    by_rows = [b.num_rows for b in open_source(path).batches(batch_rows=1000)]
    assert by_rows == [1000, 1000, 1000]
    limits = Limits(batch_bytes=20_000)
    by_bytes = [b.num_rows for b in open_source(path, limits=limits).batches()]
    assert sum(by_bytes) == 3000 and max(by_bytes) < 200


def test_invalid_jsonl_line_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(f'{{"a": 1}}\n{{"card": "{SECRET}" oops}}\n', encoding="utf-8")
    with pytest.raises(SourceError) as err:
        list(open_source(path).batches())
    assert str(err.value).startswith(f"{path}: line 2 is not valid JSON")
    assert err.value.line == 2  # type: ignore[attr-defined]
    assert SECRET not in str(err.value)


def test_invalid_utf8_in_jsonl_names_the_byte_offset(tmp_path: Path) -> None:
    head = b'{"a": "plain"}\n' * 5000
    path = tmp_path / "bad.jsonl"
    path.write_bytes(head + b'{"a": "caf\xe9"}\n')
    offset = len(head) + len(b'{"a": "caf')
    with pytest.raises(
        SourceError, match=rf"line 5001 is not valid UTF-8 \(byte {offset} of the file\)"
    ):
        list(open_source(path).batches())


@pytest.mark.slow
def test_a_100_mb_line_is_refused_without_reading_it_whole(tmp_path: Path) -> None:
    path = tmp_path / "huge.jsonl"
    with path.open("wb") as fh:
        fh.write(b'{"a": 1}\n{"text": "')
        chunk = b"x" * (1 << 20)
        for _ in range(100):
            fh.write(chunk)
        fh.write(b'"}\n')
    src = open_source(path)
    got = []
    with pytest.raises(SourceError, match="line 2 is longer than 16777216 bytes") as err:
        for batch in src.batches():
            got.append(batch)
    assert err.value.line == 2  # type: ignore[attr-defined]


def test_json_top_level_array_is_streamed_element_by_element(tmp_path: Path) -> None:
    records = [{"id": i, "name": f"person {i}", "n": i * 1.5} for i in range(40_000)]
    path = tmp_path / "arr.json"
    path.write_text(json.dumps(records, indent=1), encoding="utf-8")  # > 2 MiB: crosses chunks
    src = open_source(path)
    assert isinstance(src, JsonSource)
    got = [r for b in src.batches(batch_rows=7000) for r in b.to_pylist()]
    assert len(got) == 40_000
    assert got[12_345] == {"id": "12345", "name": "person 12345", "n": str(12345 * 1.5)}


def test_json_numbers_cut_by_a_chunk_boundary_are_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "nums.json"
    path.write_text("[" + ",".join(str(10**9 + i) for i in range(300_000)) + "]")
    values = [r["value"] for b in open_source(path).batches() for r in b.to_pylist()]
    assert values == [str(10**9 + i) for i in range(300_000)]


def test_json_top_level_object_is_one_record(tmp_path: Path) -> None:
    path = tmp_path / "doc.json"
    path.write_text(json.dumps({"data": [{"email": "a@example.org"}, {"email": "b@example.org"}]}))
    assert rows(path) == [{"data[].email": ["a@example.org", "b@example.org"]}]


def test_empty_json_gives_no_batches(tmp_path: Path) -> None:
    for text in ("", "  \n", "[]"):
        path = tmp_path / "e.json"
        path.write_text(text)
        assert list(open_source(path).batches()) == []


def test_invalid_json_element_is_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(f'[{{"a": 1}},\n {{"b": "{SECRET}" x}}]')
    with pytest.raises(SourceError) as err:
        list(open_source(path).batches())
    assert "element 1 of the top-level array is not valid JSON" in str(err.value)
    assert "line 2" in str(err.value)
    assert SECRET not in str(err.value)


def test_missing_comma_and_trailing_data_are_errors(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('[{"a": 1} {"a": 2}]')
    with pytest.raises(SourceError, match="expected ',' after element 1"):
        list(open_source(path).batches())
    path.write_text('[{"a": 1}] [2]')
    with pytest.raises(SourceError, match="unexpected data after the top-level array"):
        list(open_source(path).batches())
    path.write_text('[{"a": 1},')
    with pytest.raises(SourceError, match="ends early"):
        list(open_source(path).batches())


def test_a_large_json_object_is_refused_past_the_cap(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"k": "v" * 5_000_000}))
    src = open_source(path, limits=Limits(max_document_bytes=1_000_000))
    with pytest.raises(SourceError, match="larger than 1000000 bytes"):
        list(src.batches())


def test_sniffed_json_and_jsonl_without_extension(tmp_path: Path) -> None:
    (tmp_path / "lines").write_text('{"a": 1}\n{"a": 2}\n')
    (tmp_path / "doc").write_text('{\n  "a": 1\n}\n')
    (tmp_path / "arr").write_text('[{"a": 1}]')
    assert open_source(tmp_path / "lines").format == "jsonl"
    assert open_source(tmp_path / "doc").format == "json"
    assert open_source(tmp_path / "arr").format == "json"
