"""Governed retrieval: forbidden chunks returned (must be zero), authorized recall@10 against the
exact ideal, and filtered query latency p50/p99 per store, at about 1% filter selectivity.

    .venv/bin/python bench/rag.py [--chunks 5000] [--queries 10000]
        [--qdrant-queries 200] [--stores lancedb,qdrant,chroma,pgvector]

Corpus (seeded): ``--chunks`` generated chunks (``dataward.rag.synthetic``) over 4 tenants with
10 ACL groups each, labelled by the real engine (about 12% hold an SSN, 12% an e-mail address,
6% a Stripe-style secret key) and embedded with the hashing embedder (256 dimensions). Callers:
12 users, each in one group of one tenant, with a clearance from low to critical; purposes
support, analytics, legal. The built-in retrieval policy admits about 1% of the chunks per
caller and purpose (printed).

``--queries`` random queries (three topic words, a random caller and purpose): Qdrant's local
mode gets ``--qdrant-queries`` of them (it filters in Python, about 0.1 s a query), the other
stores share the rest evenly. For each: the store is searched with its own compiled filter,
k = 10; every returned chunk is judged by Cedar itself (the whole policy, no unknowns): a chunk
Cedar denies is a forbidden chunk. The ideal is the exact top 10 of the authorized chunks by
cosine distance (brute force in NumPy over the allowed set); recall@10 counts the returned
chunks within the ideal's 10th distance (ties count once). Latency: the store's filtered search
alone (the policy compiles once per caller and purpose: its cost is printed separately); the
baseline is the same store's unfiltered search of the same queries, measured in the same run.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

from dataward.rag import RagIndex, RetrievalPolicy
from dataward.rag import filters as flt
from dataward.rag.model import Principal
from dataward.rag.stores import (
    ChromaStore,
    LanceStore,
    MemoryStore,
    PgvectorStore,
    QdrantStore,
    VectorStore,
)
from dataward.rag.synthetic import PURPOSES, TOPICS, corpus

K = 10


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _open(kind: str, folder: Path) -> tuple[VectorStore, Callable[[], None]]:
    if kind == "lancedb":
        return LanceStore(str(folder / "lance")), lambda: None
    if kind == "qdrant":
        return QdrantStore(), lambda: None
    if kind == "chroma":
        return ChromaStore(), lambda: None
    if kind == "pgvector":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import pgserver

            server = pgserver.get_server(folder / "pg", cleanup_mode="stop")
        server.psql("CREATE EXTENSION IF NOT EXISTS vector;")
        return PgvectorStore(f"host={folder / 'pg'} dbname=postgres user=postgres"), server.cleanup
    if kind == "python":
        return MemoryStore(), lambda: None
    raise SystemExit(f"unknown store {kind}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chunks", type=int, default=5_000)
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("--stores", default="lancedb,qdrant,chroma,pgvector")
    parser.add_argument(
        "--qdrant-queries",
        type=int,
        default=200,
        help="Qdrant's local mode filters in Python (about 0.1 s a query at 2,000 chunks): "
        "it gets this many queries, the other stores share the rest",
    )
    args = parser.parse_args()
    stores = args.stores.split(",")

    t0 = time.perf_counter()
    data = corpus(args.chunks, tenants=4, groups=10, users=12, seed=16)
    principals = [
        Principal(id=p.id, tenant=p.tenant, groups=p.groups[:1], clearance=p.clearance, roles=())
        for p in data.principals
    ]
    index = RagIndex(MemoryStore())
    labelled = index.index(data.chunks)
    print(
        f"corpus: {len(labelled)} chunks labelled and embedded in {time.perf_counter() - t0:.1f} s"
    )

    policy = RetrievalPolicy()
    t0 = time.perf_counter()
    filters = {(p.id, u): policy.compile(p, u) for p in principals for u in PURPOSES}
    compile_us = (time.perf_counter() - t0) / len(filters) * 1e6
    attrs = [c.attributes() for c in labelled]
    allowed = {
        key: np.fromiter((flt.evaluate(f, a) for a in attrs), bool, len(attrs))
        for key, f in filters.items()
    }
    share = statistics.mean(float(m.mean()) for m in allowed.values())
    print(f"policy compiled by partial evaluation: {compile_us:.0f} us per caller and purpose")
    print(f"selectivity: {share * 100:.2f}% of chunks allowed per caller and purpose (mean)")
    matrix = np.asarray([c.vector for c in labelled], dtype=np.float32)
    by_id = {c.id: c for c in labelled}

    rng = random.Random(4)
    queries = [
        (" ".join(rng.sample(TOPICS, 3)), rng.choice(principals), rng.choice(PURPOSES))
        for _ in range(args.queries)
    ]
    vectors = index.embed([q for q, _, _ in queries])
    counts = {k: args.qdrant_queries for k in stores if k == "qdrant"}
    others = [k for k in stores if k not in counts]
    rest = args.queries - sum(counts.values())
    for k in others:
        counts[k] = max(1, rest // len(others))
    starts, at = {}, 0
    for k in stores:
        starts[k] = at
        at += counts[k]
    print(f"queries: {at} over {len(stores)} stores ({counts}), k={K}\n")
    print(
        f"{'store':<9} {'queries':>7} {'forbidden':>9} {'recall@10':>9} {'p50 ms':>7}"
        f" {'p99 ms':>7} {'unfiltered p50':>14} {'ratio':>6}"
    )
    total_forbidden = 0
    recalls_all: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind in stores:
            (Path(tmp) / kind).mkdir()
            store, cleanup = _open(kind, Path(tmp) / kind)
            try:
                store.add(labelled)
                mine = range(starts[kind], starts[kind] + counts[kind])
                filtered: list[float] = []
                plain: list[float] = []
                recalls: list[float] = []
                forbidden = 0
                for i in mine:
                    _, who, purpose = queries[i]
                    vector = vectors[i].tolist()
                    where = filters[(who.id, purpose)]
                    t = time.perf_counter()
                    hits = store.search(vector, K, where)
                    filtered.append(time.perf_counter() - t)
                    t = time.perf_counter()
                    store.search(vector, K, flt.TRUE)
                    plain.append(time.perf_counter() - t)
                    for h in hits:
                        if not policy.allows(who, purpose, by_id[h.id].attributes()):
                            forbidden += 1
                    dist = 1.0 - matrix @ vectors[i]
                    dist[~allowed[(who.id, purpose)]] = np.inf
                    ideal = np.sort(dist)[:K]
                    ideal = ideal[np.isfinite(ideal)]
                    if len(ideal) == 0:
                        recalls.append(1.0 if not hits else 0.0)
                        continue
                    bound = float(ideal[-1]) + 1e-4
                    good = sum(1 for h in hits if h.distance <= bound and h.id in by_id)
                    recalls.append(min(good, len(ideal)) / len(ideal))
                total_forbidden += forbidden
                recalls_all.extend(recalls)
                p50, p99 = _pct(filtered, 0.5) * 1e3, _pct(filtered, 0.99) * 1e3
                base = _pct(plain, 0.5) * 1e3
                print(
                    f"{kind:<9} {len(filtered):>7} {forbidden:>9} {statistics.mean(recalls):>9.4f}"
                    f" {p50:>7.2f} {p99:>7.2f} {base:>14.2f} {p50 / base:>5.2f}x"
                )
            finally:
                store.close()
                cleanup()
    print(
        f"\nall stores: {total_forbidden} forbidden chunks returned;"
        f" authorized recall@10 {statistics.mean(recalls_all):.4f} of the ideal"
    )


if __name__ == "__main__":
    main()
