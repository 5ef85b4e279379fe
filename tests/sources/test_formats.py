"""One registry of formats, each with its reader and writer: round trips, picking a format by
name and by content, and ``dataward detect`` reading through the same readers as scan."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from dataward.errors import ConfigError, SourceError
from dataward.sources import format_for, open_source, sources, writable_formats
from dataward.sources.base import Limits, Source, SourceFormat, Writer
from dataward.sources.locations import StreamLocation
from dataward.sources.opening import open_location
from dataward.sources.output import atomic_file
from dataward.sources.textio import TextBasedSource

CANARY_SSN = "523-71-6604"
CANARY_EMAIL = "zq7x41.canary@probemail-dw.net"

TABLE = pa.table(
    {
        "id": ["007", "008", "009"],
        "note": [f"mail {CANARY_EMAIL}", 'a "quoted", value\nover two lines', ""],
        "ssn": [CANARY_SSN, None, "x"],
    }
)
NESTED = pa.table(
    {
        "n": pa.array([1, 2], pa.int64()),
        "patient": pa.array(
            [{"name": "Ada", "ssn": CANARY_SSN}, {"name": "Bo", "ssn": None}],
            pa.struct([("name", pa.string()), ("ssn", pa.string())]),
        ),
    }
)
RECORDS: list[Any] = [
    {"id": 1, "patient": {"ssn": CANARY_SSN, "tags": ["a", "b"]}, "ok": True, "none": None},
    {"id": 2, "text": f"mail {CANARY_EMAIL}", "score": 0.5, "ünï": "çödé"},
    [1, "two", {"three": 3}],
]
LINES = ["first line", "", f"ssn {CANARY_SSN} and ünïcödé", "  indented\tand tabbed"]


def _write(path: Path, name: str, write: Callable[[Any], None], like: Source | None = None) -> None:
    writer_type = sources.get(name).writer
    assert writer_type is not None
    with atomic_file(path) as fh:
        writer = writer_type(fh, format=name, like=like)
        write(writer)
        writer.close()


def _table_round_trip(tmp: Path, name: str, ext: str, table: pa.Table) -> None:
    path = tmp / f"out{ext}"
    _write(path, name, lambda w: w.write_table(table))
    source = open_source(path)
    assert source.format == name
    back = pa.Table.from_batches(list(source.table_batches()))
    assert back.to_pylist() == table.to_pylist()
    assert back.column_names == table.column_names


def _csv(tmp: Path, name: str) -> None:
    strings = TABLE.set_column(2, "ssn", pa.array([CANARY_SSN, "", "x"]))
    _table_round_trip(tmp, name, "." + name, strings)


def _columnar(tmp: Path, name: str) -> None:
    _table_round_trip(tmp, name, "." + name, NESTED)


def _records(tmp: Path, name: str) -> None:
    path = tmp / f"out.{name}"
    _write(path, name, lambda w: w.write_records(RECORDS))
    source: Any = open_source(path)
    assert source.format == name
    assert [value for _where, value, _size in source.records()] == RECORDS


def _text(tmp: Path, name: str) -> None:
    path = tmp / "out.txt"
    _write(path, name, lambda w: w.write_lines(LINES))
    source: Any = open_source(path)
    assert source.format == name
    assert [line for _n, line in source.text_lines()] == LINES


ROUND_TRIPS: dict[str, Callable[[Path, str], None]] = {
    "csv": _csv,
    "tsv": _csv,
    "parquet": _columnar,
    "arrow": _columnar,
    "jsonl": _records,
    "json": _records,
    "text": _text,
}


@pytest.mark.parametrize("name", writable_formats())
def test_every_writable_format_round_trips_through_its_reader(tmp_path: Path, name: str) -> None:
    """A new format with a writer fails here until it has a round-trip case."""
    assert name in ROUND_TRIPS, f"add a round trip for the {name!r} format"
    ROUND_TRIPS[name](tmp_path, name)


def test_the_writable_formats_are_those_with_a_writer() -> None:
    builtin = {
        n
        for n in writable_formats()
        if sources.get(n).factory.__module__.startswith("dataward.sources.")
    }
    assert builtin == set(ROUND_TRIPS)
    assert sources.get("orc").writer is None


# -- a new format is one module: a reader, a writer, and protect takes it -----------------------


class KvSource(TextBasedSource):
    """``key=value`` lines (the example of docs/sources.md)."""

    def batches(self, batch_rows: int = 65_536) -> Iterator[pa.RecordBatch]:
        keys, values = [], []
        with self.open_utf8() as fh:
            for _lineno, line in self.lines(fh):
                key, _, value = line.partition("=")
                keys.append(key)
                values.append(value)
        if keys:
            yield pa.RecordBatch.from_pydict({"key": keys, "value": values})


class KvWriter(Writer):
    leak = ""

    def write_table(self, table: pa.Table) -> None:
        rows = table.to_pylist()
        text = "".join(f"{r['key']}={r['value']}{self.leak}\n" for r in rows)
        self.fh.write(text.encode())


class LeakyKvWriter(KvWriter):
    leak = f" (was {CANARY_EMAIL})"


@pytest.fixture
def kv_format(monkeypatch: pytest.MonkeyPatch) -> Callable[[type[Writer]], None]:
    def add(writer: type[Writer]) -> None:
        fmt = SourceFormat("kv", (".kv",), KvSource, writer=writer)
        monkeypatch.setitem(sources._items, "kv", fmt)  # removed again after the test

    return add


def test_a_plug_in_format_is_protected_and_verified_through_its_own_reader(
    tmp_path: Path, kv_format: Callable[[type[Writer]], None]
) -> None:
    from dataward.protect.files import protect_file
    from dataward.protect.verify import VerifyError

    kv_format(KvWriter)
    src = tmp_path / "settings.kv"
    src.write_text(f"owner={CANARY_EMAIL}\nssn={CANARY_SSN}\n")
    report = protect_file(src, tmp_path / "out.kv")
    assert report.format == "kv" and report.rows_in == 2
    assert report.verify == {"mode": "full", "rows": 2}
    text = (tmp_path / "out.kv").read_text()
    assert text.startswith("owner=") and CANARY_EMAIL not in text and CANARY_SSN not in text
    # a writer that puts a value back is caught by reading the output with the kv reader
    kv_format(LeakyKvWriter)
    with pytest.raises(VerifyError, match="EMAIL_ADDRESS"):
        protect_file(src, tmp_path / "leaky.kv")
    assert not (tmp_path / "leaky.kv").exists()


@pytest.mark.parametrize("suffix", [".gz", ".bz2", ".zst"])
@pytest.mark.parametrize("name", ["csv", "json", "parquet"])
def test_compressed_outputs_round_trip(tmp_path: Path, name: str, suffix: str) -> None:
    ROUND_TRIPS[name](tmp_path, name)  # writes out.<name>
    plain = tmp_path / f"out.{name}"
    packed = tmp_path / f"packed.{name}{suffix}"
    with atomic_file(packed) as fh:
        fh.write(plain.read_bytes())
    assert packed.read_bytes()[:2] != plain.read_bytes()[:2]  # really compressed
    a, b = open_source(plain), open_source(packed)
    assert a.format == b.format == name
    assert [x.to_pylist() for x in a.batches()] == [x.to_pylist() for x in b.batches()]


def test_json_writer_keeps_a_single_document_and_writes_an_empty_array(tmp_path: Path) -> None:
    doc = tmp_path / "one.json"
    doc.write_text(json.dumps({"patient": {"ssn": CANARY_SSN}}))
    source: Any = open_source(doc)
    assert not source.is_array
    out = tmp_path / "copy.json"
    _write(out, "json", lambda w: w.write_records([r for _i, r, _s in source.records()]), source)
    assert json.loads(out.read_text()) == {"patient": {"ssn": CANARY_SSN}}
    with pytest.raises(ConfigError, match="several records"):
        _write(tmp_path / "two.json", "json", lambda w: w.write_records([1, 2]), source)
    assert not (tmp_path / "two.json").exists()  # the failed write left nothing
    empty = tmp_path / "empty.json"
    _write(empty, "json", lambda w: None)
    assert json.loads(empty.read_text()) == []


def test_csv_writer_keeps_the_input_delimiter(tmp_path: Path) -> None:
    src = tmp_path / "semi.csv"
    src.write_text("a;b\n1;2\n")
    source = open_source(src)

    def write(w: Any) -> None:
        for batch in source.batches():
            w.write_table(pa.Table.from_batches([batch]))

    _write(tmp_path / "out.csv", "csv", write, source)
    assert (tmp_path / "out.csv").read_text() == '"a";"b"\n"1";"2"\n'
    _write(tmp_path / "out.tsv", "tsv", write, source)  # another format: its own delimiter
    assert (tmp_path / "out.tsv").read_text() == '"a"\t"b"\n"1"\t"2"\n'


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("visits.csv", "csv"),
        ("visits.CSV.GZ", "csv"),
        ("t.tab", "tsv"),
        ("a.ndjson.zst", "jsonl"),
        ("doc.json", "json"),
        ("x.parq", "parquet"),
        ("x.feather", "arrow"),
        ("notes.md", "text"),
        ("README", None),
        ("data.xml", None),
    ],
)
def test_the_registry_picks_a_format_by_name(name: str, expected: str | None) -> None:
    assert format_for(name) == expected


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'[{"a": 1}, {"a": 2}]', "json"),
        (b'{"a": 1}\n{"a": 2}\n', "jsonl"),
        (b'{\n  "a": 1\n}\n', "json"),
        (b"id,name\n1,Ada\n2,Bo\n", "csv"),
        (b"just some words\nand more words\n", "text"),
    ],
)
def test_the_registry_picks_a_format_by_content(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "no_extension"
    path.write_bytes(content)
    assert open_source(path).format == expected


def test_the_registry_picks_columnar_formats_by_magic(tmp_path: Path) -> None:
    for name in ("parquet", "arrow"):
        ROUND_TRIPS[name](tmp_path, name)
        blind = tmp_path / f"blind_{name}"
        blind.write_bytes((tmp_path / f"out.{name}").read_bytes())
        assert open_source(blind).format == name


def test_a_stream_is_read_from_its_start_by_each_reader_and_past_its_head_once() -> None:
    data = b"".join(f"line {i}\n".encode() for i in range(300_000))  # past the 1 MiB head
    location = StreamLocation(io.BytesIO(data), "<stdin>")
    source: Any = open_location(location, format=None, limits=Limits(), options={})
    assert source.format == "text"  # picked from the head, which the reader then reads again
    lines = [text for _n, text in source.text_lines()]
    assert len(lines) == 300_000 and lines[0] == "line 0" and lines[-1] == "line 299999"
    with pytest.raises(SourceError, match="<stdin>: can be read only once"):
        list(source.text_lines())


# -- dataward detect reads through the same readers --------------------------------------------


def _detect_rows(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines()]


def test_detect_reads_csv_jsonl_and_text_through_the_sources(
    tmp_path: Path, cli: Callable[..., Any]
) -> None:
    csv_file = tmp_path / "notes.csv"
    csv_file.write_text(f'id,text\nr1,"mail {CANARY_EMAIL}"\nr2,nothing\n')
    jsonl_file = tmp_path / "notes.jsonl"
    jsonl_file.write_text(
        json.dumps({"id": "j1", "text": f"mail {CANARY_EMAIL}"}) + "\n\n" + '{"text": "x"}\n'
    )
    json_file = tmp_path / "notes.json"
    json_file.write_text(json.dumps([{"id": "a", "text": f"mail {CANARY_EMAIL}"}, {"text": "y"}]))
    text_file = tmp_path / "notes.txt"
    text_file.write_text(f"nothing\nmail {CANARY_EMAIL}\n")
    expected = {
        csv_file: (["r1", "r2"], [1, 0]),
        jsonl_file: (["j1", 3], [1, 0]),  # a blank line is skipped; ids default to line numbers
        json_file: (["a", 2], [1, 0]),  # and to element numbers in a JSON array
        text_file: ([1, 2], [0, 1]),
    }
    for path, (ids, counts) in expected.items():
        res = cli("detect", str(path))
        assert res.code == 0, res.err
        rows = _detect_rows(res.out)
        assert [r["id"] for r in rows] == ids, path.name
        assert [len(r["findings"]) for r in rows] == counts, path.name
        assert CANARY_EMAIL not in res.out + res.err


def test_detect_names_a_missing_csv_column_and_reads_sniffed_text_as_lines(
    tmp_path: Path, cli: Callable[..., Any]
) -> None:
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(f"name,contact\nAda,{CANARY_EMAIL}\n")
    res = cli("detect", str(csv_file))
    assert res.code == 3
    assert "people.csv: has no column 'text' (columns: contact, name)" in res.err
    assert CANARY_EMAIL not in res.out + res.err
    found = cli("detect", str(csv_file), "--text-field", "contact", "--id-field", "name")
    assert [r["id"] for r in _detect_rows(found.out)] == ["Ada"]
    # stdin that merely looks like CSV (and has no text column) is read line by line
    piped = cli("detect", "-", stdin=f"a,b\nmail,{CANARY_EMAIL}\n".encode())
    assert piped.code == 0, piped.err
    assert [len(r["findings"]) for r in _detect_rows(piped.out)] == [0, 1]
