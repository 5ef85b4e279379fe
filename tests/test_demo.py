"""The README's first command: the whole loop on generated data, with embedded defaults."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import CliResult


def test_demo_runs_end_to_end(tmp_path: Path, cli: Callable[..., CliResult]) -> None:
    res = cli("demo", "--dir", str(tmp_path / "demo"))
    assert res.code == 0, res.err
    out = " ".join(res.out.split())
    assert "allow_with_obligations" in out and "tokenize:PHI" in out
    assert "leak check: 0 original identifiers remain" in out, (
        out[out.find("5.") :][:300] + (tmp_path / "demo" / "report.html").read_text()[-1500:]
    )
    # transforms only claimed lift nothing; the protect receipts do, and the token names them
    assert "claimed only: allow_with_obligations; with evidence: allow" in out
    assert "go token issued: True, naming 9 receipts" in out
    assert "audit log: verified" in out
    report = tmp_path / "demo" / "report.html"
    page = report.read_text(encoding="utf-8")
    assert "Leak check" in page and "Decision after protection" in page
    assert "Protect with the decision" in page and "evidence it names" in page
    protected = sorted(p.name for p in (tmp_path / "demo" / "protected").rglob("*") if p.is_file())
    assert "patients.csv" in protected and "claims.parquet" in protected
    # the report and the output never show an original value
    import csv

    with (tmp_path / "demo" / "landing" / "patients.csv").open(encoding="utf-8") as fh:
        ssns = [row["ssn"] for row in csv.DictReader(fh)]
    assert not any(ssn in page or ssn in res.out for ssn in ssns)


def test_demo_names_never_collide_with_surrogates() -> None:
    from dataward.demo.landing import FIRST, LAST
    from dataward.protect.operators._surrogate_data import FIRST_NAMES, LAST_NAMES

    assert not set(FIRST) & set(FIRST_NAMES)
    assert not set(LAST) & set(LAST_NAMES)
