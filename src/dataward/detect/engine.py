"""The detection engine: compile every pattern once, scan each value once, validate only hits.

Two stages. A multi-pattern prefilter (Hyperscan, or RE2's ``Set`` when Hyperscan is missing)
answers "which patterns hit this value". Only for those patterns does a span regex (RE2, or Python
``re`` as the portable fallback) extract the matches, which the detector validates and context words
score. Overlapping findings resolve to the best one. The ``re`` backend skips the prefilter and
runs every pattern: the baseline, and the reference that the fast path must equal.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import logging
import os
import re
import threading
import time
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from dataward.detect.base import Detector, PatternDetector, score_ceiling
from dataward.detect.clinical import is_clinical, model_spans
from dataward.detect.clinical import refine as refine_clinical
from dataward.detect.context import match_words, tokens, words_for
from dataward.detect.gate import ContextGate
from dataward.detect.language import detect_language
from dataward.detect.linear import LinearPattern
from dataward.detect.model import Explanation, Finding, Pattern
from dataward.detect.overlaps import resolve
from dataward.detect.prefilter import _HyperscanPrefilter, _Re2SetPrefilter
from dataward.detect.prefilter import (
    available_backends as available_backends,
)
from dataward.errors import DetectorError

log = logging.getLogger(__name__)

Backend = Literal["auto", "hyperscan", "re2", "re"]


@dataclass(frozen=True, slots=True)
class _Compiled:
    index: int
    detector: PatternDetector
    pattern: Pattern
    entity: str
    regex: LinearPattern
    uses_context: bool
    ceiling: float | None
    """The highest score ``validate`` can give (:func:`score_ceiling`; ``None``: unknown)."""
    gate: int
    """Index of its detector in the engine's :class:`ContextGate`."""


class Findings(list[Finding]):
    """The findings of one text, sorted by start, and whether the scan finished.

    ``partial`` is true when the text ran past the engine's per-record time budget
    (``detect.record_budget_ms``): the findings found so far are kept, but the text was not
    fully scanned and must be treated as not verified (fail closed: block or quarantine it).
    """

    __slots__ = ("partial",)

    def __init__(self, items: Iterable[Finding] = (), partial: bool = False) -> None:
        super().__init__(items)
        self.partial = partial

    def __reduce__(self) -> tuple[Any, ...]:
        return (Findings, (list(self), self.partial))


_ContextSet = tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[str, tuple[str, ...]], ...]]
"""A detector's context words, negative words and entity-promoting words for one language."""

_ContextHit = tuple[tuple[str, ...], tuple[str, ...], tuple[str, tuple[str, ...]] | None]
"""Context words, negative words and the first promotion found around one match."""
_MEMO_TEXT = 256
"""Values up to this length are remembered with their findings (repeated cells cost one scan)."""
_MEMO_SIZE = 50_000
"""Values remembered before the memo starts over."""
_CONTEXT_MEMO = 20_000
"""Windows remembered by :meth:`Engine._context` before the memo starts over."""


def _span_regex(detector: str, pattern: Pattern) -> LinearPattern:
    """The span regex of ``pattern``: Python ``re`` on short texts when the ReDoS check passes,
    RE2 otherwise (see :mod:`dataward.detect.linear`); never a backtracking blow-up. Compiled
    once per process: the check walks every pattern (0.6-1.7 s of CPU for the built-ins), and
    a scan or a protect run builds more than one engine over the same patterns."""
    return _compiled_span(
        detector, pattern.name, pattern.regex, pattern.ignore_case, pattern.boundary
    )


@functools.lru_cache(maxsize=4096)
def _compiled_span(
    detector: str, name: str, regex: str, ignore_case: bool, boundary: bool
) -> LinearPattern:
    flags = re.ASCII | (re.IGNORECASE if ignore_case else 0)
    try:
        # a boundary pattern's match never touches an ASCII letter, digit or underscore (_glued
        # checks more); saying so in the regex skips the matches inside long tokens in C
        guard = "[A-Za-z0-9_]" if boundary else None
        return LinearPattern(regex, flags, name=f"{detector}/{name}", guard=guard)
    except re.error as exc:
        raise DetectorError(f"pattern {name!r} does not compile: {exc}", pattern=name) from None


class Engine:
    """Runs a fixed set of detectors over text values.

    >>> from dataward.detect import Engine
    >>> engine = Engine.default(entities=["EMAIL_ADDRESS"])
    >>> [(f.entity, f.start, f.end) for f in engine.detect("mail ada@example.org now")]
    [('EMAIL_ADDRESS', 5, 21)]
    """

    def __init__(
        self,
        detectors: Sequence[PatternDetector | Detector],
        *,
        backend: Backend = "auto",
        entities: Collection[str] | None = None,
        threshold: float = 0.5,
        record_budget_ms: float | None = None,
        routing: bool = True,
        _serialized: tuple[bytes, list[int]] | None = None,
    ) -> None:
        self.entities = frozenset(entities) if entities is not None else None
        self.threshold = threshold
        self.record_budget_ms = record_budget_ms
        """Time one text may take (``None``: no limit); past it the text is reported partial."""
        self.partial_records = 0
        """Texts this engine (in this process) reported partially scanned: a metric."""
        self.routing = routing
        """Whether models read only the prose-like parts of a text (see detect.routing)."""
        self._memo: dict[tuple[Any, ...], tuple[Finding, ...]] = {}
        self.memo_hits = 0
        """Short values answered from the memo of values seen before."""
        self._warm = False
        self.detectors = [d for d in detectors if self._wanted(d)]
        self.backend = _resolve_backend(backend)
        self._compiled: list[_Compiled] = []
        self.context_gate = True
        """Whether a pattern that scores under the threshold without a context word runs only on
        texts (or hints) where one of its detector's context words occurs: the same findings
        for less work (see :mod:`dataward.detect.gate`)."""
        pattern_detectors = [d for d in self.detectors if isinstance(d, PatternDetector)]
        self._gate = ContextGate(pattern_detectors)
        for gate, det in enumerate(pattern_detectors):
            for p in det.patterns:
                entity = p.entity or det.entity
                if self.entities is not None and not self._pattern_wanted(det, entity):
                    continue
                uses_context = bool(det.context or det.negative_context or det.context_entities)
                self._compiled.append(
                    _Compiled(
                        len(self._compiled),
                        det,
                        p,
                        entity,
                        _span_regex(det.name, p),
                        uses_context,
                        score_ceiling(det, p),
                        gate,
                    )
                )
        self._others: list[Detector] = [
            d for d in self.detectors if not isinstance(d, PatternDetector)
        ]
        patterns = [c.pattern for c in self._compiled]
        self._prefilter: _HyperscanPrefilter | _Re2SetPrefilter | None
        if not patterns:  # only model-based detectors: nothing to prefilter
            self._prefilter = None
        elif self.backend == "hyperscan":
            self._prefilter = _HyperscanPrefilter(patterns, _serialized)
        elif self.backend == "re2":
            self._prefilter = _Re2SetPrefilter(patterns)
        else:
            self._prefilter = None
        self._all_ids = list(range(len(self._compiled)))
        self._secondary = frozenset(d.name for d in self._others)
        self._model_lock = threading.Lock()
        self._words: dict[tuple[int, str | None], _ContextSet] = {}
        self._hits: dict[tuple[int, str | None, str, frozenset[str]], _ContextHit] = {}

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def default(
        cls,
        entities: Collection[str] | None = None,
        *,
        backend: Backend = "auto",
        extra: Sequence[PatternDetector | Detector] = (),
        threshold: float | None = None,
        check_entities: bool = True,
    ) -> Engine:
        """An engine over every registered detector (plus ``extra``), kept per arguments by the
        runtime in use (:mod:`dataward.scope`)."""
        from dataward import scope
        from dataward.settings import get_settings

        key = (
            frozenset(entities) if entities is not None else None,
            backend,
            tuple(id(d) for d in extra),
            threshold if threshold is not None else get_settings().threshold,
            get_settings().detect.record_budget_ms,
        )

        def build() -> Engine:
            from dataward.detect.detectors import load_builtins
            from dataward.detect.registry import detectors

            load_builtins()
            if entities is not None and check_entities:
                _check_entities(entities)
            dets = [detectors.get(n) for n in detectors.names()] + list(extra)
            return cls(
                dets, backend=backend, entities=entities, threshold=key[3], record_budget_ms=key[4]
            )

        name = (sorted(entities) if entities is not None else None, *key[1:])
        return scope.current().get(f"{scope.SHARED}detect.engine:{name!r}", build)

    def _wanted(self, det: PatternDetector | Detector) -> bool:
        return self.entities is None or bool(self.entities.intersection(det.entities))

    def _pattern_wanted(self, det: PatternDetector, entity: str) -> bool:
        assert self.entities is not None
        return entity in self.entities or bool(self.entities.intersection(det.context_entities))

    def __getstate__(self) -> dict[str, Any]:
        serialized = (
            self._prefilter.serialize()
            if isinstance(self._prefilter, _HyperscanPrefilter)
            else None
        )
        return {
            "detectors": self.detectors,
            "backend": self.backend,
            "entities": self.entities,
            "threshold": self.threshold,
            "record_budget_ms": self.record_budget_ms,
            "routing": self.routing,
            "serialized": serialized,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(  # type: ignore[misc]
            state["detectors"],
            backend=state["backend"],
            entities=state["entities"],
            threshold=state["threshold"],
            record_budget_ms=state.get("record_budget_ms"),
            routing=state.get("routing", True),
            _serialized=state["serialized"],
        )

    @property
    def pattern_count(self) -> int:
        return len(self._compiled)

    def fingerprint(self) -> str:
        """A digest of the compiled patterns, for caches and reports."""
        h = hashlib.sha256()
        for c in self._compiled:
            h.update(f"{c.detector.name}\0{c.pattern.name}\0{c.pattern.regex}\n".encode())
        return h.hexdigest()[:16]

    # -- detection ------------------------------------------------------------------------------

    def detect(
        self,
        text: str,
        *,
        threshold: float | None = None,
        language: str | None = None,
        hints: Sequence[str] = (),
        explain: bool = False,
    ) -> Findings:
        """Findings in ``text``, non-overlapping and sorted by start.

        ``language`` selects context words (detected from the text when ``None``); ``hints`` are
        extra context words that apply to every match, such as a column name. A text that runs
        past the time budget comes back with ``partial`` set (see :class:`Findings`).
        """
        threshold = self.threshold if threshold is None else threshold
        if not text:
            return Findings()
        hint_tokens = frozenset(t for h in hints for t in tokens(h))
        return self._detect(text, threshold, language, hint_tokens, explain)

    def detect_many(
        self,
        texts: Iterable[str | None],
        *,
        threshold: float | None = None,
        language: str | None = None,
        hints: Sequence[str] = (),
    ) -> list[Findings]:
        """``[detect(t, hints=hints, ...) for t in texts]`` in-process, with the hint words read
        once (``None`` or empty: no findings). A value the prefilter does not hit costs one scan."""
        threshold = self.threshold if threshold is None else threshold
        hint_tokens = frozenset(t for h in hints for t in tokens(h))
        return [
            self._detect(t, threshold, language, hint_tokens, False) if t else Findings()
            for t in texts
        ]

    def _detect(
        self,
        text: str,
        threshold: float,
        language: str | None,
        hint_tokens: frozenset[str],
        explain: bool,
    ) -> Findings:
        """Findings of ``text``; a short value seen before (a column's repeated cells) is answered
        from a memo (a copy: callers may change the list)."""
        if len(text) > _MEMO_TEXT:
            return self._scan(text, threshold, language, hint_tokens, explain)
        key = (text, threshold, language, hint_tokens, explain)
        got = self._memo.get(key)
        if got is not None:
            self.memo_hits += 1
            return Findings(got)
        found = self._scan(text, threshold, language, hint_tokens, explain)
        if not found.partial:  # a partial answer depends on the machine's load: never reuse it
            if len(self._memo) >= _MEMO_SIZE:
                self._memo.clear()
            self._memo[key] = tuple(found)
        return found

    def _scan(
        self,
        text: str,
        threshold: float,
        language: str | None,
        hint_tokens: frozenset[str],
        explain: bool,
    ) -> Findings:
        budget = self.record_budget_ms
        if budget is not None and not self._warm:
            # models, lexicons and word lists load on first use: not the first record's time
            self._warm = True
            for sample in _WARM_UP:
                self._scan_until(sample, threshold, None, frozenset(), False, None)
        # the budget counts this thread's CPU time: a loaded machine that holds the process off
        # its cores does not make a short value partial, a value that makes the engine work does
        deadline = None if budget is None else time.thread_time() + budget / 1000.0
        return self._scan_until(text, threshold, language, hint_tokens, explain, deadline)

    def _scan_until(
        self,
        text: str,
        threshold: float,
        language: str | None,
        hint_tokens: frozenset[str],
        explain: bool,
        deadline: float | None,
    ) -> Findings:
        partial = False
        ids = self._prefilter.hits(text) if self._prefilter is not None else self._all_ids
        candidates: list[Finding] = []
        lang_state: list[str | None] = []
        opened: set[int] | None = None
        for pid in ids:
            c = self._compiled[pid]
            if (
                self.context_gate
                and c.ceiling is not None
                and c.ceiling < threshold
                and threshold > 0.0
            ):
                if opened is None:
                    opened = self._gate.open(text, hint_tokens)
                if c.gate not in opened:
                    continue  # no match of this pattern can reach the threshold in this text
            args = (c, text, candidates, lang_state, hint_tokens, explain, language, deadline)
            if _late(deadline) or not self._extract(*args):
                partial = True
                break
        n = len(text)
        clinical = is_clinical(text)  # one tokenizing pass, for the model spans and the refine
        spans: list[tuple[int, int]] | None = None
        for det in self._others:
            if partial or _late(deadline):
                partial = True
                break
            if spans is None:  # models read only the prose-like parts (see detect.routing)
                spans = model_spans(text, clinical) if self.routing else [(0, n)]
            found, complete = self._run_model(det, text, spans, language, deadline)
            partial = partial or not complete
            # a model's span glued into an identifier (AWS in AWS_ACCESS_KEY_ID) is not a name
            candidates.extend(f for f in found if not _glued(text, f.start, f.end, n))
        # clinical notes: medical words are no names, context names clinicians and dates
        candidates = refine_clinical(
            text, [f for f in candidates if f.score >= threshold], clinical
        )
        if self.entities is not None:
            candidates = [f for f in candidates if f.entity in self.entities]
        found_all = Findings(resolve_overlaps(candidates, self._secondary, text), partial)
        if partial:
            self.partial_records += 1
            log.warning(
                "a text of %d characters ran past the %s ms detection budget: partially scanned",
                n,
                self.record_budget_ms,
            )
        return found_all

    def _run_model(
        self,
        det: Detector,
        text: str,
        spans: list[tuple[int, int]],
        language: str | None,
        deadline: float | None = None,
    ) -> tuple[list[Finding], bool]:
        """A model's findings in the ``spans`` of ``text`` and whether it read them all.

        The parts are read in batches of about :data:`MODEL_BATCH` characters (a long part is cut
        at a line or word break), each batch as one text: its parts joined by blank lines, the
        findings mapped back (clipped to their part). Between batches the deadline is checked, so
        a long value cannot hold the engine past its time budget."""
        out: list[Finding] = []
        for k, batch in enumerate(_batches(text, spans)):
            if k and _late(deadline):
                return out, False
            if batch == [(0, len(text))]:
                # models keep state between calls (a tagger's current sequence): one at a time
                with self._model_lock:
                    return list(det.detect(text, language)), True
            joined: list[str] = []
            offsets: list[int] = []  # where each part starts in the joined text
            at = 0
            for s, e in batch:
                offsets.append(at)
                joined.append(text[s:e])
                at += e - s + 2
            with self._model_lock:
                found = list(det.detect("\n\n".join(joined), language))
            for f in found:
                i = bisect.bisect_right(offsets, f.start) - 1
                s, e = batch[i]
                start = s + f.start - offsets[i]
                end = min(e, s + f.end - offsets[i])
                if end > start:
                    out.append(Finding(f.entity, start, end, f.score, f.detector, f.explanation))
        return out, True

    def _extract(
        self,
        c: _Compiled,
        text: str,
        out: list[Finding],
        lang_state: list[str | None],
        hint_tokens: frozenset[str],
        explain: bool,
        language: str | None,
        deadline: float | None = None,
    ) -> bool:
        """Append the findings of one pattern to ``out``; ``False`` when the deadline passed
        before every match was read."""
        det, pattern = c.detector, c.pattern
        n = len(text)
        for i, m in enumerate(c.regex.finditer(text)):
            if i & 63 == 63 and _late(deadline):
                return False
            start, end = m.span(pattern.group)
            if start == end or start < 0:
                continue
            if pattern.boundary:
                ms, me = m.span()
                if _glued(text, ms, me, n):
                    continue
            value = text[start:end]
            base = det.validate(value, pattern)
            if base is None:
                continue
            score, entity = base, c.entity
            found: tuple[str, ...] = ()
            delta = 0.0
            lang: str | None = None
            notes: list[str] = []
            if c.uses_context or hint_tokens:
                if language is not None:
                    lang = language
                else:
                    if not lang_state:
                        lang_state.append(detect_language(text))
                    lang = lang_state[0]
                before, after = _window(text, start, end, det.window_before, det.window_after)
                phrase = f"{before} {after}".lower()
                found, negative, promotion = self._context(c, lang, phrase, hint_tokens)
                if found:
                    delta += det.context_boost
                if negative:
                    delta -= det.negative_penalty
                    notes.append("negative context: " + ", ".join(negative))
                if promotion is not None:
                    promoted, hit = promotion
                    entity = promoted
                    notes.append(f"promoted to {promoted} by: {', '.join(hit)}")
                    found = found + hit
                score = min(1.0, max(0.0, score + delta))
            explanation = None
            if explain:
                explanation = Explanation(
                    pattern=pattern.name,
                    base_score=base,
                    validator=det.validator,
                    validation=("passed" if det.validator else None),
                    context_words=found,
                    context_delta=delta,
                    language=lang,
                    notes=tuple(notes),
                )
            out.append(Finding(entity, start, end, score, det.name, explanation))
        return True

    def _context(
        self, c: _Compiled, lang: str | None, phrase: str, hint_tokens: frozenset[str]
    ) -> _ContextHit:
        """The context words, negative words and the first promotion (entity, words) found
        around a match. Remembered per pattern, language, window and hints: the window of a whole
        cell is empty, so a column of structured values computes it once."""
        key = (c.index, lang, phrase, hint_tokens)
        got = self._hits.get(key)
        if got is not None:
            return got
        window = set(tokens(phrase)) | hint_tokens
        positive, negatives, promotions = self._context_words(c, lang)
        found = match_words(window, phrase, positive)
        negative = match_words(window, phrase, negatives)
        promotion: tuple[str, tuple[str, ...]] | None = None
        for promoted, words in promotions:
            hit = match_words(window, phrase, words)
            if hit:
                promotion = (promoted, hit)
                break
        got = (found, negative, promotion)
        if len(self._hits) >= _CONTEXT_MEMO:
            self._hits.clear()
        self._hits[key] = got
        return got

    def _context_words(self, c: _Compiled, lang: str | None) -> _ContextSet:
        """The context, negative and promoting words of a pattern's detector for ``lang``,
        computed once per pattern and language."""
        key = (c.index, lang)
        got = self._words.get(key)
        if got is None:
            det = c.detector
            got = (
                words_for(det.context, lang),
                words_for(det.negative_context, lang),
                tuple((p, words_for(w, lang)) for p, w in det.context_entities.items()),
            )
            self._words[key] = got
        return got

    def detect_batch(
        self,
        texts: Iterable[str | None],
        *,
        threshold: float | None = None,
        language: str | None = None,
        explain: bool = False,
        workers: int | None = None,
        chunk_size: int = 512,
    ) -> Iterator[Findings]:
        """Findings for each text, in input order; ``workers > 1`` uses a process pool.

        ``None`` values (nulls of an Arrow array) give no findings.
        """
        workers = workers if workers is not None else (os.cpu_count() or 1)
        kwargs = {"threshold": threshold, "language": language, "explain": explain}
        if workers <= 1:
            for t in texts:
                yield self.detect(t, **kwargs) if t else Findings()  # type: ignore[arg-type]
            return
        chunks = _chunks(texts, chunk_size)
        first = next(chunks, None)
        if first is None:
            return
        second = next(chunks, None)
        if second is None:  # too little work to pay for a pool
            for t in first:
                yield self.detect(t, **kwargs) if t else Findings()  # type: ignore[arg-type]
            return
        from dataward.detect.pool import worker_pool

        with worker_pool(workers, _init_worker, (self,)) as pool:
            pending = []
            source = _prepend([first, second], chunks)
            for chunk in source:
                pending.append(pool.submit(_detect_chunk, chunk, kwargs))
                if len(pending) >= workers * 4:
                    yield from _unpack(pending.pop(0).result())
            for fut in pending:
                yield from _unpack(fut.result())


_WORKER_ENGINE: list[Engine] = []
"""Per-process worker state: the engine a :func:`detect_many` worker process was started with
(set once by its initializer; never in the parent)."""


def _init_worker(engine: Engine) -> None:
    _WORKER_ENGINE[:] = [engine]


_Packed = tuple[str, int, int, float, str, Explanation | None]


def _detect_chunk(
    chunk: list[str | None], kwargs: dict[str, Any]
) -> list[tuple[list[_Packed], bool]]:
    """Run in a worker; findings travel back as plain tuples, which pickle several times
    faster than dataclass instances, with each text's ``partial`` flag."""
    engine = _WORKER_ENGINE[0]
    out: list[tuple[list[_Packed], bool]] = []
    for t in chunk:
        found = engine.detect(t, **kwargs) if t else Findings()
        packed = [(f.entity, f.start, f.end, f.score, f.detector, f.explanation) for f in found]
        out.append((packed, found.partial))
    return out


def _unpack(rows: list[tuple[list[_Packed], bool]]) -> Iterator[Findings]:
    for row, partial in rows:
        yield Findings((Finding(*f) for f in row), partial)


def _chunks(items: Iterable[str | None], size: int) -> Iterator[list[str | None]]:
    chunk: list[str | None] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _prepend(first: list[list[str | None]], rest: Iterator[list[str | None]]) -> Iterator[Any]:
    yield from first
    yield from rest


_SENTENCE_END = re.compile(r"[.!?]\s+(?=[A-Z])")


_WARM_UP = (
    "Jane Doe of 12 Main Street, Springfield met the team on 3 May 2020.",
    "Pt with PMH of HTN, on heparin gtt, seen by Dr. Smith today.",
)
"""Texts (prose, a clinical note) that take every lazy load (models, lexicons) before the first
budgeted record."""

MODEL_BATCH = 16_384
"""Characters a model reads in one call; between calls the engine checks the time budget."""


def _batches(text: str, spans: list[tuple[int, int]]) -> Iterator[list[tuple[int, int]]]:
    """``spans`` cut into pieces of at most :data:`MODEL_BATCH` characters (at the last line
    break, else space, before the limit) and grouped into batches of about that size."""
    batch: list[tuple[int, int]] = []
    size = 0
    for s, e in spans:
        while e - s > MODEL_BATCH:
            cut = text.rfind("\n", s + MODEL_BATCH // 2, s + MODEL_BATCH)
            if cut < 0:
                cut = text.rfind(" ", s + MODEL_BATCH // 2, s + MODEL_BATCH)
            cut = cut + 1 if cut >= 0 else s + MODEL_BATCH
            if batch:
                yield batch
                batch, size = [], 0
            yield [(s, cut)]
            s = cut
        if batch and size + (e - s) > MODEL_BATCH:
            yield batch
            batch, size = [], 0
        batch.append((s, e))
        size += e - s + 2
    if batch:
        yield batch


def _late(deadline: float | None) -> bool:
    return deadline is not None and time.thread_time() >= deadline


def _window(text: str, start: int, end: int, before: int, after: int) -> tuple[str, str]:
    """The text around a match that context words are read from, clipped at sentence ends
    ("Date of birth: 3/4/85. Next visit 5/6/26." does not make the second date a birth date)."""
    head = text[max(0, start - before) : start]
    cut = None
    for m in _SENTENCE_END.finditer(head):
        cut = m.end()
    if cut is not None:
        head = head[cut:]
    tail = text[end : end + after]
    stop = _SENTENCE_END.search(tail)
    if stop is not None:
        tail = tail[: stop.start() + 1]
    return head, tail


def _glued(text: str, start: int, end: int, n: int) -> bool:
    """Whether the match ``text[start:end]`` is part of a longer token: a letter or digit right
    before or after it, or a decimal point or comma joining it to more digits (the digits of
    "0.4111111111111111" or "1.38435736E+12" are not an identifier of their own)."""
    if start > 0:
        before = text[start - 1]
        if _joins(before) or (
            before in ".," and start > 1 and text[start - 2].isdigit() and text[start].isdigit()
        ):
            return True
    if end < n:
        after = text[end]
        if _joins(after) or (
            after in ".," and end + 1 < n and text[end + 1].isdigit() and text[end - 1].isdigit()
        ):
            return True
    return False


def _joins(ch: str) -> bool:
    """Whether ``ch`` would glue onto a match as part of one word: the underscore of identifiers,
    letters and digits of scripts that separate words (CJK and other scripts written without
    spaces do not)."""
    return ch == "_" or (ch.isalnum() and ord(ch) < 0x2E80)


def _resolve_backend(backend: Backend) -> str:
    have = available_backends()
    if backend == "auto":
        return have[0]
    if backend not in have:
        from dataward.errors import ConfigError

        raise ConfigError(
            f"backend {backend!r} is not available here (have: {', '.join(have)}); "
            "install the 'hyperscan' or 'google-re2' package",
            backend=backend,
        )
    return backend


def _check_entities(entities: Collection[str]) -> None:
    from dataward.taxonomy import taxonomy

    tax = taxonomy()
    for name in entities:
        tax.get(name)  # raises UnknownNameError with suggestions


def resolve_overlaps(
    findings: list[Finding], secondary: Collection[str] = frozenset(), text: str | None = None
) -> list[Finding]:
    """Keep the best of overlapping findings: higher score, then longer span, then earlier.

    Findings of ``secondary`` detectors (models) yield to any overlapping finding of the others
    (validated patterns): a model may guess a name where a checksum proved a card number. The
    parts of a losing span that no winner covers are still reported (trimmed when ``text`` is
    given): see :mod:`dataward.detect.overlaps`."""
    return resolve(findings, secondary, text)
