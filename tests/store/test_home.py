"""The home folder is private: created 0700, every file in it 0600, whatever the umask."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

REQUEST = (
    '{"principal": {"type": "User", "id": "ann"}, "action": "train",'
    ' "resource": {"type": "Dataset", "id": "patients", "tags": ["PHI"]},'
    ' "context": {"purpose": "marketing"}}'
)
CANARY = "zq7x41.canary@probemail-dw.net"


def _dataward(args: list[str], cwd: Path, home: Path, umask: int) -> None:
    env = {**os.environ, "DATAWARD_HOME": str(home)}
    env.pop("DATAWARD_DATABASE_URL", None)
    code = "from dataward.cli.main import run; run()"
    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=cwd,
        env=env,
        umask=umask,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
@pytest.mark.parametrize("umask", [0o022, 0o000])
def test_home_and_its_files_are_private(tmp_path: Path, umask: int) -> None:
    home = tmp_path / "deep" / "home"
    (tmp_path / "request.json").write_text(REQUEST)
    (tmp_path / "in.csv").write_text(f"id,email\n1,{CANARY}\n2,ann@example.org\n")
    _dataward(["decide", "request.json"], tmp_path, home, umask)  # the store, signing keys
    _dataward(["protect", "in.csv", "out.csv", "-q"], tmp_path, home, umask)  # key ring, cache
    modes = {str(p.relative_to(tmp_path)): stat.S_IMODE(p.stat().st_mode) for p in home.rglob("*")}
    modes["deep"] = stat.S_IMODE((tmp_path / "deep").stat().st_mode)
    modes["deep/home"] = stat.S_IMODE(home.stat().st_mode)
    assert "deep/home/dataward.db" in modes and "deep/home/keys.json" in modes
    wrong = {
        name: f"{mode:04o}"
        for name, mode in modes.items()
        if mode != (0o700 if (tmp_path / name).is_dir() else 0o600)
    }
    assert wrong == {}


def test_an_existing_database_open_to_others_is_tightened(tmp_path: Path) -> None:
    from dataward.store import open_store

    db = tmp_path / "old.db"
    db.touch()
    db.chmod(0o644)
    open_store(f"sqlite:///{db}").close()
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
