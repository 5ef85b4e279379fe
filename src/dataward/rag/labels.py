"""Labelling chunks at index time: what the engine finds becomes the chunk's labels.

A chunk's labels are the entity types found in its text (plus any the caller adds), their
taxonomy categories and the highest sensitivity among them (``public`` when none). The mode says
what happens to a chunk that cannot be labelled (the engine failed on it, or its source gave it
no tenant or no ACL): ``enforce`` refuses the whole batch before anything is stored, ``warn``
stores it as :data:`dataward.rag.model.UNLABELLED` at the highest sensitivity (which the built-in
policy shows only to auditors) and logs a warning, ``off`` skips the engine (for corpora labelled
upstream: only the caller's labels count).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from dataward.detect.model import Finding
from dataward.rag.errors import UnlabelledChunkError
from dataward.rag.model import UNLABELLED, Chunk, strings
from dataward.taxonomy import taxonomy
from dataward.taxonomy.vocabulary import SENSITIVITIES

Mode = Literal["off", "warn", "enforce"]
MODES: tuple[Mode, ...] = ("off", "warn", "enforce")
CRITICAL = len(SENSITIVITIES) - 1

log = logging.getLogger(__name__)

Detect = Callable[[str], Sequence[Finding]]


@dataclass(frozen=True, slots=True)
class Labels:
    entities: tuple[str, ...]
    categories: tuple[str, ...]
    sensitivity: int


def labels_of(entities: Sequence[str]) -> Labels:
    """Categories and sensitivity of these entity types; a type the taxonomy does not know (a
    custom detector's) counts as critical."""
    categories: set[str] = set()
    level = 0
    known = taxonomy()
    for name in set(entities):
        if name in known:
            entity = known.get(name)
            categories.update(entity.categories)
            level = max(level, int(entity.sensitivity))
        else:
            level = CRITICAL
    return Labels(strings(list(entities)), strings(list(categories)), level)


def label_chunks(chunks: Sequence[Chunk], mode: Mode, detect: Detect) -> list[Labels]:
    """The labels of each chunk, in order; in ``enforce`` mode every problem is collected and
    one :class:`UnlabelledChunkError` names the chunks (by id) before anything is stored."""
    if mode not in MODES:
        raise UnlabelledChunkError(f"unknown labelling mode {mode!r} (known: off, warn, enforce)")
    out: list[Labels] = []
    refused: list[str] = []
    for chunk in chunks:
        problem = _access_problem(chunk)
        found: list[str] = list(chunk.labels)
        if mode != "off" and problem is None:
            try:
                found.extend(f.entity for f in detect(chunk.text))
            except Exception as exc:  # any engine failure leaves the chunk unlabelled
                problem = f"classification failed ({type(exc).__name__})"
        if problem is None or mode == "off":
            out.append(labels_of(found))
            continue
        if mode == "enforce":
            refused.append(f"{chunk.id}: {problem}")
            continue
        log.warning("chunk %s indexed as UNLABELLED: %s", chunk.id, problem)
        base = labels_of(found)
        out.append(Labels(base.entities, strings([*base.categories, UNLABELLED]), CRITICAL))
    if refused:
        shown = "; ".join(refused[:5]) + (
            f"; and {len(refused) - 5} more" if len(refused) > 5 else ""
        )
        raise UnlabelledChunkError(
            f"{len(refused)} chunk(s) have no labels, nothing was indexed (mode enforce): {shown}",
            chunk_ids=[r.split(":", 1)[0] for r in refused],
        )
    return out


def _access_problem(chunk: Chunk) -> str | None:
    if not chunk.tenant:
        return "no tenant"
    if not chunk.acl:
        return "no ACL"
    return None
