"""Protect is value-level first (issue 11): every value the engine finds is protected,
whatever the column's classification, in cells, object keys and lines; the canary values must
be absent from the output, stdout/stderr and the audit store."""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa

from dataward.protect import KeyRing
from dataward.protect.apply import protect_table

RING = KeyRing.from_secret(b"value-level test key, 32 bytes!!")
NAME = "Quorinda Thrumblewick"
EMAIL = "zq7x41.canary@probemail-dw.net"
SSN = "523-71-6604"
CARD = "4539177408269130"
AWS_KEY = "AKIAQX7ZP3MWR2T5KD4L"
AWS_SECRET = "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"
CANARIES = (EMAIL, SSN, CARD, AWS_KEY, AWS_SECRET)


def _store_bytes(tmp_path: Path) -> bytes:
    """Everything the run left in DATAWARD_HOME (the audit log lives in its database)."""
    home = tmp_path / "home"
    return b"".join(p.read_bytes() for p in sorted(home.rglob("*")) if p.is_file())


def _assert_absent(values: tuple[str, ...], *texts: str | bytes) -> None:
    for text in texts:
        data = text.encode() if isinstance(text, str) else text
        leaked = sum(v.encode() in data for v in values)  # a count: no value in test output
        assert leaked == 0, f"{leaked} canary value(s) survived"


def _protect_events() -> list[dict[str, Any]]:
    from dataward.audit import open_audit_log

    return [e.payload or {} for e in open_audit_log().events() if e.kind == "protect"]


def test_notes_jsonl_every_detected_value_is_protected(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    src, out = tmp_path / "notes.jsonl", tmp_path / "o.jsonl"
    records = [
        {"id": "r1", "text": f"Contact {NAME} at {EMAIL}, SSN {SSN}, card {CARD}"},
        {
            "id": "r2",
            "text": f"aws_access_key_id = {AWS_KEY}\naws_secret_access_key = {AWS_SECRET}",
        },
        {"id": "r3", "text": "nothing to see here"},
    ]
    src.write_text("".join(json.dumps(r) + "\n" for r in records))
    r = cli("protect", str(src), str(out))
    assert r.code == 0, r.err
    data = out.read_text()
    assert data != src.read_text()
    assert [json.loads(line)["id"] for line in data.splitlines()] == ["r1", "r2", "r3"]
    _assert_absent((*CANARIES, NAME), data, r.out + r.err, _store_bytes(tmp_path))


def test_short_comment_column_with_rare_values(cli: Callable[..., Any], tmp_path: Path) -> None:
    """1,000 short comments, 10% with an SSN and 10% with an AWS key: none survives although
    the column is not classified sensitive."""
    rng = random.Random(7)
    words = ["ok", "fine", "thanks", "late", "refund", "great", "damaged"]
    planted: list[str] = []
    lines = ["id,comment"]
    for i in range(1000):
        comment = " ".join(rng.choice(words) for _ in range(rng.randint(1, 2)))
        if i % 10 == 0:
            value = f"{rng.randint(100, 665)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}"
            comment = f"ssn {value}"
            planted.append(value)
        elif i % 10 == 5:
            value = "AKIA" + "".join(
                rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in "x" * 16
            )
            comment = value
            planted.append(value)
        lines.append(f"{i},{comment}")
    src, out = tmp_path / "comments.csv", tmp_path / "out.csv"
    src.write_text("\n".join(lines) + "\n")
    r = cli("protect", str(src), str(out))
    assert r.code == 0, r.err
    data = out.read_text()
    assert len(data.splitlines()) == 1001
    _assert_absent(tuple(planted), data, r.out + r.err, _store_bytes(tmp_path))


def test_mixed_cells_under_fpe_keep_no_email_or_name() -> None:
    """Most cells of the column hold a card (so it is protected whole with FPE), but a cell
    that also holds an e-mail and a name has each finding replaced in place."""
    rng = random.Random(3)
    cards = []
    for _ in range(40):
        digits = [4] + [rng.randint(0, 9) for _ in range(14)]
        total = sum(
            d if i % 2 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(digits)
        )
        digits.append((10 - total % 10) % 10)
        cards.append("".join(map(str, digits)))
    email = "quorinda.canary@probemail-dw.net"  # no digits: FPE of the whole cell keeps it
    cells = cards[:36] + [f"paid with card {c} from {email}" for c in cards[36:]]
    out = protect_table(pa.table({"card": cells}), keyring=RING)
    got = out.column("card").to_pylist()
    text = "\n".join(got)
    _assert_absent((email, *cards), text)
    assert all(v.startswith("paid with card ") for v in got[36:])  # the text stays text


def test_pii_as_json_object_keys(cli: Callable[..., Any], tmp_path: Path) -> None:
    src, out = tmp_path / "scores.jsonl", tmp_path / "out.jsonl"
    src.write_text(
        json.dumps({"id": 1, "scores": {EMAIL: 5, "other": 3}})
        + "\n"
        + json.dumps({"id": 2, "scores": {"bob.quill77@mailhost-dw.org": 4}})
        + "\n"
    )
    r = cli("protect", str(src), str(out), "--report")
    assert r.code == 0, r.err
    data = out.read_text()
    first = json.loads(data.splitlines()[0])
    assert sorted(first["scores"].values()) == [3, 5] and "other" in first["scores"]
    _assert_absent(
        (EMAIL, "bob.quill77@mailhost-dw.org"), data, r.out + r.err, _store_bytes(tmp_path)
    )


def _pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()


def test_pem_private_key_in_text_file_is_removed_whole(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    pem = _pem()
    body = [line for line in pem.splitlines() if line and not line.startswith("-----")]
    assert len(body) >= 20
    src, out = tmp_path / "deploy.txt", tmp_path / "out.txt"
    src.write_text("deploy notes\nthe key:\n" + pem + "end of notes\n")
    r = cli("protect", str(src), str(out))
    assert r.code == 0, r.err
    data = out.read_text()
    assert "deploy notes" in data and "end of notes" in data
    _assert_absent(tuple(body), data, r.out + r.err, _store_bytes(tmp_path))


def test_unterminated_pem_block_fails_closed(cli: Callable[..., Any], tmp_path: Path) -> None:
    lines = _pem().splitlines()[:-1]  # no END line
    body = [line for line in lines if not line.startswith("-----")]
    src, out = tmp_path / "cut.txt", tmp_path / "out.txt"
    src.write_text("\n".join(lines) + "\n")
    r = cli("protect", str(src), str(out))
    assert r.code == 0, r.err
    _assert_absent(tuple(body), out.read_text())


def test_gz_output_is_gzip(cli: Callable[..., Any], tmp_path: Path) -> None:
    src, out = tmp_path / "in.csv", tmp_path / "out.csv.gz"
    src.write_text(f"id,note\n1,mail {EMAIL}\n2,fine\n")
    r = cli("protect", str(src), str(out))
    assert r.code == 0, r.err
    raw = out.read_bytes()
    assert raw[:2] == b"\x1f\x8b"
    text = gzip.decompress(raw).decode()
    assert text.splitlines()[0].replace('"', "") == "id,note"
    _assert_absent((EMAIL,), text)


def test_output_size_limit_stops_a_bomb(cli: Callable[..., Any], tmp_path: Path) -> None:
    """A small gzip input that expands far: the output stops at the limit, one clear line,
    nothing left behind."""
    src, out = tmp_path / "bomb.csv.gz", tmp_path / "out.csv"
    row = "x" * 200
    src.write_bytes(
        gzip.compress(("id,v\n" + "".join(f"{i},{row}\n" for i in range(20_000))).encode())
    )
    assert src.stat().st_size < 100_000
    cfg = tmp_path / "c.yaml"
    cfg.write_text("protect:\n  max_output_bytes: 200000\n")
    r = cli("protect", str(src), str(out), "--config", str(cfg))
    assert r.code != 0
    assert "size limit" in r.err and len(r.err.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bomb.csv.gz", "c.yaml", "home"]


def test_parquet_comment_column_with_rare_values(cli: Callable[..., Any], tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    comments = ["fine", "late again", "thanks"] * 20
    comments[7] = f"my SSN is {SSN}"
    comments[33] = f"mail {EMAIL} please"
    src, out = tmp_path / "c.parquet", tmp_path / "out.parquet"
    pq.write_table(pa.table({"id": list(range(60)), "comment": comments}), src)
    r = cli("protect", str(src), str(out))
    assert r.code == 0, r.err
    back = pq.read_table(out)
    assert back.column("id").type == pa.int64() and back.num_rows == 60
    assert back.column("comment")[0].as_py() == "fine"
    _assert_absent((SSN, EMAIL), "\n".join(back.column("comment").to_pylist()), out.read_bytes())


def test_bz2_and_zstd_outputs(cli: Callable[..., Any], tmp_path: Path) -> None:
    import bz2

    import zstandard

    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"note": f"mail {EMAIL}", EMAIL: 1}) + "\n")
    for name, decompress in (
        ("o.jsonl.bz2", bz2.decompress),
        ("o.jsonl.zst", lambda b: zstandard.ZstdDecompressor().decompressobj().decompress(b)),
    ):
        r = cli("protect", str(src), str(tmp_path / name))
        assert r.code == 0, r.err
        text = decompress((tmp_path / name).read_bytes()).decode()
        assert "tok_1_" in json.loads(text)["note"]
        _assert_absent((EMAIL,), text)


def test_column_names_holding_values(cli: Callable[..., Any], tmp_path: Path) -> None:
    src, out = tmp_path / "wide.csv", tmp_path / "out.csv"
    src.write_text(f"id,{EMAIL}\n1,5\n2,3\n")
    r = cli("protect", str(src), str(out), "--report")
    assert r.code == 0, r.err
    header = out.read_text().splitlines()[0]
    assert header.startswith('"id","tok_1_') or header.startswith("id,tok_1_")
    _assert_absent((EMAIL,), out.read_text(), r.out + r.err, _store_bytes(tmp_path))


def test_a_value_its_neighbours_replacement_brings_out_is_protected(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    """Replacing an address changes the context of the date beside it (it scored under the
    threshold next to the raw address): the protected text is read again, so the date is
    replaced too and verification passes (before: the run stopped on a surviving date)."""
    src, out = tmp_path / "a.csv", tmp_path / "o.csv"
    src.write_text(
        "id,notes\n"
        '2,"Ship to 2546 Larkspur Crescent, Austin, TX before 2021-09-17."\n'
        '3,"Ship to 12 Main Street before 2021-09-17 please."\n'
    )
    r = cli("protect", str(src), str(out))
    assert r.code == 0, r.err
    text = out.read_text()
    assert "2021-09-17" not in text and "Larkspur" not in text
    assert "2021-09-17" not in r.out + r.err
