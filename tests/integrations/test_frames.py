"""df.dataward on pandas and polars, and the datasets map function: the SDK's results, and
canaries nowhere they must not be."""

from __future__ import annotations

import json
import logging

import pyarrow as pa
import pytest

import dataward as dw
from dataward.errors import ConfigError
from dataward.integrations.frames import map_function, register
from dataward.keys.ring import KeyRing

EMAIL = "canary.7731@example.org"
SSN = "078-05-1120"
TEXTS = [f"mail {EMAIL} today", None, "", f"patient SSN {SSN}", "nothing here"]
RING = KeyRing.from_secret(b"f" * 32)


def expected() -> list[list[dict[str, object]]]:
    return [[f.to_dict() for f in dw.detect(t)] if t else [] for t in TEXTS]


def test_register_names_both_libraries_and_repeats_harmlessly() -> None:
    assert register() == ["pandas", "polars"]
    assert register() == ["pandas", "polars"]


def test_pandas_accessor_detects_as_dw_detect() -> None:
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"id": range(len(TEXTS)), "text": TEXTS})
    out = df.dataward.detect()
    assert list(out["findings"]) == expected()
    assert "findings" not in df.columns  # a copy; the caller's frame is unchanged
    assert {f["entity"] for fs in out["findings"] for f in fs} >= {"EMAIL_ADDRESS", "US_SSN"}


def test_polars_namespace_detects_as_dw_detect() -> None:
    pl = pytest.importorskip("polars")
    df = pl.DataFrame({"id": list(range(len(TEXTS))), "text": TEXTS})
    out = df.dataward.detect(output="hits")
    assert out.get_column("hits").to_list() == expected()


def test_accessors_protect_and_scan_as_the_sdk(caplog: pytest.LogCaptureFixture) -> None:
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    caplog.set_level(logging.DEBUG, logger="dataward")
    data = {"email": [EMAIL, "bob@example.com"] * 3, "n": [1, 2, 3, 4, 5, 6]}
    pdf = pd.DataFrame(data)
    out = pdf.dataward.protect(keyring=RING)
    assert out.equals(dw.protect(pdf, keyring=RING))
    assert EMAIL not in out.to_json()
    plf = pl.DataFrame(data)
    out_pl = plf.dataward.protect(keyring=RING)
    assert out_pl.equals(dw.protect(plf, keyring=RING))
    assert EMAIL not in json.dumps(out_pl.to_dicts())
    scanned = pdf.dataward.scan().datasets[0]
    assert scanned.columns[0].entity == "EMAIL_ADDRESS"
    decision = {
        "decision_id": "dec-frames",
        "effect": "allow_with_obligations",
        "obligations": [{"transform": "redact:EMAIL_ADDRESS"}],
    }
    result = pdf.dataward.protect(decision=decision, keyring=RING)
    assert result.receipt["decision_id"] == "dec-frames"
    assert EMAIL not in result.data.to_json()
    assert EMAIL not in caplog.text


def test_accessor_errors_are_one_line_and_name_no_value() -> None:
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"text": [EMAIL, 5]})
    with pytest.raises(ConfigError, match="no column 'body'"):
        df.dataward.detect("body")
    with pytest.raises(ConfigError, match="already has a column 'text'") as err:
        df.dataward.detect(output="text")
    with pytest.raises(ConfigError, match="row 1 of column 'text' is int") as err:
        df.dataward.detect()
    assert EMAIL not in str(err.value)


def test_datasets_map_adds_findings_and_protects() -> None:
    datasets = pytest.importorskip("datasets")
    ds = datasets.Dataset.from_dict({"text": TEXTS})
    out = ds.map(map_function(), batched=True, batch_size=2)
    got = [[{**f, "score": round(f["score"], 4)} for f in fs] for fs in list(out["findings"])]
    assert got == expected()
    protected = ds.map(map_function(protect=True, rules={"defaults": {}}), batched=True)
    text = json.dumps(list(protected["text"]))
    assert EMAIL not in text and SSN not in text
    assert protected["text"][4] == "nothing here"
    assert protected["text"][1] is None


def test_map_function_refuses_a_missing_column() -> None:
    with pytest.raises(ConfigError, match="no column 'body'"):
        map_function("body")({"text": ["x"]})
    assert pa is not None
