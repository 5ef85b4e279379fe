"""``dataward scan``, ``catalog`` and ``watch``: JSON shape, --fail-on, canaries, webhooks."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from dataward.classify.notify import Webhook, sign


def _data(folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    rows = ["id,ssn,colour"] + [
        f"{i},{100 + i:03d}-{20 + i % 70}-{1000 + i},red" for i in range(40)
    ]
    (folder / "people.csv").write_text("\n".join(rows) + "\n")
    return folder


def test_json_shape_and_fail_on(cli: Callable[..., Any], tmp_path: Path) -> None:
    data = _data(tmp_path / "data")
    r = cli("scan", str(data), "--format", "json", "--workers", "1")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert list(doc) == ["datasets"]
    (d,) = doc["datasets"]
    assert {"path", "rows", "tags", "summary", "columns"} <= set(d)
    assert d["path"].endswith("people.csv") and d["rows"] == 40
    cols = {c["name"]: c for c in d["columns"]}
    assert cols["ssn"]["entity"] == "US_SSN" and cols["colour"]["entity"] is None
    assert {"name", "entity", "confidence"} <= set(cols["id"])
    r = cli("scan", str(data), "--fail-on", "PII_HIGH", "--workers", "1")
    assert r.code == 5 and "PII_HIGH" in r.err  # unchanged, but its stored tags still count
    r = cli("scan", str(data), "--fail-on", "SECRET", "--force", "--format", "markdown")
    assert r.code == 0 and "| ssn | US_SSN |" in r.out
    r = cli("catalog", "list", "--format", "json")
    assert r.code == 0 and json.loads(r.out)["datasets"][0]["name"] == "people.csv"
    r = cli("catalog", "show", "people.csv")
    assert r.code == 0 and "US_SSN" in r.out
    r = cli("catalog", "show", "missing.csv")
    assert r.code == 1 and "no dataset" in r.err


CANARIES = [
    "578-31-9264",
    "canary.zq8x7@example.org",
    "Zebulon Quillfeather",
    "4929 1234 5678 9013",
]


def test_canary_values_never_leak(
    cli: Callable[..., Any], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    data = tmp_path / "data"
    data.mkdir()
    rows = ["ssn,email,name,card,notes"]
    for _ in range(30):
        rows.append(
            f'{CANARIES[0]},{CANARIES[1]},{CANARIES[2]},{CANARIES[3]},"Call {CANARIES[2]} about {CANARIES[0]}"'
        )
    (data / "c.csv").write_text("\n".join(rows) + "\n")
    outputs = []
    for args in (
        ("scan", str(data), "--format", "json"),
        ("scan", str(data), "--force"),
        ("catalog", "show", "c.csv", "--format", "json"),
        ("catalog", "show", "c.csv"),
    ):
        r = cli(*args, "--workers", "1") if args[0] == "scan" else cli(*args)
        assert r.code == 0, r.err
        outputs += [r.out, r.err]
    home = Path(tmp_path / "home")
    blobs = [p.read_bytes() for p in home.rglob("*") if p.is_file()]
    assert any(p.name == "dataward.db" for p in home.rglob("*"))
    for canary in CANARIES:
        for text in [*outputs, caplog.text]:
            assert canary not in text
        for blob in blobs:
            assert canary.encode() not in blob


class _Hook(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[dict[str, str], bytes]]] = []
    fail_first = 0

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if _Hook.fail_first > 0:
            _Hook.fail_first -= 1
            self.send_response(503)
            self.end_headers()
            return
        _Hook.received.append((dict(self.headers), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def hook_server() -> Any:
    _Hook.received = []
    _Hook.fail_first = 0
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_webhook_signs_and_retries(hook_server: HTTPServer) -> None:
    url = f"http://127.0.0.1:{hook_server.server_port}/hook"
    _Hook.fail_first = 2
    waits: list[float] = []
    hook = Webhook(url, secret=b"s3cret", tries=4, backoff=0.1, sleep=waits.append)
    assert hook.send({"event": "x", "summary": "hello"})
    assert waits == [0.1, 0.2]
    headers, body = _Hook.received[0]
    assert headers["X-Dataward-Signature"] == sign(b"s3cret", headers["X-Dataward-Timestamp"], body)
    _Hook.fail_first = 10
    assert not Webhook(url, tries=3, backoff=0.0, sleep=waits.append).send({"event": "x"})
    slack = Webhook(url, style="slack")
    _Hook.fail_first = 0
    assert slack.send({"summary": "1 scanned", "datasets": [{"summary": "s", "tags": ["PII"]}]})
    assert set(json.loads(_Hook.received[-1][1])) == {"text"}


@pytest.mark.slow
def test_watch_scans_dropped_file(hook_server: HTTPServer, tmp_path: Path) -> None:
    from dataward.classify.watch import Watcher

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    url = f"http://127.0.0.1:{hook_server.server_port}/hook"
    lines: list[str] = []
    watcher = Watcher(inbox, [Webhook(url, secret=b"k")], settle=0.2, on_result=lines.append)
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()
    try:
        import time

        time.sleep(0.5)
        _data(tmp_path / "tmp")
        (tmp_path / "tmp" / "people.csv").rename(inbox / "people.csv")
        deadline = time.monotonic() + 25
        while not _Hook.received and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        watcher.stop()
        thread.join(timeout=10)
    assert _Hook.received, "no webhook call"
    event = json.loads(_Hook.received[0][1])
    assert event["event"] == "dataward.scan.completed"
    assert event["datasets"][0]["path"].endswith("people.csv")
    assert "PII_HIGH" in event["datasets"][0]["tags"]
    assert any("people.csv" in line for line in lines)


SSN = "523-71-6604"
EMAIL = "zq7x41.canary@probemail-dw.net"


def _bad_folder(folder: Path) -> Path:
    """A folder of good files and bad ones (each bad in a way seen in the field)."""
    folder.mkdir()
    rows = ["id,ssn"] + [f"{i},{SSN}" for i in range(20)]
    (folder / "good.csv").write_text("\n".join(rows) + "\n")
    messages = {"email": EMAIL, "messages": [{"body": f"my SSN is {SSN}"}, {"body": "thanks"}]}
    (folder / "messages.json").write_text(json.dumps(messages))
    deep = '{"a": ' + "[" * 2999 + json.dumps(SSN) + "]" * 2999 + "}"
    (folder / "deep.jsonl").write_text(deep + "\n")
    (folder / "quote.csv").write_text(f'id,note\n1,"{SSN}\n2,{EMAIL}\n')
    (folder / "loop_a").symlink_to(folder / "loop_b")
    (folder / "loop_b").symlink_to(folder / "loop_a")
    return folder


def test_one_bad_file_is_reported_and_the_rest_is_scanned(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    """A JSON field holding a list of objects crashed the whole scan (ArrowInvalid), deep JSON
    with RecursionError; now each bad input is one line, the others are scanned, exit 3."""
    data = _bad_folder(tmp_path / "data")
    r = cli("scan", str(data), "--format", "json", "--workers", "1")
    assert r.code == 3, r.err
    scanned = {Path(d["path"]).name: d for d in json.loads(r.out)["datasets"]}
    assert set(scanned) == {"good.csv", "messages.json"}
    msgs = scanned["messages.json"]
    assert msgs["rows"] == 1 and "PII" in msgs["tags"]
    assert "1 new records" in msgs["summary"] and "100%" in msgs["summary"]
    errors = r.err.strip().splitlines()
    assert sorted(line.split(":")[1].strip().rsplit("/", 1)[-1] for line in errors) == [
        "deep.jsonl",
        "loop_a",
        "loop_b",
        "quote.csv",
    ]
    assert all(line.startswith("error: ") for line in errors)
    assert "nested deeper than 64 levels" in r.err and "never closed" in r.err
    for text in (r.out, r.err):
        assert SSN not in text and EMAIL not in text and "Traceback" not in text


def test_a_symlink_loop_given_by_name_is_exit_3(cli: Callable[..., Any], tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    r = cli("scan", str(tmp_path / "a"), "--workers", "1")
    assert r.code == 3
    assert "a symbolic link that leads nowhere" in r.err


def test_an_unreadable_input_is_exit_3_not_a_usage_error(tmp_path: Path) -> None:
    """Permission denied was exit 2 (Typer's 'not readable'); it is unreadable input."""
    from tests.processes import run_without_file_privileges

    data = tmp_path / "data"
    data.mkdir()
    (data / "good.csv").write_text("id,name\n1,x\n")
    locked = data / "locked.jsonl"
    locked.write_text(json.dumps({"text": f"SSN {SSN}"}) + "\n")
    locked.chmod(0)
    home = tmp_path / "home"
    alone = run_without_file_privileges(["scan", str(locked), "--workers", "1"], home)
    assert alone.returncode == 3, alone.stderr
    assert alone.stderr.strip() == f"error: {locked}: cannot open: permission denied"
    folder = run_without_file_privileges(
        ["scan", str(data), "--workers", "1", "--format", "json"], home
    )
    assert folder.returncode == 3, folder.stderr
    assert [Path(d["path"]).name for d in json.loads(folder.stdout)["datasets"]] == ["good.csv"]
    assert "locked.jsonl: cannot open: permission denied" in folder.stderr
    assert SSN not in folder.stdout + folder.stderr + alone.stdout + alone.stderr


def test_scan_workers_die_with_the_scan(tmp_path: Path) -> None:
    """kill -9 of scan left its pool workers alive (PPID 1) for minutes."""
    from tests.processes import kill, needs_proc, start, survivors, wait_for_workers

    if needs_proc.args[0]:
        pytest.skip(needs_proc.kwargs["reason"])
    rows = ["id,note"] + [
        f'{i},"Patient {i} seen on ward {i % 40}; call 555-01{i % 100:02d} re SSN {SSN}"'
        for i in range(120_000)
    ]
    big = tmp_path / "big.csv"
    big.write_text("\n".join(rows) + "\n")
    proc = start(["scan", str(big), "--full", "--workers", "2"], tmp_path / "home")
    workers = wait_for_workers(proc, 2)
    kill(proc, "SIGKILL")
    assert survivors(workers) == []


def test_watch_reports_each_bad_file_on_its_own_line(tmp_path: Path) -> None:
    """The watcher printed only the error count: which file failed, and why, was lost."""
    from dataward.classify.watch import Watcher

    inbox = _bad_folder(tmp_path / "inbox")
    lines: list[str] = []
    watcher = Watcher(inbox, [], on_result=lines.append)
    watcher.scan_files([str(p) for p in sorted(inbox.iterdir())])
    errors = sorted(line for line in lines if line.startswith("error: "))
    assert [line.split(":")[1].strip().rsplit("/", 1)[-1] for line in errors] == [
        "deep.jsonl",
        "loop_a",
        "loop_b",
        "quote.csv",
    ]
    assert any(line.startswith("2 scanned") for line in lines)
    assert not any(SSN in line or EMAIL in line for line in lines)


def test_watch_reports_a_symlink_loop_and_drops_a_vanished_file(tmp_path: Path) -> None:
    """A symlink loop dropped in the watched folder was silently ignored (is_file is False);
    it is now handed to the scan, which reports it. A file gone before it settled is dropped
    (one stat, so a file that vanishes between two checks cannot crash the loop)."""
    from dataward.classify.watch import Watcher

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    watcher = Watcher(inbox, [], settle=0.0)
    loop = inbox / "loop"
    loop.symlink_to(inbox / "loop")
    watcher._seen(str(loop))
    watcher._seen(str(inbox / "gone.csv"))
    assert watcher._ready() == [str(loop)]  # the scan reports the loop; the gone file is dropped


def test_values_as_object_keys_never_reach_scan_output_or_the_store(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    """An e-mail used as a JSON object key became a column name, and column names went to the
    scan's output, the catalog and the audit log in clear."""
    email = "zq7x41.canary@probemail-dw.net"
    src = tmp_path / "keys.jsonl"
    src.write_text(
        "".join(
            json.dumps({"id": i, "scores": {email: i, f"u{i}@mailhost-dw.org": 1}}) + "\n"
            for i in range(5)
        )
    )
    res = cli("scan", str(src), "--format", "json")
    assert res.code == 0, res.err
    names = [c["name"] for c in json.loads(res.out)["datasets"][0]["columns"]]
    assert any("<EMAIL_ADDRESS>" in n for n in names), names
    assert len(names) == 2  # keys that differ only in the e-mail are one column
    listed = cli("catalog", "list", "--format", "json")
    stored = b"".join(p.read_bytes() for p in (tmp_path / "home").rglob("*") if p.is_file())
    for text in (res.out, res.err, listed.out, listed.err):
        assert email not in text and "mailhost-dw.org" not in text
    assert email.encode() not in stored and b"mailhost-dw.org" not in stored
