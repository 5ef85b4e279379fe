"""Email addresses: hits with exact spans, near-misses, context, both backends agree."""

from __future__ import annotations

import pytest

from dataward.detect.detectors.email import EmailDetector
from dataward.detect.engine import Backend, Engine

BACKENDS: tuple[Backend, ...] = ("hyperscan", "re")
_ENGINES = {b: Engine([EmailDetector()], backend=b) for b in BACKENDS}


def found(text: str) -> list[tuple[int, int]]:
    results = [_ENGINES[b].detect(text) for b in BACKENDS]
    assert results[0] == results[1]
    assert all(f.entity == "EMAIL_ADDRESS" and f.detector == "email" for f in results[0])
    return [(f.start, f.end) for f in results[0]]


def span(text: str, value: str) -> tuple[int, int]:
    start = text.index(value)
    return start, start + len(value)


HITS = [
    ("write to ada@example.org now", "ada@example.org"),
    ("first.last+tag@sub.example.co.uk, thanks", "first.last+tag@sub.example.co.uk"),
    ("o'brien@example.ie", "o'brien@example.ie"),
    ("<john_doe-1@mail.example.com>", "john_doe-1@mail.example.com"),
    ("Contact: ADA@EXAMPLE.ORG.", "ADA@EXAMPLE.ORG"),
    ("x@y.zz", "x@y.zz"),
    ("(jean.dupont@exemple.fr)", "jean.dupont@exemple.fr"),
    ("Mail an max.mustermann@beispiel.de schicken", "max.mustermann@beispiel.de"),
    ("correo: maria_garcia99@correo.es;", "maria_garcia99@correo.es"),
    ('"mario.rossi@esempio.it"', "mario.rossi@esempio.it"),
    ("user%relay@example.travel", "user%relay@example.travel"),
    ("mailto:support@xn--mnchen-3ya.de", "support@xn--mnchen-3ya.de"),
]


@pytest.mark.parametrize(("text", "value"), HITS)
def test_hits(text: str, value: str) -> None:
    assert found(text) == [span(text, value)]


def test_several_addresses() -> None:
    text = "cc: a@example.com, b@example.net; c@example.org"
    assert found(text) == [
        span(text, "a@example.com"),
        span(text, "b@example.net"),
        span(text, "c@example.org"),
    ]


NEAR_MISSES = [
    "ada@localhost",
    "user@123.123.123.123",
    "user@[192.168.0.1]",
    "@example.com",
    "ada@example",
    "name@domain.c",
    "ada@example.org123",
    "foo.bar@baz",
    "ada@ex_ample.com",
    "ada.@example.com",
    "@ada on social media",
    "price is 5@10.00",
    "a" * 65 + "@example.com",
    "The meeting is scheduled for next week in the main office.",
    "",
]


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_misses(text: str) -> None:
    assert found(text) == []


def test_context_raises_score() -> None:
    plain = _ENGINES["re"].detect("ada@example.org")
    boosted = _ENGINES["re"].detect("email: ada@example.org", explain=True)
    assert plain[0].score == pytest.approx(0.9)
    assert boosted[0].score == pytest.approx(1.0)
    assert boosted[0].explanation is not None
    assert "email" in boosted[0].explanation.context_words


def test_explanation_never_holds_the_value() -> None:
    (f,) = _ENGINES["re"].detect("email ada.lovelace@example.org", explain=True)
    assert f.explanation is not None
    assert "lovelace" not in repr(f.explanation.to_dict())


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("GET /unsubscribe?email=ada@example.org HTTP/1.1", "ada@example.org"),
        ("/srv/landing/ada@example.org/part-0.csv", "ada@example.org"),
        ("2024-01-02|login|ada@example.org|ok", "ada@example.org"),
    ],
)
def test_an_address_starts_after_a_separator(text: str, address: str) -> None:
    """``email=``, a path and a pipe are not part of the address (the span began at the ``/``
    of a path, so a long path hid an address past the 64-character local-part limit)."""
    for engine in _ENGINES.values():
        assert [text[f.start : f.end] for f in engine.detect(text)] == [address]
