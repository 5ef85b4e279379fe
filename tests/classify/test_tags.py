"""Dataset tags come from every confident finding, not only from columns a threshold kept."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from dataward.classify import scan

SSN = "523-71-6604"
CARD = "4539 1774 0826 9130"
CARD_DIGITS = "4539177408269130"
AWS_KEY = "AKIAQ7X3ZJ5NW2LPTR4K"
FILLER = ["fine", "ok thanks", "good service", "late delivery", "call me back"]
CANARIES = (SSN, CARD, CARD_DIGITS, AWS_KEY)


def _comments(path: Path, rows: int, every: dict[int, str], period: int = 10) -> Path:
    """A CSV of short comments: row i holds ``every[i % period]`` where there is one."""
    rng = random.Random(7)
    lines = ["id,comment"]
    for i in range(rows):
        lines.append(f"{i},{every.get(i % period) or rng.choice(FILLER)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _scan(path: Path) -> dict[str, Any]:
    result = scan([path], record=False, workers=1)
    assert not result.errors
    (dataset,) = result.datasets
    out = dataset.to_dict()
    text = json.dumps(out, ensure_ascii=False) + dataset.summary()
    for canary in CANARIES:
        assert canary not in text
    return out


def test_ssn_and_aws_key_in_a_tenth_of_short_comments(tmp_path: Path) -> None:
    # before: the column was neither free text nor 50% one entity, so the file was PUBLIC
    data = _comments(
        tmp_path / "comments.csv", 1000, {0: f"ssn {SSN} ok", 1: f"key {AWS_KEY} here"}
    )
    out = _scan(data)
    assert {"PII", "PII_HIGH", "SECRET"} <= set(out["tags"]) and "PUBLIC" not in out["tags"]
    comment = next(c for c in out["columns"] if c["name"] == "comment")
    assert comment["detected"]["US_SSN"]["values"] == 100
    assert comment["detected"]["US_SSN"]["score"] >= 0.8  # CONFIDENT_FINDING
    assert out["records"]["with_high_confidence_pii"] == 200


def test_one_ssn_in_a_hundred_rows_tags_the_dataset(tmp_path: Path) -> None:
    out = _scan(_comments(tmp_path / "rare.csv", 100, {42: f"my ssn is {SSN}"}, period=100))
    assert out["tags"][:1] == ["PII_HIGH"] and "PII" in out["tags"]
    reasons = next(t for t in out["tag_details"] if t["tag"] == "PII_HIGH")["reasons"]
    assert reasons == [
        "US_SSN found in 1 value of column comment (PII/GOVERNMENT_ID/IDENTIFIER, critical)"
    ]


def test_card_in_a_third_of_comments_is_pci_and_fails_the_gate(tmp_path: Path, cli: Any) -> None:
    folder = tmp_path / "cards"
    folder.mkdir()
    _comments(folder / "cards.csv", 300, {0: f"my card {CARD} was declined"}, period=3)
    out = _scan(folder / "cards.csv")
    assert "PCI" in out["tags"]
    result = cli("scan", str(folder), "--fail-on", "PCI", "--format", "json")
    assert result.code == 5, result.err
    for canary in CANARIES:
        assert canary not in result.out + result.err


def test_a_pem_private_key_in_a_text_file_is_secret(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    path = tmp_path / "deploy-notes.txt"
    path.write_text("deploy notes\n" + pem + "done\n", encoding="utf-8")
    out = _scan(path)
    assert "SECRET" in out["tags"] and "PUBLIC" not in out["tags"]
    body = pem.splitlines()[1:-1]
    text = json.dumps(out)
    assert not any(line in text for line in body)


@pytest.mark.parametrize(
    "value", ["at 2024-01-05 10:00 ok", "see https://example.org/help ok"], ids=["date", "url"]
)
def test_rare_low_sensitivity_values_do_not_tag_the_dataset(tmp_path: Path, value: str) -> None:
    # dates and URLs are PII only as columns; one in a comment is not personal data
    out = _scan(_comments(tmp_path / "notes.csv", 100, {3: value}, period=100))
    assert out["tags"] == ["PUBLIC"]


def test_summary_states_the_sample(tmp_path: Path) -> None:
    data = _comments(tmp_path / "many.csv", 500, {1: "fine"})
    result = scan([data], record=False, workers=1, sample=50)
    (dataset,) = result.datasets
    assert dataset.sampled and dataset.summary().endswith("; sampled 50 of 500 rows")


@pytest.mark.parametrize(
    ("typo", "meant"), [("SECRETS", "SECRET"), ("pci_", "PCI"), ("PHII", "PHI")]
)
def test_a_misspelled_fail_on_tag_is_a_usage_error(
    tmp_path: Path, cli: Any, typo: str, meant: str
) -> None:
    # before: SECRETS matched no tag and the scan exited 0 over a file full of keys
    folder = tmp_path / "keys"
    folder.mkdir()
    _comments(folder / "keys.csv", 20, {0: f"key {AWS_KEY} here"}, period=2)
    result = cli("scan", str(folder), "--fail-on", typo)
    assert result.code == 2
    assert f"'{meant}'" in result.err and "Did you mean" in result.err
    assert AWS_KEY not in result.out + result.err
    assert cli("scan", str(folder), "--fail-on", "secret").code == 5
