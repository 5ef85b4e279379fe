"""Streaming: follow a folder being written to, or a NATS JetStream subject.

Both hand batches to the :class:`~dataward.monitor.engine.Monitor` of the runtime in use and
flush after each batch, so an alert is stored (and sent) within a poll of its event, and a
restarted stream resumes: a folder's read offsets and a JetStream durable consumer's position
survive with the baselines in the store.

- **Folder**: line formats (``ocsf``, ``databricks``, ``pgaudit``, ``s3-access``) are read from
  the offset reached, complete lines only; ``cloudtrail`` and ``snowflake`` files are read whole
  once their size stops changing (a delivered file is complete).
- **NATS**: each message is one record of the source (a JSON object, or log lines); a durable
  pull consumer acknowledges messages only after their batch is flushed (at least once).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dataward.monitor.alerts import Alert, MonitorError
from dataward.monitor.engine import Monitor, Outcome
from dataward.monitor.parsers import parse, parse_record
from dataward.monitor.parsers.common import Parsed, ParseReport, expand

LINE_SOURCES = frozenset({"ocsf", "databricks", "pgaudit", "s3-access"})
JSON_LINES = frozenset({"ocsf", "databricks"})
OnAlerts = Callable[[list[Alert]], None]


@dataclass(slots=True)
class StreamStats:
    batches: int = 0
    events: int = 0
    alerts: int = 0
    problems: int = 0


def _run(
    monitor: Monitor, parsed: Parsed, stats: StreamStats, on_alerts: OnAlerts | None
) -> Outcome:
    monitor.add_tags(parsed.tags)
    outcome = monitor.process(sorted(parsed.events, key=lambda e: e.time))
    new = monitor.flush()
    stats.batches += 1
    stats.events += outcome.events
    stats.alerts += len(new)
    stats.problems += parsed.report.problem_count
    if new and on_alerts is not None:
        on_alerts(new)
    return outcome


def poll_folder(monitor: Monitor, folder: Path, source: str, report: ParseReport) -> Parsed:
    """What is new in ``folder`` since the last poll (offsets kept in the monitor's state)."""
    files_state: dict[str, object] = monitor.state.meta.setdefault("files", {})
    parsed = Parsed()
    whole: list[Path] = []
    pending: dict[str, object] = monitor.state.meta.setdefault("pending", {})
    for path in expand([folder]):
        key = str(path.resolve())
        try:
            st = path.stat()
        except OSError:
            continue
        if source in LINE_SOURCES:
            kept = files_state.get(key)
            offset, seen_lines = (int(kept[0]), int(kept[1])) if isinstance(kept, list) else (0, 0)
            if st.st_size <= offset:
                continue
            with path.open("rb") as fh:
                fh.seek(offset)
                chunk = fh.read(st.st_size - offset)
            end = chunk.rfind(b"\n")
            if end < 0:
                continue  # no complete line yet
            complete = chunk[: end + 1]
            if source in JSON_LINES:
                for number, line in enumerate(complete.splitlines(), seen_lines + 1):
                    if line.strip():
                        parse_record(source, line, f"{path}:{number}", parsed)
            else:
                parse_record(source, complete, f"{path}@{offset}", parsed)
            files_state[key] = [offset + end + 1, seen_lines + complete.count(b"\n")]
        else:
            stamp = f"{st.st_size}:{st.st_mtime_ns}"
            if files_state.get(key) == stamp:
                continue
            if pending.get(key) != stamp:
                pending[key] = stamp  # seen once: read when it is unchanged at the next poll
                continue
            whole.append(path)
            files_state[key] = stamp
            pending.pop(key, None)
    monitor.state.touch_meta()
    if whole:
        batch = parse(source, whole)
        parsed.events.extend(batch.events)
        for target, tags in batch.tags.items():
            parsed.tags.setdefault(target, set()).update(tags)
        parsed.report.problems.extend(batch.report.problems)
        parsed.report.problem_count += batch.report.problem_count
    report.problems.extend(parsed.report.problems)
    report.problem_count += parsed.report.problem_count
    report.events += len(parsed.events)
    return parsed


def follow_folder(
    monitor: Monitor,
    folder: Path,
    source: str,
    *,
    interval: float = 1.0,
    max_seconds: float | None = None,
    once: bool = False,
    on_alerts: OnAlerts | None = None,
) -> tuple[StreamStats, ParseReport]:
    """Poll ``folder`` every ``interval`` seconds until ``max_seconds`` (or once)."""
    if not folder.is_dir():
        raise MonitorError(f"{folder}: not a folder", path=str(folder))
    stats, report = StreamStats(), ParseReport()
    started = time.monotonic()
    polls = 0
    while True:
        polls += 1
        parsed = poll_folder(monitor, folder, source, report)
        _run(monitor, parsed, stats, on_alerts)
        if once and polls >= (1 if source in LINE_SOURCES else 2):
            break
        if max_seconds is not None and time.monotonic() - started >= max_seconds:
            break
        time.sleep(interval)
    return stats, report


async def follow_nats(
    monitor: Monitor,
    subject: str,
    source: str,
    *,
    server: str = "nats://127.0.0.1:4222",
    durable: str = "dataward-monitor",
    stream: str | None = None,
    batch: int = 500,
    max_seconds: float | None = None,
    max_events: int | None = None,
    idle_exit: float | None = None,
    on_alerts: OnAlerts | None = None,
) -> tuple[StreamStats, ParseReport]:
    """Consume ``subject`` from JetStream with a durable pull consumer; the stream holding the
    subject is found (or made, named ``stream``) first."""
    try:
        import nats
        from nats.errors import TimeoutError as NatsTimeout
        from nats.js.errors import NotFoundError
    except ImportError:
        raise MonitorError(
            "NATS streaming needs nats-py: pip install 'dataward[monitor]'", field="nats"
        ) from None
    try:
        nc = await nats.connect(
            server, connect_timeout=3, max_reconnect_attempts=1, allow_reconnect=False
        )
    except Exception as exc:
        raise MonitorError(
            f"cannot connect to NATS at {server}: {type(exc).__name__}", server=server
        ) from None
    stats, report = StreamStats(), ParseReport()
    try:
        js = nc.jetstream()
        try:
            await js.find_stream_name_by_subject(subject)
        except NotFoundError:
            name = (
                stream or "DATAWARD_" + "".join(c if c.isalnum() else "_" for c in subject).upper()
            )
            await js.add_stream(name=name, subjects=[subject])
        sub = await js.pull_subscribe(subject, durable=durable)
        started = time.monotonic()
        last_message = started
        while True:
            try:
                messages = await sub.fetch(batch, timeout=0.2)
            except (TimeoutError, NatsTimeout):
                messages = []
            now = time.monotonic()
            if messages:
                last_message = now
                parsed = Parsed()
                for msg in messages:
                    parse_record(
                        source, msg.data, f"nats:{subject}#{msg.metadata.sequence.stream}", parsed
                    )
                await asyncio.to_thread(_run, monitor, parsed, stats, on_alerts)
                report.problems.extend(parsed.report.problems)
                report.problem_count += parsed.report.problem_count
                report.events += len(parsed.events)
                for msg in messages:
                    await msg.ack()
            if max_events is not None and stats.events >= max_events:
                break
            if max_seconds is not None and now - started >= max_seconds:
                break
            if idle_exit is not None and now - last_message >= idle_exit:
                break
    finally:
        # close, not drain: a pull subscription's lingering fetch would hold a drain until it
        # times out; everything processed was acknowledged above.
        await nc.close()
    return stats, report
