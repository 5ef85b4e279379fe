"""The baselines: what each principal and each peer group (role) normally does.

Online and incremental: each event updates counts in place (no history is replayed), and the
state is written to the store (``monitor_state``, one JSON row per principal and peer group,
only the changed ones) when a batch ends, so a restarted stream picks up where it stopped.
Held in memory by the :class:`~dataward.monitor.engine.Monitor` of the runtime in use.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from dataward.monitor.tables import state as state_table
from dataward.store import Store

VOLUME_SAMPLES = 128
"""Recent row counts kept per principal and peer group for the robust (median/MAD) score."""
RECENT = 64
"""Recent first reads kept per principal for the breadth-sweep window."""
PEERS_KEPT = 8
"""Distinct peers remembered per object (enough to say "read by peers")."""


@dataclass(slots=True)
class Profile:
    """One principal's habits."""

    first: float = 0.0
    last: float = 0.0
    events: int = 0
    kind: str = "unknown"
    role: str | None = None
    objects: dict[str, float] = field(default_factory=dict)
    """Object → when last read."""
    columns: dict[str, float] = field(default_factory=dict)
    nets: dict[str, float] = field(default_factory=dict)
    clients: dict[str, float] = field(default_factory=dict)
    hours: list[int] = field(default_factory=lambda: [0] * 168)
    volumes: list[int] = field(default_factory=list)
    recent_new: list[list[Any]] = field(default_factory=list)
    """``[time, object]`` of this principal's first reads, newest last."""


@dataclass(slots=True)
class Peer:
    """A peer group's habits (a role): who read what, from where, when."""

    objects: dict[str, list[str]] = field(default_factory=dict)
    columns: dict[str, list[str]] = field(default_factory=dict)
    nets: dict[str, int] = field(default_factory=dict)
    clients: dict[str, int] = field(default_factory=dict)
    hours: list[int] = field(default_factory=lambda: [0] * 168)
    volumes: list[int] = field(default_factory=list)
    members: list[str] = field(default_factory=list)


@dataclass(slots=True)
class State:
    """Every baseline, the monitor's clock and what changed since the last save."""

    profiles: dict[str, Profile] = field(default_factory=dict)
    peers: dict[str, Peer] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    """``first``: the first event time (the learning period counts from it); ``tags``;
    ``files``: stream files already read; ``suppress``: principal/kind pairs suppressed."""
    dirty: set[str] = field(default_factory=set)

    def profile(self, principal: str) -> Profile:
        found = self.profiles.get(principal)
        if found is None:
            found = self.profiles[principal] = Profile()
        self.dirty.add("p:" + principal)
        return found

    def peer(self, role: str) -> Peer:
        found = self.peers.get(role)
        if found is None:
            found = self.peers[role] = Peer()
        self.dirty.add("g:" + role)
        return found

    def touch_meta(self) -> None:
        self.dirty.add("meta")

    # -- the store ----------------------------------------------------------------------------

    @classmethod
    def load(cls, store: Store) -> State:
        """Every baseline the store holds."""
        out = cls()
        with store.begin() as conn:
            rows = conn.execute(sa.select(state_table.c.key, state_table.c.value)).all()
        for key, value in rows:
            data = json.loads(value)
            if key == "meta":
                out.meta = data
            elif key.startswith("p:"):
                out.profiles[key[2:]] = Profile(**data)
            elif key.startswith("g:"):
                out.peers[key[2:]] = Peer(**data)
        return out

    def save(self, store: Store) -> int:
        """Write what changed since the last save, in one transaction; how many rows."""
        if not self.dirty:
            return 0
        now = datetime.now(UTC)
        rows = []
        for key in sorted(self.dirty):
            if key == "meta":
                value: Any = self.meta
            elif key.startswith("p:"):
                value = asdict(self.profiles[key[2:]])
            else:
                value = asdict(self.peers[key[2:]])
            rows.append(
                {"key": key, "value": json.dumps(value, separators=(",", ":")), "updated_at": now}
            )
        keys = [r["key"] for r in rows]
        with store.begin() as conn:
            for start in range(0, len(keys), 500):
                conn.execute(
                    state_table.delete().where(state_table.c.key.in_(keys[start : start + 500]))
                )
            conn.execute(state_table.insert(), rows)
        self.dirty.clear()
        return len(rows)
