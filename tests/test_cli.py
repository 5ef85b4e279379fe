from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult

Cli = Callable[..., CliResult]
CANARY_EMAIL = "canary.q7zx@example.org"
CANARY_CARD = "4539 1488 0343 6467"  # Luhn-valid Visa shape, fixture only
CANARIES = (CANARY_EMAIL, CANARY_CARD, CANARY_CARD.replace(" ", ""))


def _lines(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines()]


def _assert_no_canary(*texts: str) -> None:
    for text in texts:
        for canary in CANARIES:
            assert canary not in text


def test_detect_jsonl_contract(tmp_path: Path, cli: Cli) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(
        json.dumps({"id": "a", "text": f"write to {CANARY_EMAIL}"})
        + "\n"
        + json.dumps({"text": "nothing here"})
        + "\n"
        + json.dumps({"id": 7, "text": None})
        + "\n"
    )
    res = cli("detect", str(src), "--format", "jsonl")
    assert res.code == 0, res.err
    rows = _lines(res.out)
    assert [r["id"] for r in rows] == ["a", 2, 7]
    assert rows[0]["findings"] == [
        {"entity": "EMAIL_ADDRESS", "start": 9, "end": 32, "score": 0.9, "detector": "email"}
    ]
    assert rows[1]["findings"] == [] and rows[2]["findings"] == []
    _assert_no_canary(res.out, res.err)


def test_detect_show_values_and_explain(tmp_path: Path, cli: Cli) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": 1, "body": f"mail {CANARY_EMAIL}"}) + "\n")
    res = cli("detect", str(src), "--text-field", "body", "--explain")
    [row] = _lines(res.out)
    [finding] = row["findings"]  # type: ignore[misc]
    assert finding["explanation"]["validator"] == "email-syntax"
    assert "mail" in finding["explanation"]["context_words"]
    _assert_no_canary(res.out)
    shown = cli("detect", str(src), "--text-field", "body", "--show-values")
    assert _lines(shown.out)[0]["findings"][0]["value"] == CANARY_EMAIL  # type: ignore[index]


def test_detect_plain_text_from_stdin_uses_line_numbers(cli: Cli) -> None:
    res = cli("detect", "-", stdin=f"first line\nsecond {CANARY_EMAIL}\n".encode())
    rows = _lines(res.out)
    assert [r["id"] for r in rows] == [1, 2]
    assert [len(r["findings"]) for r in rows] == [0, 1]  # type: ignore[arg-type]


def test_entities_option_restricts_and_checks_names(cli: Cli) -> None:
    res = cli("detect", "-", "--entities", "EMAIL_ADRESS", stdin=b"x\n")
    assert res.code == 2
    assert "Did you mean 'EMAIL_ADDRESS'" in res.err


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b'{"id": 1, "text": "' + CANARY_EMAIL.encode() + b'"\n', "line 1 is not valid JSON"),
        (b'{"text": "ok"}\n\xff\xfe ' + CANARY_EMAIL.encode() + b"\n", "line 2 is not valid UTF-8"),
        (b"\x00\x01\x02" + CANARY_EMAIL.encode(), "binary"),
        (b'{"id": 1, "body": "' + CANARY_EMAIL.encode() + b'"}\n', "has no field 'text'"),
        (b"[1, 2]\n", "line 1 is a JSON list, expected an object"),
    ],
)
def test_bad_input_is_a_clear_error_without_values(
    tmp_path: Path, cli: Cli, payload: bytes, message: str
) -> None:
    src = tmp_path / "bad.jsonl"
    src.write_bytes(payload)
    before = src.read_bytes()
    res = cli("detect", str(src))
    assert res.code == 3
    assert message in res.err and "bad.jsonl" in res.err
    assert res.err.count("\n") == 1  # one readable line, no traceback
    _assert_no_canary(res.out, res.err)
    assert src.read_bytes() == before


def test_huge_line_is_refused(tmp_path: Path, cli: Cli) -> None:
    src = tmp_path / "big.txt"
    src.write_text("short\n" + "a" * 5000 + "\n")
    res = cli("detect", str(src), "--max-line-bytes", "1000")
    assert res.code == 3 and "line 2 is longer than 1000 bytes" in res.err


def test_missing_input(cli: Cli) -> None:
    res = cli("detect", "does-not-exist.jsonl")
    assert res.code == 3 and "no such file" in res.err


def test_custom_detector_file(tmp_path: Path, cli: Cli) -> None:
    spec = tmp_path / "d.yaml"
    spec.write_text(
        "detectors: [{name: emp, entity: EMPLOYEE_ID, patterns: [{name: e, regex: 'EMP-[0-9]{6}', score: 0.9}]}]"
    )
    res = cli(
        "detect",
        "-",
        "--detectors",
        str(spec),
        "--entities",
        "EMPLOYEE_ID",
        stdin=b"id EMP-123456\n",
    )
    assert res.code == 0, res.err
    [row] = _lines(res.out)
    assert row["findings"][0]["entity"] == "EMPLOYEE_ID"  # type: ignore[index]


def test_config_file_sets_threshold(tmp_path: Path, cli: Cli) -> None:
    (tmp_path / "dataward.yaml").write_text("detect:\n  threshold: 0.99\n")
    res = cli("detect", "-", stdin=f"{CANARY_EMAIL}\n".encode())
    assert _lines(res.out)[0]["findings"] == []
    (tmp_path / "dataward.yaml").write_text("detect:\n  threshold: 7\n")
    bad = cli("detect", "-", stdin=b"x\n")
    assert bad.code == 2 and "detect.threshold" in bad.err


def test_entities_json_lists_the_taxonomy(cli: Cli) -> None:
    res = cli("entities", "--format", "json")
    rows = json.loads(res.out)
    names = {r["name"] for r in rows}
    assert "EMAIL_ADDRESS" in names
    assert {"name", "categories", "sensitivity", "regulations", "data_category"} <= set(rows[0])
    table = cli("entities", "--format", "table")
    assert "EMAIL_ADDRESS" in table.out


def test_version(cli: Cli) -> None:
    assert cli("--version").out.startswith("dataward ")


def test_debug_logging_never_shows_values(tmp_path: Path, cli: Cli) -> None:
    src = tmp_path / "in.jsonl"
    records = [
        {"id": 1, "text": f"card {CANARY_CARD} mail {CANARY_EMAIL}"},
        {"id": 2, "text": f"password = 'Zq8!canary-Pw#1' and {CANARY_CARD.replace(' ', '')}"},
    ]
    src.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    res = cli("--debug", "detect", str(src), "--explain")
    assert res.code == 0, res.err
    rows = _lines(res.out)
    assert {f["entity"] for f in rows[0]["findings"]} >= {"CREDIT_CARD", "EMAIL_ADDRESS"}  # type: ignore[union-attr]
    _assert_no_canary(res.out, res.err)
    assert "Zq8!canary-Pw#1" not in res.out + res.err


def test_detect_json_too_deep_to_parse_is_exit_3(tmp_path: Path, cli: Cli) -> None:
    """3,000 levels of nesting (an 18 KB line) crashed detect with RecursionError."""
    src = tmp_path / "deep.jsonl"
    deep = "[" * 3000 + json.dumps(CANARY_EMAIL) + "]" * 3000
    src.write_text(json.dumps({"id": 1, "text": "ok"}) + "\n" + '{"text": ' + deep + "}\n")
    res = cli("detect", str(src))
    assert res.code == 3
    assert (
        res.err == f"error: {src}: line 2 is nested deeper than 64 levels of objects and arrays; "
        "flatten the data or raise Limits.max_depth\n"
    )
    _assert_no_canary(res.out, res.err)


def test_detect_permission_denied_is_exit_3(tmp_path: Path) -> None:
    """It was a PermissionError traceback."""
    from tests.processes import run_without_file_privileges

    src = tmp_path / "locked.jsonl"
    src.write_text(json.dumps({"text": f"mail {CANARY_EMAIL}"}) + "\n")
    src.chmod(0)
    done = run_without_file_privileges(["detect", str(src)], tmp_path / "home")
    assert done.returncode == 3
    assert done.stderr == f"error: {src}: cannot open: permission denied\n"
    _assert_no_canary(done.stdout, done.stderr)


def test_an_unwritable_output_folder_is_one_line(tmp_path: Path) -> None:
    """An OS error no check names (here protect writing into a read-only folder) was a
    traceback; the CLI now says which file and why, on one line."""
    from tests.processes import run_without_file_privileges

    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": 1, "text": f"mail {CANARY_EMAIL}"}) + "\n")
    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(0o555)
    done = run_without_file_privileges(
        ["protect", str(src), str(out / "o.jsonl")], tmp_path / "home"
    )
    assert done.returncode in (1, 3)
    assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1, done.stderr
    assert "permission denied" in done.stderr and "Traceback" not in done.stderr
    _assert_no_canary(done.stdout, done.stderr)


def test_detect_marks_a_record_past_the_time_budget_partial(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATAWARD_DETECT__RECORD_BUDGET_MS", "0")
    res = cli("detect", "-", "--workers", "1", stdin=f"Ada\nmail {CANARY_EMAIL}\n".encode())
    assert res.code == 0, res.err
    rows = _lines(res.out)
    assert [r["id"] for r in rows] == [1, 2]  # nothing dropped, the run goes on
    assert rows[0]["partial"] is True and rows[1]["partial"] is True  # budget 0: no time at all
    _assert_no_canary(res.out, res.err)
