"""What derives from a dataset, as :mod:`dataward.lineage` records it (feature tables built
from it, models trained on them), for finding and erasing a subject downstream."""

from __future__ import annotations

from dataward.lineage.graph import Node, downstream, kind_of
from dataward.store import Store

__all__ = ["Node", "derived", "kind"]


def derived(dataset: str, store: Store) -> list[Node]:
    """Every artifact made from ``dataset`` (transitively), nearest first."""
    return downstream(store, dataset)


def kind(name: str, store: Store, default: str) -> str:
    """The kind lineage gives ``name`` (a feature table, a model), else ``default``."""
    return kind_of(store, name) or default
