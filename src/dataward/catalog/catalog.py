"""The catalog: what was scanned, what it holds, and the tags on it.

Stores column profiles (entity, confidence, shares, uniqueness, free-text score), masked example
previews and keyed hashes only, never a raw value.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from dataward.catalog import tables as t
from dataward.catalog.identity import Standing, as_id, canonical_path
from dataward.errors import DatawardError
from dataward.store import Store, open_store

if TYPE_CHECKING:
    from dataward.classify.dataset import DatasetClassification


class CatalogError(DatawardError, LookupError):
    """A dataset is not in the catalog."""


CONTENT_CLASS_MIN = 0.5
"""A dataset's content class reaches policies (``resource.content_classes``) from this
confidence up."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class FileState:
    uri: str
    fingerprint: str
    dataset_path: str


@dataclass(frozen=True, slots=True)
class ScannedFile:
    """One input of a scan and what became of it."""

    uri: str
    fingerprint: str
    size_bytes: int
    change: str
    """``new``, ``changed`` or ``unchanged`` (skipped)."""
    classification: DatasetClassification | None = None


class Catalog:
    """The catalog over a store: ``Catalog(open_store())`` or ``Catalog.open()``."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @classmethod
    def open(cls, url: str | None = None) -> Catalog:
        return cls(open_store(url))

    # -- scans --------------------------------------------------------------------------------

    def file_states(self) -> dict[str, FileState]:
        """Present files by URI, with their fingerprints."""
        q = (
            sa.select(t.files.c.uri, t.files.c.fingerprint, t.datasets.c.path)
            .join(t.datasets, t.files.c.dataset_id == t.datasets.c.id)
            .where(t.files.c.status == "present")
        )
        with self.store.begin() as conn:
            return {r.uri: FileState(r.uri, r.fingerprint, r.path) for r in conn.execute(q)}

    def record_scan(
        self,
        scanned: Sequence[ScannedFile],
        *,
        removed: Iterable[str] = (),
        options: dict[str, Any] | None = None,
        errors: Sequence[str] = (),
        started_at: str | None = None,
    ) -> int:
        """Record one scan: datasets, files, columns and scan tags; returns the scan id."""
        changes = {"new": 0, "changed": 0, "unchanged": 0, "removed": 0}
        for f in scanned:
            changes[f.change] += 1
        removed = list(removed)
        changes["removed"] = len(removed)
        lines = [
            f.classification.summary(new_rows=f.classification.rows)
            for f in scanned
            if f.classification is not None
        ]
        now = _now()
        with self.store.begin() as conn:
            scan_id = int(
                conn.execute(
                    t.scans.insert().values(
                        started_at=started_at or now,
                        finished_at=now,
                        options=json.dumps(options or {}, sort_keys=True),
                        summary=json.dumps(lines),
                        changes=json.dumps(changes),
                        errors=json.dumps(list(errors)),
                    )
                ).inserted_primary_key[0]  # type: ignore[index]
            )
            for f in scanned:
                if f.classification is not None:
                    self._save(conn, f, scan_id, now)
            for uri in removed:
                owner = conn.execute(
                    sa.select(t.files.c.dataset_id).where(t.files.c.uri == uri)
                ).first()
                conn.execute(t.files.update().where(t.files.c.uri == uri).values(status="removed"))
                if owner is None:
                    continue
                still = conn.execute(
                    sa.select(t.files.c.id).where(
                        t.files.c.dataset_id == owner.dataset_id, t.files.c.status == "present"
                    )
                ).first()
                if still is None:  # no other spelling of the path still names a present file
                    conn.execute(
                        t.datasets.update()
                        .where(t.datasets.c.id == owner.dataset_id)
                        .values(status="removed", updated_at=now, last_scan_id=scan_id)
                    )
        return scan_id

    def _save(self, conn: Connection, f: ScannedFile, scan_id: int, now: str) -> None:
        c = f.classification
        assert c is not None
        path = canonical_path(c.path)
        name = path.rstrip("/").rsplit("/", 1)[-1]
        values = {
            "name": name,
            "format": c.format,
            "rows": c.rows,
            "size_bytes": f.size_bytes,
            "status": "present",
            "summary": c.summary(),
            "records": json.dumps(c.records.to_dict()),
            "sampled": c.sampled,
            "updated_at": now,
            "last_scan_id": scan_id,
        }
        row = conn.execute(sa.select(t.datasets.c.id).where(t.datasets.c.path == path)).first()
        if row is None:
            dataset_id = int(
                conn.execute(
                    t.datasets.insert().values(path=path, created_at=now, **values)
                ).inserted_primary_key[0]  # type: ignore[index]
            )
        else:
            dataset_id = int(row.id)
            conn.execute(t.datasets.update().where(t.datasets.c.id == dataset_id).values(**values))
        file_values = {
            "dataset_id": dataset_id,
            "fingerprint": f.fingerprint,
            "size_bytes": f.size_bytes,
            "rows": c.rows,
            "status": "present",
            "scanned_at": now,
            "scan_id": scan_id,
        }
        if conn.execute(sa.select(t.files.c.id).where(t.files.c.uri == f.uri)).first() is None:
            conn.execute(t.files.insert().values(uri=f.uri, **file_values))
        else:
            conn.execute(t.files.update().where(t.files.c.uri == f.uri).values(**file_values))
        conn.execute(t.columns.delete().where(t.columns.c.dataset_id == dataset_id))
        for i, col in enumerate(c.columns):
            conn.execute(
                t.columns.insert().values(
                    dataset_id=dataset_id,
                    position=i,
                    name=col.name,
                    data_type=col.data_type,
                    entity=col.entity,
                    kind=col.kind,
                    method=col.method,
                    sensitive=col.sensitive,
                    confidence=col.confidence,
                    value_share=col.value_share,
                    null_share=col.null_share,
                    uniqueness=col.uniqueness,
                    free_text_score=col.free_text_score,
                    entities=json.dumps(dict(col.entities)),
                    examples=json.dumps(list(col.examples), ensure_ascii=False),
                    hashes=json.dumps(list(col.hashes)),
                )
            )
        conn.execute(
            t.tags.delete().where(t.tags.c.dataset_id == dataset_id, t.tags.c.source == "scan")
        )
        for tag in c.tags:
            conn.execute(
                t.tags.insert().values(
                    dataset_id=dataset_id,
                    column_name=None,
                    tag=tag.name,
                    source="scan",
                    confidence=tag.confidence,
                    reasons=json.dumps(list(tag.reasons), ensure_ascii=False),
                    created_at=now,
                )
            )
        for col in c.columns:
            if col.entity is not None:
                conn.execute(
                    t.tags.insert().values(
                        dataset_id=dataset_id,
                        column_name=col.name,
                        tag=col.entity,
                        source="scan",
                        confidence=col.confidence,
                        reasons=json.dumps(list(col.reasons), ensure_ascii=False),
                        created_at=now,
                    )
                )
        self._save_content(conn, c, dataset_id, now)

    def _save_content(
        self, conn: Connection, c: DatasetClassification, dataset_id: int, now: str
    ) -> None:
        """The content classes of the dataset and its columns (replacing the last scan's)."""
        cc = t.content_classes
        conn.execute(cc.delete().where(cc.c.dataset_id == dataset_id))
        rows = [(None, x) for x in c.content_classes()] + [
            (col.name, x) for col in c.columns for x in c.content_classes(col.name)
        ]
        for column, x in rows:
            conn.execute(
                cc.insert().values(
                    dataset_id=dataset_id,
                    column_name=column,
                    class_name=x["class"],
                    confidence=x["confidence"],
                    source=x["source"],
                    reasons=json.dumps(x["reasons"], ensure_ascii=False),
                    tags=json.dumps(x["tags"]),
                    created_at=now,
                )
            )

    def content_classes(self, dataset: str | int) -> list[dict[str, Any]]:
        """Content classes of a dataset and its columns: class, column, confidence, source,
        reasons, tags (best first per dataset or column)."""
        with self.store.begin() as conn:
            row = self._find(conn, dataset)
            return self._content(conn, int(row.id))

    def _content(self, conn: Connection, dataset_id: int) -> list[dict[str, Any]]:
        cc = t.content_classes
        q = sa.select(cc).where(cc.c.dataset_id == dataset_id).order_by(cc.c.id)
        return [
            {
                "class": r.class_name,
                "column": r.column_name,
                "confidence": r.confidence,
                "source": r.source,
                "reasons": json.loads(r.reasons),
                "tags": json.loads(r.tags),
            }
            for r in conn.execute(q)
        ]

    # -- reading ------------------------------------------------------------------------------

    def datasets(self, *, include_removed: bool = False) -> list[dict[str, Any]]:
        """Every dataset: id, path, name, format, rows, status, summary, tags."""
        q = sa.select(t.datasets).order_by(t.datasets.c.path)
        if not include_removed:
            q = q.where(t.datasets.c.status == "present")
        with self.store.begin() as conn:
            rows = list(conn.execute(q))
            return [self._dataset_dict(conn, r, columns=False) for r in rows]

    def standing(self, ref: str | int) -> Standing | None:
        """The dataset named exactly by ``ref`` (its id, or a path that resolves to its canonical
        path), or ``None``. Never a partial match: a file name alone, a suffix or a pattern names
        no dataset here (see :func:`dataward.catalog.identity.canonical_path`)."""
        q = sa.select(t.datasets)
        with self.store.begin() as conn:
            row = None
            by_id = as_id(ref)
            if by_id is not None:
                row = conn.execute(q.where(t.datasets.c.id == by_id)).first()
            if row is None and isinstance(ref, str) and ref:
                row = conn.execute(q.where(t.datasets.c.path == canonical_path(ref))).first()
            if row is None:
                return None
            tags = self._tags(conn, int(row.id))
            content = self._content(conn, int(row.id))
        records = json.loads(row.records)
        return Standing(
            id=int(row.id),
            path=row.path,
            status=row.status,
            tags=tuple(dict.fromkeys(x["tag"] for x in tags if x["column"] is None)),
            scanned=any(x["source"] == "scan" and x["column"] is None for x in tags),
            sampled=bool(row.sampled),
            rows=int(row.rows),
            scanned_rows=int(records.get("scanned", row.rows)),
            last_scan_id=row.last_scan_id,
            updated_at=row.updated_at,
            size_bytes=int(row.size_bytes),
            content_classes=tuple(
                dict.fromkeys(
                    x["class"]
                    for x in content
                    if x["column"] is None and x["confidence"] >= CONTENT_CLASS_MIN
                )
            ),
        )

    def dataset(self, path_or_id: str | int) -> dict[str, Any]:
        """One dataset with its columns and tags, by id, path, or file name."""
        with self.store.begin() as conn:
            row = self._find(conn, path_or_id)
            return self._dataset_dict(conn, row, columns=True)

    def tags_for(self, dataset: str | int) -> list[dict[str, Any]]:
        """Dataset-level and column-level tags: tag, column, source, confidence, reasons."""
        with self.store.begin() as conn:
            row = self._find(conn, dataset)
            return self._tags(conn, int(row.id))

    def add_tag(
        self,
        dataset: str | int,
        tag: str,
        *,
        column: str | None = None,
        confidence: float = 1.0,
        reason: str = "set by a person",
    ) -> None:
        """A tag set by a person; re-scans keep it. The tag must be known (an entity type,
        a category or a dataset tag): a typo is a :class:`~dataward.errors.ConfigError`."""
        from dataward.errors import ConfigError
        from dataward.taxonomy import did_you_mean, known_tags

        if tag not in known_tags():
            raise ConfigError(
                f"unknown tag {tag!r}.{did_you_mean(tag, known_tags())} Tags are entity types, "
                "categories or dataset tags (`dataward entities` lists them)",
                tag=tag,
            )
        with self.store.begin() as conn:
            row = self._find(conn, dataset)
            conn.execute(
                t.tags.insert().values(
                    dataset_id=int(row.id),
                    column_name=column,
                    tag=tag,
                    source="person",
                    confidence=confidence,
                    reasons=json.dumps([reason]),
                    created_at=_now(),
                )
            )

    def scans(self) -> list[dict[str, Any]]:
        with self.store.begin() as conn:
            rows = conn.execute(sa.select(t.scans).order_by(t.scans.c.id))
            return [
                {
                    "id": r.id,
                    "started_at": r.started_at,
                    "finished_at": r.finished_at,
                    "options": json.loads(r.options),
                    "summary": json.loads(r.summary),
                    "changes": json.loads(r.changes),
                    "errors": json.loads(r.errors),
                }
                for r in rows
            ]

    def _find(self, conn: Connection, key: str | int) -> Any:
        """For people (``catalog show``): id, path, file name or path suffix; an ambiguous
        name is an error. Decisions use :meth:`standing`, which never matches partially."""
        q = sa.select(t.datasets)
        by_id = as_id(key)
        if by_id is not None:
            row = conn.execute(q.where(t.datasets.c.id == by_id)).first()
            if row is not None:
                return row
        key = str(key)
        for cond in (
            t.datasets.c.path == key,
            t.datasets.c.path == canonical_path(key),
            t.datasets.c.name == key,
            # autoescape: % and _ in a name are characters, not LIKE wildcards
            t.datasets.c.path.endswith("/" + key.lstrip("/"), autoescape=True),
        ):
            found = list(conn.execute(q.where(cond).order_by(t.datasets.c.id)))
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                raise CatalogError(
                    f"{key!r} matches {len(found)} datasets; use the full path or the id",
                    dataset=key,
                )
        raise CatalogError(
            f"no dataset {key!r} in the catalog (list them with `dataward catalog list`)",
            dataset=key,
        )

    def _tags(self, conn: Connection, dataset_id: int) -> list[dict[str, Any]]:
        q = sa.select(t.tags).where(t.tags.c.dataset_id == dataset_id).order_by(t.tags.c.id)
        return [
            {
                "tag": r.tag,
                "column": r.column_name,
                "source": r.source,
                "confidence": r.confidence,
                "reasons": json.loads(r.reasons),
            }
            for r in conn.execute(q)
        ]

    def _dataset_dict(self, conn: Connection, r: Any, *, columns: bool) -> dict[str, Any]:
        tags = self._tags(conn, int(r.id))
        out: dict[str, Any] = {
            "id": r.id,
            "path": r.path,
            "name": r.name,
            "format": r.format,
            "rows": r.rows,
            "size_bytes": r.size_bytes,
            "status": r.status,
            "summary": r.summary,
            "records": json.loads(r.records),
            "sampled": bool(r.sampled),
            "updated_at": r.updated_at,
            "tags": [x["tag"] for x in tags if x["column"] is None],
        }
        content = self._content(conn, int(r.id))
        out["content_classes"] = [_strip(x) for x in content if x["column"] is None]
        if columns:
            out["tag_details"] = tags
            q = (
                sa.select(t.columns)
                .where(t.columns.c.dataset_id == r.id)
                .order_by(t.columns.c.position)
            )
            out["columns"] = [
                {
                    "name": c.name,
                    "entity": c.entity,
                    "confidence": c.confidence,
                    "kind": c.kind,
                    "method": c.method,
                    "sensitive": bool(c.sensitive),
                    "data_type": c.data_type,
                    "value_share": c.value_share,
                    "null_share": c.null_share,
                    "uniqueness": c.uniqueness,
                    "free_text_score": c.free_text_score,
                    "entities": json.loads(c.entities),
                    "examples": json.loads(c.examples),
                    "hashes": json.loads(c.hashes),
                }
                for c in conn.execute(q)
            ]
            for col in out["columns"]:
                col["content_classes"] = [_strip(x) for x in content if x["column"] == col["name"]]
        return out


def _strip(x: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in x.items() if k != "column"}
