"""Legal holds by matter: an artifact (a dataset path, a feature table, a model, a log) is held
while any matter holds it, and nothing deletes a held artifact: not a retention rule, not a
subject's erasure (both record the refusal instead)."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from dataward.retention import tables as t
from dataward.store import Store, shared_store


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def artifact_name(artifact: str) -> str:
    """The name an artifact is held by: a local file's canonical path (as the catalog names
    it), else the name as given (a URL, a model or feature table as lineage names it)."""
    from pathlib import Path

    from dataward.catalog.identity import canonical_path

    return canonical_path(artifact) if Path(artifact).exists() else artifact


def place_hold(matter: str, artifact: str, store: Store | None = None) -> bool:
    """Hold ``artifact`` for ``matter``; ``False`` if that matter already holds it."""
    if not matter.strip():
        from dataward.retention.rules import RetentionError

        raise RetentionError("a legal hold needs a matter")
    store = store or shared_store()
    name = artifact_name(artifact)
    with store.begin() as conn:
        held = conn.execute(
            sa.select(t.holds.c.id).where(
                t.holds.c.matter == matter,
                t.holds.c.artifact == name,
                t.holds.c.released_at.is_(None),
            )
        ).first()
        if held is not None:
            return False
        conn.execute(t.holds.insert().values(matter=matter, artifact=name, placed_at=_now()))
    return True


def release_hold(matter: str, artifact: str, store: Store | None = None) -> bool:
    """Release ``matter``'s hold on ``artifact``; other matters' holds stay."""
    store = store or shared_store()
    with store.begin() as conn:
        result = conn.execute(
            t.holds.update()
            .where(
                t.holds.c.matter == matter,
                t.holds.c.artifact == artifact_name(artifact),
                t.holds.c.released_at.is_(None),
            )
            .values(released_at=_now())
        )
    return bool(result.rowcount)


def holds_on(artifact: str, store: Store | None = None) -> list[str]:
    """The matters holding ``artifact`` now, sorted."""
    store = store or shared_store()
    with store.begin() as conn:
        rows = conn.execute(
            sa.select(t.holds.c.matter)
            .where(t.holds.c.artifact == artifact_name(artifact), t.holds.c.released_at.is_(None))
            .distinct()
        ).scalars()
        return sorted(rows)


def all_holds(store: Store | None = None) -> dict[str, list[str]]:
    """Every held artifact and the matters holding it."""
    store = store or shared_store()
    out: dict[str, list[str]] = {}
    with store.begin() as conn:
        for matter, artifact in conn.execute(
            sa.select(t.holds.c.matter, t.holds.c.artifact).where(t.holds.c.released_at.is_(None))
        ):
            out.setdefault(artifact, []).append(matter)
    return {k: sorted(set(v)) for k, v in sorted(out.items())}
