"""What a data card says, gathered once from the catalog, the decision log, the lineage graph
and the audit log; :mod:`dataward.cards.render` writes it as Croissant, a Hugging Face dataset
card or Markdown.

Names, counts, labels, decisions and hashes only: no value of the dataset, no example, no
masked preview. Column and path names pass :func:`~dataward.detect.api.masked_name` (a column
named by an e-mail shows ``<EMAIL_ADDRESS>``).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from dataward.errors import DatawardError
from dataward.lineage.graph import downstream, links, nodes, store_of, upstream
from dataward.lineage.labels import labels

__all__ = ["CardError", "CardFacts", "gather"]


class CardError(DatawardError):
    """A card cannot be made: the dataset is not in the catalog, or its facts cannot be read."""

    exit_code = 3


@dataclass
class CardFacts:
    """Everything a card states about one dataset."""

    name: str
    """The dataset's file name (masked)."""
    path: str
    """Its catalog path (masked)."""
    format: str
    rows: int
    size_bytes: int
    version: str | None
    """Its newest version in the lineage graph (``blake2b:...``), if it is there."""
    sha256: str
    """SHA-256 of the file's bytes now (Croissant requires a checksum per file)."""
    scanned_at: str
    sampled: bool
    tags: list[str]
    columns: list[dict[str, Any]]
    """``{"name", "data_type", "entity", "sensitive", "labels": [{"label", "status", "run_id",
    "operator", "source"}]}`` per column."""
    decisions: list[dict[str, Any]] = field(default_factory=list)
    """``{"decision_id", "effect", "point", "action", "purpose", "policy_revision",
    "timestamp", "obligations"}`` per logged decision about the dataset."""
    upstream: list[dict[str, Any]] = field(default_factory=list)
    downstream: list[dict[str, Any]] = field(default_factory=list)
    protect_runs: list[dict[str, Any]] = field(default_factory=list)
    """Column edges out of this dataset that masked (``{"output", "column", "operator",
    "run_id"}``) or, into it, the run that made it from a masked source."""
    proofs: dict[str, Any] = field(default_factory=dict)
    """``{"checkpoint": {"size", "root", "note"}, "events": [{"index", "kind", "leaf_hash",
    "inclusion_proof"}]}``: a signed tree head and the audit events about this dataset with
    their inclusion proofs (RFC 6962), so a reader can check the card against the log."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": self.path,
            "format": self.format,
            "rows": self.rows,
            "size_bytes": self.size_bytes,
            "version": self.version,
            "sha256": self.sha256,
            "scanned_at": self.scanned_at,
            "sampled": self.sampled,
            "tags": self.tags,
            "columns": self.columns,
            "decisions": self.decisions,
            "upstream": self.upstream,
            "downstream": self.downstream,
            "protect_runs": self.protect_runs,
            "proofs": self.proofs,
        }

    @property
    def sensitive_columns(self) -> list[dict[str, Any]]:
        return [
            c
            for c in self.columns
            if c["sensitive"] or any(x["status"] != "stopped" for x in c["labels"])
        ]


def _sha256(path: str) -> str:
    """SHA-256 of the dataset's file; one that cannot be read is a :class:`CardError` (a card
    states the checksum of what it describes, not of a file that may have changed)."""
    import hashlib

    digest = hashlib.sha256()
    try:
        with Path(path).open("rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    except OSError as exc:
        raise CardError(
            f"the dataset's file cannot be read for its checksum ({type(exc).__name__}); "
            "a card describes a readable local file"
        ) from None
    return digest.hexdigest()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _decisions(store: Any, path: str) -> list[dict[str, Any]]:
    """The logged decisions whose resource is the dataset (its path or its file name)."""
    from dataward.lineage.io import sync_decisions
    from dataward.policy.records import decisions

    sync_decisions(store)
    ids: list[str] = []
    for name in (path, Path(path).name):
        ids += links(store, name).get("decision", [])
    if not ids:
        return []
    with store.begin() as conn:
        rows = conn.execute(sa.select(decisions).where(decisions.c.decision_id.in_(ids))).all()
    out = []
    for r in sorted(rows, key=lambda r: str(r.created_at)):
        request = json.loads(r.request)
        result = json.loads(r.result)
        ctx = request.get("context") or {}
        action = request.get("action")
        out.append(
            {
                "decision_id": r.decision_id,
                "effect": r.effect,
                "point": r.point,
                "action": action.get("id") if isinstance(action, dict) else action,
                "purpose": ctx.get("purpose") if isinstance(ctx, dict) else None,
                "policy_revision": r.policy_revision,
                "timestamp": result.get("timestamp"),
                "obligations": [
                    f"{o.get('transform') or o.get('operator')}:{o.get('target')}"
                    for o in result.get("obligations", [])
                    if isinstance(o, dict)
                ],
            }
        )
    return out


def _proofs(target: Any, masked: str) -> dict[str, Any]:
    """A signed checkpoint of the audit log and the lineage and protect events naming the
    dataset (its masked path, as the log holds it), each with its inclusion proof."""
    log = getattr(target, "audit_log", None)
    if log is None:
        from dataward.audit import default_log

        log = default_log()
    chosen = []
    for e in log.events():
        payload = e.payload or {}
        if (
            e.kind == "lineage"
            and masked in (list(payload.get("inputs", [])) + list(payload.get("outputs", [])))
        ) or (
            e.kind == "scan"
            and any(
                d.get("path") == masked for d in payload.get("datasets", []) if isinstance(d, dict)
            )
        ):
            chosen.append(e)
    if not chosen:
        return {}
    cp = log.checkpoint()
    return {
        "checkpoint": {"size": cp.size, "root": _b64(cp.root), "note": cp.note},
        "events": [
            {
                "index": e.index,
                "kind": e.kind,
                "leaf_hash": e.leaf_hash.hex(),
                "inclusion_proof": [h.hex() for h in log.inclusion_proof(e.index, cp.size)],
            }
            for e in chosen
        ],
    }


def gather(target: Any, dataset: str) -> CardFacts:
    """The facts of ``dataset`` (an id, a path or a file name, as ``dataward catalog show``
    takes it). ``target``: a runtime (its store and audit log), a store, or ``None`` for the
    runtime in use. A dataset the catalog lacks is a :class:`CardError`."""
    from dataward.catalog import Catalog, CatalogError
    from dataward.detect.api import get_engine, masked_name, masked_path

    store = store_of(target)
    try:
        d = Catalog(store).dataset(dataset)
    except CatalogError as exc:
        raise CardError(f"{exc} (a card needs a scanned dataset)") from None
    engine = get_engine()
    path = d["path"]
    found = labels(store, path)
    by_column: dict[str, list[dict[str, Any]]] = {}
    for lab in found:
        by_column.setdefault(lab.column, []).append(lab.to_dict())
    columns = []
    for c in d["columns"]:
        name = masked_name(c["name"], engine)
        columns.append(
            {
                "name": name,
                "data_type": c["data_type"],
                "entity": c["entity"],
                "sensitive": bool(c["sensitive"]),
                "labels": by_column.get(name, []),
            }
        )
    versions = [n.version for n in nodes(store, path) if n.version]
    checksum = _sha256(path)
    protect_runs = []
    from dataward.lineage import tables as lt

    with store.begin() as conn:
        rows = conn.execute(
            sa.select(lt.column_edges).where(
                sa.or_(lt.column_edges.c.src_name == path, lt.column_edges.c.dst_name == path),
                lt.column_edges.c.masking.is_(True),
            )
        ).all()
    for r in rows:
        protect_runs.append(
            {
                "input": masked_path(r.src_name, engine),
                "output": masked_path(r.dst_name, engine),
                "column": r.dst_column,
                "operator": r.operator,
                "run_id": r.run_id,
            }
        )
    return CardFacts(
        name=masked_name(d["name"], engine),
        path=masked_path(path, engine),
        format=d["format"],
        rows=int(d["rows"]),
        size_bytes=int(d["size_bytes"]),
        version=versions[-1] if versions else None,
        sha256=checksum,
        scanned_at=d["updated_at"],
        sampled=bool(d["sampled"]),
        tags=list(d["tags"]),
        columns=columns,
        decisions=_decisions(store, path),
        upstream=[
            {**n.to_dict(), "name": masked_path(n.name, engine)} for n in upstream(store, path)
        ],
        downstream=[
            {**n.to_dict(), "name": masked_path(n.name, engine)} for n in downstream(store, path)
        ],
        protect_runs=sorted(protect_runs, key=lambda p: (p["output"], p["column"])),
        proofs=_proofs(target, masked_path(path, engine)),
    )
