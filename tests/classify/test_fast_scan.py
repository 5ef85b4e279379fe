"""The fast scan path (memo, facts in workers, pipelined batches, one pool) gives the results of
the plain per-value path."""

from __future__ import annotations

import random
import string

import pyarrow as pa
import pytest

from dataward.classify import classify_table
from dataward.classify.analysis import (
    Analyser,
    _result,
    column_shape,
    encode,
    hints_for,
    value_facts,
)
from dataward.classify.classifier import BatchClassifier, classification_engine
from dataward.classify.profile import ColumnStats
from dataward.classify.shapes import SHAPES, alpha_words, signature
from dataward.detect.context import match_words, tokens

KEY = b"k" * 32


def _table(rows: int = 240, seed: int = 3) -> pa.Table:
    rng = random.Random(seed)
    first = ["Ada", "Bob", "Cleo", "Dmitri"]
    return pa.table(
        {
            "id": list(range(rows)),
            "first_name": [rng.choice(first) for _ in range(rows)],
            "email": [f"user{rng.randint(0, 40)}@example.org" for _ in range(rows)],
            "ssn": [
                f"{rng.randint(100, 665)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}"
                for _ in range(rows)
            ],
            "amount": [round(rng.uniform(1, 99), 1) for _ in range(rows)],
            "dob": [f"19{50 + i % 40}-0{1 + i % 9}-1{i % 9}" for i in range(rows)],
            "notes": [
                f"Patient asked for a call back on 415-555-{rng.randint(1000, 1010)} today"
                if i % 3
                else None
                for i in range(rows)
            ],
        }
    )


def _reference(table: pa.Table) -> dict[str, object]:
    """Profiles by the plain path: every distinct value of every batch detected on its own."""
    engine = classification_engine()
    stats: dict[str, ColumnStats] = {}
    for batch in table.to_batches(max_chunksize=50):
        for i, name in enumerate(batch.schema.names):
            col = encode(name, batch.column(i))
            hints = hints_for(name)
            col.results = [_result(v, engine.detect(v, hints=hints)) for v in col.values]
            shape = SHAPES.get(column_shape(name) or "")
            col.facts = [value_facts(v, shape) for v in col.values]
            stats.setdefault(name, ColumnStats(name, col.data_type)).add(col)
    return {name: s.decide(KEY).to_dict() for name, s in stats.items()}


def _fast(table: pa.Table, analyser: Analyser) -> dict[str, object]:
    clf = BatchClassifier(analyser, KEY, decide_after=100, lookahead=2)
    for batch in table.to_batches(max_chunksize=50):
        clf.add(batch)
    result = clf.result("<t>", "arrow")
    return {c.name: c.to_dict() for c in result.columns}


def test_fast_path_in_process_matches_the_per_value_path() -> None:
    table = _table()
    with Analyser(classification_engine(), workers=1) as analyser:
        fast = _fast(table, analyser)
        memo = analyser._memo
        names = memo[(hints_for("first_name"), column_shape("first_name"))]
        assert sorted(names) == ["Ada", "Bob", "Cleo", "Dmitri"]  # repeated values: remembered
        assert not memo[(hints_for("id"), column_shape("id"))]  # unique values: not kept
    assert fast == _reference(table)


def test_fast_path_with_a_pool_matches_the_per_value_path() -> None:
    table = _table(rows=400, seed=5)
    analyser = Analyser(classification_engine(), workers=2)
    analyser.PARALLEL_MIN = 1  # every batch goes to the pool
    analyser.CHUNK = 7
    with analyser:
        analyser.warm()
        fast = _fast(table, analyser)
    assert fast == _reference(table)


def test_full_table_classification_is_unchanged_by_batch_size() -> None:
    table = _table(rows=300, seed=9)
    whole = classify_table(table, key=KEY, workers=1)
    parts = pa.Table.from_batches(table.to_batches(max_chunksize=37))
    split = classify_table(parts, key=KEY, workers=1)
    assert [c.to_dict() for c in whole.columns] == [c.to_dict() for c in split.columns]
    assert whole.records == split.records


def test_detect_many_equals_detect() -> None:
    engine = classification_engine()
    values = [
        "ada@example.org",
        "536-22-8174",
        "call 415-555-0199 after 5",
        "",
        None,
        "4111 1111 1111 1111",
        "DOB 1985-03-04",
    ]
    for hints in [(), ("patient ssn",), ("card number",)]:
        many = engine.detect_many(values, hints=hints)
        assert many == [engine.detect(v, hints=hints) if v else [] for v in values]


@pytest.mark.parametrize("text", ["card number 4111", "e-mail of patients", "a b cc dddd"])
def test_context_match_equals_match_words(text: str) -> None:
    """match_words against a plain reading of its rule: a word equal to a token, a word of four
    or more letters that starts a longer token, or a punctuated entry found in the text."""
    words = ("card", "cardholder", "e-mail", "patient", "dd", "ddd")
    window = set(tokens(text))
    expected = {
        w
        for w in words
        if ("-" in w and w in text)
        or w in window
        or (len(w) >= 4 and any(t.startswith(w) and t != w for t in window))
    }
    assert set(match_words(window, text, words)) == expected


def test_value_facts_and_ascii_fast_paths() -> None:
    def sig_ref(value: str) -> str:
        out: list[str] = []
        last = ""
        for ch in value:
            cls = "9" if ch.isdigit() else "a" if ch.isalpha() else ch
            if cls != last or cls not in "9a":
                out.append(cls)
            last = cls
        return "".join(out)

    def alpha_ref(value: str) -> int:
        return sum(1 for w in value.split() if sum(c.isalpha() for c in w) >= 2)

    rng = random.Random(0)
    chars = string.printable + "\x1c\x1f\x85\xa0é²"
    for _ in range(3000):
        v = "".join(rng.choice(chars) for _ in range(rng.randint(0, 16)))
        assert signature(v) == sig_ref(v)
        assert alpha_words(v) == alpha_ref(v)
    facts = value_facts("536-22-8174", SHAPES["ssn"])
    assert facts == (True, False, "9-9-9", 11, 1, 0, False)
    assert column_shape("patient_ssn") == "ssn" and column_shape("zzz") is None
