"""Protect verifies its own output before renaming it into place, and leaves no temporary file
behind: not on errors, not on SIGTERM, and not after a ``kill -9`` (the next run cleans up)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.protect.test_value_level import EMAIL, _assert_absent, _protect_events, _store_bytes

EMAILS = [EMAIL] + [f"member.{c}{c}{c}@probemail-dw.net" for c in "abcdefghij"]


def _contacts(tmp_path: Path) -> Path:
    src = tmp_path / "contacts.csv"
    src.write_text("id,contact\n" + "".join(f"{i},{e}\n" for i, e in enumerate(EMAILS)))
    return src


def test_verify_stops_a_run_that_leaves_values(cli: Callable[..., Any], tmp_path: Path) -> None:
    """A rule that masks only digits keeps e-mails without digits whole: the re-scan of the
    output finds them, the run stops with one line, and nothing is written."""
    src, out = _contacts(tmp_path), tmp_path / "out.csv"
    cfg = tmp_path / "c.yaml"
    cfg.write_text("protect:\n  rules:\n    - {column: contact, operator: mask, which: digits}\n")
    r = cli("protect", str(src), str(out), "--config", str(cfg))
    assert r.code == 1
    assert "verification failed" in r.err and "EMAIL_ADDRESS" in r.err
    assert len(r.err.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.yaml", "contacts.csv", "home"]
    _assert_absent(tuple(EMAILS), r.out + r.err, _store_bytes(tmp_path))


def test_no_verify_is_recorded_in_the_audit_event(cli: Callable[..., Any], tmp_path: Path) -> None:
    src = _contacts(tmp_path)
    r = cli("protect", str(src), str(tmp_path / "a.csv"))
    assert r.code == 0, r.err
    r = cli("protect", str(src), str(tmp_path / "b.csv"), "--no-verify")
    assert r.code == 0, r.err
    events = _protect_events()
    assert [e["verify"] for e in events] == ["full", "off"]
    assert events[0]["verified_rows"] == len(EMAILS)
    _assert_absent(tuple(EMAILS), (tmp_path / "b.csv").read_text(), _store_bytes(tmp_path))


_WRITER = """
import os, signal, sys, time
from pathlib import Path
from dataward.sources.output import atomic_file
with atomic_file(Path(sys.argv[1])) as fh:
    fh.write(b"protected rows\\n")
    fh.flush()
    os.kill(os.getpid(), getattr(signal, sys.argv[2]))
    time.sleep(30)
"""


def _killed_writer(out: Path, signal_name: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", _WRITER, str(out), signal_name], capture_output=True, timeout=120
    )
    return done.returncode


def test_sigterm_removes_the_temporary_file(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    code = _killed_writer(folder / "o.csv", "SIGTERM")
    assert code == 128 + 15
    assert list(folder.iterdir()) == []


def test_temp_file_of_a_killed_run_is_cleaned_by_the_next(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    assert _killed_writer(folder / "o.csv", "SIGKILL") == -9
    left = [p.name for p in folder.iterdir()]
    assert len(left) == 1 and left[0].startswith(".o.csv.dw-protect-") and left[0].endswith(".tmp")
    src = _contacts(tmp_path)
    r = cli("protect", str(src), str(folder / "o.csv"))
    assert r.code == 0, r.err
    assert [p.name for p in folder.iterdir()] == ["o.csv"]


def test_a_text_past_the_detection_budget_stops_the_run(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    """The engine gives up on a text past its time budget (partial findings): protect never
    writes such a text as if it were clean."""
    (tmp_path / "dataward.yaml").write_text("detect:\n  record_budget_ms: 0.000001\n")
    src, out = tmp_path / "notes.csv", tmp_path / "out.csv"
    src.write_text("id,note\n" + "".join(f"{i},write to {e} today\n" for i, e in enumerate(EMAILS)))
    r = cli("protect", str(src), str(out))
    assert r.code == 1
    assert "time budget" in r.err and len(r.err.strip().splitlines()) == 1
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.suffix == ".tmp"]
    _assert_absent(tuple(EMAILS), r.out + r.err, _store_bytes(tmp_path))


def test_large_outputs_are_verified_on_a_sample(cli: Callable[..., Any], tmp_path: Path) -> None:
    src = tmp_path / "notes.csv"
    src.write_text("id,note\n" + "".join(f"{i},note {i} for {EMAILS[i % 11]}\n" for i in range(60)))
    cfg = tmp_path / "c.yaml"
    cfg.write_text("protect:\n  verify_rows: 10\n")
    r = cli("protect", str(src), str(tmp_path / "out.csv"), "--config", str(cfg))
    assert r.code == 0, r.err
    assert "verified: sampled" in r.err
    (event,) = _protect_events()
    assert event["verify"] == "sampled" and event["verified_rows"] == 10
