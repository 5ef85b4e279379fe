"""Worker pools: ``detect_batch`` in a plain script and on stdin; no orphan workers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.processes import kill, needs_proc, start, survivors, wait_for_workers

CANARY_SSN = "523-71-6604"
CANARY_EMAIL = "zq7x41.canary@probemail-dw.net"

SCRIPT = f"""
import json
import dataward as dw

texts = [
    "SSN {CANARY_SSN} on file",
    "write to {CANARY_EMAIL} today",
    None,
    "nothing to see",
] * 400
got = [[(f.entity, f.start, f.end) for f in fs] for fs in dw.detect_batch(texts, workers=2)]
want = [[(f.entity, f.start, f.end) for f in dw.detect(t)] if t else [] for t in texts]
print(json.dumps({{"same": got == want, "rows": len(got), "found": sum(map(len, got))}}))
"""


@pytest.mark.parametrize("how", ["file", "stdin"])
def test_detect_batch_needs_no_main_guard(tmp_path: Path, how: str) -> None:
    """No ``if __name__ == "__main__":`` in the script: workers must not re-run it (spawn
    crashed on a script file and hung on a script piped on stdin)."""
    script = tmp_path / "plain.py"
    script.write_text(SCRIPT)
    args = [sys.executable, str(script)] if how == "file" else [sys.executable, "-"]
    done = subprocess.run(
        args,
        input=SCRIPT.encode() if how == "stdin" else None,
        capture_output=True,
        timeout=300,
        check=False,
    )
    out, err = done.stdout.decode(), done.stderr.decode()
    assert done.returncode == 0, err[-2000:]
    assert json.loads(out) == {"same": True, "rows": 1600, "found": 800}
    assert "Traceback" not in err and "RuntimeError" not in err
    assert CANARY_SSN not in out + err and CANARY_EMAIL not in out + err


PROSE = (
    "The patient was seen in clinic today and reported feeling much better since the last "
    "visit; the plan is to continue the current medication and to review again next month. "
) * 6


def _records(path: Path, rows: int) -> Path:
    with path.open("w") as fh:
        for i in range(rows):
            text = f"Row {i}: call 555-01{i % 100:02d}, SSN {CANARY_SSN}, mail {CANARY_EMAIL}. "
            text += PROSE
            fh.write(json.dumps({"id": i, "text": text}) + "\n")
    return path


@needs_proc
@pytest.mark.parametrize("how", ["SIGKILL", "SIGTERM"])
def test_detect_workers_die_with_the_command(tmp_path: Path, how: str) -> None:
    """Killing ``dataward detect`` (kill -9, kill) leaves no worker. (Ctrl-C to the group,
    ``kill(proc, "SIGINT")``, already left none before the change, so it is not a case.)"""
    src = _records(tmp_path / "big.jsonl", 40_000)
    proc = start(["detect", str(src), "--workers", "2"], tmp_path / "home")
    workers = wait_for_workers(proc, 2)
    kill(proc, how)
    assert survivors(workers) == []
