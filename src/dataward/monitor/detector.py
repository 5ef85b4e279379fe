"""Judging one access event against the approvals and the baselines, then learning from it.

Every signal is a named deviation with a strength (0–1), the figures it was compared with and
a phrase for the summary. Peer-aware: a table, column, network or client is novel only when
neither the principal nor anyone in its peer group (its role) has used it, so a new hire who
reads what the team reads raises nothing. Behavioural signals start after the learning period
(counted from the first event the monitor saw); approval checks apply from the first event.

Severity fuses the deviation (the strongest signal, plus a little for each other one) with the
sensitivity of what was touched (column and table tags: ``PII_HIGH``, ``PHI``, ``PCI``…) and the
principal's kind (a service account doing something new is stranger than a person doing it).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dataward.monitor.approvals import Approvals
from dataward.monitor.event import AccessEvent
from dataward.monitor.state import PEERS_KEPT, RECENT, VOLUME_SAMPLES, Peer, Profile, State

if TYPE_CHECKING:
    from dataward.monitor.model import Models

TAG_WEIGHTS: Mapping[str, float] = {
    "PII_HIGH": 1.0,
    "PHI": 1.0,
    "PCI": 1.0,
    "SECRET": 1.0,
    "SECRETS": 1.0,
    "CREDENTIALS": 1.0,
    "PII": 0.5,
    "CONFIDENTIAL": 0.3,
}
"""How much a tag raises the severity of what touched it."""
INTERACTIVE_CLIENTS = (
    "SNOWFLAKE_UI",
    "SNOWSIGHT",
    "SNOWSQL",
    "CONSOLE",
    "MOZILLA",
    "BROWSER",
    "PSQL",
    "DBEAVER",
    "DATAGRIP",
    "JUPYTER",
    "NOTEBOOK",
)
"""Client names (upper-case substrings) of tools a person drives by hand."""
DAY = 86400.0


@dataclass(frozen=True, slots=True)
class Settings:
    """The monitor's knobs (the CLI and the bench set them)."""

    learning_days: float = 7.0
    """No behavioural alert until this long after the first event seen."""
    min_history: int = 20
    """Events a principal needs before its own volume and hours are judged."""
    volume_z: float = 8.0
    """Robust z (median/MAD) above which a row count is a deviation."""
    volume_floor: int = 1000
    """Row counts under this are never a volume deviation."""
    sweep_tables: int = 5
    """First reads of this many tables within :attr:`sweep_seconds` make a sweep."""
    sweep_seconds: float = 3600.0
    alert_score: float = 0.5
    """Scores under this are learnt, not alerted."""
    merge_seconds: float = 3600.0
    """An alert of the same principal and kind this recent absorbs the next event."""
    model_scores: bool = False
    """Add ``river``'s HalfSpaceTrees score as one more signal (:mod:`dataward.monitor.model`)."""


@dataclass(frozen=True, slots=True)
class Signal:
    name: str
    strength: float
    text: str
    figures: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Judgement:
    """What one event raised (its signals and fused score), with the columns' tags."""

    event: AccessEvent
    signals: tuple[Signal, ...]
    score: float
    deviation: float
    sensitivity: float
    tags: dict[str, list[str]]

    @property
    def kind(self) -> str:
        return max(self.signals, key=lambda s: s.strength).name


def network(ip: str | None) -> str | None:
    """The /24 (IPv4) or /48 (IPv6) network of an address; ``None`` when it is not one."""
    if not ip:
        return None
    parts = ip.split(".")
    if len(parts) == 4 and all(p.isdigit() and len(p) <= 3 and int(p) < 256 for p in parts):
        return f"{parts[0]}.{parts[1]}.{parts[2]}.0/24"  # the common case, without ipaddress
    try:
        addr = ipaddress.ip_address(ip.strip("[]"))
    except ValueError:
        return None
    prefix = 24 if addr.version == 4 else 48
    return str(ipaddress.ip_network(f"{addr}/{prefix}", strict=False))


def _median(values: list[int] | list[float]) -> float:
    ordered = sorted(values)
    n = len(ordered)
    mid = n // 2
    return float(ordered[mid]) if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def robust_z(value: float, samples: list[int]) -> tuple[float, float, float]:
    """``(z, median, MAD)``: how far ``value`` is above the samples' median, in scaled MADs
    (floored at 10 % of the median, so a perfectly steady history is not infinitely strict)."""
    med = _median(samples)
    mad = _median([abs(s - med) for s in samples])
    scale = max(1.4826 * mad, 0.1 * med, 1.0)
    return (value - med) / scale, med, mad


def _push(values: list[int], value: int) -> None:
    values.append(value)
    if len(values) > VOLUME_SAMPLES:
        del values[: len(values) - VOLUME_SAMPLES]


def _hour_of_week(ts: float) -> int:
    # 1970-01-01 was a Thursday: shift so that 0 is Monday 00:00 UTC.
    return int((ts // 3600 + 72) % 168)


class Detector:
    """Judges events in time order and learns from each (:meth:`observe`)."""

    def __init__(
        self,
        state: State,
        approvals: Approvals,
        tags: Mapping[str, set[str]] | None = None,
        settings: Settings | None = None,
    ) -> None:
        self.state = state
        self.approvals = approvals
        self.settings = settings or Settings()
        self.tags: dict[str, set[str]] = {k.upper(): set(v) for k, v in (tags or {}).items()}
        self.models: Models | None = None
        if self.settings.model_scores:
            from dataward.monitor.model import Models

            self.models = Models()

    def add_tags(self, tags: Mapping[str, set[str]]) -> None:
        for key, values in tags.items():
            self.tags.setdefault(key.upper(), set()).update(values)

    def _tags_of(self, event: AccessEvent) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for col in event.columns:
            tags = self.tags.get(col)
            if tags is None and event.tags:
                tags = set(event.tags.get(col, ()))
            if tags:
                found[col] = sorted(tags)
        for obj in event.objects:
            tags = self.tags.get(obj) or set(event.tags.get(obj, ()))
            if not tags:
                short = obj.rsplit(".", 1)[-1]
                tags = self.tags.get("CATALOG:" + short) or set()
            if tags:
                found[obj] = sorted(tags)
        return found

    def observe(self, event: AccessEvent) -> Judgement | None:
        """Judge ``event``, learn from it; the judgement when it deserves an alert."""
        state = self.state
        ts = event.time.timestamp()
        if "first" not in state.meta:
            state.meta["first"] = ts
            state.touch_meta()
        learning = ts - float(state.meta["first"]) < self.settings.learning_days * DAY
        principal = event.principal
        profile = state.profile(principal)
        role = event.role or profile.role or "-"
        peer = state.peer(role)
        signals: list[Signal] = []
        for v in self.approvals.check(event):
            signals.append(
                Signal(
                    v.name,
                    1.0,
                    v.text,
                    {"decisions": list(v.decisions), "columns": list(v.columns)},
                )
            )
        tags = self._tags_of(event) if event.objects else {}
        if not learning and profile.events:
            self._behaviour(event, ts, profile, peer, tags, signals)
        elif not learning and not profile.events:
            self._newcomer(event, peer, tags, signals)
        if self.models is not None:
            from dataward.monitor.model import THRESHOLD, features

            score = self.models.score_and_learn(role, features(event, ts, profile, peer))
            if signals and not learning and score >= THRESHOLD:  # never the only reason
                signals.append(
                    Signal(
                        "model_score",
                        0.2,
                        f"unusual for the {role} group's model ({score:.2f})",
                        {"half_space_trees": round(score, 3)},
                    )
                )
        self._learn(event, ts, profile, peer, role)
        if not signals:
            return None
        strengths = sorted((s.strength for s in signals), reverse=True)
        deviation = min(1.5, strengths[0] + 0.15 * (len(strengths) - 1))
        weight = max((TAG_WEIGHTS.get(t, 0.0) for ts_ in tags.values() for t in ts_), default=0.0)
        sensitivity = 1.0 + weight
        kind_factor = 1.2 if event.principal_kind == "service" else 1.0
        score = round(deviation * sensitivity * kind_factor, 3)
        if score < self.settings.alert_score:
            return None
        return Judgement(event, tuple(signals), score, deviation, sensitivity, tags)

    # -- signals ------------------------------------------------------------------------------

    def _novel(
        self,
        items: tuple[str, ...],
        mine: Mapping[str, object],
        peers: Mapping[str, list[str]],
        me: str,
    ) -> list[str]:
        """Items neither the principal nor another member of its peer group has used."""
        out = []
        for item in items:
            if item in mine:
                continue
            readers = peers.get(item)
            if readers and any(r != me for r in readers):
                continue
            out.append(item)
        return out

    def _sensitive(self, columns: list[str], tags: Mapping[str, list[str]]) -> list[str]:
        return [c for c in columns if any(TAG_WEIGHTS.get(t, 0) >= 0.5 for t in tags.get(c, ()))]

    def _newcomer(
        self, event: AccessEvent, peer: Peer, tags: Mapping[str, list[str]], signals: list[Signal]
    ) -> None:
        """A principal never seen: judged only against its peers (a new hire reading what the
        team reads is fine)."""
        me = event.principal
        new_tables = (
            self._novel(event.objects, {}, peer.objects, me)
            if peer.members
            else list(event.objects)
        )
        if new_tables and peer.members:
            signals.append(
                Signal(
                    "new_table",
                    0.5,
                    f"read {len(new_tables)} table(s) no peer in "
                    f"{event.role or 'its group'} has read",
                    {"tables": new_tables[:10], "peers": len(peer.members)},
                )
            )
        new_cols = self._novel(event.columns, {}, peer.columns, me) if peer.members else []
        sensitive = self._sensitive(new_cols, tags)
        if sensitive:
            signals.append(
                Signal(
                    "sensitive_column",
                    0.6,
                    f"first read of sensitive column(s) {_names(sensitive)} (no peer reads them)",
                    {"columns": sensitive[:10]},
                )
            )

    def _behaviour(
        self,
        event: AccessEvent,
        ts: float,
        profile: Profile,
        peer: Peer,
        tags: Mapping[str, list[str]],
        signals: list[Signal],
    ) -> None:
        settings = self.settings
        me = event.principal
        history_days = max(0.0, (ts - profile.first) / DAY)
        new_tables = self._novel(event.objects, profile.objects, peer.objects, me)
        if new_tables:
            recent = [r for r in profile.recent_new if ts - r[0] <= settings.sweep_seconds]
            swept = {r[1] for r in recent} | set(new_tables)
            if len(swept) >= settings.sweep_tables:
                signals.append(
                    Signal(
                        "breadth_sweep",
                        0.8,
                        f"read {len(swept)} tables never read before within "
                        f"{int(settings.sweep_seconds // 60)} minutes",
                        {"tables": sorted(swept)[:20], "window_s": settings.sweep_seconds},
                    )
                )
            else:
                signals.append(
                    Signal(
                        "new_table",
                        0.5 + min(0.3, 0.1 * (len(new_tables) - 1)),
                        f"read {len(new_tables)} table(s) never read by them or their peers "
                        f"in {history_days:.0f} days",
                        {"tables": new_tables[:10], "history_days": round(history_days, 1)},
                    )
                )
        new_cols = self._novel(event.columns, profile.columns, peer.columns, me)
        sensitive = self._sensitive(new_cols, tags)
        if sensitive:
            signals.append(
                Signal(
                    "sensitive_column",
                    0.6,
                    f"first read of sensitive column(s) {_names(sensitive)}",
                    {"columns": sensitive[:10]},
                )
            )
        elif new_cols and not new_tables:
            signals.append(
                Signal(
                    "new_column",
                    0.3,
                    f"first read of column(s) {_names(new_cols)}",
                    {"columns": new_cols[:10]},
                )
            )
        if event.rows is not None and event.rows >= settings.volume_floor:
            samples = (
                profile.volumes if len(profile.volumes) >= settings.min_history else peer.volumes
            )
            if len(samples) >= settings.min_history:
                z, med, mad = robust_z(event.rows, samples)
                if z >= settings.volume_z and event.rows >= 5 * med:
                    signals.append(
                        Signal(
                            "volume",
                            min(1.0, 0.5 + z / 100),
                            f"{event.rows:,} rows (usual {med:,.0f})",
                            {
                                "rows": event.rows,
                                "median": med,
                                "mad": mad,
                                "robust_z": round(z, 1),
                            },
                        )
                    )
        if profile.events >= settings.min_history:
            how = _hour_of_week(ts)
            unusual = _unusual_time(profile.hours, how)
            if unusual and _unusual_time(peer.hours, how, share=0.002):
                signals.append(
                    Signal(
                        "off_hours",
                        0.5,
                        f"active {unusual} ({_how_text(how)} UTC)",
                        {"hour_of_week": how, "events_in_history": profile.events},
                    )
                )
            net = network(event.ip)
            if (
                net is not None
                and profile.nets
                and net not in profile.nets
                and net not in peer.nets
            ):
                signals.append(
                    Signal(
                        "new_network",
                        0.5,
                        f"from a network not seen in {history_days:.0f} days ({net})",
                        {"network": net, "known_networks": len(profile.nets)},
                    )
                )
            client = (event.client or "").strip()
            if (
                client
                and profile.clients
                and client not in profile.clients
                and client not in peer.clients
            ):
                signals.append(
                    Signal(
                        "new_client",
                        0.3,
                        f"with a client never used before ({client[:60]})",
                        {"client": client[:60]},
                    )
                )
        if event.principal_kind == "service" and event.client:
            upper = event.client.upper()
            if any(c in upper for c in INTERACTIVE_CLIENTS):
                signals.append(
                    Signal(
                        "service_interactive",
                        0.7,
                        f"a service account used interactively ({event.client[:40]})",
                        {"client": event.client[:60]},
                    )
                )

    def _learn(
        self, event: AccessEvent, ts: float, profile: Profile, peer: Peer, role: str
    ) -> None:
        me = event.principal
        if not profile.events:
            profile.first = ts
            if me not in peer.members:
                peer.members.append(me)
        profile.events += 1
        profile.last = max(profile.last, ts)
        profile.kind = event.principal_kind
        profile.role = role
        if event.action == "login":
            # A login's hour and network are learnt from its session's queries, which are
            # judged with them (and merge into the login's alert), not ahead of them.
            return
        how = _hour_of_week(ts)
        profile.hours[how] += 1
        peer.hours[how] += 1
        for obj in event.objects:
            if obj not in profile.objects:
                profile.recent_new.append([ts, obj])
                if len(profile.recent_new) > RECENT:
                    del profile.recent_new[0]
            profile.objects[obj] = ts
            readers = peer.objects.setdefault(obj, [])
            if me not in readers and len(readers) < PEERS_KEPT:
                readers.append(me)
        for col in event.columns:
            profile.columns[col] = ts
            readers = peer.columns.setdefault(col, [])
            if me not in readers and len(readers) < PEERS_KEPT:
                readers.append(me)
        net = network(event.ip)
        if net is not None:
            profile.nets[net] = ts
            peer.nets[net] = peer.nets.get(net, 0) + 1
        if event.client:
            client = event.client.strip()
            profile.clients[client] = ts
            peer.clients[client] = peer.clients.get(client, 0) + 1
        if event.rows is not None and event.action == "read":
            _push(profile.volumes, event.rows)
            _push(peer.volumes, event.rows)


def _unusual_time(hours: list[int], how: int, share: float = 0.0) -> str | None:
    """Why ``how`` (an hour of the week) is unusual for a histogram: at an hour of the day
    (within an hour either side, any day) or on a weekend with no more than ``share`` of the
    history there; ``None`` when it is usual. Days are pooled: a week of history sees each
    hour of the week once at most, but each hour of the day five times."""
    total = sum(hours) or 1
    hod = how % 24
    near = sum(hours[d * 24 + (hod + k) % 24] for d in range(7) for k in (-1, 0, 1))
    if near / total <= share:
        return "at an hour of the day never used before"
    if how >= 120 and sum(hours[120:]) / total <= share:
        return "on a weekend, never used before"
    return None


def _names(columns: list[str]) -> str:
    return ", ".join(c.rpartition(".")[2] for c in columns[:5]) + (" …" if len(columns) > 5 else "")


def _how_text(how: int) -> str:
    day = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[how // 24]
    return f"{day} {how % 24:02d}:00"
