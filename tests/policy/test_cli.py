"""The policy commands, through Typer with the real command functions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from dataward.cli import decide as decide_cli
from dataward.cli import policy as policy_cli
from dataward.errors import DatawardError
from tests.policy.conftest import req


@pytest.fixture
def run() -> object:
    app = typer.Typer()
    decide_cli.register(app)
    policy_cli.register(app)
    runner = CliRunner()

    def invoke(*args: str) -> tuple[int, str, BaseException | None]:
        result = runner.invoke(app, list(args))
        exc = result.exception if not isinstance(result.exception, SystemExit) else None
        return result.exit_code, result.output, exc

    return invoke


def write(path: Path, data: object) -> str:
    path.write_text(json.dumps(data))
    return str(path)


def test_decide_json_and_fail_codes(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    request = write(tmp_path / "r.json", req(["PHI"], purpose="marketing"))
    code, out, exc = run("decide", request, "--format", "json")
    assert code == 0 and exc is None
    decision = json.loads(out)
    assert decision["effect"] == "allow_with_obligations"
    assert decision["obligations"][0]["operator"] == "token"
    assert set(decision) >= {
        "decision_id",
        "effect",
        "obligations",
        "reasons",
        "mode",
        "policy_revision",
        "input_digest",
        "expires_at",
    }
    code, _, _ = run("decide", request, "--fail", "--no-log")
    assert code == 11
    code, out, _ = run("decide", request, "--mode", "shadow", "--fail")
    assert code == 0 and json.loads(out)["evaluated_effect"] == "allow_with_obligations"


def test_token_verify(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    r = req(["PHI"], purpose="treatment", job_id="job-1", lawful_basis=["contract"])
    code, out, _ = run("decide", write(tmp_path / "r.json", r))
    token = json.loads(out)["token"]
    code, out, _ = run("token", "verify", token)
    assert code == 0 and json.loads(out)["claims"]["job"] == "job-1"
    code, out, _ = run("token", "verify", token, "--request", str(tmp_path / "r.json"))
    assert code == 0 and json.loads(out)["valid"]
    code, _, exc = run("token", "verify", token[:-4] + "AAAA")
    assert isinstance(exc, DatawardError)


def test_validate_and_explain(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run("policy", "validate")
    assert code == 0 and out.startswith("ok: ")
    bad = tmp_path / "bad.cedar"
    bad.write_text("permit (principal, action, resource)\n  when { context.nope };\n")
    _, _, exc = run("policy", "validate", str(bad))
    assert isinstance(exc, DatawardError) and "bad.cedar:1:" in str(exc)
    code, out, _ = run(
        "policy", "explain", write(tmp_path / "r.json", req(["PHI"], purpose="marketing"))
    )
    assert code == 0 and "* forbid hipaa.phi-purpose" in out and "lifted by: tokenize:PHI" in out


def test_policy_test_files(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tests = tmp_path / "t.yaml"
    tests.write_text(
        "policies: {packs: [baseline, hipaa]}\n"
        "tests:\n"
        "  - name: marketing\n"
        f"    request: {json.dumps(req(['PHI'], purpose='marketing'))}\n"
        "    expect: {effect: allow_with_obligations, obligations: [tokenize:PHI], reasons: [hipaa.phi-purpose]}\n"
        "  - name: wrong on purpose\n"
        f"    request: {json.dumps(req(['PHI'], purpose='treatment'))}\n"
        "    expect: {effect: deny}\n"
    )
    code, out, _ = run("policy", "test", str(tests))
    assert code == 1
    assert "PASS" in out and "FAIL" in out and "1 passed, 1 failed" in out


def test_approve_and_replay(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    r = req(
        ["SPECIAL_CATEGORY"],
        "evaluate",
        purpose="bias_detection",
        risk_level="high",
        attestations=["data_provenance", "bias_examination"],
    )  # no claimed transform: a claim without a protect receipt lifts nothing
    path = write(tmp_path / "r.json", r)
    assert json.loads(run("decide", path)[1])["effect"] == "needs_approval"
    code, out, _ = run(
        "policy",
        "approve",
        "--approver",
        "dpo",
        "--by",
        "dora",
        "--expires",
        "7d",
        "--resource",
        "patients",
    )
    assert code == 0 and json.loads(out)["approver"] == "dpo"
    assert json.loads(run("decide", path)[1])["effect"] == "allow_with_obligations"
    assert len(run("policy", "approvals")[1].splitlines()) == 1
    cand = tmp_path / "cand"
    cand.mkdir()
    (cand / "x.cedar").write_text(
        '@id("stop-eval")\nforbid (principal, action == Action::"evaluate", resource);\n'
    )
    code, out, _ = run("policy", "replay", "--candidate", str(cand), "--since", "1h")
    assert code == 0 and "replayed 2 decisions" in out and "2 would change" in out
