"""Property: whatever the table, document or text, and however rare the values (every cell,
1 in 10, 1 in 100), ``protect`` leaves none of the values the engine detects in its input:
not as a substring of the output, and not when the output is detected again."""

from __future__ import annotations

import json
import random
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dataward.detect.api import get_engine
from dataward.protect import KeyRing
from dataward.protect.apply import Protector, protect_table
from dataward.protect.files import protect_file

RING = KeyRing.from_secret(b"property test key, 32 bytes long")
WORDS = ["order", "shipped", "thanks", "late", "refund", "great", "box", "fine", "see", "note"]
DOMAINS = ["mailhost-dw.org", "probemail-dw.net", "example-dw.com"]
B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
SETTINGS = settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _luhn(rng: random.Random) -> str:
    digits = [4] + [rng.randint(0, 9) for _ in range(14)]
    total = 0
    for i, d in enumerate(reversed(digits)):
        d2 = d * 2 if i % 2 == 0 else d
        total += d2 - 9 if d2 > 9 else d2
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


def _email(rng: random.Random) -> tuple[str, str]:
    local = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(4, 9)))
    value = f"{local}{rng.randint(1, 99)}@{rng.choice(DOMAINS)}"
    return value, value


def _ssn(rng: random.Random) -> tuple[str, str]:
    value = f"{rng.randint(100, 665)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}"
    return value, f"SSN {value}"


def _card(rng: random.Random) -> tuple[str, str]:
    value = _luhn(rng)
    return value, f"card {value}"


def _aws(rng: random.Random) -> tuple[str, str]:
    value = "AKIA" + "".join(rng.choice(B32) for _ in range(16))
    return value, value


def _phone(rng: random.Random) -> tuple[str, str]:
    value = f"+1 415 555 {rng.randint(1000, 9999)}"
    return value, f"call {value}"


def _ip(rng: random.Random) -> tuple[str, str]:
    value = f"203.0.113.{rng.randint(1, 254)}"
    return value, f"from {value}"


KINDS: list[Callable[[random.Random], tuple[str, str]]] = [_email, _ssn, _card, _aws, _phone, _ip]


def _filler(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4)))


def _cell(rng: random.Random, planted: list[str]) -> str:
    """Filler with one detectable value at a random position."""
    raw, phrase = rng.choice(KINDS)(rng)
    planted.append(raw)
    where = rng.randint(0, 2)
    if where == 0:
        return phrase
    if where == 1:
        return f"{_filler(rng)} {phrase}"
    return f"{_filler(rng)} {phrase} {_filler(rng)}"


def _detected(texts: list[str], planted: list[str]) -> set[str]:
    """The planted values the engine finds in the input (the promise is about those)."""
    engine = get_engine()
    found: set[str] = set()
    for text in texts:
        for f in engine.detect(text):
            span = text[f.start : f.end]
            found.update(v for v in planted if v in span)
    return found


def _assert_none_left(values: set[str], output_texts: list[str]) -> None:
    joined = "\n".join(output_texts)
    left = sum(v in joined for v in values)
    assert left == 0, f"{left} detected value(s) survive as substrings"
    engine = get_engine()
    again = 0
    for text in output_texts:
        again += sum(text[f.start : f.end] in values for f in engine.detect(text))
    assert again == 0, f"{again} detected value(s) found again in the output"


def _strings(value: Any) -> Iterator[str]:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(str(k) for k in item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            yield item


rates = st.sampled_from([1, 10, 100])


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), rate=rates, rows=st.integers(20, 150))
def test_tables_keep_no_detected_value(seed: int, rate: int, rows: int) -> None:
    rng = random.Random(seed)
    planted: list[str] = []
    columns: dict[str, list[Any]] = {"id": list(range(rows)), "comment": [], "notes": []}
    forced = (rng.randrange(rows), rng.choice(["comment", "notes"]))
    for i in range(rows):
        for name in ("comment", "notes"):
            hit = rng.randrange(rate) == 0 or (i, name) == forced
            columns[name].append(_cell(rng, planted) if hit else _filler(rng))
    table = pa.table(columns)
    values = _detected(columns["comment"] + columns["notes"], planted)
    assert values
    out = protect_table(table, keyring=RING)
    texts = [str(v) for n in out.column_names for v in out.column(n).to_pylist() if v is not None]
    _assert_none_left(values, texts + out.column_names)


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), rate=rates, rows=st.integers(10, 120))
def test_json_documents_keep_no_detected_value_in_keys_or_leaves(
    seed: int, rate: int, rows: int
) -> None:
    rng = random.Random(seed)
    planted: list[str] = []
    records: list[dict[str, Any]] = []
    texts: list[str] = []
    forced = rng.randrange(rows)
    for i in range(rows):
        hit = rng.randrange(rate) == 0 or i == forced
        key = _cell(rng, planted) if hit and rng.random() < 0.5 else _filler(rng)
        body = _cell(rng, planted) if hit else _filler(rng)
        items = [{"text": _cell(rng, planted) if hit and rng.random() < 0.5 else _filler(rng)}]
        records.append({"id": i, "scores": {key: rng.randint(1, 9)}, "body": body, "items": items})
        texts += [key, body, items[0]["text"]]
    values = _detected(texts, planted)
    assert values
    with tempfile.TemporaryDirectory() as folder:
        src, out = Path(folder) / "in.jsonl", Path(folder) / "out.jsonl"
        src.write_text("".join(json.dumps(r) + "\n" for r in records))
        protect_file(src, out, protector=Protector(keyring=RING))
        lines = out.read_text().splitlines()
    assert len(lines) == rows
    strings = [s for line in lines for s in _strings(json.loads(line))]
    _assert_none_left(values, strings + lines)


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), rate=rates, lines=st.integers(10, 300))
def test_text_files_keep_no_detected_value(seed: int, rate: int, lines: int) -> None:
    rng = random.Random(seed)
    planted: list[str] = []
    forced = rng.randrange(lines)
    text = [
        _cell(rng, planted) if rng.randrange(rate) == 0 or i == forced else _filler(rng)
        for i in range(lines)
    ]
    values = _detected(text, planted)
    assert values
    with tempfile.TemporaryDirectory() as folder:
        src, out = Path(folder) / "in.txt", Path(folder) / "out.txt"
        src.write_text("\n".join(text) + "\n")
        protect_file(src, out, protector=Protector(keyring=RING))
        got = out.read_text().splitlines()
    _assert_none_left(values, got)
