from __future__ import annotations

import io
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def _pattern_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One compiled-pattern cache for the whole run (shared by xdist workers)."""
    return tmp_path_factory.getbasetemp().parent / "dataward-pattern-cache"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, _pattern_cache: Path) -> None:
    """Every test gets its own DATAWARD_HOME and a working directory without dataward.yaml."""
    monkeypatch.setenv("DATAWARD_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DATAWARD_CACHE_DIR", str(_pattern_cache))
    monkeypatch.chdir(tmp_path)


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., CliResult]:
    """Run the real console entry point in-process: ``cli("detect", "-", stdin=b"...")``."""
    from dataward.cli.main import run

    def invoke(*args: str, stdin: bytes | None = None) -> CliResult:
        monkeypatch.setattr(sys, "argv", ["dataward", *args])
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
        capsys.readouterr()
        code = 0
        try:
            run()
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return invoke
