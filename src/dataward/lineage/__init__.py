"""Lineage to the model: OpenLineage run events in and out, the graph of which dataset, feature
table and model version was made from which, sensitivity labels along column lineage, and links
from model versions to the decisions, go tokens and audit receipts that trained them.

>>> from dataward.lineage import Node, record_edge, downstream
>>> record_edge(rt, Node("raw.csv"), Node("features", "features", "1"))  # doctest: +SKIP
>>> downstream(rt, "raw.csv")  # doctest: +SKIP
[Node(name='features', kind='features', version='1')]
"""

from __future__ import annotations

from dataward.lineage.graph import (
    ColumnEdge,
    Edge,
    IngestResult,
    LineageError,
    Node,
    NodeKind,
    downstream,
    edges,
    ingest,
    kind_of,
    link,
    links,
    nodes,
    record_edge,
    record_run,
    upstream,
)

__all__ = [
    "ColumnEdge",
    "Edge",
    "IngestResult",
    "LineageError",
    "Node",
    "NodeKind",
    "downstream",
    "edges",
    "ingest",
    "kind_of",
    "link",
    "links",
    "nodes",
    "record_edge",
    "record_run",
    "upstream",
]
