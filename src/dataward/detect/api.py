"""The detection SDK: ``dataward.detect`` and ``dataward.detect_batch``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from dataward.detect.custom import CustomDetector, load_detectors
from dataward.detect.engine import Backend, Engine
from dataward.detect.model import Finding
from dataward.settings import get_settings

if TYPE_CHECKING:
    import pyarrow as pa


@lru_cache(maxsize=32)
def _custom(paths: tuple[tuple[Path, float], ...]) -> tuple[CustomDetector, ...]:
    out: list[CustomDetector] = []
    for path, _mtime in paths:
        out.extend(load_detectors(path))
    return tuple(out)


def get_engine(
    entities: Iterable[str] | None = None,
    *,
    detector_files: Sequence[Path] = (),
    threshold: float | None = None,
    backend: Backend = "auto",
) -> Engine:
    """The engine for these options: built-ins plus custom detector files from the arguments and
    ``dataward.yaml``; cached, so repeated calls are cheap."""
    settings = get_settings()
    files = [*settings.detect.detectors, *detector_files]
    keyed = tuple((p, p.stat().st_mtime if p.exists() else 0.0) for p in files)
    extra = _custom(keyed)
    wanted = None if entities is None else sorted(set(entities))
    if wanted is not None:
        custom_entities = {d.entity for d in extra}
        builtin_wanted = [e for e in wanted if e not in custom_entities]
        from dataward.taxonomy import taxonomy

        for name in builtin_wanted:
            taxonomy().get(name)
    return Engine.default(
        wanted,
        backend=backend,
        extra=extra,
        threshold=threshold if threshold is not None else settings.detect.threshold,
        check_entities=False,
    )


def detect(
    text: str,
    entities: Iterable[str] | None = None,
    threshold: float | None = None,
    *,
    language: str | None = None,
    explain: bool = False,
) -> list[Finding]:
    """Findings in ``text``: sensitive spans, non-overlapping, sorted by start.

    >>> import dataward as dw
    >>> [(f.entity, f.start, f.end) for f in dw.detect("Card 4111 1111 1111 1111, thanks")]
    [('CREDIT_CARD', 5, 24)]
    """
    engine = get_engine(entities, threshold=threshold)
    return engine.detect(text, language=language, explain=explain)


def detect_batch(
    texts: Iterable[str | None] | pa.Array | pa.ChunkedArray,
    entities: Iterable[str] | None = None,
    threshold: float | None = None,
    *,
    language: str | None = None,
    workers: int | None = None,
) -> Iterator[list[Finding]]:
    """Findings for each text of a list, iterable or Arrow string array, in order, on all cores.

    The same findings as :func:`detect` on each text. Works in a plain script with no
    ``if __name__ == "__main__":`` guard and in a script read from standard input (on Linux
    the workers are forked, see :mod:`dataward.detect.pool`); the workers end with the
    calling process."""
    engine = get_engine(entities, threshold=threshold)
    return engine.detect_batch(_strings(texts), language=language, workers=workers)


def _strings(texts: Iterable[str | None] | pa.Array | pa.ChunkedArray) -> Iterator[str | None]:
    import pyarrow as pa

    if isinstance(texts, pa.ChunkedArray):
        for chunk in texts.chunks:
            yield from chunk.to_pylist()
    elif isinstance(texts, pa.Array):
        yield from texts.to_pylist()
    else:
        yield from texts


NAME_SAFE = frozenset({"DATE_TIME", "URL", "DOMAIN_NAME", "AGE"})
"""Entities a name may show (``created_2024_01``, ``example.com_visits``, ``2024/06/a.csv``)."""


def masked_name(name: str, engine: Engine | None = None) -> str:
    """``name`` (a column name, an object key, a file path) with the values pattern detectors
    find in it as ``<ENTITY>``: an object key or a file can be named by an e-mail, and names
    reach outputs, the catalog, plans and the audit log. Spans of a model stay (a name model
    reads ordinary names as people), and so do :data:`NAME_SAFE` types."""
    found = (engine or get_engine()).detect(name)
    for f in sorted(found, key=lambda f: -f.start):
        if f.detector != "ner" and f.entity not in NAME_SAFE:
            name = f"{name[: f.start]}<{f.entity}>{name[f.end :]}"
    return name


def masked_path(path: str, engine: Engine | None = None) -> str:
    """A file path or URI with :func:`masked_name` applied to each of its parts (a value in a
    long path is no longer one: an e-mail's local part ends at the ``/`` before it)."""
    engine = engine or get_engine()
    return "/".join(masked_name(part, engine) if part else part for part in path.split("/"))
