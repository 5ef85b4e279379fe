"""``POST /v1/scan`` reads only under its scan roots, with symlinks resolved, and never the
service's own home (key ring, signing key, store)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.server.conftest import Live
from tests.server.test_e2e import _wait

CANARY_SSN = "523-71-6604"


def _people(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["name", "ssn"])
        for i in range(30):
            w.writerow([f"person {i}", CANARY_SSN if i == 0 else f"{600 + i}-{20 + i}-{3000 + i}"])
    return path


def test_a_symlink_out_of_the_root_is_refused(
    live: Live, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = _people(tmp_path_factory.mktemp("outside") / "secret.csv")
    _people(tmp_path / "data" / "people.csv")
    (tmp_path / "data" / "link.csv").symlink_to(outside)
    (tmp_path / "data" / "sub").mkdir()
    (tmp_path / "data" / "sub" / "up").symlink_to(outside.parent, target_is_directory=True)
    with live.client("pipeline") as c:
        for paths in (["data/link.csv"], [str(tmp_path / "data")], ["data"]):
            r = c.post("/v1/scan", json={"paths": paths, "sample": 100})
            assert r.status_code == 403, (paths, r.text)
        assert "link.csv" in c.post("/v1/scan", json={"paths": ["data"]}).json()["detail"]
        (tmp_path / "data" / "link.csv").unlink()
        # a link to a folder is not followed by the scanner, but it leaves the root: refused
        r = c.post("/v1/scan", json={"paths": ["data"], "sample": 100})
        assert r.status_code == 403 and "sub/up" in r.json()["detail"]
        (tmp_path / "data" / "sub" / "up").unlink()
        (tmp_path / "data" / "inside.csv").symlink_to(tmp_path / "data" / "people.csv")
        r = c.post("/v1/scan", json={"paths": ["data"], "sample": 100})  # links inside: fine
        assert r.status_code == 202, r.text
        job = _wait(c, r.json()["job_id"])
    assert job["status"] == "done", job
    # a link inside the root names the same file: one dataset (one identity per file)
    assert [Path(d["path"]).name for d in job["result"]["datasets"]] == ["people.csv"]
    assert CANARY_SSN not in str(job)


def test_the_home_is_never_scanned(live: Live, tmp_path: Path) -> None:
    home = tmp_path / "home"  # DATAWARD_HOME, under the scan root (the working directory)
    _people(home / "notes.csv")
    _people(tmp_path / "data" / "people.csv")
    with live.client("pipeline") as c:
        for paths in (["home"], ["home/notes.csv"], [str(home)]):
            r = c.post("/v1/scan", json={"paths": paths})
            assert r.status_code == 403, (paths, r.text)
        r = c.post("/v1/scan", json={"paths": ["."], "sample": 100})
        assert r.status_code == 202, r.text
        job = _wait(c, r.json()["job_id"])
    assert job["status"] == "done", job
    scanned = [Path(d["path"]) for d in job["result"]["datasets"]]
    assert tmp_path / "data" / "people.csv" in scanned
    assert not [p for p in scanned if home in p.parents], scanned
