from __future__ import annotations

import hashlib
import os
import string
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataward.protect import (
    EncryptOperator,
    FpeOperator,
    HashOperator,
    KeyRing,
    ProtectError,
    RevealError,
    TokenOperator,
    get_operator,
    reverse,
)
from dataward.protect.ff3 import FF3Cipher
from dataward.protect.fpe_versions import flush
from dataward.protect.operators.fpe import luhn_residue

RING = KeyRing.from_secret(b"test-key-material-not-secret-00!")
OTHER = KeyRing.from_secret(b"another-key-material-not-secret!")
keys_32 = st.binary(min_size=32, max_size=32)


# -- keyed hash -----------------------------------------------------------------------------------


@settings(max_examples=60)
@given(value=st.text(max_size=30), k1=keys_32, k2=keys_32)
def test_hash_is_keyed_and_never_an_unkeyed_digest(value: str, k1: bytes, k2: bytes) -> None:
    for algorithm in ("hmac-sha256", "blake2b"):
        a = HashOperator(keyring=KeyRing.from_secret(k1), algorithm=algorithm)  # type: ignore[arg-type]
        b = HashOperator(keyring=KeyRing.from_secret(k2), algorithm=algorithm)  # type: ignore[arg-type]
        out = a.apply(value)
        assert out == a.apply(value)
        if k1 != k2:
            assert out != b.apply(value)
        assert out != hashlib.sha256(value.encode()).hexdigest()
        assert out != hashlib.blake2b(value.encode(), digest_size=32).hexdigest()


def test_hmac_matches_the_standard_library() -> None:
    import hmac

    op = HashOperator(keyring=RING)
    expected = hmac.new(op.key(), b"ada@example.org", hashlib.sha256).hexdigest()
    assert op.apply("ada@example.org") == expected


@pytest.mark.parametrize(
    ("encoding", "length", "alphabet", "size"),
    [
        ("hex", None, string.hexdigits.lower(), 64),
        ("base32", None, string.ascii_lowercase + "234567", 52),
        ("hex", 16, string.hexdigits.lower(), 16),
    ],
)
def test_hash_encodings(encoding: str, length: int | None, alphabet: str, size: int) -> None:
    out = HashOperator(keyring=RING, encoding=encoding, length=length, prefix="h:").apply("x")  # type: ignore[arg-type]
    assert out.startswith("h:") and len(out) == size + 2 and set(out[2:]) <= set(alphabet)


def test_hash_contexts_separate_domains() -> None:
    assert HashOperator(keyring=RING, context="a").apply("x") != HashOperator(
        keyring=RING, context="b"
    ).apply("x")


# -- deterministic tokens -------------------------------------------------------------------------


@settings(max_examples=60)
@given(value=st.text(max_size=40), encoding=st.sampled_from(["base64url", "base32", "hex"]))
def test_tokens_are_deterministic_and_reversible_only_with_the_key(
    value: str, encoding: str
) -> None:
    op = TokenOperator(keyring=RING, encoding=encoding)  # type: ignore[arg-type]
    token = op.apply(value)
    assert token == op.apply(value)
    assert token.startswith("tok_1_")
    assert len(value) < 12 or value not in token
    assert op.reverse(token) == value
    other = TokenOperator(keyring=OTHER, encoding=encoding)  # type: ignore[arg-type]
    assert other.apply(value) != token
    with pytest.raises(RevealError):
        other.reverse(token)


def test_tokens_from_other_contexts_do_not_reverse() -> None:
    token = TokenOperator(keyring=RING, context="email").apply("ada")
    with pytest.raises(RevealError, match="wrong key or context"):
        TokenOperator(keyring=RING, context="phone").reverse(token)


@pytest.mark.parametrize("bad", ["", "tok_", "tok_x_abc", "enc_1_abc", "tok_1_!!!", "tok_1_AAAA"])
def test_malformed_tokens_fail_clearly(bad: str) -> None:
    with pytest.raises(RevealError):
        reverse("token", bad, RING)


def test_token_arrays_join_across_tables() -> None:
    op = get_operator("token", keyring=RING)
    left = op.apply_array(pa.array(["a", "b", "c"])).to_pylist()
    right = get_operator("token", keyring=RING).apply_array(pa.array(["c", "a"])).to_pylist()
    assert right == [left[2], left[0]]


# -- randomized encryption ------------------------------------------------------------------------


@settings(max_examples=40)
@given(st.text(max_size=40))
def test_encrypt_is_randomized_and_reversible(value: str) -> None:
    op = EncryptOperator(keyring=RING)
    a, b = op.apply(value), op.apply(value)
    assert a != b
    assert reverse(op, a) == reverse(op, b) == value
    with pytest.raises(RevealError):
        EncryptOperator(keyring=OTHER).reverse(a)


def test_one_way_operators_cannot_be_reversed() -> None:
    with pytest.raises(RevealError, match="one-way"):
        reverse("hash", "abc", RING)


# -- FF3-1 ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tweak", "plaintext", "ciphertext"),
    [  # NIST FF3 sample vectors 1 and 2 (AES-128, radix 10, 64-bit tweaks)
        ("D8E7920AFA330A73", "890121234567890000", "750918814058654607"),
        ("9A768A92F60E12D8", "890121234567890000", "018989839189395384"),
    ],
)
def test_ff3_core_matches_nist_samples(tweak: str, plaintext: str, ciphertext: str) -> None:
    cipher = FF3Cipher(bytes.fromhex("EF4359D8D580AA4F7F036D6F04FC6A94"), string.digits)
    assert cipher.encrypt(plaintext, bytes.fromhex(tweak)) == ciphertext
    assert cipher.decrypt(ciphertext, bytes.fromhex(tweak)) == plaintext


def test_ff3_1_matches_the_ff3_package_when_installed() -> None:
    ff3 = pytest.importorskip("ff3")
    for alphabet, text in [(string.digits, "4000123412341234"), (string.digits + "abc", "a0b1c2")]:
        key, tweak = os.urandom(32), os.urandom(7)
        ref = ff3.FF3Cipher.withCustomAlphabet(key.hex(), tweak.hex(), alphabet)
        assert FF3Cipher(key, alphabet).encrypt(text, tweak) == ref.encrypt(text)


def _shape(value: str, alphabet: str) -> list[str | None]:
    return [None if c in alphabet else c for c in value]


@settings(max_examples=80)
@given(
    st.text(alphabet=string.digits + " -", min_size=6, max_size=80).filter(
        lambda s: sum(c.isdigit() for c in s) >= 6
    )
)
def test_fpe_keeps_format_and_round_trips(value: str) -> None:
    op = FpeOperator(keyring=RING)
    out = op.apply(value)
    assert len(out) == len(value)
    assert _shape(out, string.digits) == _shape(value, string.digits)
    assert op.reverse(out) == value
    assert op.apply_many([value]) == [out]


@settings(max_examples=60)
@given(
    st.text(alphabet=string.ascii_letters + string.digits, min_size=4, max_size=30),
    st.sampled_from(["alnum", "alnum-lower", "letters"]),
)
def test_fpe_alphanumeric_alphabets(value: str, alphabet: str) -> None:
    op = FpeOperator(keyring=RING, alphabet=alphabet, on_short="mask")
    out = op.apply(value)
    chars = set(op._chars)
    assert len(out) == len(value)
    assert [c in chars for c in out] == [c in chars for c in value] or set(out) <= {"*"} | set(
        value
    )


card_digits = st.lists(st.integers(0, 9), min_size=14, max_size=18).map(
    lambda ds: "".join(map(str, ds))
)


@settings(max_examples=80)
@given(card_digits, st.integers(0, 4), st.integers(0, 4))
def test_luhn_option_keeps_luhn_residue_and_round_trips(body: str, first: int, last: int) -> None:
    check = (10 - luhn_residue(body + "0")) % 10
    for number in (body + str(check), body + str((check + 3) % 10)):  # valid, invalid
        op = FpeOperator(keyring=RING, luhn=True, keep_first=first, keep_last=last)
        out = op.apply(number)
        assert luhn_residue(out) == luhn_residue(number)
        assert out[:first] == number[:first]
        assert last == 0 or out[-last:] == number[-last:]
        assert op.reverse(out) == number
        assert op.apply_many([number]) == [out]


def test_fpe_card_with_separators_is_luhn_valid() -> None:
    op = FpeOperator(keyring=RING, luhn=True, keep_first=6)
    out = op.apply("4111 1111 1111 1111")
    assert out[:7] == "4111 11" and out[4::5] == "   "
    assert luhn_residue(out.replace(" ", "")) == 0
    assert out != "4111 1111 1111 1111"


def test_fpe_with_another_key_gives_another_value() -> None:
    out = FpeOperator(keyring=RING).apply("123456789")
    assert FpeOperator(keyring=OTHER).reverse(out) != "123456789"
    assert FpeOperator(keyring=RING, context="other").apply("123456789") != out


def test_fpe_short_values_raise_or_mask_without_showing_the_value() -> None:
    with pytest.raises(ProtectError, match="at least 6") as info:
        FpeOperator(keyring=RING).apply("12-34")
    assert "12-34" not in str(info.value)
    assert FpeOperator(keyring=RING, on_short="mask").apply("12-34") == "**-**"


def test_fpe_long_values_are_chunked_and_round_trip() -> None:
    value = "".join(str(i % 10) for i in range(130))
    op = FpeOperator(keyring=RING)
    out = op.apply(value)
    assert len(out) == 130 and out.isdigit() and op.reverse(out) == value


def test_fpe_reverse_after_rotation_names_the_version() -> None:
    ring = KeyRing.from_secret(b"rotating-key-material-not-secret")
    out = FpeOperator(keyring=ring).apply("123456789")
    ring.rotate()
    assert FpeOperator(keyring=ring).reverse(out, version=1) == "123456789"
    assert reverse("fpe", out, ring, key_version=1) == "123456789"


# --- FPE knows its key version (the deployment's ring, recorded in the store) ----------------

CARD = "4539177408269130"


def test_fpe_reveal_with_the_wrong_key_version_is_an_error(cli: Any) -> None:
    ring = KeyRing.load_or_create()  # the key file in DATAWARD_HOME: versions are recorded
    protected = FpeOperator(keyring=ring, luhn=True, keep_first=6).apply(CARD)
    assert protected != CARD and luhn_residue(protected) == 0
    flush()  # as when this runtime closes: the CLI command below runs in a runtime of its own
    KeyRing.load_or_create().rotate()  # the primary is now 2; the card was made with 1
    fpe = ["--operator", "fpe", "--param", "luhn=true", "--param", "keep_first=6"]
    wrong = cli("reveal", protected, *fpe, "--param", "key_version=2")
    assert wrong.code != 0
    assert "key version 1, not 2" in wrong.err and len(wrong.err.strip().splitlines()) == 1
    assert CARD not in wrong.out + wrong.err
    other_context = cli("reveal", protected, *fpe, "--context", "billing")
    assert other_context.code != 0 and CARD not in other_context.out + other_context.err
    right = cli("reveal", protected, *fpe)  # no version: the recorded one, not the primary
    assert right.code == 0 and right.out.strip() == CARD


def test_fpe_versions_are_recorded_as_keyed_digests_only(tmp_path: Path) -> None:
    import sqlalchemy as sa

    from dataward.protect.fpe_versions import flush
    from dataward.store import open_store

    ring = KeyRing.load_or_create()
    values = FpeOperator(keyring=ring).apply_many([CARD, "5555555555554444"])
    flush()
    store = open_store()
    with store.begin() as conn:
        rows = conn.execute(sa.text("SELECT digest, key_version FROM protect_fpe_values")).all()
    store.close()
    assert len(rows) == 2 and {v for _, v in rows} == {1}
    stored = " ".join(d for d, _ in rows)
    for value in [CARD, "5555555555554444", *values]:
        assert value and value not in stored
    assert (tmp_path / "home" / "dataward.db").read_bytes().find(CARD.encode()) == -1


def test_fpe_file_reveal_uses_the_recorded_versions(tmp_path: Path) -> None:
    from dataward.protect.revealing import reveal_file

    ring = KeyRing.load_or_create()
    cards = [CARD, "5555555555554444", "4111111111111111"]
    first = FpeOperator(keyring=ring, luhn=True).apply_many(cards[:2])
    ring.rotate()
    second = FpeOperator(keyring=ring, luhn=True).apply_many(cards[2:])  # version 2
    rows = "".join(f"{i},{v}\n" for i, v in enumerate([*first, *second]))
    (tmp_path / "p.csv").write_text("id,card\n" + rows)
    params = {"luhn": True}
    report = reveal_file(tmp_path / "p.csv", tmp_path / "back.csv", ["card"], "fpe", params=params)
    assert (report.revealed, report.failed) == (3, 0)
    assert all(card in (tmp_path / "back.csv").read_text() for card in cards)
    pinned = reveal_file(
        tmp_path / "p.csv",
        tmp_path / "v2.csv",
        ["card"],
        "fpe",
        params={**params, "key_version": 2},
    )
    assert (pinned.revealed, pinned.failed) == (1, 2)  # the version-1 cards are left as they are
    assert CARD not in (tmp_path / "v2.csv").read_text()


def test_protect_file_records_fpe_versions_before_the_output_exists(tmp_path: Path) -> None:
    """The versions were written at interpreter exit only: a reveal from another process (a
    second service worker, or after a crash) found the protected card unknown."""
    import subprocess
    import sys

    from dataward.protect.files import protect_file

    command = [sys.executable, "-m", "dataward.cli.main"]
    (tmp_path / "in.csv").write_text(f"id,card\n1,{CARD}\n")
    rules = {"rules": [{"entity": "CREDIT_CARD", "operator": "fpe", "params": {"luhn": True}}]}
    protect_file(tmp_path / "in.csv", tmp_path / "out.csv", rules=rules)
    protected = (tmp_path / "out.csv").read_text().splitlines()[1].split(",")[1].strip('"')
    assert protected != CARD and protected.isdigit()
    other = subprocess.run(
        [*command, "reveal", protected, "--operator", "fpe", "--param", "luhn=true"],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=120,
    )
    assert other.returncode == 0, other.stderr
    assert other.stdout.strip() == CARD
