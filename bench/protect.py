"""Protect operators: values per second on Arrow string arrays, one core.

Each operator runs over ``--n`` distinct values (default 1,000,000; distinct, so no
deduplication helps) next to a plain-Python baseline measured in the same run: the obvious
per-value loop with the standard library or the reference package (FF3-1: the ``ff3``
package, when installed), on a sample of the same values.

    python bench/protect.py            # goal: hash and token >= 500k/s, fpe >= 50k/s
    python bench/protect.py --n 200000
    python bench/protect.py --file            # whole-file protect of a ~50 MB patient CSV
    python bench/protect.py --file --mb 10
    python bench/protect.py --free-text       # `dataward protect` of a 50 MB CSV with free-text
                                              # notes, this tree against a baseline (freetext.py)
    python bench/protect.py --free-text --mb 5
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import os
import time
from collections.abc import Callable

import pyarrow as pa

from dataward.protect import KeyRing, get_operator

BASELINE_SAMPLE = 100_000


def _rate(fn: Callable[[], object], n: int) -> float:
    start = time.perf_counter()
    fn()
    return n / (time.perf_counter() - start)


def _patient_csv(path: str, mb: float) -> int:
    """A generated patient CSV of about ``mb`` megabytes; returns its row count."""
    import random

    rng = random.Random(5)
    first = ["Zorvath", "Quenby", "Marnessa", "Thalric", "Ysolde", "Brannoc", "Elowyn"]
    last = ["Quillby", "Drummage", "Ashvale", "Penhallow", "Trevenna", "Oakhurst"]
    streets = ["Larkspur Crescent", "Old Mill Row", "Heron Quay Road", "Tanners Lane"]
    target = int(mb * 1_000_000)
    size = rows = 0
    from pathlib import Path

    with Path(path).open("w", encoding="utf-8") as fh:
        header = (
            "patient_id,full_name,ssn,passport_no,home_address,phone,email,date_of_birth,"
            "ward,notes\n"
        )
        fh.write(header)
        size += len(header)
        while size < target:
            name = f"{rng.choice(first)} {rng.choice(last)}"
            ssn = f"{rng.randint(100, 665)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}"
            phone = f"(541) 555-{rng.randint(1000, 9999)}"
            address = (
                f"{rng.randint(10, 9999)} {rng.choice(streets)}, Fairhaven, OR 97{rows % 90 + 10}"
            )
            note = rng.choice(
                [
                    f"{name} (SSN {ssn}) called from {phone} about a refill.",
                    f"Home visit at {address}; patient reports mild pain.",
                    "Routine follow-up, no concerns raised.",
                ]
            )
            line = (
                f"P{rows:07d},{name},{ssn},{rng.randint(100000000, 999999999)},"
                f'"{address}",{phone},user{rows}@example.net,'
                f"{rng.randint(1935, 2006)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d},"
                f'{rng.choice("ABC")},"{note}"\n'
            )
            fh.write(line)
            size += len(line)
            rows += 1
    return rows


def bench_file(mb: float) -> None:
    import tempfile
    from pathlib import Path

    from dataward.protect.apply import Protector
    from dataward.protect.files import protect_file

    with tempfile.TemporaryDirectory() as folder:
        src, out = Path(folder) / "patients.csv", Path(folder) / "protected.csv"
        rows = _patient_csv(str(src), mb)
        size = src.stat().st_size
        protector = Protector(None, keyring=KeyRing.from_secret(os.urandom(32)))
        start = time.perf_counter()
        report = protect_file(src, out, protector=protector)
        seconds = time.perf_counter() - start
        print(
            f"protect --file: {size / 1e6:.1f} MB, {rows:,} rows in {seconds:.1f} s: "
            f"{size / 1e6 / seconds:.2f} MB/s, {rows / seconds:,.0f} rows/s "
            f"({report.rows_out:,} rows written)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--file", action="store_true", help="whole-file protect of a CSV")
    parser.add_argument(
        "--free-text", action="store_true", help="this tree against a baseline (freetext.py)"
    )
    parser.add_argument("--mb", type=float, default=50.0, help="--file, --free-text: MB of CSV")
    args = parser.parse_args()
    if args.free_text:
        import tempfile
        from pathlib import Path

        from freetext import compare

        with tempfile.TemporaryDirectory() as tmp:
            compare("protect", args.mb, Path(tmp))
        return
    if args.file:
        bench_file(args.mb)
        return
    n = args.n
    ring = KeyRing.from_secret(os.urandom(32))
    emails = pa.array([f"user{i:07d}@example.com" for i in range(n)])
    cards = pa.array([f"4{i * 7919 % 10**15:015d}" for i in range(n)])
    dates = pa.array([f"{1950 + i % 70}-{1 + i % 12:02d}-{1 + i % 28:02d}" for i in range(n)])
    m = min(n, BASELINE_SAMPLE)
    sample_emails = emails.slice(0, m).to_pylist()
    sample_cards = cards.slice(0, m).to_pylist()
    hash_key = ring.subkey("hash")

    def base_mask() -> list[str]:
        return ["*" * (len(v) - 4) + v[-4:] for v in sample_emails]

    def base_hash() -> list[str]:
        return [hmac.new(hash_key, v.encode(), hashlib.sha256).hexdigest() for v in sample_emails]

    def base_token() -> list[bytes]:
        from cryptography.hazmat.primitives.ciphers.aead import AESSIV

        return [
            AESSIV(ring.subkey("token", length=64)).encrypt(v.encode(), None) for v in sample_emails
        ]

    def base_encrypt() -> list[bytes]:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        key = ring.subkey("encrypt")
        return [AESGCM(key).encrypt(os.urandom(12), v.encode(), None) for v in sample_emails]

    def base_fpe() -> list[str] | None:
        try:
            from ff3 import FF3Cipher  # type: ignore[import-not-found]
        except ImportError:
            return None
        cipher = FF3Cipher(ring.subkey("fpe").hex(), "d8e7920afa330a", 10)
        return [cipher.encrypt(v) for v in sample_cards[: m // 10]]

    cases: list[tuple[str, dict[str, object], pa.Array, Callable[[], object] | None, int]] = [
        ("mask", {"keep_last": 4}, emails, base_mask, m),
        ("hash", {}, emails, base_hash, m),
        ("hash", {"algorithm": "blake2b"}, emails, None, m),
        ("token", {}, emails, base_token, m),
        ("encrypt", {}, emails, base_encrypt, m),
        ("fpe", {}, cards, base_fpe, m // 10),
        ("fpe", {"luhn": True}, cards, None, m),
        ("date-shift", {"subject": "p1"}, dates, None, m),
        ("generalize", {"kind": "date", "granularity": "month"}, dates, None, m),
        ("surrogate", {"kind": "name"}, emails, None, m),
    ]
    print(f"{'operator':<34}{'values/s':>12}{'baseline/s':>14}  baseline")
    for name, params, arr, baseline, base_n in cases:
        op = get_operator(name, keyring=ring, **params)
        rate = _rate(lambda op=op, arr=arr: op.apply_array(arr), n)  # type: ignore[misc]
        label = name + (f" {params}" if params else "")
        base = ""
        if baseline is not None:
            start = time.perf_counter()
            result = baseline()
            if result is not None:
                base = f"{base_n / (time.perf_counter() - start):>14,.0f}  per-value loop"
        print(f"{label:<34}{rate:>12,.0f}{base or '':>14}")


if __name__ == "__main__":
    main()
