"""Checksum helpers: published vectors, single-character mutations, and generated round trips."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dataward.detect import validators as v


@pytest.mark.parametrize(
    "digits",
    ["4111111111111111", "5555555555554444", "378282246310005", "6011111111111117", "79927398713"],
)
def test_luhn_accepts_valid(digits: str) -> None:
    assert v.luhn_ok(digits)


@pytest.mark.parametrize(
    "digits", ["4111111111111112", "79927398710", "", "41111a1111111111", "４１１１"]
)
def test_luhn_rejects_invalid(digits: str) -> None:
    assert not v.luhn_ok(digits)


@given(st.text(alphabet="0123456789", min_size=1, max_size=30))
def test_luhn_check_digit_completes(payload: str) -> None:
    full = payload + v.luhn_check_digit(payload)
    assert v.luhn_ok(full)
    wrong = str((int(full[-1]) + 1) % 10)
    assert not v.luhn_ok(full[:-1] + wrong)


@given(
    st.sampled_from(["DE", "FR", "GB", "NL", "IT"]),
    st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=10, max_size=26),
)
def test_iban_check_digits_round_trip(country: str, bban: str) -> None:
    iban = country + v.iban_check_digits(country, bban) + bban
    assert v.iban_mod97_ok(iban)


@pytest.mark.parametrize(
    ("iban", "ok"),
    [
        ("DE89370400440532013000", True),
        ("GB29NWBK60161331926819", True),
        ("FR1420041010050500013M02606", True),
        ("DE88370400440532013000", False),
        ("DE89370400440532013001", False),
        ("DE89", False),
        ("DE89 3704", False),
    ],
)
def test_iban_mod97(iban: str, ok: bool) -> None:
    assert v.iban_mod97_ok(iban) is ok


@pytest.mark.parametrize(
    ("digits", "ok"),
    [
        ("011000015", True),
        ("021000021", True),
        ("121000358", True),
        ("011000016", False),
        ("131000015", False),
        ("01100001", False),
    ],
)
def test_aba(digits: str, ok: bool) -> None:
    assert v.aba_ok(digits) is ok


@given(
    st.sampled_from(["01", "12", "21", "32", "61", "72", "80"]),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
)
def test_aba_check_digit(prefix: str, middle: str) -> None:
    payload = prefix + middle
    assert v.aba_ok(payload + v.aba_check_digit(payload))


def test_national_accounts() -> None:
    assert v.fr_rib_ok("30006000011234567890189")
    assert not v.fr_rib_ok("30006000011234567890188")
    assert v.fr_rib_key("20041", "01005", "0500013M026") == "06"
    assert v.it_bban_ok("X0542811101000000123456")
    assert not v.it_bban_ok("Y0542811101000000123456")
    assert v.be_account_ok("539007547034")
    assert not v.be_account_ok("539007547035")
    assert v.hu_account_ok("117730161111101800000000")
    assert not v.hu_account_ok("117730171111101800000000")
    assert v.pl_nrb_ok("61109010140000071219812874")
    assert not v.pl_nrb_ok("62109010140000071219812874")
    assert v.mx_clabe_ok("032180000118359719")
    assert not v.mx_clabe_ok("032180000118359718")


def test_countries() -> None:
    assert v.iso_country_ok("DE") and v.iso_country_ok("XK")
    assert not v.iso_country_ok("XX") and not v.iso_country_ok("de")


def test_eip55() -> None:
    good = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
    assert v.eip55_ok(good)
    assert v.eip55_checksum(good.lower()) == good
    assert not v.eip55_ok(good.replace("aA", "Aa", 1))


def test_segwit() -> None:
    assert v.segwit_decode("bc", "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4") is not None
    assert v.segwit_decode("bc", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5") is None
    assert v.segwit_decode("bc", "bc1qW508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4") is None  # mixed case
    assert v.segwit_decode("tb", "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4") is None


@given(st.integers(0, 16), st.binary(min_size=20, max_size=40))
def test_segwit_round_trip(version: int, program: bytes) -> None:
    if version == 0 and len(program) not in (20, 32):
        program = program[:20]
    addr = v.segwit_encode("bc", version, program)
    assert v.segwit_decode("bc", addr) == (version, program)
    assert v.segwit_decode("bc", addr[:-1] + ("q" if addr[-1] != "q" else "p")) is None


def test_base58check() -> None:
    payload = v.base58check_payload("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")
    assert payload is not None and payload[0] == 0 and len(payload) == 21
    assert v.base58check_payload("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb") is None
    assert v.base58check_payload(v.base58check_encode(b"\x05" + bytes(20))) == b"\x05" + bytes(20)


def test_helpers() -> None:
    assert v.only_digits("4111 1111-11.11") == "411111111111"
    assert v.all_same("0000") and v.all_same("") and not v.all_same("0001")
