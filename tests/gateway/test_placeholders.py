"""Placeholders: restoring whole texts and streams cut at every position."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dataward.gateway.checks import replace_spans
from dataward.gateway.placeholders import (
    MAX_PLACEHOLDER,
    StreamRestorer,
    make_placeholder,
    pending_start,
    restore,
)

VALUES = {"<EMAIL_ADDRESS_1>": "ada@example.org", "<PERSON_12>": 'Ada "Countess" L'}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("to <EMAIL_ADDRESS_1>.", "to ada@example.org."),
        ("<PERSON_12><PERSON_12>", 'Ada "Countess" LAda "Countess" L'),
        ("<PERSON_2> is not ours", "<PERSON_2> is not ours"),  # another conversation's
        ("a < b > c <EMAIL_ADDRESS_1", "a < b > c <EMAIL_ADDRESS_1"),
        ("<<EMAIL_ADDRESS_1>>", "<ada@example.org>"),
        ("", ""),
    ],
)
def test_restore(text: str, expected: str) -> None:
    assert restore(text, VALUES) == expected


def test_restore_inside_json_keeps_it_valid() -> None:
    text = json.dumps({"who": "<PERSON_12>", "mail": "<EMAIL_ADDRESS_1>"})
    assert json.loads(restore(text, VALUES, json_string=True)) == {
        "who": 'Ada "Countess" L',
        "mail": "ada@example.org",
    }


def test_make_placeholder() -> None:
    assert make_placeholder("US_SSN", 3) == "<US_SSN_3>"
    assert make_placeholder("bad name!", 1) == "<VALUE_1>"
    assert len(make_placeholder("X" * 90, 9999)) <= MAX_PLACEHOLDER


def test_pending_start_holds_only_a_placeholder_start() -> None:
    assert pending_start("hello <EMAIL_AD") == 6
    assert pending_start("hello <") == 6
    assert pending_start("a <b") == 4  # lower case: no placeholder
    assert pending_start("x <EMAIL_ADDRESS_1> y") == 21
    assert pending_start("<" + "A" * 200) == 201  # too long to be one


@given(
    st.lists(
        st.sampled_from(["<EMAIL_ADDRESS_1>", "<PERSON_12>", "<PERSON_2>", "<", ">", " ", "AB_1"]),
        max_size=12,
    ),
    st.lists(st.integers(1, 9), min_size=1, max_size=20),
)
def test_stream_equals_whole(parts: list[str], cuts: list[int]) -> None:
    text = "".join(parts)
    pieces, at, i = [], 0, 0
    while at < len(text):
        size = cuts[i % len(cuts)]
        pieces.append(text[at : at + size])
        at, i = at + size, i + 1
    restorer = StreamRestorer(VALUES)
    out = "".join(restorer.feed(p) for p in pieces) + restorer.flush()
    assert out == restore(text, VALUES)


def test_held_tokens() -> None:
    from dataward.gateway.placeholders import token_start

    assert token_start("the key is AKIAZ7") == 11
    assert token_start("done. ") == 6
    restorer = StreamRestorer({}, hold_tokens=True)
    assert restorer.feed("use key=AKIA") == "use "
    assert restorer.feed("Z7Q3 now") == "key=AKIAZ7Q3 "
    assert restorer.flush() == "now"


@given(st.text(alphabet="ab <>_AZ1=", max_size=60), st.integers(1, 7))
def test_held_tokens_change_nothing_but_timing(text: str, size: int) -> None:
    restorer = StreamRestorer(VALUES, hold_tokens=True)
    pieces = [text[i : i + size] for i in range(0, len(text), size)]
    out = "".join(restorer.feed(p) for p in pieces) + restorer.flush()
    assert out == restore(text, VALUES)


def test_replace_spans() -> None:
    from dataward.detect.model import Finding

    text = "mail ada@example.org or ada@example.org"
    findings = [
        Finding("EMAIL_ADDRESS", 5, 20, 1.0, "email"),
        Finding("EMAIL_ADDRESS", 24, 39, 1.0, "email"),
    ]
    seen: dict[str, str] = {}
    out = replace_spans(text, findings, lambda e, v: seen.setdefault(v, f"<{e}_{len(seen) + 1}>"))
    assert out == "mail <EMAIL_ADDRESS_1> or <EMAIL_ADDRESS_1>"
