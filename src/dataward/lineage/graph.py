"""The lineage graph: which dataset, feature table or model version was made from which.

Dataward keeps lineage as OpenLineage keeps it, by run: a run of a job reads some datasets and
writes others. :func:`ingest` takes an OpenLineage run event (from Dataward's own scans, protect
runs and decisions, from ``POST /v1/lineage``, from a file, or from Airflow, Spark, dbt or
Flink integrations) and stores, per run, one edge from every input to every output and the
column edges of its ``columnLineage`` facet. :func:`record_edge` stores one edge directly.
:func:`downstream` and :func:`upstream` walk the edges transitively; subject erasure and
retention (``dataward.subjects``, ``dataward.retention``) rely on them to find every feature
table and model a dataset fed.

Only names are stored (dataset, column, job and operator names, versions, run ids): never a
value, never a facet's free text (a ``sql`` job facet quotes query literals; a transformation's
description may too), only the names of the facets a run carried.

Every function takes ``target``: a :class:`~dataward.store.Store`, an object with a ``store``
attribute (a :class:`dataward.Runtime`), or ``None`` for the store of the runtime in use.
"""

from __future__ import annotations

import json
import re
import uuid
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, cast, get_args

import sqlalchemy as sa

from dataward.errors import DatawardError
from dataward.lineage import tables as t
from dataward.store import Store, insert_ignore, insert_ignore_many, shared_store

__all__ = [
    "ColumnEdge",
    "Edge",
    "IngestResult",
    "LineageError",
    "Node",
    "NodeKind",
    "check_event",
    "downstream",
    "edges",
    "ingest",
    "kind_of",
    "link",
    "links",
    "node_kind",
    "nodes",
    "record_edge",
    "record_run",
    "store_of",
    "upstream",
]

NodeKind = Literal["dataset", "features", "model"]
KINDS: tuple[str, ...] = get_args(NodeKind)
EVENT_TYPES = ("START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER")
WITHDRAWN = ("ABORT", "FAIL")
"""Event types whose run made nothing: the edges it recorded earlier (its START) are removed."""

_OPERATOR = re.compile(r"[A-Za-z0-9_.:\-]{1,64}")
"""What a transformation's description must look like to be stored as its operator's name
(free text may quote the data; fullmatch on a bounded class: linear)."""

MAX_NAME = 2000


class LineageError(DatawardError):
    """A lineage event or request cannot be read, stored or sent (the message names the
    field, never its value). A malformed event exits 3 (unreadable input), like a bad file."""

    exit_code = 3


@dataclass(frozen=True, slots=True)
class Node:
    """One version of a dataset, feature table or model, by name. ``version`` is ``None`` when
    the producer of the lineage did not say (an edge from such a node matches every version)."""

    name: str
    kind: NodeKind = "dataset"
    version: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "version": self.version}


@dataclass(frozen=True, slots=True)
class ColumnEdge:
    """Column ``src_column`` of ``src`` fed column ``dst_column`` of ``dst`` in a run.
    ``masking``: the transformation masked, tokenized, encrypted or generalized the values (a
    sensitivity label stops here); ``transform_type``/``transform_subtype`` as OpenLineage's
    column lineage facet says (``DIRECT``/``IDENTITY``, ``INDIRECT``/``AGGREGATION``...)."""

    src: str
    src_column: str
    dst: str
    dst_column: str
    transform_type: str = "DIRECT"
    transform_subtype: str = "IDENTITY"
    masking: bool = False
    operator: str = ""

    @property
    def stops_labels(self) -> bool:
        """A label does not travel through masking or aggregation."""
        return self.masking or self.transform_subtype.upper() == "AGGREGATION"


@dataclass(frozen=True, slots=True)
class Edge:
    """``src`` fed ``dst`` in run ``run_id``."""

    src: Node
    dst: Node
    run_id: str


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What :func:`ingest` stored for one event."""

    run_id: str
    job: str
    event_type: str
    inputs: tuple[Node, ...]
    outputs: tuple[Node, ...]
    column_edges: tuple[ColumnEdge, ...]
    masked_columns: tuple[str, ...]


def store_of(target: Any = None) -> Store:
    """The store ``target`` names: a Store, an object with a ``store`` (a Runtime), or ``None``
    for the runtime in use."""
    if target is None:
        return shared_store()
    if isinstance(target, Store):
        return target
    store = getattr(target, "store", None)
    if isinstance(store, Store):
        return store
    raise LineageError(f"not a store or runtime: {type(target).__name__}")


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _v(version: str | None) -> str:
    return "" if version is None else version


def _unv(version: str) -> str | None:
    return None if version == "" else version


def _name(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise LineageError(f"lineage event: {what} must be a non-empty string")
    if len(value) > MAX_NAME:
        raise LineageError(f"lineage event: {what} is longer than {MAX_NAME} characters")
    return value


def _kind(kind: Any) -> NodeKind:
    if kind not in KINDS:
        raise LineageError(f"lineage: node kind must be one of {', '.join(KINDS)}")
    return cast(NodeKind, kind)


def record_run(
    target: Any,
    run_id: str,
    job: str,
    *,
    namespace: str = "dataward",
    event_type: str = "COMPLETE",
    event_time: str | None = None,
    producer: str = "dataward",
    source: str = "dataward",
    facet_names: Iterable[str] = (),
) -> None:
    """Store (or update: the newest event type wins) run ``run_id`` of ``job``."""
    if event_type not in EVENT_TYPES:
        raise LineageError(f"lineage event: eventType must be one of {', '.join(EVENT_TYPES)}")
    row = {
        "run_id": _name(run_id, "run.runId")[:64],
        "job_namespace": namespace[:500],
        "job_name": _name(job, "job.name")[:1000],
        "event_type": event_type,
        "event_time": (event_time or _now())[:40],
        "producer": producer[:1000],
        "source": source[:40],
        "facets": json.dumps(sorted(set(facet_names))),
    }
    store = store_of(target)
    with store.begin() as conn:
        if not insert_ignore(conn, t.runs, row):
            conn.execute(
                t.runs.update()
                .where(t.runs.c.run_id == row["run_id"])
                .values(event_type=event_type, event_time=row["event_time"])
            )


def _put_node(conn: sa.Connection, node: Node, run_id: str, namespace: str) -> None:
    """Insert ``node``; a node first seen as a ``dataset`` takes a more specific kind later."""
    inserted = insert_ignore(
        conn,
        t.nodes,
        {
            "name": node.name,
            "version": _v(node.version),
            "kind": node.kind,
            "namespace": namespace[:500],
            "first_run": run_id,
            "created_at": _now(),
        },
    )
    if not inserted and node.kind != "dataset":
        conn.execute(
            t.nodes.update()
            .where(t.nodes.c.name == node.name, t.nodes.c.version == _v(node.version))
            .values(kind=node.kind)
        )


def record_edge(
    target: Any,
    src: Node,
    dst: Node,
    *,
    run_id: str | None = None,
    job: str | None = None,
    columns: Sequence[ColumnEdge] = (),
    namespace: str = "dataward",
) -> str:
    """Store that ``src`` fed ``dst`` (and the column edges ``columns``) in run ``run_id`` (a
    new one, recorded as a COMPLETE run of ``job``, when ``None``); returns the run id."""
    if run_id is None:
        run_id = str(uuid.uuid4())
        record_run(target, run_id, job or "dataward.edge", namespace=namespace)
    store = store_of(target)
    with store.begin() as conn:
        _put_edges(conn, run_id, [src], [dst], namespace)
        _put_columns(conn, run_id, columns)
    return run_id


def _put_edges(
    conn: sa.Connection, run_id: str, inputs: Sequence[Node], outputs: Sequence[Node], ns: str
) -> None:
    for node in (*inputs, *outputs):
        _put_node(conn, node, run_id, ns)
    insert_ignore_many(
        conn,
        t.run_datasets,
        [
            {"run_id": run_id, "role": role, "name": n.name, "version": _v(n.version)}
            for role, group in (("input", inputs), ("output", outputs))
            for n in group
        ],
    )
    now = _now()
    insert_ignore_many(
        conn,
        t.edges,
        [
            {
                "run_id": run_id,
                "src_name": src.name,
                "src_version": _v(src.version),
                "dst_name": dst.name,
                "dst_version": _v(dst.version),
                "created_at": now,
            }
            for src in inputs
            for dst in outputs
            if (src.name, src.version) != (dst.name, dst.version)
        ],
    )


def _put_columns(conn: sa.Connection, run_id: str, columns: Sequence[ColumnEdge]) -> None:
    insert_ignore_many(
        conn,
        t.column_edges,
        [
            {
                "run_id": run_id,
                "src_name": c.src,
                "src_column": c.src_column[:1000],
                "dst_name": c.dst,
                "dst_column": c.dst_column[:1000],
                "transform_type": c.transform_type[:40],
                "transform_subtype": c.transform_subtype[:40],
                "masking": c.masking,
                "operator": c.operator[:100],
            }
            for c in columns
        ],
    )


# -- OpenLineage events in ---------------------------------------------------------------


def _as_dict(event: Any) -> Mapping[str, Any]:
    """An OpenLineage event as its JSON dict (a dict, a JSON string, or an
    ``openlineage.client`` event object)."""
    if isinstance(event, Mapping):
        return event
    if isinstance(event, str | bytes):
        try:
            loaded = json.loads(event)
        except ValueError:
            raise LineageError("lineage event: not valid JSON") from None
        if not isinstance(loaded, Mapping):
            raise LineageError("lineage event: a JSON object is expected")
        return loaded
    try:
        from openlineage.client.serde import Serde
    except ImportError:  # pragma: no cover - the lineage extra is not installed
        raise LineageError("lineage event objects need openlineage-python") from None
    as_dict = Serde.to_dict(event)
    if not isinstance(as_dict, Mapping):
        raise LineageError(f"lineage event: cannot read a {type(event).__name__}")
    return as_dict


def node_kind(facets: Mapping[str, Any] | None, default: NodeKind = "dataset") -> NodeKind:
    """A dataset's kind from its facets: Dataward's ``dataward`` facet (``{"kind": ...}``) or
    OpenLineage's ``datasetType`` (``MODEL``, ``FEATURES``/``FEATURE_TABLE``)."""
    if not isinstance(facets, Mapping):
        return default
    mine = facets.get("dataward")
    if isinstance(mine, Mapping) and mine.get("kind") in KINDS:
        return cast(NodeKind, mine["kind"])
    dtype = facets.get("datasetType")
    if isinstance(dtype, Mapping):
        value = str(dtype.get("datasetType", "")).upper()
        if value in ("MODEL", "ML_MODEL"):
            return "model"
        if value in ("FEATURES", "FEATURE_TABLE", "FEATURE_VIEW", "FEATURE"):
            return "features"
    return default


def _version(facets: Mapping[str, Any] | None) -> str | None:
    if not isinstance(facets, Mapping):
        return None
    ver = facets.get("version")
    if isinstance(ver, Mapping) and ver.get("datasetVersion") not in (None, ""):
        return str(ver["datasetVersion"])[:200]
    return None


def _datasets(items: Any, what: str) -> list[tuple[Node, str, Mapping[str, Any]]]:
    if items is None:
        return []
    if not isinstance(items, list):
        raise LineageError(f"lineage event: {what} must be a list")
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise LineageError(f"lineage event: {what}[{i}] must be an object")
        name = _name(item.get("name"), f"{what}[{i}].name")
        namespace = str(item.get("namespace") or "")
        facets = item.get("facets") or {}
        if not isinstance(facets, Mapping):
            raise LineageError(f"lineage event: {what}[{i}].facets must be an object")
        node = Node(name, node_kind(facets), _version(facets))
        out.append((node, namespace, facets))
    return out


def _operator(description: Any) -> str:
    if isinstance(description, str) and _OPERATOR.fullmatch(description):
        return description
    return ""


def _column_edges(dst: Node, facets: Mapping[str, Any]) -> list[ColumnEdge]:
    facet = facets.get("columnLineage")
    if not isinstance(facet, Mapping):
        return []
    fields = facet.get("fields")
    if not isinstance(fields, Mapping):
        raise LineageError("lineage event: columnLineage.fields must be an object")
    out = []
    for dst_column, spec in fields.items():
        if not isinstance(spec, Mapping) or not isinstance(spec.get("inputFields"), list):
            raise LineageError("lineage event: columnLineage field without inputFields")
        for src in spec["inputFields"]:
            if not isinstance(src, Mapping):
                raise LineageError("lineage event: columnLineage inputFields must be objects")
            src_name = _name(src.get("name"), "columnLineage inputFields[].name")
            src_field = _name(src.get("field"), "columnLineage inputFields[].field")
            transformations = src.get("transformations") or [{}]
            if not isinstance(transformations, list):
                raise LineageError("lineage event: columnLineage transformations must be a list")
            for tr in transformations:
                tr = tr if isinstance(tr, Mapping) else {}
                out.append(
                    ColumnEdge(
                        src=src_name,
                        src_column=src_field,
                        dst=dst.name,
                        dst_column=str(dst_column),
                        transform_type=str(tr.get("type") or "DIRECT").upper(),
                        transform_subtype=str(tr.get("subtype") or "IDENTITY").upper(),
                        masking=tr.get("masking") is True,
                        operator=_operator(tr.get("description")),
                    )
                )
    return out


@dataclass(frozen=True, slots=True)
class _Parsed:
    result: IngestResult
    namespace: str
    event_time: str | None
    producer: str
    facet_names: frozenset[str]
    dataset_namespace: str


def _parse(event: Any) -> _Parsed:
    ev = _as_dict(event)
    run = ev.get("run")
    job = ev.get("job")
    if not isinstance(run, Mapping) or not isinstance(job, Mapping):
        raise LineageError("lineage event: run and job objects are required")
    run_id = _name(run.get("runId"), "run.runId")
    try:
        run_id = str(uuid.UUID(run_id))
    except ValueError:
        raise LineageError("lineage event: run.runId must be a UUID") from None
    job_name = _name(job.get("name"), "job.name")
    job_ns = str(job.get("namespace") or "")
    event_type = str(ev.get("eventType") or "OTHER").upper()
    if event_type not in EVENT_TYPES:
        raise LineageError(f"lineage event: eventType must be one of {', '.join(EVENT_TYPES)}")
    inputs = _datasets(ev.get("inputs"), "inputs")
    outputs = _datasets(ev.get("outputs"), "outputs")
    columns: list[ColumnEdge] = []
    for node, _ns, facets in outputs:
        columns.extend(_column_edges(node, facets))
    facet_names: set[str] = set()
    for part in (run, job):
        if isinstance(part.get("facets"), Mapping):
            facet_names.update(str(k)[:100] for k in part["facets"])
    masked = tuple(sorted({f"{c.dst}:{c.dst_column}" for c in columns if c.masking}))
    result = IngestResult(
        run_id,
        job_name,
        event_type,
        tuple(n for n, _, _ in inputs),
        tuple(n for n, _, _ in outputs),
        tuple(columns),
        masked,
    )
    return _Parsed(
        result,
        job_ns,
        str(ev.get("eventTime") or "")[:40] or None,
        str(ev.get("producer") or ""),
        frozenset(facet_names),
        inputs[0][1] if inputs else (outputs[0][1] if outputs else ""),
    )


def check_event(event: Any) -> IngestResult:
    """What :func:`ingest` would store for ``event``, storing nothing: a malformed event
    raises :class:`LineageError` naming the field (never its value)."""
    return _parse(event).result


def ingest(target: Any, event: Any, *, source: str = "dataward") -> IngestResult:
    """Store one OpenLineage run event (a dict, JSON text or an ``openlineage.client`` event):
    its run, its input and output nodes, an edge from every input to every output, and the
    column edges of each output's ``columnLineage`` facet, in one transaction. A ``FAIL`` or
    ``ABORT`` event withdraws the edges its run recorded before. Idempotent: the same event
    twice stores nothing new. A malformed event raises :class:`LineageError` naming the field
    and stores nothing."""
    parsed = _parse(event)
    r = parsed.result
    row = {
        "run_id": r.run_id,
        "job_namespace": parsed.namespace[:500],
        "job_name": r.job[:1000],
        "event_type": r.event_type,
        "event_time": parsed.event_time or _now(),
        "producer": parsed.producer[:1000],
        "source": source[:40],
        "facets": json.dumps(sorted(parsed.facet_names)),
    }
    store = store_of(target)
    with store.begin() as conn:
        if not insert_ignore(conn, t.runs, row):
            conn.execute(
                t.runs.update()
                .where(t.runs.c.run_id == r.run_id)
                .values(event_type=r.event_type, event_time=row["event_time"])
            )
        if r.event_type in WITHDRAWN:
            conn.execute(t.edges.delete().where(t.edges.c.run_id == r.run_id))
            conn.execute(t.run_datasets.delete().where(t.run_datasets.c.run_id == r.run_id))
            conn.execute(t.column_edges.delete().where(t.column_edges.c.run_id == r.run_id))
        else:
            ns = parsed.dataset_namespace or parsed.namespace
            _put_edges(conn, r.run_id, r.inputs, r.outputs, ns)
            _put_columns(conn, r.run_id, r.column_edges)
    return r


# -- walking the graph --------------------------------------------------------------------


def _node_rows(conn: sa.Connection, names: Iterable[str]) -> dict[tuple[str, str], str]:
    names = list(set(names))
    out: dict[tuple[str, str], str] = {}
    for i in range(0, len(names), 500):
        rows = conn.execute(
            sa.select(t.nodes.c.name, t.nodes.c.version, t.nodes.c.kind).where(
                t.nodes.c.name.in_(names[i : i + 500])
            )
        )
        for name, version, kind in rows:
            out[(name, version)] = kind
    return out


def _walk(target: Any, start: str, direction: Literal["down", "up"]) -> list[Node]:
    if direction == "down":
        near_name, near_ver = t.edges.c.src_name, t.edges.c.src_version
        far_name, far_ver = t.edges.c.dst_name, t.edges.c.dst_version
    else:
        near_name, near_ver = t.edges.c.dst_name, t.edges.c.dst_version
        far_name, far_ver = t.edges.c.src_name, t.edges.c.src_version
    store = store_of(target)
    found: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    with store.begin() as conn:
        # Every version of the start node is a start (plus the unversioned one).
        starts = {
            (n, v)
            for n, v in conn.execute(
                sa.select(t.nodes.c.name, t.nodes.c.version).where(t.nodes.c.name == start)
            )
        }
        starts.add((start, ""))
        seen.update(starts)
        queue: deque[tuple[str, str]] = deque(sorted(starts))
        while queue:
            name, version = queue.popleft()
            # An edge from an unversioned node matches any version of it, and the other way.
            cond = near_name == name
            if version != "":
                cond = sa.and_(cond, near_ver.in_([version, ""]))
            query = sa.select(far_name, far_ver).where(cond).distinct()
            for far in conn.execute(query.order_by(far_name, far_ver)):
                key = (far[0], far[1])
                if key not in seen:
                    seen.add(key)
                    found.append(key)
                    queue.append(key)
        kinds = _node_rows(conn, [n for n, _ in found])
    start_names = {start}
    return [
        Node(name, cast(NodeKind, kinds.get((name, version), "dataset")), _unv(version))
        for name, version in found
        if not (name in start_names and version == "")
    ]


def downstream(target: Any, dataset: str) -> list[Node]:
    """Every node made, directly or through any number of runs, from any version of
    ``dataset`` (a dataset, feature table or model name as the catalog or the lineage producer
    names it), nearest first (breadth first from its versions in order; neighbours by name,
    then version), each (name, version) once, the start itself excluded. An edge
    whose source version is unknown (``None``) counts for every version of its source. A name
    the graph does not know gives ``[]`` (ask :func:`nodes` to tell "unknown" from "no
    descendants")."""
    return _walk(target, dataset, "down")


def upstream(target: Any, dataset: str) -> list[Node]:
    """Every node ``dataset`` (any version of it) was made from, transitively, nearest first;
    the mirror of :func:`downstream`."""
    return _walk(target, dataset, "up")


def nodes(target: Any, name: str | None = None) -> list[Node]:
    """The nodes the graph knows (all versions of ``name``, or all)."""
    store = store_of(target)
    query = sa.select(t.nodes.c.name, t.nodes.c.kind, t.nodes.c.version)
    if name is not None:
        query = query.where(t.nodes.c.name == name)
    with store.begin() as conn:
        rows = conn.execute(query.order_by(t.nodes.c.name, t.nodes.c.version)).all()
    return [Node(n, cast(NodeKind, k), _unv(v)) for n, k, v in rows]


def kind_of(target: Any, name: str) -> NodeKind | None:
    """The most specific kind any version of ``name`` has (model, then features), or ``None``
    if the graph lacks it."""
    found = nodes(target, name)
    kinds = {n.kind for n in found}
    order: tuple[NodeKind, ...] = ("model", "features", "dataset")
    return next((kind for kind in order if kind in kinds), None)


def edges(target: Any, names: Iterable[str] | None = None) -> list[Edge]:
    """The stored edges touching any of ``names`` (all edges when ``None``)."""
    store = store_of(target)
    query = sa.select(
        t.edges.c.src_name,
        t.edges.c.src_version,
        t.edges.c.dst_name,
        t.edges.c.dst_version,
        t.edges.c.run_id,
    )
    if names is not None:
        wanted = list(set(names))
        query = query.where(sa.or_(t.edges.c.src_name.in_(wanted), t.edges.c.dst_name.in_(wanted)))
    with store.begin() as conn:
        rows = conn.execute(query).all()
        kinds = _node_rows(conn, [r[0] for r in rows] + [r[2] for r in rows])
    return [
        Edge(
            Node(sn, cast(NodeKind, kinds.get((sn, sv), "dataset")), _unv(sv)),
            Node(dn, cast(NodeKind, kinds.get((dn, dv), "dataset")), _unv(dv)),
            run,
        )
        for sn, sv, dn, dv, run in rows
    ]


# -- model links ----------------------------------------------------------------------------

LinkKind = Literal["decision", "go_token", "receipt", "mlflow_run", "dataset_version"]
LINK_KINDS: tuple[str, ...] = get_args(LinkKind)


def link(target: Any, node: Node, link_kind: str, ref: str) -> None:
    """Link ``node`` (a model version) to a decision id, a go token's digest, an audit
    receipt's event hash, an MLflow run id or a dataset version (``name@version``). A go
    token itself is a bearer credential: pass its digest, never the token."""
    if link_kind not in LINK_KINDS:
        raise LineageError(f"lineage link kind must be one of {', '.join(LINK_KINDS)}")
    ref = _name(ref, "link ref")[:200]
    store = store_of(target)
    with store.begin() as conn:
        _put_node(conn, node, "", "dataward")
        insert_ignore(
            conn,
            t.links,
            {
                "name": node.name,
                "version": _v(node.version),
                "link_kind": link_kind,
                "ref": ref,
                "created_at": _now(),
            },
        )


def links(target: Any, name: str, version: str | None = None) -> dict[str, list[str]]:
    """The links of ``name`` (of one version, or of all), by kind."""
    store = store_of(target)
    query = sa.select(t.links.c.link_kind, t.links.c.ref).where(t.links.c.name == name)
    if version is not None:
        query = query.where(t.links.c.version == version)
    out: dict[str, list[str]] = {}
    with store.begin() as conn:
        for kind, ref in conn.execute(query.order_by(t.links.c.created_at, t.links.c.ref)):
            out.setdefault(kind, []).append(ref)
    return out
