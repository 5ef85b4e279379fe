"""Crypto wallet addresses: checksummed hits, corrupted near-misses, both backends agree."""

from __future__ import annotations

import base58
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dataward.detect.detectors.crypto import CryptoDetector
from dataward.detect.engine import Engine
from dataward.detect.validators import base58check_encode, eip55_checksum, segwit_encode

BACKENDS = ("hyperscan", "re")
_ENGINES = {b: Engine([CryptoDetector()], backend=b) for b in BACKENDS}


def spans(text: str) -> list[str]:
    results = [_ENGINES[b].detect(text) for b in BACKENDS]
    assert results[0] == results[1]
    return [text[f.start : f.end] for f in results[0]]


PROGRAM = bytes(range(1, 21))
HITS = [
    "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",  # Bitcoin P2PKH
    base58check_encode(b"\x05" + PROGRAM),  # P2SH
    base58check_encode(b"\x30" + PROGRAM),  # Litecoin
    base58check_encode(b"\x32" + PROGRAM),
    base58check_encode(b"\x1e" + PROGRAM),  # Dogecoin
    base58check_encode(b"\x41" + PROGRAM),  # Tron
    base58check_encode(b"\x00" + PROGRAM, alphabet=base58.XRP_ALPHABET),  # XRP
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
    "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
    segwit_encode("bc", 1, bytes(range(32))),  # taproot, bech32m
    segwit_encode("ltc", 0, PROGRAM),
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",  # EIP-55
    eip55_checksum("0x" + "ab12" * 10),
]


@pytest.mark.parametrize("address", HITS)
def test_hits(address: str) -> None:
    assert spans(f"send to {address} please") == [address]
    (f,) = _ENGINES["re"].detect(f"send to {address} please")
    assert f.entity == "CRYPTO" and f.score >= 0.9


def _flip(value: str, i: int) -> str:
    c = value[i]
    repl = "2" if c != "2" else "3"
    if c.isupper():
        repl = "B" if c != "B" else "C"
    elif c.islower():
        repl = "c" if c != "c" else "d"
    return value[:i] + repl + value[i + 1 :]


@pytest.mark.parametrize(
    "text",
    [
        _flip("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", 10),  # Base58Check failure
        "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb",
        base58check_encode(b"\x07" + PROGRAM),  # unknown version byte
        base58check_encode(b"\x00" + PROGRAM + b"\x00"),  # payload too long
        "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5",  # bech32 checksum
        "bc1qW508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",  # mixed case
        "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",  # other network prefix
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD",  # EIP-55 failure
        "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed00",  # 42 hex digits
        "0x" + "0" * 40,
        "a0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
        "550e8400-e29b-41d4-a716-446655440000",
        "da39a3ee5e6b4b0d3255bfef95601890afd80709",  # sha1 without 0x
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "The quick brown fox jumps over the lazy dog",
    ],
)
def test_near_misses(text: str) -> None:
    assert spans(text) == []


def test_single_case_ethereum_scores_lower_and_gains_from_context() -> None:
    addr = "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"
    plain = _ENGINES["re"].detect(f"value {addr}")
    boosted = _ENGINES["re"].detect(f"ETH wallet {addr}")
    assert [f.score for f in plain] == [0.55]
    assert boosted[0].score == pytest.approx(0.9)
    upper = "0x" + addr[2:].upper()
    assert spans(f"value {upper}") == []
    assert spans(f"ethereum {upper}") == [upper]


@settings(max_examples=40, deadline=None)
@given(st.binary(min_size=20, max_size=20), st.sampled_from([0x00, 0x05]))
def test_every_bitcoin_base58_address_is_found(program: bytes, version: int) -> None:
    addr = base58check_encode(bytes([version]) + program)
    assert spans(f"btc {addr}") == [addr]


@settings(max_examples=40, deadline=None)
@given(st.binary(min_size=20, max_size=20))
def test_every_eip55_address_is_found(raw: bytes) -> None:
    assume(len(set(raw.hex())) > 2)  # 0x00...0 style sentinels are rejected on purpose
    addr = eip55_checksum("0x" + raw.hex())
    assert spans(f"to {addr}") == [addr]
