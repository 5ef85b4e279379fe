"""One node's lineage as a graph to print: ``dataward lineage show NAME --format json|dot``.

The graph holds the node (every version of it), everything upstream and downstream of it, the
edges among them (with the run that made each), the labels of each dataset's columns (found,
carried or stopped, with the run and operator as evidence), and each node's links (decisions,
go token digests, audit receipts, MLflow runs).
"""

from __future__ import annotations

import json
from typing import Any

from dataward.lineage.graph import Node, downstream, edges, links, nodes, store_of, upstream
from dataward.lineage.labels import labels

__all__ = ["lineage_graph", "to_dot", "to_json"]


def lineage_graph(target: Any, name: str) -> dict[str, Any]:
    """``{"node", "nodes", "edges", "labels", "links"}`` for ``name``. A name the graph does
    not know gives its node with no versions and nothing around it (``"known": false``)."""
    store = store_of(target)
    own = nodes(store, name)
    up = upstream(store, name)
    down = downstream(store, name)
    every: list[Node] = list(dict.fromkeys([*own, *up, *down]))
    names = {n.name for n in every} | {name}
    graph_edges = [e for e in edges(store, names) if e.src.name in names and e.dst.name in names]
    return {
        "node": name,
        "known": bool(own),
        "nodes": [
            {**n.to_dict(), "role": _role(n, name, up, down)}
            for n in sorted(every, key=lambda n: (n.name, n.version or ""))
        ],
        "edges": [
            {"from": e.src.to_dict(), "to": e.dst.to_dict(), "run_id": e.run_id}
            for e in sorted(
                graph_edges, key=lambda e: (e.src.name, e.dst.name, e.src.version or "")
            )
        ],
        "labels": {
            n: [lab.to_dict() for lab in labels(store, n)]
            for n in sorted(names)
            if labels(store, n)
        },
        "links": {n: links(store, n) for n in sorted(names) if links(store, n)},
    }


def _role(node: Node, start: str, up: list[Node], down: list[Node]) -> str:
    if node.name == start:
        return "self"
    return "upstream" if node in up else "downstream"


def to_json(graph: dict[str, Any]) -> str:
    return json.dumps(graph, indent=2, sort_keys=True, ensure_ascii=False)


def _esc(text: str) -> str:
    """``text`` for inside a DOT double-quoted string (backslashes and quotes escaped,
    whitespace runs and newlines made one space)."""
    return " ".join(text.replace("\\", "\\\\").replace('"', '\\"').split())


def _q(text: str) -> str:
    return f'"{_esc(text)}"'


_SHAPES = {"dataset": "cylinder", "features": "box3d", "model": "component"}


def _label(n: dict[str, Any]) -> str:
    return n["name"] if n["version"] is None else f"{n['name']}@{n['version'][:19]}"


def to_dot(graph: dict[str, Any]) -> str:
    """Graphviz DOT: one node per version (shape by kind; the start node bold), one edge per
    run, labels listed under each dataset (a stopped label struck as ``~LABEL~``)."""
    lines = ["digraph lineage {", "  rankdir=LR;", "  node [fontname=Helvetica];"]
    for n in graph["nodes"]:
        key = _label(n)
        found = graph["labels"].get(n["name"], [])
        tags = sorted(
            {x["label"] if x["status"] != "stopped" else f"~{x['label']}~" for x in found}
        )
        text = _esc(key) if not tags else f"{_esc(key)}\\n{_esc(', '.join(tags))}"
        style = ', style="bold"' if n["role"] == "self" else ""
        shape = _SHAPES.get(n["kind"], "ellipse")
        lines.append(f'  {_q(key)} [label="{text}", shape={shape}{style}];')
    for e in graph["edges"]:
        lines.append(f"  {_q(_label(e['from']))} -> {_q(_label(e['to']))};")
    lines.append("}")
    return "\n".join(lines) + "\n"
