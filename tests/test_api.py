from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import dataward as dw

DOCUMENTED_API = {
    "AuditError",
    "ConfigError",
    "DatawardError",
    "DetectorError",
    "Explanation",
    "Finding",
    "PolicyError",
    "Runtime",
    "SourceError",
    "UnknownNameError",
    "__version__",
    "detect",
    "detect_batch",
    "get_engine",
    "open",
    "decide",
    "protect",
    "scan",
}


def test_public_api_is_pinned() -> None:
    assert set(dw.__all__) == DOCUMENTED_API
    for name in dw.__all__:
        assert hasattr(dw, name)


def test_detect_returns_findings_without_values() -> None:
    [f] = dw.detect("Reach me at ada@example.org", entities=["EMAIL_ADDRESS"])
    assert (f.entity, f.start, f.end) == ("EMAIL_ADDRESS", 12, 27)
    assert "ada@example.org" not in repr(f)


# -- what users hold: each input kind goes in and comes back as the same kind -------------------

SSN = "523-71-6604"
EMAIL = "zq7x41.canary@probemail-dw.net"
COLUMNS = {"ssn": [SSN, "536-22-8174"], "email": [EMAIL, "bo@example.org"], "n": [1, 2]}


def _kinds() -> dict[str, Any]:
    table = pa.table(COLUMNS)
    kinds: dict[str, Any] = {
        "arrow": table,
        "batch": table.to_batches()[0],
        "records": table.to_pylist(),
        "columns": dict(COLUMNS),
    }
    if importlib.util.find_spec("pandas") is not None:
        kinds["pandas"] = table.to_pandas()
    if importlib.util.find_spec("polars") is not None:
        import polars as pl

        kinds["polars"] = pl.from_arrow(table)
    return kinds


@pytest.mark.parametrize("kind", ["arrow", "batch", "records", "columns", "pandas", "polars"])
def test_protect_gives_back_what_it_was_given(kind: str) -> None:
    kinds = _kinds()
    if kind not in kinds:
        pytest.skip(f"{kind} is not installed")
    data = kinds[kind]
    out = dw.protect(data)
    assert type(out) is type(data)
    if kind == "pandas":
        shown = out.to_dict("list")
    elif kind == "polars":
        shown = out.to_dict(as_series=False)
    else:
        shown = out.to_pydict() if hasattr(out, "to_pydict") else out
    text = repr(shown)
    assert SSN not in text and EMAIL not in text
    assert "tok_1_" in text and "536-22-8174" not in text


def test_protect_records_keeps_their_shape_and_keys() -> None:
    records = [
        {"patient": {"email": EMAIL, "phones": ["+1 415 555 0100"]}, "visits": 3, EMAIL: 1},
        {"patient": {"email": "bo@example.org", "phones": []}, "visits": 4, "note": f"SSN {SSN}"},
    ]
    out = dw.protect(records)
    assert isinstance(out, list) and len(out) == 2
    assert out[0]["visits"] == 3 and isinstance(out[0]["patient"]["phones"], list)
    assert SSN not in json.dumps(out) and EMAIL not in json.dumps(out)  # values, keys, nested


def test_protect_records_drops_the_records_a_suppress_hits() -> None:
    records = [{"email": EMAIL, "n": 1}, {"email": None, "n": 2}, {"n": 3}]
    out = dw.protect(records, rules=[{"column": "email", "operator": "suppress"}])
    assert out == [{"email": None, "n": 2}, {"n": 3}]


def test_struct_columns_are_read_leaf_by_leaf_and_come_back_as_structs() -> None:
    rows: list[Any] = [{"code": f"C{i}", "comment": "fine"} for i in range(30)]
    rows[3] = {"code": "C3", "comment": f"SSN {SSN} on file"}  # 1 row in 30: no sensitive column
    rows[5] = None
    table = pa.table({"n": list(range(30)), "meta": rows})
    out = dw.protect(table)
    assert out.schema.field("meta").type == table.schema.field("meta").type
    assert SSN not in repr(out.to_pylist())  # before: the struct column was kept unread
    assert out.column("meta")[5].as_py() is None and out.column("meta")[4].as_py()["code"] == "C4"


def test_protect_a_path_writes_beside_it_and_returns_the_output(tmp_path: Path) -> None:
    src = tmp_path / "patients.csv"
    src.write_text(f"ssn,email\n{SSN},{EMAIL}\n536-22-8174,bo@example.org\n")
    out = dw.protect(src)
    assert out == tmp_path / "patients.protected.csv" and out.exists()
    assert SSN not in out.read_text() and EMAIL not in out.read_text()
    chosen = dw.protect(str(src), output=tmp_path / "o.csv")
    assert chosen == tmp_path / "o.csv" and SSN not in chosen.read_text()


def test_protect_a_folder_writes_a_protected_folder_beside_it(tmp_path: Path) -> None:
    src = tmp_path / "exports"
    (src / "sub").mkdir(parents=True)
    (src / "a.csv").write_text(f"ssn,email\n{SSN},{EMAIL}\n536-22-8174,bo@example.org\n")
    (src / "sub" / ".hidden.txt").write_text(f"my ssn is {SSN}\n")
    out = dw.protect(src)
    assert out == tmp_path / "exports.protected"
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert [w for w in written if not w.startswith(".dataward")] == ["a.csv", "sub/.hidden.txt"]
    for path in out.rglob("*"):
        if path.is_file():
            assert SSN not in path.read_text() and EMAIL not in path.read_text()
    chosen = dw.protect(src, output=tmp_path / "elsewhere")
    assert chosen == tmp_path / "elsewhere" and (chosen / "a.csv").is_file()


def test_text_and_lists_of_text_stay_text() -> None:
    assert SSN not in dw.protect(f"SSN {SSN}")
    out = dw.protect([f"mail {EMAIL}", None])
    assert out[1] is None and EMAIL not in out[0]


@pytest.mark.parametrize("kind", ["arrow", "records", "columns", "pandas", "polars"])
def test_scan_reads_data_in_memory(kind: str) -> None:
    kinds = _kinds()
    if kind not in kinds:
        pytest.skip(f"{kind} is not installed")
    result = dw.scan(kinds[kind])
    [dataset] = result.datasets
    entities = {c.name: c.entity for c in dataset.columns}
    assert entities["ssn"] == "US_SSN" and entities["email"] == "EMAIL_ADDRESS"
    assert result.errors == [] and result.scan_id is None  # not recorded: it has no path
    assert SSN not in json.dumps(result.to_dict()) and EMAIL not in json.dumps(result.to_dict())


def test_unsupported_input_names_the_accepted_kinds() -> None:
    for call in (dw.scan, dw.protect):
        with pytest.raises(dw.ConfigError, match="pandas or polars DataFrame, a list of dicts"):
            call(42)
