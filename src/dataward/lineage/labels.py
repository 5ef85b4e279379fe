"""Sensitivity labels along column lineage.

A scan labels the columns it finds sensitive (``EMAIL_ADDRESS``, ``US_SSN``...: entity names,
never values). A label travels from a column to every column a run made from it, run after run,
and stops where the transformation masked the values (a protect operator: ``masking: true``) or
aggregated them (``subtype: AGGREGATION``). Each carried or stopped label keeps its evidence:
the run that carried or stopped it, the operator, and the column it came from.

:func:`propagate` recomputes the carried labels from the seeds (scanned or set labels) through
the stored column edges; :func:`labels` reads them.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa

from dataward.lineage import tables as t
from dataward.lineage.graph import ColumnEdge, store_of
from dataward.store import insert_ignore, insert_ignore_many

__all__ = ["Label", "extend", "labels", "propagate", "seed"]

Origin = Literal["scan", "lineage"]
Status = Literal["present", "carried", "stopped"]


@dataclass(frozen=True, slots=True)
class Label:
    """``label`` on ``dataset``'s ``column``: ``present`` (found there by a scan), ``carried``
    (reached it along column lineage) or ``stopped`` (reached a masking or aggregating run,
    which did not pass it on). ``run_id``, ``operator``, ``source_dataset`` and
    ``source_column`` are the evidence."""

    dataset: str
    column: str
    label: str
    status: Status
    run_id: str
    operator: str
    source_dataset: str
    source_column: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "column": self.column,
            "label": self.label,
            "status": self.status,
            "run_id": self.run_id,
            "operator": self.operator,
            "source": {"dataset": self.source_dataset, "column": self.source_column},
        }


def seed(target: Any, dataset: str, columns: Mapping[str, Iterable[str]], run_id: str) -> None:
    """Record that a scan (run ``run_id``) found ``columns``' labels on ``dataset``; the labels
    it found there before are replaced (a re-scan is the truth of the dataset now)."""
    store = store_of(target)
    rows = [
        {
            "dataset": dataset,
            "column_name": column[:1000],
            "label": label[:100],
            "origin": "scan",
            "status": "present",
            "run_id": run_id,
            "operator": "",
            "source_dataset": dataset,
            "source_column": column[:1000],
        }
        for column, found in columns.items()
        for label in dict.fromkeys(found)
    ]
    with store.begin() as conn:
        conn.execute(
            t.labels.delete().where(t.labels.c.dataset == dataset, t.labels.c.origin == "scan")
        )
        insert_ignore_many(conn, t.labels, rows)


def _column_edges(conn: sa.Connection) -> dict[tuple[str, str], list[tuple[str, ColumnEdge]]]:
    out: dict[tuple[str, str], list[tuple[str, ColumnEdge]]] = {}
    for row in conn.execute(sa.select(t.column_edges)):
        edge = ColumnEdge(
            row.src_name,
            row.src_column,
            row.dst_name,
            row.dst_column,
            row.transform_type,
            row.transform_subtype,
            bool(row.masking),
            row.operator,
        )
        out.setdefault((row.src_name, row.src_column), []).append((row.run_id, edge))
    return out


def propagate(target: Any) -> int:
    """Recompute every carried and stopped label from the scanned ones; returns how many
    carried labels there are. A label carried along one path and stopped along another is
    carried (the unmasked path still holds the values)."""
    store = store_of(target)
    with store.begin() as conn:
        graph = _column_edges(conn)
        seeds = conn.execute(
            sa.select(t.labels.c.dataset, t.labels.c.column_name, t.labels.c.label).where(
                t.labels.c.origin == "scan"
            )
        ).all()
        carried: dict[tuple[str, str, str], dict[str, Any]] = {}
        stopped: dict[tuple[str, str, str], dict[str, Any]] = {}
        queue: deque[tuple[str, str, str]] = deque((d, c, lab) for d, c, lab in seeds)
        seen = set(queue)
        while queue:
            dataset, column, label = queue.popleft()
            for run_id, edge in graph.get((dataset, column), ()):
                key = (edge.dst, edge.dst_column, label)
                evidence = {
                    "dataset": edge.dst,
                    "column_name": edge.dst_column,
                    "label": label,
                    "origin": "lineage",
                    "run_id": run_id,
                    "operator": edge.operator,
                    "source_dataset": dataset,
                    "source_column": column,
                }
                if edge.stops_labels:
                    stopped.setdefault(key, {**evidence, "status": "stopped"})
                    continue
                carried.setdefault(key, {**evidence, "status": "carried"})
                if key not in seen:
                    seen.add(key)
                    queue.append(key)
        rows = list(carried.values()) + [v for k, v in stopped.items() if k not in carried]
        conn.execute(t.labels.delete().where(t.labels.c.origin == "lineage"))
        insert_ignore_many(conn, t.labels, rows)
    return len(carried)


def extend(
    target: Any,
    run_id: str | None,
    new_edges: Sequence[ColumnEdge] = (),
    *,
    datasets: Sequence[str] = (),
) -> int:
    """Carry labels along the column edges a new run added (``new_edges`` of run ``run_id``),
    or along every stored column edge out of ``datasets`` (newly scanned), and on from there,
    without recomputing the rest of the graph. Labels only grow here: a label a dataset
    carried stays when its source is re-scanned clean (what was made from the earlier
    version still holds the values); :func:`propagate` recomputes from the scans. Returns how
    many labels were carried or stopped anew; a label carried here that was stopped before
    is carried."""
    store = store_of(target)
    written = 0
    with store.begin() as conn:

        def live(dataset: str, column: str) -> list[str]:
            return [
                r.label
                for r in conn.execute(
                    sa.select(t.labels.c.label).where(
                        t.labels.c.dataset == dataset,
                        t.labels.c.column_name == column,
                        t.labels.c.status != "stopped",
                    )
                )
            ]

        def out_edges(dataset: str, column: str) -> list[tuple[str, ColumnEdge]]:
            rows = conn.execute(
                sa.select(t.column_edges).where(
                    t.column_edges.c.src_name == dataset, t.column_edges.c.src_column == column
                )
            )
            return [
                (
                    r.run_id,
                    ColumnEdge(
                        r.src_name,
                        r.src_column,
                        r.dst_name,
                        r.dst_column,
                        r.transform_type,
                        r.transform_subtype,
                        bool(r.masking),
                        r.operator,
                    ),
                )
                for r in rows
            ]

        starts: list[tuple[str, ColumnEdge]] = [(run_id or "", e) for e in new_edges]
        for dataset in datasets:
            columns = conn.execute(
                sa.select(t.column_edges.c.src_column)
                .where(t.column_edges.c.src_name == dataset)
                .distinct()
            ).scalars()
            for column in list(columns):
                starts += out_edges(dataset, column)
        queue: deque[tuple[str, ColumnEdge, str]] = deque(
            (run, e, label) for run, e in starts for label in live(e.src, e.src_column)
        )
        done: set[tuple[str, str, str, str]] = set()
        while queue:
            run, edge, label = queue.popleft()
            key = (edge.src, edge.src_column, edge.dst + "\0" + edge.dst_column, label)
            if key in done:
                continue
            done.add(key)
            status = "stopped" if edge.stops_labels else "carried"
            row = {
                "dataset": edge.dst,
                "column_name": edge.dst_column,
                "label": label,
                "origin": "lineage",
                "status": status,
                "run_id": run,
                "operator": edge.operator,
                "source_dataset": edge.src,
                "source_column": edge.src_column,
            }
            if not insert_ignore(conn, t.labels, row):
                if status != "carried":
                    continue
                changed = conn.execute(
                    t.labels.update()
                    .where(
                        t.labels.c.dataset == edge.dst,
                        t.labels.c.column_name == edge.dst_column,
                        t.labels.c.label == label,
                        t.labels.c.origin == "lineage",
                        t.labels.c.status == "stopped",
                    )
                    .values(**row)
                ).rowcount
                if not changed:
                    continue  # carried there already: what lies beyond has it too
            written += 1
            if status == "carried":
                for nxt_run, nxt in out_edges(edge.dst, edge.dst_column):
                    queue.append((nxt_run, nxt, label))
    return written


def labels(target: Any, dataset: str, *, include_stopped: bool = True) -> list[Label]:
    """The labels of ``dataset``'s columns: found there, carried there, and (unless
    ``include_stopped`` is false) stopped there, each with its evidence."""
    store = store_of(target)
    query = sa.select(t.labels).where(t.labels.c.dataset == dataset)
    if not include_stopped:
        query = query.where(t.labels.c.status != "stopped")
    with store.begin() as conn:
        rows = conn.execute(query.order_by(t.labels.c.column_name, t.labels.c.label)).all()
    return [
        Label(
            r.dataset,
            r.column_name,
            r.label,
            r.status,
            r.run_id,
            r.operator,
            r.source_dataset,
            r.source_column,
        )
        for r in rows
    ]
