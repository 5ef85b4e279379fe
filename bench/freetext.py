"""A generated CSV with free-text columns, and `dataward scan --full` / `dataward protect` on it
with this tree and with a baseline commit in the same run (used by ``scan.py --free-text`` and
``protect.py --free-text``).

The CSV has an id, a name, an e-mail, a phone, an SSN-like number, two category columns and a
free-text ``notes`` column: sentences with names, street addresses, dates and now and then a
secret (an API key, a password). Names, streets and categories repeat (small vocabularies);
identifiers, dates and the notes are nearly all distinct, so repetition does not shrink the
work. The seed is fixed: every run reads the same bytes.

The baseline is ``BASE_COMMIT`` checked out with ``git worktree add`` (created when missing)
and run with this interpreter and ``PYTHONPATH=<worktree>/src``: same machine, same run, same
venv, so the ratio measures the code alone. Each command runs in a fresh process with the
default workers (every core), as a user would run it.
"""

from __future__ import annotations

import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

BASE_COMMIT = "89214ba"
BASE_TREE = Path("/tmp/dw-base")
REPO = Path(__file__).resolve().parent.parent

# invented names: a surrogate name that protect writes never equals an input name
FIRST = ["Zorvath", "Quenby", "Marnessa", "Thalric", "Ysolde", "Brannoc", "Elowyn", "Corvina"]
LAST = ["Quillby", "Drummage", "Ashvale", "Penhallow", "Trevenna", "Oakhurst", "Wendmere"]
STREETS = ["Larkspur Crescent", "Old Mill Row", "Heron Quay Road", "Tanners Lane", "Elm Street"]
CITIES = ["Fairhaven, OR", "Springfield, IL", "Austin, TX", "Portland, ME"]
DEPTS = ["billing", "support", "claims", "intake", "oncology", "sales"]
STATUS = ["open", "closed", "pending", "escalated"]
FILLER = (  # noqa: SIM905 - a word list reads best as one string
    "the customer reported that the parcel arrived late and asked for a refund while the "
    "patient mentioned mild pain after the procedure and wants a follow up call next week"
).split()


def _note(rng: random.Random) -> str:
    """One free-text cell: prose with a name, an address or a date, sometimes a secret."""
    r = rng.randint
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    words = " ".join(rng.choice(FILLER) for _ in range(r(10, 30)))
    date = f"{r(2019, 2025)}-{r(1, 12):02d}-{r(1, 28):02d}"
    address = f"{r(10, 9999)} {rng.choice(STREETS)}, {rng.choice(CITIES)}"
    kind = r(0, 19)
    if kind < 6:
        return f"Spoke with {name} on {date}; {words}."
    if kind < 10:
        return f"{words}. Due {date}, ship to {address}."
    if kind < 12:
        return f"{name} called from ({r(200, 989)}) 555-{r(1000, 9999)}: {words}."
    if kind == 12:
        key = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))
        return f"{words}. Temp access key: AKIA{key}"
    if kind == 13:
        return f"{words}. Login for the portal: password=Tr0ub4dor&{r(10, 99)}x"
    return f"{words[0].upper()}{words[1:]}."


def write_csv(path: Path, mb: float, seed: int = 12) -> int:
    """Write about ``mb`` megabytes of the table to ``path``; returns the row count."""
    rng = random.Random(seed)
    r = rng.randint
    target = int(mb * 1_000_000)
    size = rows = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        header = "id,name,email,phone,ssn,department,status,notes\n"
        fh.write(header)
        size += len(header)
        while size < target:
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            note = _note(rng).replace('"', '""')
            line = (
                f"{rows},{name},{name.split()[0].lower()}.{r(0, 10**6)}@example.org,"
                f"+1 415 555 {r(1000, 9999)},{r(100, 665)}-{r(10, 99)}-{r(1000, 9999)},"
                f'{rng.choice(DEPTS)},{rng.choice(STATUS)},"{note}"\n'
            )
            fh.write(line)
            size += len(line.encode())
            rows += 1
    return rows


def base_tree() -> Path:
    """The baseline worktree (``git worktree add``, once)."""
    if not (BASE_TREE / "src" / "dataward").is_dir():
        subprocess.run(
            ["git", "-C", str(REPO), "worktree", "add", "--detach", str(BASE_TREE), BASE_COMMIT],
            check=True,
            capture_output=True,
        )
    return BASE_TREE


BUDGET_MS = "60000"
"""The per-record time budget of both runs: on a loaded machine the default (1 s) can stop a
run; the same for both, so the ratio is fair."""


def timed(args: list[str], src: Path, home: Path) -> tuple[float, float]:
    """Wall and CPU seconds (the command and its workers) of ``dataward ARGS`` run with
    ``src`` first on the import path."""
    env = dict(
        os.environ,
        PYTHONPATH=str(src),
        DATAWARD_HOME=str(home),
        DATAWARD_DETECT__RECORD_BUDGET_MS=BUDGET_MS,
    )
    env.pop("DATAWARD_WORKERS", None)
    cmd = [sys.executable, "-c", "from dataward.cli.main import run; run()", *args]
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=home)
    seconds = time.perf_counter() - started
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 5):
        raise SystemExit(f"{' '.join(args[:1])} failed ({done.returncode}): {done.stderr[-2000:]}")
    cpu = cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime
    return seconds, cpu


def compare(command: str, mb: float, folder: Path) -> None:
    """Time ``command`` (scan or protect) on the CSV with the baseline and this tree."""
    csv_path = folder / "freetext.csv"
    if not csv_path.exists():
        rows = write_csv(csv_path, mb)
        print(f"data: {csv_path.stat().st_size / 1e6:.1f} MB, {rows:,} rows", flush=True)
    size = csv_path.stat().st_size / 1e6
    rates: dict[str, tuple[float, float]] = {}
    for label, src in (
        ("baseline " + BASE_COMMIT, base_tree() / "src"),
        ("this tree", REPO / "src"),
    ):
        home = folder / ("home-" + label.split()[0])
        home.mkdir(exist_ok=True)
        if command == "scan":
            args = ["scan", str(csv_path), "--full", "--force", "--format", "json"]
        else:
            args = ["protect", str(csv_path), str(folder / f"out-{label.split()[0]}.csv"), "-q"]
        seconds, cpu = timed(args, src, home)
        rates[label] = (size / seconds, size / cpu)
        print(
            f"{command} {label:<18} {seconds:7.1f} s {size / seconds:6.2f} MB/s wall; "
            f"CPU {cpu:7.1f} s {size / cpu:6.2f} MB/s per CPU-second",
            flush=True,
        )
    (base_wall, base_cpu), (new_wall, new_cpu) = rates.values()
    print(
        f"{command}: this tree / baseline = {new_wall / base_wall:.2f}x wall, "
        f"{new_cpu / base_cpu:.2f}x CPU",
        flush=True,
    )
