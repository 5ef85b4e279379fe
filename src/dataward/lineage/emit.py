"""Dataward's own work as OpenLineage run events: scans, protect runs, decisions, training.

Each event is built with ``openlineage-python``'s classes (so it is the OpenLineage 2-0-2
``RunEvent`` any consumer reads), stored in the graph by :func:`~dataward.lineage.graph.ingest`
and recorded in the audit log as a :class:`~dataward.audit.events.LineageEvent` (dataset paths
and column names there pass :func:`~dataward.detect.api.masked_path`: a file or a column named
by an e-mail does not put the e-mail in the log).

A scan reads datasets (inputs only) and labels their columns (the ``dataward`` facet); a
protect run reads a file and writes its protected copy, with a ``columnLineage`` facet whose
transformations say ``masking: true`` for every column an operator masked, tokenized,
encrypted, generalized, hashed, redacted or replaced; a training run reads dataset and feature
versions and writes a model version, linked to its decision, go token and audit receipts.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dataward.errors import DatawardError
from dataward.lineage.graph import IngestResult, LineageError, Node, ingest, link, store_of
from dataward.lineage.labels import extend, propagate, seed

__all__ = [
    "NAMESPACE",
    "PRODUCER",
    "ColumnSource",
    "dataset_facets",
    "file_version",
    "lineage_available",
    "protect_run",
    "record",
    "run_event",
    "scan_run",
    "token_digest",
    "train_run",
]

PRODUCER = "https://github.com/dataward/dataward"
NAMESPACE = "dataward"
"""The job namespace of Dataward's own runs."""
FACET_SCHEMA = "https://dataward.dev/spec/facets/1-0-0/DatawardDatasetFacet.json"
NOT_MASKING = frozenset({"keep", "pass", "none", ""})
"""Operators that leave values as they were (any other one masks)."""


def lineage_available() -> bool:
    """Whether ``openlineage-python`` (the ``lineage`` extra) is installed: without it scans
    and protect runs record no lineage (and say nothing: lineage is a record, not a check)."""
    from importlib.util import find_spec

    return find_spec("openlineage") is not None


def file_version(path: str | Path) -> str:
    """A local file's version as the catalog names it: ``blake2b:<hex>`` of its bytes."""
    digest = hashlib.blake2b(digest_size=32)
    with Path(path).open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return f"blake2b:{digest.hexdigest()}"


def token_digest(token: str) -> str:
    """The name a go token is linked by: ``sha256:<hex>`` (a token is a bearer credential;
    Dataward stores and logs its digest and its verified claims, never the token)."""
    return "sha256:" + hashlib.sha256(token.strip().encode()).hexdigest()


def dataset_facets(
    *,
    kind: str = "dataset",
    version: str | None = None,
    columns: Sequence[str] = (),
    labels: Mapping[str, Iterable[str]] | None = None,
) -> dict[str, Any]:
    """The facets Dataward puts on a dataset: its version, schema (names only), type, and the
    ``dataward`` facet (its kind and its columns' labels)."""
    from openlineage.client.facet_v2 import dataset_type_dataset, dataset_version_dataset
    from openlineage.client.facet_v2 import schema_dataset as sch
    from openlineage.client.serde import Serde

    facets: dict[str, Any] = {}
    if version is not None:
        facets["version"] = dataset_version_dataset.DatasetVersionDatasetFacet(
            datasetVersion=version
        )
    if columns:
        facets["schema"] = sch.SchemaDatasetFacet(
            fields=[sch.SchemaDatasetFacetFields(name=c) for c in columns]
        )
    if kind != "dataset":
        facets["datasetType"] = dataset_type_dataset.DatasetTypeDatasetFacet(
            datasetType="MODEL" if kind == "model" else "FEATURES"
        )
    out: dict[str, Any] = {k: Serde.to_dict(v) for k, v in facets.items()}
    mine: dict[str, Any] = {
        "_producer": PRODUCER,
        "_schemaURL": f"{FACET_SCHEMA}#/$defs/DatawardDatasetFacet",
        "kind": kind,
    }
    if labels is not None:  # {} too: a re-scan that found nothing clears the old labels
        mine["labels"] = {c: sorted(set(v)) for c, v in labels.items() if v}
    out["dataward"] = mine
    return out


@dataclass(frozen=True, slots=True)
class ColumnSource:
    """Output column ``column`` came from ``source``'s ``source_column`` through ``operator``
    (``None``: copied as it was); ``aggregated``: many rows made one value."""

    column: str
    source: str
    source_column: str
    operator: str | None = None
    aggregated: bool = False
    namespace: str = "file"


def _column_lineage(sources: Sequence[ColumnSource]) -> dict[str, Any]:
    from openlineage.client.facet_v2 import column_lineage_dataset as cl
    from openlineage.client.serde import Serde

    fields: dict[str, list[Any]] = {}
    for s in sources:
        masking = s.operator is not None and s.operator not in NOT_MASKING
        operator = None if s.operator is None else "-".join(s.operator.split())[:64]
        if s.aggregated:
            tr = cl.Transformation(
                type="INDIRECT", subtype="AGGREGATION", description=operator, masking=masking
            )
        elif masking:
            tr = cl.Transformation(
                type="DIRECT", subtype="TRANSFORMATION", description=operator, masking=True
            )
        else:
            tr = cl.Transformation(type="DIRECT", subtype="IDENTITY", masking=False)
        fields.setdefault(s.column, []).append(
            cl.InputField(
                namespace=s.namespace, name=s.source, field=s.source_column, transformations=[tr]
            )
        )
    facet = cl.ColumnLineageDatasetFacet(
        fields={c: cl.Fields(inputFields=f) for c, f in fields.items()}
    )
    as_dict: dict[str, Any] = Serde.to_dict(facet)
    return as_dict


def run_event(
    job: str,
    *,
    inputs: Sequence[tuple[str, Mapping[str, Any]]] = (),
    outputs: Sequence[tuple[str, Mapping[str, Any]]] = (),
    run_id: str | None = None,
    event_type: str = "COMPLETE",
    namespace: str = NAMESPACE,
    dataset_namespace: str = "file",
) -> dict[str, Any]:
    """An OpenLineage ``RunEvent`` (as its JSON dict) of ``job``: ``inputs`` and ``outputs``
    are ``(name, facets)`` pairs (facets as :func:`dataset_facets` makes them)."""
    from openlineage.client.event_v2 import (
        InputDataset,
        Job,
        OutputDataset,
        Run,
        RunEvent,
        RunState,
    )
    from openlineage.client.serde import Serde

    event = RunEvent(
        eventType=RunState(event_type),
        eventTime=datetime.now(UTC).isoformat(),
        run=Run(runId=run_id or str(uuid.uuid4())),
        job=Job(namespace=namespace, name=job),
        producer=PRODUCER,
        inputs=[InputDataset(namespace=dataset_namespace, name=n) for n, _ in inputs],
        outputs=[OutputDataset(namespace=dataset_namespace, name=n) for n, _ in outputs],
    )
    out: dict[str, Any] = Serde.to_dict(event)
    # Facets as plain dicts (the ``dataward`` facet is ours): set after serialising.
    for part, given in (("inputs", inputs), ("outputs", outputs)):
        for ds, (_, facets) in zip(out.get(part, []), given, strict=True):
            ds["facets"] = dict(facets)
    return out


def _audit(target: Any, result: IngestResult) -> Any:
    """A :class:`LineageEvent` for ``result``, names masked."""
    from dataward.audit import record as audit_record
    from dataward.audit.events import LineageEvent
    from dataward.detect.api import masked_path

    event = LineageEvent(
        run_id=result.run_id,
        job=result.job,
        event_type=result.event_type,  # type: ignore[arg-type]
        inputs=[masked_path(n.name) for n in result.inputs],
        outputs=[masked_path(n.name) for n in result.outputs],
        masked_columns=[masked_path(c) for c in result.masked_columns] or None,
        producer=PRODUCER,
    )
    emit = getattr(target, "emit", None)
    if callable(emit):
        return emit(event)
    return audit_record(event)


def record(
    target: Any, event: Mapping[str, Any], *, source: str = "dataward", audit: bool = True
) -> IngestResult:
    """Store an OpenLineage event in the graph, seed the labels its ``dataward`` facets carry,
    carry labels along its column lineage, and (``audit``) record it in the audit log."""
    result = ingest(target, event, source=source)
    seeded: list[str] = []
    for part in ("inputs", "outputs"):
        for ds in event.get(part) or []:
            mine = (ds.get("facets") or {}).get("dataward")
            if isinstance(mine, Mapping) and isinstance(mine.get("labels"), Mapping):
                found = {
                    str(c): [str(x)[:100] for x in v]
                    for c, v in mine["labels"].items()
                    if isinstance(v, list)
                }
                seed(target, str(ds["name"]), found, result.run_id)
                seeded.append(str(ds["name"]))
    if result.event_type in ("FAIL", "ABORT"):
        propagate(target)  # withdrawn edges: what they carried goes
    elif seeded or result.column_edges:
        # new labels and edges only add: what was carried from an earlier version stays
        extend(target, result.run_id, result.column_edges, datasets=seeded)
    if audit:
        _audit(target, result)
    return result


def _masked_names(names: Iterable[str]) -> dict[str, str]:
    from dataward.detect.api import get_engine, masked_name

    engine = get_engine()
    return {n: masked_name(n, engine) for n in names}


def scan_run(target: Any, scan_id: int | None, files: Sequence[Any]) -> IngestResult | None:
    """One run event for a recorded scan (``files``: the scan's
    :class:`~dataward.catalog.ScannedFile` list): every classified file is an input, at its
    catalog path and fingerprint, with its columns and the labels of its sensitive ones."""
    from dataward.catalog.identity import canonical_path

    inputs = []
    for f in files:
        c = getattr(f, "classification", None)
        if c is None:
            continue
        names = _masked_names(col.name for col in c.columns)
        found: dict[str, list[str]] = {}
        for col in c.columns:
            if col.sensitive and col.entity:
                found.setdefault(names[col.name], []).append(col.entity)
        facets = dataset_facets(
            version=f.fingerprint, columns=list(dict.fromkeys(names.values())), labels=found
        )
        inputs.append((canonical_path(c.path), facets))
    if not inputs:
        return None
    job = "dataward.scan" if scan_id is None else f"dataward.scan.{scan_id}"
    return record(target, run_event(job, inputs=inputs))


REDACTED_COLUMN = "<redacted>"
"""The name lineage gives an output column whose header an operator removed."""


def protect_run(
    target: Any,
    input: str | Path,
    output: str | Path,
    columns: Sequence[Mapping[str, Any]],
    *,
    sources: Sequence[str] | None = None,
    decision_id: str | None = None,
) -> IngestResult:
    """One run event for a protected file: ``input`` → ``output`` (both at their
    ``blake2b`` versions), a column edge per column of the protect report (``{"column",
    "operator"}``, the output's names; an operator marks it ``masking: true``). ``sources``:
    the input's names of the same columns, in order (a header can be protected too: an
    e-mail as a column name becomes a token); default: the report's names."""
    from dataward.catalog.identity import canonical_path

    src, dst = canonical_path(input), canonical_path(output)
    out_names = [str(c["column"]) for c in columns]
    in_names = list(sources) if sources is not None else out_names
    if len(in_names) != len(out_names):
        raise LineageError("protect_run: sources and columns differ in length")
    names = _masked_names([*out_names, *in_names])
    edges = [
        ColumnSource(
            names[o] or REDACTED_COLUMN, src, names[i] or REDACTED_COLUMN, c.get("operator")
        )
        for o, i, c in zip(out_names, in_names, columns, strict=True)
    ]
    out_version = file_version(output)
    out_facets = dataset_facets(
        version=out_version, columns=list(dict.fromkeys(e.column for e in edges))
    )
    out_facets["columnLineage"] = _column_lineage(edges)
    event = run_event(
        "dataward.protect",
        inputs=[(src, dataset_facets(version=file_version(input)))],
        outputs=[(dst, out_facets)],
    )
    result = record(target, event)
    if decision_id is not None:
        link(target, Node(dst, "dataset", out_version), "decision", decision_id)
    return result


def train_run(
    target: Any,
    model: Node,
    inputs: Sequence[Node],
    *,
    job: str = "train",
    decision: Any = None,
    go_token: str | None = None,
    receipts: Sequence[str] = (),
    mlflow_run_id: str | None = None,
    columns: Sequence[ColumnSource] = (),
) -> IngestResult:
    """Record that ``model`` (a model version) was trained from ``inputs`` (dataset and
    feature versions) and link it to the decision that allowed it, its go token (by digest),
    the protect receipts it rests on (``receipts``: their digests, as
    :func:`dataward.policy.evidence.receipt_digest` gives them) and the audit receipt of this
    run (``audit:<index>:<leaf hash>``)."""
    if model.kind != "model":
        raise LineageError("train_run: the output node must be a model")
    outputs_facets = dataset_facets(kind="model", version=model.version)
    if columns:
        outputs_facets["columnLineage"] = _column_lineage(columns)
    event = run_event(
        job,
        inputs=[(n.name, dataset_facets(kind=n.kind, version=n.version)) for n in inputs],
        outputs=[(model.name, outputs_facets)],
        namespace=NAMESPACE,
    )
    result = ingest(target, event)
    if columns:
        extend(target, result.run_id, result.column_edges)
    receipt = _audit(target, result)
    for n in inputs:
        if n.version is not None:
            link(target, model, "dataset_version", f"{n.name}@{n.version}"[:200])
    if decision is not None:
        decision_id = getattr(decision, "decision_id", None) or (
            decision.get("decision_id") if isinstance(decision, Mapping) else None
        )
        if not decision_id:
            raise LineageError("train_run: the decision has no decision_id")
        link(target, model, "decision", str(decision_id))
        token = go_token or getattr(decision, "token", None)
        if token is None and isinstance(decision, Mapping):
            token = decision.get("token")
        go_token = token
    if go_token:
        link(target, model, "go_token", token_digest(go_token))
    for digest in receipts:
        link(target, model, "receipt", digest)
    if receipt is not None and getattr(receipt, "leaf_hash", None) is not None:
        link(target, model, "receipt", f"audit:{receipt.index}:{_hex(receipt.leaf_hash)}")
    if mlflow_run_id:
        link(target, model, "mlflow_run", mlflow_run_id)
    return result


def _hex(value: Any) -> str:
    return value.hex() if isinstance(value, bytes | bytearray) else str(value)


def safe_store(target: Any) -> bool:
    """Whether ``target`` names a store lineage can be written to (for the hooks)."""
    try:
        store_of(target)
    except DatawardError:
        return False
    return True
