from __future__ import annotations

import pyarrow as pa

from dataward.classify import classify_table, sample_batches
from dataward.classify.names import match_rule, name_tokens

KEY = b"k" * 32


def test_name_tokens_and_rules() -> None:
    assert name_tokens("CCExpires") == ("cc", "expires")
    rule = match_rule(name_tokens("patient_first_name"))
    assert rule is not None and rule.entity == "FIRST_NAME"
    assert match_rule(name_tokens("NameSet")) is None  # "set" is not a harmless qualifier


def test_values_beat_a_misleading_name() -> None:
    emails = [f"user{i}@example.org" for i in range(50)]
    result = classify_table({"ssn": emails}, key=KEY)
    assert result.columns[0].entity == "EMAIL_ADDRESS"


def test_name_lifts_dates_to_birth_dates() -> None:
    dates = [f"19{50 + i % 40}-0{1 + i % 9}-1{i % 9}" for i in range(60)]
    col = classify_table({"dob": dates}, key=KEY).columns[0]
    assert col.entity == "DATE_OF_BIRTH"


def test_misleading_name_without_matching_shape_is_not_classified() -> None:
    col = classify_table({"ssn": ["blue", "green", "red"] * 20}, key=KEY).columns[0]
    assert col.entity is None and not col.sensitive


def test_profile_statistics() -> None:
    values = ["ada@example.org", None, "bob@example.com", "ada@example.org"]
    col = classify_table({"contact": values}, key=KEY).columns[0]
    assert col.null_share == 0.25
    assert abs(col.uniqueness - 2 / 3) < 1e-9
    assert col.value_share == 1.0
    assert all("@" not in e or "…" in e or set(e) == {"*"} for e in col.examples)
    assert len(col.hashes) == len(col.examples) and all(len(h) == 32 for h in col.hashes)


def test_identifier_columns_are_not_pii() -> None:
    table = {"id": list(range(1, 201)), "key": [f"K{100000 + i}" for i in range(200)]}
    result = classify_table(table, key=KEY)
    assert [c.kind for c in result.columns] == ["identifier", "identifier"]
    assert result.tag_names == ["PUBLIC"]


def test_free_text_reports_entity_mix() -> None:
    notes = [
        f"Please call me at (415) 555-01{i:02d} or mail ann{i}@example.org today" for i in range(40)
    ]
    col = classify_table({"notes": notes}, key=KEY).columns[0]
    assert col.kind == "free_text"
    assert {"PHONE_NUMBER", "EMAIL_ADDRESS"} <= set(col.entities)


def test_sampling_head_and_reservoir() -> None:
    table = pa.table({"x": list(range(10_000))})
    head, total = sample_batches(table.to_batches(max_chunksize=1000), 100, "head")
    assert total == 10_000 and head is not None and head["x"].to_pylist() == list(range(100))
    res, total = sample_batches(table.to_batches(max_chunksize=1000), 100, "reservoir", seed=1)
    assert res is not None and res.num_rows == 100 and total == 10_000
    assert max(res["x"].to_pylist()) > 5000  # spread over the whole input


def test_summary_line() -> None:
    result = classify_table(
        {"email": [f"a{i}@example.org" for i in range(10)]}, path="/d/pool.csv", key=KEY
    )
    assert (
        result.summary(new_rows=3450)
        == "3,450 new records in pool.csv; 100% contain high-confidence PII"
    )


def test_signatures_keep_counting_after_the_first_64() -> None:
    """Past 64 distinct signatures no new one is added, but those seen keep counting."""
    from dataward.classify.analysis import encode, value_facts
    from dataward.classify.profile import ColumnStats

    ids = [f"AB{i:06d}" for i in range(2000)]  # one signature: a9
    odd = ["x" * (i + 1) + "-" * (i + 1) for i in range(70)]  # 70 more distinct signatures
    stats = ColumnStats("code", "string")
    for values in (ids[:1] + odd, ids[1:]):
        col = encode("code", pa.array(values))
        col.results = [(None, 0.0, ())] * len(col.values)
        col.facts = [value_facts(v, None) for v in col.values]
        stats.add(col)
    assert len(stats.signatures) == 64
    assert stats.signatures["a9"] == 2000
