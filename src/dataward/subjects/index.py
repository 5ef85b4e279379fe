"""The subject index: which dataset versions hold which subjects, by keyed hash only.

Built from the rows themselves (every row, not a sample: an erasure must not miss one), for
each dataset version: the first 8 bytes of each subject's keyed hash and how many rows hold
it, one posting per (version, subject). A lookup is one indexed query on the prefix; a hit is
confirmed exactly by re-reading the dataset (:func:`find` with ``confirm=True``), so the
prefix's rare collisions never reach a plan. A new version of a dataset replaces the postings
of the old one (the old bytes are gone from that path).
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import sqlalchemy as sa

from dataward.errors import DatawardError, SourceError
from dataward.store import Store, shared_store
from dataward.subjects import tables as t
from dataward.subjects.hashing import (
    Hasher,
    SubjectConfig,
    SubjectError,
    prefix_of,
)
from dataward.subjects.rows import engine_for, open_dataset, row_subjects, rows_holding

log = logging.getLogger(__name__)

Kind = Literal["dataset", "features", "model"]
KINDS: tuple[str, ...] = ("dataset", "features", "model")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class IndexedVersion:
    """One dataset version in the index."""

    dataset: str
    version: str
    kind: str
    rows: int
    subjects: int


@dataclass(frozen=True, slots=True)
class Location:
    """Where a subject is: a dataset version (or a derived artifact) and how many rows."""

    dataset: str
    version: str | None
    rows: int
    kind: str
    via: str | None = None
    """For an artifact found through lineage: the dataset it derives from."""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "dataset": self.dataset,
            "version": self.version,
            "rows": self.rows,
            "kind": self.kind,
        }
        if self.via is not None:
            out["via"] = self.via
        return out


def dataset_name(uri: str) -> str:
    """The catalog's name for a dataset (its canonical path)."""
    from dataward.catalog.identity import canonical_path

    return canonical_path(uri)


def index_file(
    uri: str,
    *,
    kind: str = "dataset",
    config: SubjectConfig | None = None,
    store: Store | None = None,
    on_rows: Callable[[int], None] | None = None,
) -> IndexedVersion:
    """Index every row of the dataset at ``uri`` (a path or fsspec URL) as its current version."""
    if kind not in KINDS:
        raise SubjectError(f"unknown artifact kind {kind!r}: use {', '.join(KINDS)}", kind=kind)
    config = config or SubjectConfig()
    store = store or shared_store()
    hasher = Hasher.current()
    engine = engine_for(config)
    source = open_dataset(uri)
    name = dataset_name(source.uri)
    version = source.fingerprint()
    counts: Counter[int] = Counter()
    total = 0
    for first, batch, found in row_subjects(source, config, hasher, engine):
        for digests in found.values():
            counts.update({prefix_of(d) for d in digests})
        total = first + batch.num_rows
        if on_rows is not None:
            on_rows(batch.num_rows)
    with store.begin() as conn:
        old = conn.execute(sa.select(t.versions.c.id).where(t.versions.c.dataset == name)).scalars()
        old_ids = list(old)
        if old_ids:
            conn.execute(t.postings.delete().where(t.postings.c.version_id.in_(old_ids)))
            conn.execute(t.versions.delete().where(t.versions.c.id.in_(old_ids)))
        version_id = conn.execute(
            t.versions.insert()
            .values(
                dataset=name,
                version=version,
                kind=kind,
                format=source.format,
                rows=total,
                subjects=len(counts),
                entities=json.dumps(list(config.types)),
                indexed_at=_now(),
            )
            .returning(t.versions.c.id)
        ).scalar_one()
        rows = [{"version_id": version_id, "prefix": p, "rows": n} for p, n in counts.items()]
        for start in range(0, len(rows), 50_000):
            conn.execute(t.postings.insert(), rows[start : start + 50_000])
    return IndexedVersion(name, version, kind, total, len(counts))


def index_paths(
    paths: Iterable[str],
    *,
    kind: str = "dataset",
    config: SubjectConfig | None = None,
    store: Store | None = None,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    on_rows: Callable[[int], None] | None = None,
) -> tuple[list[IndexedVersion], list[str]]:
    """Index every dataset under ``paths`` (files, folders, URLs); returns what was indexed and
    one line per input that could not be (the others go on)."""
    from dataward.sources import discover

    done: list[IndexedVersion] = []
    errors: list[str] = []
    for item in discover(list(paths), include=include, exclude=exclude):
        if isinstance(item, SourceError):
            errors.append(str(item))
            continue
        try:
            done.append(
                index_file(item.uri, kind=kind, config=config, store=store, on_rows=on_rows)
            )
        except DatawardError as exc:
            errors.append(str(exc))
        except Exception as exc:  # its message may quote the data: only the type is named
            errors.append(f"{item.uri}: could not be indexed ({type(exc).__name__})")
    return done, errors


def indexed(store: Store | None = None) -> list[IndexedVersion]:
    """Every dataset version in the index."""
    store = store or shared_store()
    with store.begin() as conn:
        rows = conn.execute(sa.select(t.versions).order_by(t.versions.c.dataset)).all()
    return [IndexedVersion(r.dataset, r.version, r.kind, r.rows, r.subjects) for r in rows]


TYPE_WORDS: dict[str, str] = {
    "EMAIL_ADDRESS": "email",
    "US_SSN": "ssn",
    "PHONE_NUMBER": "phone",
    "MEDICAL_RECORD_NUMBER": "mrn",
}
"""The context word that tells the engine what a bare identifier is meant to be (a lone
``078-05-1120`` scores under the threshold without one, as it would not in a column named
``ssn``), in the order types are tried: the strictest format first, so nine digits in the
SSN's shape are an SSN and ten a phone number before either is taken for a record number."""


def detect_type(identifier: str, config: SubjectConfig) -> str:
    """The entity type of a whole identifier, as the engine sees it: on its own, else with
    each type's context word in :data:`TYPE_WORDS` order; a value no type covers must be given
    its type (``--type``)."""
    text = identifier.strip()
    engine = engine_for(config)

    def covering(findings: Iterable[Any], only: str | None = None) -> dict[str, float]:
        return {
            f.entity: f.score
            for f in findings
            if f.entity in config.entities
            and (only is None or f.entity == only)
            and f.start == 0
            and f.end == len(text)
        }

    found = covering(engine.detect(text))
    if len(found) == 1:
        return next(iter(found))
    for entity, word in TYPE_WORDS.items():  # the strictest format first
        wanted = entity in config.entities and (not found or entity in found)
        if wanted and covering(engine.detect(text, hints=[word]), entity):
            return entity
    raise SubjectError(
        "the identifier's type could not be detected (no subject type covers the whole "
        f"value); pass --type with one of {', '.join(config.types)}"
    )


@dataclass(frozen=True, slots=True)
class Subject:
    """A subject as the index knows them: the type and keyed hash, never the identifier."""

    entity: str
    digest: bytes

    @property
    def hash(self) -> str:
        return self.digest.hex()


def subject_of(
    identifier: str, entity: str | None = None, config: SubjectConfig | None = None
) -> Subject:
    """The subject an identifier names (its type detected unless ``entity`` is given)."""
    config = config or SubjectConfig()
    if not identifier.strip():
        raise SubjectError("the identifier is empty")
    if entity is None:
        entity = detect_type(identifier, config)
    elif entity not in config.types:
        raise SubjectError(
            f"unknown subject type {entity!r}: use one of {', '.join(config.types)}",
            entity=entity,
        )
    return Subject(entity, Hasher.current().digest(entity, identifier))


def lookup(subject: Subject, store: Store | None = None) -> list[Location]:
    """The indexed dataset versions whose postings hold the subject's hash prefix (a sketch:
    confirm with :func:`confirm` before acting)."""
    store = store or shared_store()
    q = (
        sa.select(t.versions.c.dataset, t.versions.c.version, t.versions.c.kind, t.postings.c.rows)
        .join(t.postings, t.postings.c.version_id == t.versions.c.id)
        .where(t.postings.c.prefix == prefix_of(subject.digest))
        .order_by(t.versions.c.dataset)
    )
    with store.begin() as conn:
        return [Location(r.dataset, r.version, int(r.rows), r.kind) for r in conn.execute(q)]


def confirm(
    location: Location, subject: Subject, config: SubjectConfig | None = None
) -> tuple[Location | None, set[int]]:
    """Re-read a dataset for the subject: the exact location (``None`` when no row holds them)
    and the row numbers. A dataset changed since it was indexed is read as it is now."""
    config = config or SubjectConfig()
    source = open_dataset(location.dataset)
    rows, _total = rows_holding(
        source, subject.digest, config, Hasher.current(), engine_for(config)
    )
    if not rows:
        return None, rows
    version = source.fingerprint()
    return Location(location.dataset, version, len(rows), location.kind), rows


def find(
    identifier: str,
    *,
    entity: str | None = None,
    config: SubjectConfig | None = None,
    store: Store | None = None,
    confirm_hits: bool = True,
    lineage: bool = True,
) -> list[Location]:
    """Every dataset version, derived feature table and model that holds the subject: index
    hits (confirmed by re-reading unless ``confirm_hits`` is false), then what lineage says
    derives from them (:func:`dataward.subjects.lineage.derived`)."""
    config = config or SubjectConfig()
    store = store or shared_store()
    subject = subject_of(identifier, entity, config)
    return locate(subject, config=config, store=store, confirm_hits=confirm_hits, lineage=lineage)


def locate(
    subject: Subject,
    *,
    config: SubjectConfig | None = None,
    store: Store | None = None,
    confirm_hits: bool = True,
    lineage: bool = True,
) -> list[Location]:
    """:func:`find` for a subject already hashed."""
    from dataward.subjects.lineage import derived, kind

    config = config or SubjectConfig()
    store = store or shared_store()
    hits = lookup(subject, store)
    if confirm_hits:
        confirmed = []
        for hit in hits:
            exact, _rows = confirm(hit, subject, config)
            if exact is not None:
                confirmed.append(exact)
        hits = confirmed
    if not lineage:
        return hits
    hits = [Location(h.dataset, h.version, h.rows, kind(h.dataset, store, h.kind)) for h in hits]
    seen = {h.dataset for h in hits}
    out = list(hits)
    for hit in hits:
        for node in derived(hit.dataset, store):
            if node.name in seen:
                continue
            seen.add(node.name)
            out.append(Location(node.name, node.version, hit.rows, node.kind, via=hit.dataset))
    return out


def index_scan(
    result: Any,
    *,
    config: SubjectConfig | None = None,
    store: Store | None = None,
    on_rows: Callable[[int], None] | None = None,
) -> tuple[list[IndexedVersion], list[str]]:
    """Index the datasets a scan (:class:`dataward.classify.scan.ScanResult`) found new or
    changed; unchanged ones keep their postings. This is how ``dataward scan --subjects``
    builds the index during a scan."""
    done: list[IndexedVersion] = []
    errors: list[str] = []
    for f in result.files:
        if f.change == "unchanged" and _is_indexed(f.uri, store):
            continue
        try:
            done.append(index_file(f.uri, config=config, store=store, on_rows=on_rows))
        except DatawardError as exc:
            errors.append(str(exc))
        except Exception as exc:  # its message may quote the data: only the type is named
            errors.append(f"{f.uri}: could not be indexed ({type(exc).__name__})")
    return done, errors


def _is_indexed(uri: str, store: Store | None) -> bool:
    store = store or shared_store()
    with store.begin() as conn:
        found = conn.execute(
            sa.select(t.versions.c.id).where(t.versions.c.dataset == dataset_name(uri))
        ).first()
    return found is not None
