"""Streaming from a folder being written to and from NATS JetStream; the state (baselines,
offsets, the durable consumer's position) survives a restart."""

from __future__ import annotations

import asyncio
import json
import socket
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dataward.monitor import Monitor, Settings, list_alerts
from dataward.monitor.event import AccessEvent
from dataward.monitor.stream import follow_folder, follow_nats
from dataward.runtime import Runtime

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)


def _event(
    n: int, who: str, table: str, ip: str = "10.1.1.5", minutes: int | None = None
) -> AccessEvent:
    return AccessEvent(
        time=T0 + timedelta(minutes=n if minutes is None else minutes),
        source="ocsf",
        event_id=f"ev-{n}",
        principal=who,
        role="ANALYST",
        principal_kind="human",
        ip=ip,
        client="JDBC",
        objects=(table,),
        columns=(f"{table}.A",),
        rows=100,
    )


def _history(count: int) -> list[str]:
    """A month of one analyst's usual reads, as OCSF lines."""
    return [
        json.dumps(_event(i, "ANN", "PROD.ORDERS", minutes=i * 60 * 8).to_ocsf())
        for i in range(count)
    ]


def test_folder_follow_and_restart(runtime: Runtime, tmp_path: Path) -> None:
    folder = tmp_path / "landing"
    folder.mkdir()
    log = folder / "events.jsonl"
    history = _history(90)
    log.write_text("\n".join(history[:60]) + "\n" + history[60][:20])  # a partial last line
    settings = Settings(learning_days=7)
    first = Monitor(runtime.store, settings)
    stats, report = follow_folder(first, folder, "ocsf", once=True)
    assert stats.events == 60 and report.problem_count == 0
    # the writer finishes the line and appends more; a new monitor (a restart) goes on
    with log.open("a") as fh:
        fh.write(history[60][20:] + "\n" + "\n".join(history[61:]) + "\n")
        late = _event(1000, "ANN", "PROD.PAYROLL", ip="203.0.113.9", minutes=90 * 60 * 8)
        fh.write(json.dumps(late.to_ocsf()) + "\n")
    again = Monitor(runtime.store, settings)
    assert again.state.profiles["ANN"].events == 60
    stats2, _ = follow_folder(again, folder, "ocsf", once=True)
    assert stats2.events == 31  # only what was new: nothing read twice
    alerts = list_alerts(runtime.store)
    assert [a.event_ids for a in alerts] == [["ev-1000"]]
    assert {"new_table", "new_network"} <= {s["name"] for s in alerts[0].evidence["signals"]}


def _nats_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 4222), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _nats_up(), reason="NATS is not running on 127.0.0.1:4222")
def test_nats_jetstream_with_restart(runtime: Runtime) -> None:
    import nats

    subject = f"dataward.test.{uuid.uuid4().hex[:8]}"
    stream = "DWTEST_" + uuid.uuid4().hex[:8].upper()
    history = _history(90)
    late = json.dumps(
        _event(1000, "ANN", "PROD.PAYROLL", ip="203.0.113.9", minutes=90 * 60 * 8).to_ocsf()
    )

    async def publish(lines: list[str]) -> None:
        nc = await nats.connect("nats://127.0.0.1:4222")
        js = nc.jetstream()
        for line in lines:
            await js.publish(subject, line.encode())
        await nc.drain()

    async def scenario() -> tuple[int, int, list[str]]:
        nc = await nats.connect("nats://127.0.0.1:4222")
        js = nc.jetstream()
        await js.add_stream(name=stream, subjects=[subject])
        await nc.drain()
        try:
            await publish(history[:60])
            seen: list[str] = []
            first = Monitor(runtime.store, Settings(learning_days=7))
            s1, _ = await follow_nats(first, subject, "ocsf", durable="t", idle_exit=1.0)
            # the monitor stops; more arrives meanwhile; a new one resumes at the consumer's place
            await publish([*history[60:], late, "{not json"])
            again = Monitor(runtime.store, Settings(learning_days=7))
            s2, report = await follow_nats(
                again, subject, "ocsf", durable="t", idle_exit=1.0,
                on_alerts=lambda alerts: seen.extend(a.id for a in alerts),
            )  # fmt: skip
            assert report.problem_count == 1 and "nats:" in str(report.problems[0])
            return s1.events, s2.events, seen
        finally:
            nc = await nats.connect("nats://127.0.0.1:4222")
            await nc.jetstream().delete_stream(stream)
            await nc.drain()

    first_count, second_count, seen = asyncio.run(scenario())
    assert (first_count, second_count) == (60, 31)
    alerts = list_alerts(runtime.store)
    assert [a.id for a in alerts] == seen
    assert alerts[0].event_ids == ["ev-1000"]
