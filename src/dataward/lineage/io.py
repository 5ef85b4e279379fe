"""Lineage in and out: OpenLineage event files, any OpenLineage HTTP consumer, and the decision
log.

- In: :func:`read_events` reads a file of events (JSON lines, a JSON array, one JSON event, or
  a folder of ``*.json`` files as OpenLineage's file transport writes them); ``POST
  /v1/lineage`` takes them over HTTP (``dataward.server.lineage``).
- Out: :func:`export_events` rebuilds one OpenLineage event per stored run (names, versions,
  kinds, labels and column lineage; nothing else is stored); :func:`write_events` writes them
  as JSON lines (atomically); :func:`send` POSTs them to an OpenLineage HTTP consumer
  (Marquez and the catalogs that ingest OpenLineage: ``POST {url}/api/v1/lineage``).
- :func:`sync_decisions` makes every logged decision a run of ``dataward.decide.<point>`` on
  its resource, linked to the decision id.
"""

from __future__ import annotations

import json
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from dataward.lineage import tables as t
from dataward.lineage.emit import FACET_SCHEMA, PRODUCER
from dataward.lineage.graph import LineageError, Node, ingest, link, store_of

__all__ = ["export_events", "read_events", "send", "sync_decisions", "write_events"]

MAX_EVENT_BYTES = 4 << 20
"""The largest event read from a file or a request (4 MiB): a bigger one is refused."""


def read_events(path: str | Path) -> Iterator[dict[str, Any]]:
    """The OpenLineage events of a file (JSON lines, a JSON array or one event) or of a folder
    of ``*.json`` files (sorted by name). A line that is not a JSON object is a
    :class:`LineageError` naming the file and line (never its text)."""
    path = Path(path)
    if path.is_dir():
        for child in sorted(path.glob("*.json")):
            yield from read_events(child)
        return
    try:
        if path.stat().st_size > 64 * MAX_EVENT_BYTES:
            raise LineageError(f"{path.name}: larger than {64 * MAX_EVENT_BYTES} bytes")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LineageError(f"{path.name}: cannot be read ({type(exc).__name__})") from None
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            loaded = json.loads(text)
        except ValueError:
            raise LineageError(f"{path.name}: not valid JSON") from None
        for i, item in enumerate(loaded):
            if not isinstance(item, dict):
                raise LineageError(f"{path.name}: item {i} is not a JSON object")
            yield item
        return
    try:  # one pretty-printed event
        single = json.loads(text)
    except ValueError:
        single = None
    if isinstance(single, dict):
        yield single
        return
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError:
            raise LineageError(f"{path.name}:{n}: not a JSON object") from None
        if not isinstance(item, dict):
            raise LineageError(f"{path.name}:{n}: not a JSON object")
        yield item


def _facet(kind: str, labels: dict[str, list[str]]) -> dict[str, Any]:
    facet: dict[str, Any] = {
        "_producer": PRODUCER,
        "_schemaURL": f"{FACET_SCHEMA}#/$defs/DatawardDatasetFacet",
        "kind": kind,
    }
    if labels:
        facet["labels"] = labels
    return facet


def export_events(target: Any, names: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """One OpenLineage ``RunEvent`` per stored run (of the runs touching ``names``, or all),
    oldest first: its inputs and outputs with their versions, kinds (``datasetType``), the
    labels scans found on them and the column lineage of the run (``masking`` as recorded)."""
    store = store_of(target)
    with store.begin() as conn:
        runs = conn.execute(sa.select(t.runs).order_by(t.runs.c.event_time)).all()
        members = conn.execute(sa.select(t.run_datasets)).all()
        cols = conn.execute(sa.select(t.column_edges)).all()
        nodes = {(r.name, r.version): r for r in conn.execute(sa.select(t.nodes)).all()}
        seeds = conn.execute(
            sa.select(t.labels).where(t.labels.c.origin == "scan", t.labels.c.status == "present")
        ).all()
    wanted = None if names is None else set(names)
    role_of: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for m in members:
        role_of.setdefault((m.run_id, m.role), []).append((m.name, m.version))
    cols_by_run: dict[str, list[Any]] = {}
    for c in cols:
        cols_by_run.setdefault(c.run_id, []).append(c)
    seeded: dict[tuple[str, str], dict[str, list[str]]] = {}
    for s in seeds:
        seeded.setdefault((s.dataset, s.run_id), {}).setdefault(s.column_name, []).append(s.label)

    def dataset(name: str, version: str, run_id: str) -> dict[str, Any]:
        node = nodes.get((name, version))
        kind = node.kind if node is not None else "dataset"
        ds: dict[str, Any] = {
            "namespace": (node.namespace if node is not None else "") or "file",
            "name": name,
            "facets": {"dataward": _facet(kind, seeded.get((name, run_id), {}))},
        }
        if version:
            ds["facets"]["version"] = {
                "_producer": PRODUCER,
                "_schemaURL": "https://openlineage.io/spec/facets/1-0-1/"
                "DatasetVersionDatasetFacet.json#/$defs/DatasetVersionDatasetFacet",
                "datasetVersion": version,
            }
        if kind != "dataset":
            ds["facets"]["datasetType"] = {
                "_producer": PRODUCER,
                "_schemaURL": "https://openlineage.io/spec/facets/1-0-1/"
                "DatasetTypeDatasetFacet.json#/$defs/DatasetTypeDatasetFacet",
                "datasetType": "MODEL" if kind == "model" else "FEATURES",
            }
        return ds

    out = []
    for run in runs:
        ins = role_of.get((run.run_id, "input"), [])
        outs = role_of.get((run.run_id, "output"), [])
        if wanted is not None and not wanted & {n for n, _ in ins + outs}:
            continue
        outputs = [dataset(n, v, run.run_id) for n, v in outs]
        for ds in outputs:
            fields: dict[str, Any] = {}
            for c in cols_by_run.get(run.run_id, []):
                if c.dst_name != ds["name"]:
                    continue
                tr: dict[str, Any] = {
                    "type": c.transform_type,
                    "subtype": c.transform_subtype,
                    "masking": bool(c.masking),
                }
                if c.operator:
                    tr["description"] = c.operator
                fields.setdefault(c.dst_column, {"inputFields": []})["inputFields"].append(
                    {
                        "namespace": "file",
                        "name": c.src_name,
                        "field": c.src_column,
                        "transformations": [tr],
                    }
                )
            if fields:
                ds["facets"]["columnLineage"] = {
                    "_producer": PRODUCER,
                    "_schemaURL": "https://openlineage.io/spec/facets/1-2-0/"
                    "ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet",
                    "fields": fields,
                }
        out.append(
            {
                "eventType": run.event_type,
                "eventTime": run.event_time,
                "producer": PRODUCER,
                "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
                "run": {"runId": run.run_id, "facets": {}},
                "job": {"namespace": run.job_namespace or "dataward", "name": run.job_name},
                "inputs": [dataset(n, ver, run.run_id) for n, ver in ins],
                "outputs": outputs,
            }
        )
    return out


def write_events(events: Iterable[Mapping[str, Any]], path: str | Path) -> int:
    """Write ``events`` as JSON lines to ``path`` atomically (a temporary file, then
    ``os.replace``); returns how many."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    count = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            for event in events:
                fh.write(json.dumps(event, sort_keys=True) + "\n")
                count += 1
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count


def send(
    events: Iterable[Mapping[str, Any]],
    url: str,
    *,
    api_key: str | None = None,
    endpoint: str = "api/v1/lineage",
    timeout: float = 10.0,
) -> int:
    """POST each event to an OpenLineage HTTP consumer at ``url`` (``{url}/{endpoint}``, JSON,
    ``Authorization: Bearer`` when ``api_key``), as OpenLineage's HTTP transport does; returns
    how many were accepted. A refusal or an unreachable consumer is a :class:`LineageError`
    with the status (the consumer's answer is not quoted) and the events after it are not
    sent."""
    if not url.startswith(("http://", "https://")):
        raise LineageError("lineage consumer URL must start with http:// or https://")
    target = f"{url.rstrip('/')}/{endpoint.lstrip('/')}"
    headers = {"Content-Type": "application/json"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    sent = 0
    for event in events:
        body = json.dumps(event, sort_keys=True).encode()
        request = urllib.request.Request(target, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            raise LineageError(
                f"lineage consumer refused event {sent + 1}: HTTP {exc.code}", sent=sent
            ) from None
        except (urllib.error.URLError, OSError) as exc:
            raise LineageError(
                f"lineage consumer unreachable after {sent} events ({type(exc).__name__})",
                sent=sent,
            ) from None
        if not 200 <= status < 300:
            raise LineageError(f"lineage consumer answered HTTP {status}", sent=sent)
        sent += 1
    return sent


def sync_decisions(target: Any) -> int:
    """Make every logged decision not yet in the graph a run (``dataward.decide.<point>``,
    its id the decision id) on its resource, linked to the decision; returns how many. The
    request is read for its resource id and version only."""
    from dataward.policy.records import decisions

    store = store_of(target)
    with store.begin() as conn:
        known = sa.select(t.runs.c.run_id)
        rows = conn.execute(
            sa.select(decisions.c.decision_id, decisions.c.point, decisions.c.request)
            .where(decisions.c.decision_id.not_in(known))
            .order_by(decisions.c.created_at)
        ).all()
    count = 0
    for decision_id, point, request in rows:
        try:
            resource = json.loads(request).get("resource") or {}
        except (ValueError, AttributeError):
            continue  # a request the log cannot parse names no resource
        name = resource.get("id") if isinstance(resource, dict) else None
        if not isinstance(name, str) or not name:
            continue
        version = resource.get("version")
        version = str(version) if version not in (None, "") else None
        kind = "model" if str(resource.get("type", "")).lower() == "model" else "dataset"
        event = {
            "eventType": "COMPLETE",
            "producer": PRODUCER,
            "run": {"runId": decision_id},
            "job": {"namespace": "dataward", "name": f"dataward.decide.{point}"},
            "inputs": [
                {
                    "namespace": "dataward",
                    "name": name,
                    "facets": {"dataward": _facet(kind, {})}
                    | ({"version": {"datasetVersion": version}} if version else {}),
                }
            ],
            "outputs": [],
        }
        ingest(store, event, source="decision-log")
        link(store, Node(name, kind, version), "decision", decision_id)  # type: ignore[arg-type]
        count += 1
    return count
