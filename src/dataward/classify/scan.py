"""``dataward.scan``: classify files as datasets and record them in the catalog, incrementally;
or classify data held in memory (an Arrow table, a pandas or polars DataFrame, a list of dicts,
a dict of columns: see :mod:`dataward.sources.memory`), which is not recorded."""

from __future__ import annotations

import logging
import os
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dataward.catalog.catalog import Catalog, ScannedFile
from dataward.catalog.identity import canonical_path
from dataward.classify.analysis import Analyser
from dataward.classify.classifier import (
    DEFAULT_SAMPLE,
    Sampling,
    classification_engine,
    classify_batches,
)
from dataward.classify.content import content_config
from dataward.classify.dataset import DatasetClassification
from dataward.errors import ConfigError, DatawardError, SourceError
from dataward.sources import discover
from dataward.sources.memory import KINDS, kind_of, to_arrow

log = logging.getLogger(__name__)

WARM_BYTES = 1_000_000
"""Files at least this big start the worker pool before their first batch is analysed."""


@dataclass(frozen=True, slots=True)
class ScanResult:
    """What a scan found: scanned datasets, what changed, and inputs that failed."""

    datasets: list[DatasetClassification]
    files: list[ScannedFile]
    removed: list[str]
    errors: list[str]
    scan_id: int | None
    unchanged_tags: dict[str, list[str]] = field(default_factory=dict)
    """Stored tags of unchanged (skipped) datasets, by path."""

    @property
    def changes(self) -> dict[str, int]:
        out = {"new": 0, "changed": 0, "unchanged": 0, "removed": len(self.removed)}
        for f in self.files:
            out[f.change] += 1
        return out

    def tags(self) -> set[str]:
        """Every tag on a scanned or unchanged dataset."""
        found = {t for d in self.datasets for t in d.tag_names}
        for names in self.unchanged_tags.values():
            found.update(names)
        return found

    def summary(self) -> str:
        c = self.changes
        lines = [d.summary(new_rows=d.rows) for d in self.datasets]
        head = (
            f"{len(self.datasets)} scanned ({c['new']} new, {c['changed']} changed), "
            f"{c['unchanged']} unchanged, {c['removed']} removed, {len(self.errors)} errors"
        )
        kinds = self.content_summary()
        if kinds:
            head += f"; {kinds}"
        return "\n".join([head, *lines])

    def content_summary(self) -> str:
        """What the scanned files are, counted (``"2 files are contracts"``), or ``""``."""
        from dataward.classify.content import summarize

        return summarize(d.content for d in self.datasets)

    def to_dict(self) -> dict[str, Any]:
        """``{"datasets": [{"path", "rows", "tags", "summary", "columns": [...]}]}``."""
        return {
            "datasets": [
                {
                    "path": d.path,
                    "rows": d.rows,
                    "tags": d.tag_names,
                    "content_classes": d.content_classes(),
                    "summary": d.summary(new_rows=d.rows),
                    "columns": [
                        {**c.to_dict(), "content_classes": d.content_classes(c.name)}
                        for c in d.columns
                    ],
                }
                for d in self.datasets
            ]
        }


def _under(uri: str, roots: Sequence[str]) -> bool:
    return any(uri == r or uri.startswith(r.rstrip("/") + "/") for r in roots)


def scan(
    paths: Any,
    *,
    sample: int = DEFAULT_SAMPLE,
    sampling: Sampling = "reservoir",
    full: bool = False,
    force: bool = False,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    catalog: Catalog | None = None,
    record: bool = True,
    workers: int | None = None,
    on_rows: Callable[[int], None] | None = None,
    on_file: Callable[[str], None] | None = None,
) -> ScanResult:
    """Scan files (or folders of them): each file is one dataset. Unchanged files (same
    fingerprint as in the catalog) are skipped unless ``force``; inputs that cannot be read are
    collected in ``errors`` and the others go on.

    ``paths`` may also be data in memory (an Arrow table, a pandas or polars DataFrame, a list of
    dicts, a dict of columns): it is classified as one dataset named ``<DataFrame>`` (the
    type's name) and not recorded in the catalog (it has no path to know it by again).
    """
    content_config()  # a bad ``content:`` section stops the scan before any file is read
    if kind_of(paths) is not None:
        return _scan_memory(paths, sample=sample, sampling=sampling, full=full, workers=workers)
    if isinstance(paths, str | Path):
        paths = [paths]
    elif not isinstance(paths, Sequence) or not all(isinstance(p, str | Path) for p in paths):
        raise ConfigError(
            f"cannot scan an object of type {type(paths).__name__}: pass a path (str or Path), "
            f"a folder, a list of paths, {KINDS}"
        )
    started = datetime.now(UTC).isoformat(timespec="seconds")
    owned = record and catalog is None
    if owned:
        catalog = Catalog.open()
    try:
        return _scan(
            paths,
            catalog,
            started,
            sample=sample,
            sampling=sampling,
            full=full,
            force=force,
            include=include,
            exclude=exclude,
            record=record,
            workers=workers,
            on_rows=on_rows,
            on_file=on_file,
        )
    finally:
        if owned and catalog is not None:
            catalog.store.close()


def _scan(
    paths: Sequence[str | Path],
    catalog: Catalog | None,
    started: str,
    *,
    sample: int,
    sampling: Sampling,
    full: bool,
    force: bool,
    include: Sequence[str],
    exclude: Sequence[str],
    record: bool,
    workers: int | None,
    on_rows: Callable[[int], None] | None,
    on_file: Callable[[str], None] | None,
) -> ScanResult:
    known = catalog.file_states() if catalog is not None else {}
    from dataward.catalog.keys import catalog_key

    key = catalog_key()
    roots = [os.path.realpath(p) for p in paths]  # Path.resolve raises on a symlink loop
    seen: set[str] = set()
    files: list[ScannedFile] = []
    results: list[DatasetClassification] = []
    errors: list[str] = []
    unchanged_tags: dict[str, list[str]] = {}
    with Analyser(classification_engine(), workers=workers) as analyser:
        for item in discover([str(p) for p in paths], include=include, exclude=exclude):
            if isinstance(item, SourceError):
                errors.append(str(item))
                continue
            uri = canonical_path(item.uri)  # one dataset, however the path is spelt
            if uri in seen:
                continue  # a second spelling (a link inside the root) of a file read already
            seen.add(uri)
            if on_file is not None:
                on_file(uri)
            try:
                fingerprint = item.fingerprint()
                previous = known.get(uri)
                if previous is not None and previous.fingerprint == fingerprint and not force:
                    files.append(ScannedFile(uri, fingerprint, item.size_bytes or 0, "unchanged"))
                    if catalog is not None:
                        unchanged_tags[uri] = catalog.dataset(previous.dataset_path)["tags"]
                    continue
                change = "new" if previous is None else "changed"
                if (item.size_bytes or 0) >= WARM_BYTES:
                    analyser.warm()  # the workers start while the file is read
                result = classify_batches(
                    item.batches(),
                    path=uri,
                    fmt=item.format,
                    key=key,
                    analyser=analyser,
                    sample=sample,
                    sampling=sampling,
                    full=full,
                    on_rows=on_rows,
                )
            except DatawardError as exc:
                errors.append(str(exc))
                continue
            except Exception as exc:  # one bad input must not stop the others
                errors.append(_unexpected(uri, exc))
                continue
            results.append(result)
            files.append(ScannedFile(uri, fingerprint, item.size_bytes or 0, change, result))
    removed = sorted(
        u for u in known if _under(u, roots) and u not in seen and not Path(u).exists()
    )
    scan_id = None
    if record and catalog is not None:
        scan_id = catalog.record_scan(
            files,
            removed=removed,
            options={"sample": sample, "sampling": sampling, "full": full, "force": force},
            errors=errors,
            started_at=started,
        )
        _audit_scan(scan_id, files, removed, errors)
        from dataward.lineage.emit import lineage_available, scan_run

        if lineage_available():  # an OpenLineage run event, labels seeded (docs/lineage.md)
            scan_run(catalog.store, scan_id, files)
    return ScanResult(results, files, removed, errors, scan_id, unchanged_tags)


def _scan_memory(
    data: Any, *, sample: int, sampling: Sampling, full: bool, workers: int | None
) -> ScanResult:
    from dataward.catalog.keys import catalog_key

    table, _back = to_arrow(data)
    with Analyser(classification_engine(), workers=workers) as analyser:
        result = classify_batches(
            table.to_batches(max_chunksize=65_536),
            path=f"<{type(data).__name__}>",
            fmt="arrow",
            key=catalog_key(),
            analyser=analyser,
            sample=sample,
            sampling=sampling,
            full=full,
        )
    return ScanResult([result], [], [], [], None)


def _unexpected(uri: str, exc: Exception) -> str:
    """One line for an input that failed in an unplanned way. The exception's own message may
    quote the data (Arrow's do), so only its type is named; ``--debug`` logs where it arose."""
    if log.isEnabledFor(logging.DEBUG):
        frames = "".join(traceback.format_tb(exc.__traceback__))
        log.debug("%s: %s raised at\n%s", uri, type(exc).__name__, frames)
    return (
        f"{uri}: could not be scanned ({type(exc).__name__} in Dataward; please report it, "
        "with --debug for where it arose)"
    )


def _review(c: DatasetClassification) -> dict[str, Any]:
    """The LLM review of a dataset, for the audit log: its answer (masked data went out, the
    answer's reason is masked again), or why it failed."""
    review = c.content.review if c.content is not None else None
    return {"content_review": dict(review)} if review else {}


def _audit_scan(
    scan_id: int, files: Sequence[ScannedFile], removed: Sequence[str], errors: Sequence[str]
) -> None:
    """One audit event per recorded scan: what was scanned and how it was tagged, no values."""
    from collections import Counter

    from dataward.audit import record
    from dataward.audit.events import ScanEvent
    from dataward.detect.api import masked_path

    # a file named by a value (an e-mail) keeps it out of the log: the path shows <ENTITY>
    datasets = [
        {
            "path": masked_path(f.uri),
            "rows": f.classification.rows,
            "tags": list(f.classification.tag_names),
            "content_classes": [
                {k: c[k] for k in ("class", "confidence", "source")}
                for c in f.classification.content_classes()
            ],
            **_review(f.classification),
        }
        for f in files
        if f.classification is not None
    ]
    record(
        ScanEvent(
            scan_id=scan_id,
            datasets=datasets,
            changes=dict(Counter(f.change for f in files)),
            removed=len(removed),
            errors=len(errors),
        )
    )
