"""``dataward protect`` and ``dataward reveal``: formats, atomic writes, determinism, audit."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from dataward.cli import protect as protect_cli
from dataward.errors import ProtectError
from tests.protect.test_apply import make_patients, originals

CANARY = "987-65-4329"


@pytest.fixture(autouse=True)
def _registered() -> None:
    """Register the commands on the app when main.py does not yet."""
    from dataward.cli.main import app

    names = {c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands}
    if "protect" not in names and "protect_command" not in names:
        protect_cli.register(app)


def _write_csv(path: Path, table: pa.Table) -> None:
    pacsv.write_csv(table, path)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_protect_csv_default_no_leak_and_deterministic(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    table = make_patients(150)
    src, out1, out2 = tmp_path / "in.csv", tmp_path / "out1.csv", tmp_path / "out2.csv"
    _write_csv(src, table)
    before = _digest(src)
    r = cli("protect", str(src), str(out1), "--batch-rows", "40")
    assert r.code == 0, r.err
    data = out1.read_text()
    assert [v for v in originals(table) if v in data] == []
    back = pacsv.read_csv(out1, convert_options=pacsv.ConvertOptions(strings_can_be_null=False))
    assert back.column_names == table.column_names
    assert back.num_rows == table.num_rows
    assert "ssn: US_SSN -> token" in r.err
    assert not any(v in r.err + r.out for v in originals(table))
    r2 = cli("protect", str(src), str(out2), "--batch-rows", "64")
    assert r2.code == 0
    assert out1.read_bytes() == out2.read_bytes()
    assert _digest(src) == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_protect_jsonl_keeps_structure(cli: Callable[..., Any], tmp_path: Path) -> None:
    rows = make_patients(30).to_pylist()
    src = tmp_path / "in.jsonl"
    with src.open("w") as fh:
        for i, row in enumerate(rows):
            record = {
                "id": i,
                "patient": {"name": row["full_name"], "ssn": row["ssn"]},
                "contacts": [{"email": row["email"]}],
                "notes": row["notes"],
                "active": True,
            }
            fh.write(json.dumps(record) + "\n")
    out = tmp_path / "out.jsonl"
    r = cli("protect", str(src), str(out))
    assert r.code == 0, r.err
    lines = out.read_text().splitlines()
    assert len(lines) == len(rows)
    first = json.loads(lines[0])
    assert list(first) == ["id", "patient", "contacts", "notes", "active"]
    assert first["id"] == 0 and first["active"] is True  # kept values keep their JSON types
    assert first["patient"]["ssn"].startswith("tok_1_")
    assert first["contacts"][0]["email"].startswith("tok_1_")
    text = out.read_text()
    assert not [r["ssn"] for r in rows if r["ssn"] in text]
    assert not [r["email"] for r in rows if r["email"] in text]
    assert not [r["full_name"] for r in rows if r["full_name"] in text]


def test_protect_parquet_keeps_columns_and_is_byte_identical(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    table = make_patients(80).append_column("visits", pa.array(range(80), pa.int32()))
    src = tmp_path / "in.parquet"
    pq.write_table(table, src)
    outs = [tmp_path / "a.parquet", tmp_path / "b.parquet"]
    for out in outs:
        assert cli("protect", str(src), str(out), "-q").code == 0
    assert outs[0].read_bytes() == outs[1].read_bytes()
    back = pq.read_table(outs[0])
    assert back.column_names == table.column_names
    assert back.num_rows == 80
    assert back.schema.field("visits").type == pa.int32()
    assert back.column("ward").equals(table.column("ward"))
    assert not [v for v in originals(table) if v in str(back.to_pylist())]


def test_format_conversion_and_config(cli: Callable[..., Any], tmp_path: Path) -> None:
    table = make_patients(20)
    src = tmp_path / "in.csv"
    _write_csv(src, table)
    config = tmp_path / "rules.yaml"
    config.write_text(
        "protect:\n  rules:\n    - {column: ssn, operator: hash, length: 16}\n"
        "    - {column: notes, operator: redact}\n"
    )
    out = tmp_path / "out.jsonl"
    r = cli("protect", str(src), str(out), "--config", str(config), "--report")
    assert r.code == 0, r.err
    report = json.loads(r.out)
    assert report["rows_in"] == 20 and report["format"] == "jsonl"
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert list(rows[0]) == table.column_names
    assert all(len(row["ssn"]) == 16 for row in rows)
    assert {row["notes"] for row in rows} == {""}
    bad = cli("protect", str(src), str(tmp_path / "x.csv"), "--format", "xml")
    assert bad.code == 2


def test_interrupted_write_leaves_nothing(
    cli: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataward.protect.apply import Protector

    table = make_patients(100)
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    _write_csv(src, table)
    before = _digest(src)
    original = Protector.protect_batch
    calls = {"n": 0}

    def failing(self: Protector, batch: Any) -> pa.Table:
        calls["n"] += 1
        if calls["n"] == 3:
            raise ProtectError("simulated failure mid-stream")
        return original(self, batch)

    monkeypatch.setattr(Protector, "protect_batch", failing)
    r = cli("protect", str(src), str(out), "--batch-rows", "20")
    assert r.code == 1 and "simulated" in r.err
    assert calls["n"] == 3
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "in.csv"]
    assert _digest(src) == before
    # an existing OUTPUT survives a failed run unchanged
    out.write_text("previous\n")
    calls["n"] = 0
    assert cli("protect", str(src), str(out), "--batch-rows", "20").code == 1
    assert out.read_text() == "previous\n"
    # an interrupt (Ctrl-C) mid-stream leaves no output either
    out.unlink()

    def interrupted(self: Protector, batch: Any) -> pa.Table:
        raise KeyboardInterrupt

    monkeypatch.setattr(Protector, "protect_batch", interrupted)
    cli("protect", str(src), str(out), "--batch-rows", "20")
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "in.csv"]
    assert cli("protect", str(src), str(src)).code == 2  # never over the input


def test_reveal_value_and_file_with_audit(cli: Callable[..., Any], tmp_path: Path) -> None:
    table = make_patients(25)
    src, out, revealed = tmp_path / "in.csv", tmp_path / "out.csv", tmp_path / "rev.csv"
    _write_csv(src, table)
    assert cli("protect", str(src), str(out), "-q").code == 0
    protected = pacsv.read_csv(out)
    token = protected.column("ssn")[0].as_py()
    r = cli("reveal", token, "--operator", "token", "--actor", "alice")
    assert r.code == 0, r.err
    assert r.out.strip() == table.column("ssn")[0].as_py()

    r = cli("reveal", str(out), str(revealed), "--columns", "ssn,notes", "--actor", "bob")
    assert r.code == 0, r.err
    back = pacsv.read_csv(revealed)
    assert back.column("ssn").to_pylist() == table.column("ssn").to_pylist()
    notes = back.column("notes").to_pylist()
    ssns = table.column("ssn").to_pylist()
    mentioned = [i for i, n in enumerate(table.column("notes").to_pylist()) if ssns[i] in n]
    assert mentioned and all(ssns[i] in notes[i] for i in mentioned)

    from dataward.audit import open_audit_log

    events = [e for e in open_audit_log().events(decrypt=True) if e.kind == "reveal"]
    assert [e.actor for e in events] == ["alice", "bob"]
    assert events[0].payload is not None and events[0].payload["values"] == 1
    assert events[1].payload is not None and events[1].payload["columns"] == ["ssn", "notes"]
    dumped = json.dumps([e.payload for e in events])
    assert not [s for s in ssns if s in dumped] and token not in dumped


def test_reveal_refuses_one_way_and_bad_tokens(cli: Callable[..., Any]) -> None:
    r = cli("reveal", "abc", "--operator", "hash")
    assert r.code == 1 and "one-way" in r.err
    r = cli("reveal", f"tok_1_{CANARY}", "--operator", "token")
    assert r.code == 1
    assert CANARY not in r.err + r.out


def test_no_canary_in_logs_or_errors(
    cli: Callable[..., Any], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    src = tmp_path / "in.csv"
    src.write_text(f"name,ssn,notes\nQuenby Ashvale,{CANARY},call about {CANARY}\n")
    caplog.set_level(logging.DEBUG)
    r = cli("protect", str(src), str(tmp_path / "out.csv"), "--report")
    assert r.code == 0, r.err
    assert CANARY not in (tmp_path / "out.csv").read_text()
    assert CANARY not in r.out + r.err + caplog.text
    cfg = tmp_path / "c.yaml"
    cfg.write_text(f"rules:\n  - {{column: ssn, operator: hash, length: '{CANARY}'}}\n")
    r = cli("protect", str(src), str(tmp_path / "out2.csv"), "--config", str(cfg))
    assert r.code != 0
    assert CANARY not in r.out + r.err + caplog.text


@pytest.mark.parametrize("content", [b"", b"PAR1\x00\x01\x02"], ids=["empty", "truncated"])
def test_protect_refuses_an_empty_or_truncated_parquet_in_one_line(
    tmp_path: Path, cli: Callable[..., Any], content: bytes
) -> None:
    """A 0-byte or truncated Parquet input was an ArrowInvalid traceback."""
    src = tmp_path / "broken.parquet"
    src.write_bytes(content)
    res = cli("protect", str(src), str(tmp_path / "out.parquet"))
    assert res.code == 3
    assert res.err.startswith(f"error: {src}: cannot read as Parquet")
    assert res.err.count("\n") == 1 and not (tmp_path / "out.parquet").exists()


def test_protect_refuses_json_nested_too_deeply_in_one_line(
    tmp_path: Path, cli: Callable[..., Any]
) -> None:
    """3,000 levels of objects on one line crashed protect with RecursionError."""
    src = tmp_path / "deep.jsonl"
    src.write_text('{"a":' * 3000 + json.dumps(CANARY) + "}" * 3000 + "\n")
    res = cli("protect", str(src), str(tmp_path / "out.jsonl"))
    assert res.code == 3
    assert "line 1 is nested deeper than 64 levels" in res.err and res.err.count("\n") == 1
    assert CANARY not in res.out + res.err and not (tmp_path / "out.jsonl").exists()


def test_protect_permission_denied_input_is_exit_3(tmp_path: Path) -> None:
    """Typer's own readability check made it a usage error (exit 2)."""
    from tests.processes import run_without_file_privileges

    src = tmp_path / "locked.jsonl"
    src.write_text(json.dumps({"id": 1, "text": f"ssn {CANARY}"}) + "\n")
    src.chmod(0)
    done = run_without_file_privileges(
        ["protect", str(src), str(tmp_path / "o.jsonl")], tmp_path / "home"
    )
    assert done.returncode == 3
    assert done.stderr == f"error: {src}: cannot open: permission denied\n"
    assert CANARY not in done.stdout + done.stderr


def test_an_unwritable_output_folder_names_the_folder(tmp_path: Path) -> None:
    """The one-line error named the hidden temporary file, not the folder the user chose."""
    from tests.processes import run_without_file_privileges

    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": 1, "text": f"ssn {CANARY}"}) + "\n")
    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(0o555)
    done = run_without_file_privileges(
        ["protect", str(src), str(out / "o.jsonl")], tmp_path / "home"
    )
    assert done.returncode == 1
    assert done.stderr == f"error: {out}: permission denied\n"


# -- .json documents and folders ------------------------------------------------------------

SSN = "523-71-6604"
EMAIL = "zq7x41.canary@probemail-dw.net"
CANARIES = (SSN, EMAIL, SSN.replace("-", ""))


def _assert_no_canary(*texts: str) -> None:
    for text in texts:
        assert not [c for c in CANARIES if c in text]


def _people(n: int = 3) -> list[dict[str, Any]]:
    return [
        {
            "id": i,
            "patient": {"ssn": SSN, "contacts": [{"email": EMAIL}]},
            "note": f"reach me at {EMAIL}, ssn {SSN}",
            EMAIL: "a key holding a value",
            "active": True,
        }
        for i in range(n)
    ]


def test_protect_a_json_array_keeps_its_structure(cli: Callable[..., Any], tmp_path: Path) -> None:
    src, out = tmp_path / "in.json", tmp_path / "out.json"
    src.write_text(json.dumps(_people(), indent=2))
    before = _digest(src)
    r = cli("protect", str(src), str(out), "--report")
    assert r.code == 0, r.err
    assert json.loads(r.out)["format"] == "json"
    back = json.loads(out.read_text())
    assert isinstance(back, list) and len(back) == 3
    assert [row["id"] for row in back] == [0, 1, 2] and all(row["active"] is True for row in back)
    assert list(back[0])[:2] == ["id", "patient"] and set(back[0]["patient"]) == {
        "ssn",
        "contacts",
    }
    _assert_no_canary(out.read_text(), r.out, r.err)
    assert _digest(src) == before
    again = tmp_path / "again.json"
    assert cli("protect", str(src), str(again)).code == 0
    assert again.read_bytes() == out.read_bytes()  # deterministic


def test_protect_a_json_object_document_writes_an_object(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    src, out = tmp_path / "one.json", tmp_path / "one.out.json.gz"
    src.write_text(json.dumps(_people(1)[0]))
    r = cli("protect", str(src), str(out))
    assert r.code == 0, r.err
    import gzip

    text = gzip.decompress(out.read_bytes()).decode()
    back = json.loads(text)
    assert isinstance(back, dict) and back["id"] == 0
    _assert_no_canary(text)
    bad = cli("protect", str(src), str(tmp_path / "x.csv"))
    assert bad.code == 2 and "cannot convert json to csv" in bad.err


def _tree(root: Path) -> None:
    (root / "sub" / "deeper").mkdir(parents=True)
    pacsv.write_csv(
        pa.table({"name": ["Quenby Ashvale"], "ssn": [SSN], "email": [EMAIL]}), root / "a.csv"
    )
    (root / "sub" / "b.jsonl").write_text("\n".join(json.dumps(p) for p in _people()) + "\n")
    (root / "sub" / "deeper" / "c.json").write_text(json.dumps(_people(2)))
    (root / "notes.txt").write_text(f"my ssn is {SSN}\nmail {EMAIL}\n")
    pq.write_table(pa.table({"ssn": [SSN, SSN], "n": [1, 2]}), root / "sub" / "d.parquet")


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_protect_a_folder_keeps_its_layout_and_leaks_nothing(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    _tree(src)
    before = _files(src)
    r = cli("protect", str(src), str(out), "--report")
    assert r.code == 0, r.err
    written = _files(out)
    data = [k for k in written if not k.startswith(".dataward")]
    assert sorted(data) == sorted(before)  # the same relative layout, nothing more
    for name, content in written.items():
        _assert_no_canary(content.decode("latin-1"))  # every byte, also of the Parquet file
        assert not name.endswith(".tmp")
    _assert_no_canary(r.out, r.err)
    report = json.loads(r.out)
    assert len(report["files"]) == 5 and report["resumed"] == [] and report["unsupported"] == {}
    assert all(f["verify"]["mode"] == "full" for f in report["files"])
    assert _files(src) == before  # the inputs are untouched
    assert json.loads((out / "sub" / "deeper" / "c.json").read_text())[1]["id"] == 1


def test_an_unsupported_file_stops_the_folder_run_and_nothing_is_written(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    _tree(src)
    (src / "sub" / "scan.pdf").write_bytes(b"%PDF-1.7\n" + f"ssn {SSN}".encode())
    (src / "photo.bin").write_bytes(b"\x00\x01" + EMAIL.encode())
    r = cli("protect", str(src), str(out))
    assert r.code == 3
    line = r.err.strip().splitlines()[-1]
    assert "2 file(s) cannot be protected" in line and "nothing was written" in line
    assert "sub/scan.pdf (binary file (a PDF document);" in line and "photo.bin" in line
    assert not out.exists()
    _assert_no_canary(r.out, r.err)
    # --skip-unsupported protects the rest and leaves them out: never copied unprotected
    r = cli("protect", str(src), str(out), "--skip-unsupported")
    assert r.code == 0, r.err
    assert "skipped (not protected, not copied): sub/scan.pdf" in r.err
    written = _files(out)
    assert "sub/scan.pdf" not in written and "photo.bin" not in written
    assert "a.csv" in written and "sub/d.parquet" in written
    for content in written.values():
        _assert_no_canary(content.decode("latin-1"))


def test_a_folder_run_resumes_where_it_stopped(
    cli: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataward.protect import folders

    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    _tree(src)
    real = folders.protect_file
    seen: list[str] = []

    def failing_on_the_third(input: Path, output: Path, *args: Any, **kwargs: Any) -> Any:
        seen.append(Path(input).name)
        if len(seen) == 3:
            raise ProtectError("simulated failure on the third file")
        return real(input, output, *args, **kwargs)

    monkeypatch.setattr(folders, "protect_file", failing_on_the_third)
    r = cli("protect", str(src), str(out))
    assert r.code == 1 and "simulated failure" in r.err
    done = {k for k in _files(out) if not k.startswith(".dataward")}
    assert done == {"a.csv", "notes.txt"}  # sorted order; the third left no partial output
    assert not [p for p in out.rglob("*") if ".dw-protect-" in p.name]
    first = (out / "a.csv").read_bytes()
    monkeypatch.setattr(folders, "protect_file", real)
    (src / "notes.txt").write_text(f"changed: my ssn is {SSN}\n")  # a changed input is redone
    r = cli("protect", str(src), str(out), "--report")
    assert r.code == 0, r.err
    report = json.loads(r.out)
    assert report["resumed"] == ["a.csv"]
    assert sorted(Path(f["input"]).name for f in report["files"]) == [
        "b.jsonl",
        "c.json",
        "d.parquet",
        "notes.txt",
    ]
    assert (out / "a.csv").read_bytes() == first
    assert "changed" in (out / "notes.txt").read_text()
    # an output changed since it was written is redone too
    (out / "a.csv").write_text(f"ssn\n{SSN}\n")
    r = cli("protect", str(src), str(out), "--report")
    assert r.code == 0 and "a.csv" not in json.loads(r.out)["resumed"]
    assert len(json.loads(r.out)["resumed"]) == 4
    _assert_no_canary((out / "a.csv").read_text())


def test_a_folder_output_inside_its_input_is_refused(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    src = tmp_path / "in"
    src.mkdir()
    _tree(src)
    r = cli("protect", str(src), str(src / "protected"))
    assert r.code == 2 and "outside INPUT" in r.err
    assert not (src / "protected").exists()


def test_a_folder_protected_under_a_decision_binds_its_receipts(tmp_path: Path) -> None:
    """The resume record in OUT is not data: the receipts beside the outputs still make up
    the folder's version, so decide allows the request that names the protected folder."""
    import dataward as dw
    from dataward.policy import evidence
    from dataward.protect.folders import MANIFEST, protect_folder
    from tests.policy.test_evidence import RING, first_decision, request

    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    _tree(src)
    first = first_decision()
    report = protect_folder(src, out, decision=first, keyring=RING)
    assert (out / MANIFEST).is_file() and len(report.files) == 5
    receipts = [json.loads(p.read_text()) for p in sorted(out.rglob("*.receipt.json"))]
    assert len(receipts) == 5

    def key(r: Any) -> str:
        return json.dumps(r, sort_keys=True)

    assert sorted(map(key, receipts)) == sorted(key(f.receipt) for f in report.files)
    version = evidence.dataset_sha256(r["output_sha256"] for r in receipts)
    assert version == evidence.folder_sha256(out)
    allowed = dw.decide(request(id=str(out)), log=False, evidence=receipts)
    assert allowed.effect == "allow" and allowed.token is not None


def test_plan_of_a_folder_lists_exactly_the_files_protect_processes(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    src = tmp_path / "in"
    src.mkdir()
    _tree(src)
    (src / ".hidden.csv").write_text(f"ssn\n{SSN}\n")
    (src / "sub" / ".env.txt").write_text(f"ssn {SSN}\n")
    r = cli("protect", str(src), str(tmp_path / "plan"), "--plan", "--format", "json")
    assert r.code == 0, r.err
    planned = sorted(
        Path(f["path"]).relative_to(src).as_posix() for f in json.loads(r.out)["files"]
    )
    r = cli("protect", str(src), str(tmp_path / "out"), "--report")
    assert r.code == 0, r.err
    protected = sorted(
        Path(f["input"]).relative_to(src).as_posix() for f in json.loads(r.out)["files"]
    )
    assert ".hidden.csv" in protected and "sub/.env.txt" in protected
    assert planned == protected


def test_a_link_to_a_folder_is_not_followed_and_is_reported(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    src, out, elsewhere = tmp_path / "in", tmp_path / "out", tmp_path / "elsewhere"
    src.mkdir()
    elsewhere.mkdir()
    (elsewhere / "secret.csv").write_text(f"ssn\n{SSN}\n")
    (src / "a.csv").write_text(f"ssn\n{SSN}\n")
    (src / "linked").symlink_to(elsewhere, target_is_directory=True)
    r = cli("protect", str(src), str(out))
    assert r.code == 3 and "linked (a symbolic link to a folder (not followed))" in r.err
    assert not out.exists()
    r = cli("protect", str(src), str(out), "--skip-unsupported")
    assert r.code == 0, r.err
    assert sorted(p.name for p in out.iterdir()) == [".dataward-protect.json", "a.csv"]
