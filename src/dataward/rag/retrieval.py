"""Governed retrieval: label at index time, filter in the store, check and redact after.

:class:`RagIndex` ties a :class:`~dataward.rag.stores.VectorStore`, a
:class:`~dataward.rag.policy.RetrievalPolicy`, an embedding and a labelling mode together:

1. ``index`` labels each chunk with the engine (:mod:`dataward.rag.labels`) and stores the
   labels and access attributes beside its vector.
2. ``retrieve`` compiles the policy for the caller and purpose into the store's filter, so the
   store returns only chunks the caller may see.
3. Each returned chunk is checked again: the engine reads its text once more (labels that have
   drifted count: the chunk is judged on what it holds now) and the full policy is evaluated on
   it; a chunk that fails is dropped and counted. Findings the caller may not read in clear
   (``Principal.reveal``) are masked (``***-**-1234``).
4. One :class:`~dataward.audit.events.RetrievalEvent` per retrieval: a hash of the query, the
   chunk ids returned, the decision and the counts, never a text.

Any check that cannot run (the policy does not compile, the engine fails) stops the retrieval
with :class:`~dataward.rag.errors.RetrievalError` and an audit event with decision ``error``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from dataward.audit import record
from dataward.audit.events import RetrievalEvent
from dataward.detect.model import Finding
from dataward.errors import DatawardError
from dataward.protect.operators.mask import ENTITY_PRESETS, MaskOperator
from dataward.rag import filters as flt
from dataward.rag.embed import HashingEmbedder
from dataward.rag.errors import RetrievalError
from dataward.rag.labels import Detect, Mode, label_chunks, labels_of
from dataward.rag.model import Chunk, Labelled, Principal, strings
from dataward.rag.policy import RetrievalPolicy
from dataward.rag.stores import Hit, VectorStore, open_store

Embed = Callable[[Sequence[str]], Any]
"""Texts to vectors (a 2-D array or a list of lists of floats)."""

_MASK = MaskOperator(preset="auto")


@dataclass(frozen=True, slots=True)
class Retrieved:
    """A chunk the caller may see, redacted to their entitlement."""

    id: str
    text: str
    distance: float
    entities: tuple[str, ...]
    sensitivity: int
    masked: int
    """Findings masked in :attr:`text`."""


def _default_detect(text: str) -> list[Finding]:
    from dataward.detect.api import detect

    return detect(text)


class RagIndex:
    """One governed index over one vector store."""

    def __init__(
        self,
        store: str | VectorStore = "memory",
        *,
        policy: RetrievalPolicy | None = None,
        mode: Mode = "enforce",
        embed: Embed | None = None,
        detect: Detect | None = None,
    ) -> None:
        self.store = open_store(store)
        self.policy = policy or RetrievalPolicy()
        self.mode: Mode = mode
        self.embed: Embed = embed or HashingEmbedder()
        self.detect: Detect = detect or _default_detect

    # -- index ------------------------------------------------------------------------------

    def index(self, chunks: Iterable[Chunk | Mapping[str, Any]]) -> list[Labelled]:
        """Label, embed and store ``chunks``; in ``enforce`` mode one unlabelled chunk stops
        the batch before anything is stored. Returns what was stored."""
        items = [Chunk.of(c) for c in chunks]
        ids = [c.id for c in items]
        if len(set(ids)) != len(ids):
            raise RetrievalError("chunk ids must be unique within a batch")
        labels = label_chunks(items, self.mode, self.detect)
        vectors = self.embed([c.text for c in items]) if items else []
        stored = [
            Labelled(
                id=c.id,
                text=c.text,
                vector=tuple(float(x) for x in v),
                tenant=c.tenant,
                source=c.source,
                sensitivity=lab.sensitivity,
                acl=c.acl,
                purposes=c.purposes,
                entities=lab.entities,
                categories=lab.categories,
            )
            for c, lab, v in zip(items, labels, vectors, strict=True)
        ]
        self.store.add(stored)
        return stored

    # -- retrieve ---------------------------------------------------------------------------

    def compile(self, principal: Principal | Mapping[str, Any], purpose: str) -> flt.Filter:
        """The filter the store applies for this caller and purpose."""
        return self.policy.compile(Principal.of(principal), purpose)

    def retrieve(
        self,
        query: str,
        *,
        principal: Principal | Mapping[str, Any],
        purpose: str,
        k: int = 10,
    ) -> list[Retrieved]:
        """The ``k`` closest chunks ``principal`` may see for ``purpose``, redacted."""
        who = Principal.of(principal)
        if k < 1:
            raise RetrievalError("k must be at least 1")
        digest = hashlib.sha256(query.encode("utf-8", "surrogatepass")).hexdigest()
        try:
            where = self.policy.compile(who, purpose)
            hits = [] if where == flt.FALSE else self._search(query, k, where)
            kept, refused, masked = self._check(hits, who, purpose)
        except DatawardError as exc:
            self._audit(who, purpose, digest, [], "error", 0, 0)
            raise RetrievalError(f"retrieval stopped: {exc}") from None
        except Exception as exc:  # a store or engine failure: fail closed, say which kind
            self._audit(who, purpose, digest, [], "error", 0, 0)
            raise RetrievalError(f"retrieval stopped: {type(exc).__name__} in the store") from None
        decision = "deny" if where == flt.FALSE else "allow"
        self._audit(who, purpose, digest, [r.id for r in kept], decision, refused, masked)
        return kept

    def _search(self, query: str, k: int, where: flt.Filter) -> list[Hit]:
        vector = self.embed([query])[0]
        return self.store.search([float(x) for x in vector], k, where)

    def judge(
        self, chunk_id: str, text: str, attributes: Mapping[str, Any], who: Principal, purpose: str
    ) -> Retrieved | None:
        """One chunk checked after retrieval: the engine reads its text again (labels that
        understate it do not count), the whole policy decides, and what ``who`` may not read in
        clear is masked. ``None`` when the policy denies it; :class:`RetrievalError` when the
        engine fails (fail closed)."""
        try:
            findings = list(self.detect(text))
        except Exception as exc:
            raise RetrievalError(
                f"the engine failed on chunk {chunk_id} after retrieval ({type(exc).__name__})"
            ) from None
        now = labels_of([*attributes["entities"], *(f.entity for f in findings)])
        attrs = dict(attributes)
        attrs["entities"] = list(now.entities)
        attrs["categories"] = list(strings([*attrs["categories"], *now.categories]))
        attrs["sensitivity"] = max(int(attrs["sensitivity"]), now.sensitivity)
        if not self.policy.allows(who, purpose, attrs):
            return None
        masked_text, masked = redact(text, findings, who.reveal)
        return Retrieved(chunk_id, masked_text, 0.0, now.entities, attrs["sensitivity"], masked)

    def _check(
        self, hits: list[Hit], who: Principal, purpose: str
    ) -> tuple[list[Retrieved], int, int]:
        kept: list[Retrieved] = []
        refused = masked_total = 0
        for hit in hits:
            judged = self.judge(hit.id, hit.text, hit.attributes, who, purpose)
            if judged is None:
                refused += 1
                continue
            masked_total += judged.masked
            kept.append(replace(judged, distance=hit.distance))
        return kept, refused, masked_total

    def _audit(
        self,
        who: Principal,
        purpose: str,
        digest: str,
        ids: list[str],
        decision: str,
        refused: int,
        redacted: int,
    ) -> None:
        record(
            RetrievalEvent(
                query_sha256=digest,
                store=self.store.name,
                chunk_ids=ids,
                decision=decision,
                purpose=purpose,
                refused=refused,
                redacted=redacted,
            ),
            actor=who.id,
        )

    def close(self) -> None:
        self.store.close()


def redact(text: str, findings: Sequence[Finding], reveal: Iterable[str]) -> tuple[str, int]:
    """``text`` with each finding the caller may not read in clear masked: kept length and
    last digits where the entity type has a mask preset (``***-**-1234``), ``[ENTITY]``
    otherwise. Returns the text and how many findings were masked."""
    allowed = set(reveal)
    out: list[str] = []
    last = masked = 0
    for f in sorted(findings, key=lambda f: f.start):
        if f.entity in allowed or f.start < last:
            continue
        value = text[f.start : f.end]
        if f.entity in ENTITY_PRESETS:
            replacement = _MASK.apply(value, f.entity)
        else:
            replacement = f"[{f.entity}]"
        out.append(text[last : f.start])
        out.append(replacement)
        last = f.end
        masked += 1
    out.append(text[last:])
    return "".join(out), masked
