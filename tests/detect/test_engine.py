from __future__ import annotations

import pickle
import random
import string
from typing import ClassVar

import pyarrow as pa
import pytest

from dataward.detect import Engine, Finding, Pattern, PatternDetector, available_backends
from dataward.detect.base import ContextWords
from dataward.detect.engine import resolve_overlaps

BACKENDS = available_backends()


class _WordDetector(PatternDetector):
    name = "test-word"
    entity = "USERNAME"
    patterns = (Pattern("user", r"user[0-9]{3}", 0.3),)
    context: ClassVar[ContextWords] = {"en": ("login",), "de": ("anmeldung",)}
    negative_context: ClassVar[ContextWords] = {"any": ("example",)}
    context_entities: ClassVar[dict[str, ContextWords]] = {"EMPLOYEE_ID": {"any": ("staff",)}}


class _GroupDetector(PatternDetector):
    name = "test-group"
    entity = "PASSWORD"
    patterns = (Pattern("assign", r"pw=([a-z]{4,})", 0.8, group=1, boundary=False),)


def _engine(backend: str, *dets: PatternDetector) -> Engine:
    return Engine(list(dets) or [_WordDetector()], backend=backend)  # type: ignore[arg-type]


@pytest.mark.parametrize("backend", BACKENDS)
def test_context_lifts_a_weak_match_over_the_threshold(backend: str) -> None:
    engine = _engine(backend)
    assert engine.detect("user123 logged out") == []
    [f] = engine.detect("login user123 now", explain=True)
    assert (f.entity, f.start, f.end) == ("USERNAME", 6, 13)
    assert f.score == pytest.approx(0.65)
    assert f.explanation is not None and f.explanation.context_words == ("login",)


@pytest.mark.parametrize("backend", BACKENDS)
def test_negative_context_and_promotion(backend: str) -> None:
    engine = _engine(backend)
    assert engine.detect("login example user123") == []
    [f] = engine.detect("staff login user123")
    assert f.entity == "EMPLOYEE_ID"


@pytest.mark.parametrize("backend", BACKENDS)
def test_language_selects_context_words(backend: str) -> None:
    engine = _engine(backend)
    assert engine.detect("anmeldung user123", language="en") == []
    assert len(engine.detect("anmeldung user123", language="de")) == 1
    # unknown language: every language's words apply
    assert len(engine.detect("anmeldung user123")) == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_boundary_rejects_matches_inside_words(backend: str) -> None:
    engine = _engine(backend)
    assert engine.detect("login xuser123") == []
    assert engine.detect("login user1234") == []
    assert len(engine.detect("login (user123)")) == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_capture_group_is_the_span(backend: str) -> None:
    engine = _engine(backend, _GroupDetector())
    [f] = engine.detect("cfg pw=hunter x")
    assert (f.start, f.end) == (7, 13)


def test_hints_act_as_context() -> None:
    engine = _engine("re")
    assert engine.detect("user123") == []
    assert len(engine.detect("user123", hints=["last_login"])) == 1


def test_threshold_argument_overrides_default() -> None:
    engine = _engine("re")
    assert len(engine.detect("user123", threshold=0.2)) == 1


def test_resolve_overlaps_keeps_best_non_overlapping() -> None:
    a = Finding("A", 0, 10, 0.9, "a")
    b = Finding("B", 5, 15, 0.95, "b")
    c = Finding("C", 12, 20, 0.5, "c")
    d = Finding("D", 20, 25, 0.1, "d")
    # the losers keep what no winner covers (dataward.detect.overlaps)
    rest_a, rest_c = Finding("A", 0, 5, 0.9, "a"), Finding("C", 15, 20, 0.5, "c")
    assert resolve_overlaps([a, b, c, d]) == [rest_a, b, rest_c, d]
    longer = Finding("L", 0, 12, 0.9, "l")
    assert resolve_overlaps([a, longer]) == [longer]


def _corpus(n: int = 300) -> list[str]:
    rng = random.Random(7)
    pieces = [
        "ada@example.org",
        "4111 1111 1111 1111",
        "GB82 WEST 1234 5698 7654 32",
        "536-22-8174",
        "+44 20 7946 0958",
        "10.0.3.17",
        "2021-03-04 14:56:41",
        "born 03/14/1985",
        "password = 'T7#kq9!Lm2$vXr'",
        "postgres://app:S3cr3tPa55@db:5432/x",
        "DE89370400440532013000",
        "1667470478",
        "01.696170",
        "v2.14.3",
        "AKIAQ3EGRL7XKZ4TOMBN",
        "Telefon +49 30 901820",
        "né le 12 mars 1979",
        "00:1A:2B:3C:4D:5E",
        "fe80::1ff:fe23:4567:890a",
        "978-3-16-148410-0",
    ]
    words = ["the", "patient", "card", "ssn", "login", "email", "call", "order", "iban", "dob"]
    out = []
    for _ in range(n):
        parts = [rng.choice(words) for _ in range(rng.randint(2, 8))]
        for _ in range(rng.randint(0, 3)):
            parts.insert(rng.randint(0, len(parts)), rng.choice(pieces))
        noise = "".join(
            rng.choice(string.ascii_letters + string.digits + " .-/:") for _ in range(20)
        )
        out.append(" ".join(parts) + " " + noise)
    return out


@pytest.mark.parametrize("backend", [b for b in BACKENDS if b != "re"])
def test_fast_backends_equal_the_re_reference(backend: str) -> None:
    corpus = _corpus()
    reference = Engine.default(backend="re")
    fast = Engine.default(backend=backend)  # type: ignore[arg-type]
    assert fast.pattern_count == reference.pattern_count
    total = 0
    for text in corpus:
        expected = reference.detect(text)
        total += len(expected)
        assert fast.detect(text) == expected, text
    assert total > 0


def test_entities_restriction_compiles_fewer_patterns() -> None:
    everything = Engine.default()
    only = Engine.default(entities=["EMAIL_ADDRESS"])
    assert only.pattern_count < everything.pattern_count or everything.pattern_count == 1
    findings = only.detect("ada@example.org 4111 1111 1111 1111 536-22-8174")
    assert [f.entity for f in findings] == ["EMAIL_ADDRESS"]


def test_engine_pickles_with_its_compiled_database() -> None:
    engine = Engine.default()
    clone = pickle.loads(pickle.dumps(engine))
    for text in _corpus(50):
        assert clone.detect(text) == engine.detect(text)


def test_batch_with_a_process_pool_keeps_order_and_results() -> None:
    engine = Engine.default()
    corpus = _corpus(120)
    sequential = [engine.detect(t) for t in corpus]
    assert list(engine.detect_batch(corpus, workers=2, chunk_size=8)) == sequential
    assert list(engine.detect_batch([None, "", *corpus[:3]], workers=1)) == [
        [],
        [],
        *sequential[:3],
    ]


def test_batch_accepts_arrow_arrays() -> None:
    import dataward as dw

    arr = pa.chunked_array([["mail ada@example.org", None], ["nothing"]])
    results = list(dw.detect_batch(arr, workers=1))
    assert [len(r) for r in results] == [1, 0, 0]


def test_unknown_backend_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from dataward.detect import engine as eng
    from dataward.errors import ConfigError

    monkeypatch.setattr(eng, "available_backends", lambda: ["re"])
    with pytest.raises(ConfigError, match="not available"):
        Engine([_WordDetector()], backend="hyperscan")


class _DigitsDetector(PatternDetector):
    name = "test-digits"
    entity = "US_BANK_NUMBER"
    patterns = (Pattern("digits", r"[0-9]{8}", 0.9),)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("id 12345678 ok", True),
        ("ends 12345678.", True),
        ("list 12345678, 87654321", True),
        ("pi 0.12345678 x", False),
        ("sci 1.12345678E+12", False),
        ("amount 1,12345678 y", False),
        ("v 12345678.5", False),
        ("x12345678", False),
    ],
)
def test_digits_glued_to_a_decimal_are_not_a_match(backend: str, text: str, found: bool) -> None:
    engine = _engine(backend, _DigitsDetector())
    assert bool(engine.detect(text)) is found


def test_one_engine_serves_many_threads() -> None:
    from concurrent.futures import ThreadPoolExecutor

    engine = Engine.default()
    corpus = _corpus(200)
    expected = [engine.detect(t) for t in corpus]
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(engine.detect, corpus))
    assert got == expected


class _MailDetector(PatternDetector):
    name = "test-mail"
    entity = "EMAIL_ADDRESS"
    patterns = (Pattern("mail", r"[a-z0-9.]+@[a-z0-9-]+\.[a-z]{2,}", 0.9),)


def test_a_text_past_the_time_budget_is_reported_partial_not_dropped() -> None:
    text = "mail zq7x41.canary@probemail-dw.net and user123"
    spent = Engine([_MailDetector(), _WordDetector()], record_budget_ms=0)  # type: ignore[list-item]
    found = spent.detect(text)
    assert found.partial  # budget 0: the first pattern is already late
    assert spent.partial_records == 1
    # the run goes on: the next text is scanned (and counted) too
    assert spent.detect(text * 2).partial
    assert spent.partial_records == 2
    # a text with nothing to extract needs no time: complete
    assert not spent.detect("nothing here").partial
    roomy = Engine([_MailDetector()], record_budget_ms=60_000)  # type: ignore[list-item]
    found = roomy.detect(text)
    assert not found.partial
    assert [(f.entity, f.start, f.end) for f in found] == [("EMAIL_ADDRESS", 5, 35)]
    assert roomy.partial_records == 0


def test_partial_survives_pickling_and_the_process_pool() -> None:
    spent = Engine([_MailDetector()], record_budget_ms=0)  # type: ignore[list-item]
    texts = [f"row {i} mail a{i}@example.org" for i in range(40)]
    results = list(spent.detect_batch(texts, workers=2, chunk_size=8))
    assert len(results) == 40
    assert all(r.partial for r in results)
    clone = pickle.loads(pickle.dumps(results[0]))
    assert clone.partial


def test_the_default_budget_comes_from_settings() -> None:
    from dataward.settings import get_settings

    assert get_settings().detect.record_budget_ms == 1000.0
    assert Engine.default(entities=["EMAIL_ADDRESS"]).record_budget_ms == 1000.0


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Patient Amit Martinez, DOB 1936-02-27, SSN 506-16-4622.", "prose"),
        ("Call McDonald tomorrow at 5pm, please.", "prose"),
        ('{"total_count":6,"items":[{"url":"https://api.github.com/repos/o/r"}]}', "json"),
        ("<note><to>Ada Lovelace</to></note>", "xml"),
        ('    elif implementation == "PyPy":', "code"),
        ("    max_retries: Retry", "code"),
        ("2024-05-01T12:00:03Z INFO user login ok for Grace Hopper", "log"),
        ('127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" 200 2326', "log"),
        ("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0MTIzNDU2Nzg5K/QUJD==", "binary"),
    ],
)
def test_values_are_routed_by_type(text: str, kind: str) -> None:
    from dataward.detect.routing import kind as text_kind

    assert text_kind(text) == kind


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ('{"name":"Ada Lovelace","id":12,"key":"user_id"}', ["Ada Lovelace"]),
        (
            'self.owner_name = "Grace Hopper"  # reviewed by Alan Turing',
            ["Grace Hopper", "reviewed by"],
        ),
        ("2024-05-01T12:00:03Z INFO user login ok for Grace Hopper", ["user login ok"]),
        ("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0MTIzNDU2Nzg5K/QUJD==", []),
    ],
)
def test_models_read_only_the_prose_like_parts(text: str, parts: list[str]) -> None:
    from dataward.detect.routing import prose_spans

    read = [text[s:e] for s, e in prose_spans(text)]
    assert len(read) == len(parts)
    for got, want in zip(read, parts, strict=True):
        assert want in got


class _EveryWordModel:
    """A stand-in model (a real Detector) that tags every capitalised word as a PERSON."""

    name = "word-model"
    entities = ("PERSON",)

    def detect(self, text: str, language: str | None = None) -> list[Finding]:
        import re

        return [
            Finding("PERSON", m.start(), m.end(), 0.9, self.name)
            for m in re.finditer(r"[A-Z][a-z]+", text)
        ]


def test_names_inside_json_strings_and_comments_still_count_with_offsets() -> None:
    engine = Engine([_EveryWordModel()])
    text = '{"Key":"x","owner":"Grace Hopper","Flag":true}  '
    got = [text[f.start : f.end] for f in engine.detect(text)]
    assert got == ["Grace", "Hopper"]  # not the keys Key and Flag: they are no prose
    code = "Config = load()  # Owner Alan"
    assert [code[f.start : f.end] for f in engine.detect(code)] == ["Owner", "Alan"]
    prose = "Mail Grace today"
    assert [prose[f.start : f.end] for f in engine.detect(prose)] == ["Mail", "Grace"]
    unrouted = Engine([_EveryWordModel()], routing=False)
    assert [text[f.start : f.end] for f in unrouted.detect(text)] == [
        "Key",
        "Grace",
        "Hopper",
        "Flag",
    ]


def test_repeated_short_values_are_answered_from_the_memo() -> None:
    engine = Engine([_MailDetector()])  # type: ignore[list-item]
    first = engine.detect("mail zq7x41.canary@probemail-dw.net")
    first.clear()  # the caller's list is its own
    again = engine.detect("mail zq7x41.canary@probemail-dw.net")
    assert [(f.start, f.end) for f in again] == [(5, 35)]
    assert engine.memo_hits == 1
    # other options are other answers
    assert engine.detect("mail zq7x41.canary@probemail-dw.net", threshold=0.95) == []
    assert engine.memo_hits == 1
    # a partial answer is never remembered
    spent = Engine([_MailDetector()], record_budget_ms=0)  # type: ignore[list-item]
    assert spent.detect("mail a@example.org").partial
    assert spent.detect("mail a@example.org").partial
    assert spent.memo_hits == 0


def _burn(seconds: float) -> None:
    """Work for ``seconds`` of this thread's CPU time (the time budget counts CPU, not sleep)."""
    import time

    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


class _SlowWordModel(_EveryWordModel):
    """The stand-in model, taking 0.1 s a call (a long value's worth of model time)."""

    def __init__(self) -> None:
        self.calls = 0

    def detect(self, text: str, language: str | None = None) -> list[Finding]:
        self.calls += 1
        _burn(0.1)
        return super().detect(text, language)


def test_a_long_value_is_read_by_the_model_in_batches_within_the_budget() -> None:
    from dataward.detect.engine import MODEL_BATCH

    line = "the meeting with Grace went fine and nothing else happened here today\n"
    text = line * (3 * MODEL_BATCH // len(line))
    model = _SlowWordModel()
    engine = Engine([model], record_budget_ms=50)
    engine.detect("warm up")  # a first call loads what the engine loads lazily, unbudgeted
    model.calls = 0
    found = engine.detect(text)
    assert found.partial  # the first batch took longer than the budget: no second one
    assert model.calls == 1
    assert found and all(text[f.start : f.end] == "Grace" for f in found)
    model = _SlowWordModel()
    every = Engine([model]).detect(text)  # no budget: every batch, offsets mapped back
    assert not every.partial
    assert model.calls >= 3
    assert len(every) == text.count("Grace")
    assert all(text[f.start : f.end] == "Grace" for f in every)


def test_lazy_loads_do_not_count_against_the_first_records_budget() -> None:
    """Loading a model on first use is not the record's time: a short first value under a
    tight budget is scanned whole (CI saw a 4-character value reported partial)."""

    class _SlowFirstLoad(_EveryWordModel):
        loaded = False

        def detect(self, text: str, language: str | None = None) -> list[Finding]:
            if not self.loaded:
                _burn(0.5)  # the first call loads the model
                self.loaded = True
            return super().detect(text, language)

    engine = Engine([_SlowFirstLoad(), _EveryWordModel()], record_budget_ms=200)
    found = engine.detect("Grace called")
    assert not found.partial
    assert "Grace" in {"Grace called"[f.start : f.end] for f in found}
    assert engine.partial_records == 0
