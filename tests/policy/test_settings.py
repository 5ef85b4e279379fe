"""The ``policy:`` settings come through :class:`dataward.settings.Settings` like every section:
``dataward.yaml``, ``DATAWARD_POLICY__*``, and the older ``DATAWARD_POLICY_*`` names."""

from __future__ import annotations

import os
from pathlib import Path
from typing import get_args

import pytest

from dataward.errors import ConfigError
from dataward.policy import MODES, PACKS, Mode, decide, default_engine
from dataward.settings import CONFIG_FILE, POLICY_PACKS, PolicySettings, get_settings
from tests.policy.conftest import req


def write_config(text: str) -> None:
    Path(CONFIG_FILE).write_text(text, "utf-8")  # the test's working directory (conftest)


def test_defaults_match_the_policy_package() -> None:
    settings = get_settings().policy
    assert settings == PolicySettings()
    assert settings.packs == list(PACKS) == list(POLICY_PACKS)
    assert (settings.mode, settings.modes, settings.paths) == ("enforce", {}, [])
    assert (settings.token_ttl_seconds, settings.log_decisions, settings.log_writer) == (
        900,
        True,
        "sync",
    )
    assert get_args(Mode) == MODES


def test_yaml_section_is_read_through_settings(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "extra.cedar").write_text(
        '@id("mine.no-export")\nforbid (principal, action == Action::"export", resource);\n'
    )
    write_config(
        "policy:\n"
        "  packs: [baseline, hipaa]\n"
        "  paths: [mine]\n"
        "  mode: warn\n"
        "  modes: {ci: shadow}\n"
        "  token_ttl_seconds: 60\n"
        "  log_decisions: false\n"
        "  log_writer: background\n"
    )
    settings = get_settings().policy
    assert settings == PolicySettings(
        packs=["baseline", "hipaa"],
        paths=[Path("mine")],
        mode="warn",
        modes={"ci": "shadow"},
        token_ttl_seconds=60,
        log_decisions=False,
        log_writer="background",
    )
    engine = default_engine()
    assert [s.name for s in engine.sources][:2] == ["pack:baseline", "pack:hipaa"]
    assert "mine.no-export" in engine.by_id
    assert (engine.default_mode, engine.modes, engine.token_ttl_seconds) == (
        "warn",
        {"ci": "shadow"},
        60,
    )
    decision = decide(req(["PHI"], purpose="marketing"))  # log_decisions: false: no store
    assert decision.mode == "warn" and decision.effect == "allow"


def test_nested_env_names(monkeypatch: pytest.MonkeyPatch) -> None:
    write_config("policy: {mode: warn, packs: [gdpr], log_writer: background}\n")
    monkeypatch.setenv("DATAWARD_POLICY__MODE", "shadow")
    monkeypatch.setenv("DATAWARD_POLICY__PACKS", '["baseline", "pci"]')  # lists are JSON
    monkeypatch.setenv("DATAWARD_POLICY__PATHS", '["a", "b"]')
    monkeypatch.setenv("DATAWARD_POLICY__MODES", '{"inference": "warn"}')
    monkeypatch.setenv("DATAWARD_POLICY__TOKEN_TTL_SECONDS", "120")
    monkeypatch.setenv("DATAWARD_POLICY__LOG_DECISIONS", "false")
    settings = get_settings().policy
    assert settings.mode == "shadow"
    assert settings.packs == ["baseline", "pci"]
    assert settings.paths == [Path("a"), Path("b")]
    assert settings.modes == {"inference": "warn"}
    assert (settings.token_ttl_seconds, settings.log_decisions) == (120, False)
    assert settings.log_writer == "background"  # from dataward.yaml


def test_legacy_env_names(monkeypatch: pytest.MonkeyPatch) -> None:
    write_config("policy: {mode: warn, packs: [gdpr], paths: [x], token_ttl_seconds: 30}\n")
    monkeypatch.setenv("DATAWARD_POLICY_PACKS", " baseline, hipaa ,")
    monkeypatch.setenv("DATAWARD_POLICY_PATHS", os.pathsep.join(["a", "", "b"]))
    monkeypatch.setenv("DATAWARD_POLICY_MODE", "shadow")
    monkeypatch.setenv("DATAWARD_POLICY_LOG_WRITER", "background")
    settings = get_settings().policy
    assert settings.packs == ["baseline", "hipaa"]
    assert settings.paths == [Path("a"), Path("b")]
    assert (settings.mode, settings.log_writer) == ("shadow", "background")
    assert settings.token_ttl_seconds == 30  # from dataward.yaml
    monkeypatch.setenv("DATAWARD_POLICY__MODE", "enforce")  # the nested name wins
    assert get_settings().policy.mode == "enforce"
    monkeypatch.setenv("DATAWARD_POLICY_PACKS", "")  # set but empty: no packs
    monkeypatch.setenv("DATAWARD_POLICY_PATHS", "")  # empty: ignored
    settings = get_settings().policy
    assert (settings.packs, settings.paths) == ([], [Path("x")])


@pytest.mark.parametrize(
    ("yaml_text", "env"),
    [
        ("policy: {mode: strict}\n", {}),
        ("", {"DATAWARD_POLICY_MODE": "strict"}),
        ("", {"DATAWARD_POLICY__MODE": "strict"}),
        ("", {"DATAWARD_POLICY__MODES": '{"ci": "strict"}'}),
    ],
)
def test_invalid_mode_is_a_config_error(
    yaml_text: str, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(yaml_text)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=r"policy\.mode.*'shadow', 'warn' or 'enforce'"):
        get_settings()
    with pytest.raises(ConfigError, match=r"policy\.mode"):
        default_engine()


@pytest.mark.parametrize(
    ("yaml_text", "env", "message"),
    [
        ("policy: {log_writer: later}\n", {}, r"policy\.log_writer"),
        ("policy: {token_ttl_seconds: 0}\n", {}, r"policy\.token_ttl_seconds"),
        ("", {"DATAWARD_POLICY_LOG_WRITER": "later"}, r"policy\.log_writer"),
        ("", {"DATAWARD_POLICY__PACKS": "baseline,hipaa"}, r'JSON.*field "policy"'),
        ("policy: [\n", {}, r"dataward\.yaml: invalid YAML"),
    ],
)
def test_other_invalid_values_are_config_errors(
    yaml_text: str, env: dict[str, str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(yaml_text)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message):
        get_settings()


def test_settings_follow_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    first = get_settings()
    assert get_settings() is first  # nothing changed: built once
    write_config("policy: {mode: warn}\n")
    assert get_settings().policy.mode == "warn"
    write_config("policy: {mode: shadow}\n")
    assert get_settings().policy.mode == "shadow"
    monkeypatch.setenv("DATAWARD_POLICY__MODE", "enforce")
    assert get_settings().policy.mode == "enforce"
    monkeypatch.delenv("DATAWARD_POLICY__MODE")
    Path(CONFIG_FILE).unlink()
    assert get_settings().policy == first.policy


def test_cli_reports_an_invalid_setting(cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATAWARD_POLICY_MODE", "strict")
    result = cli("policy", "validate")
    assert result.code == 2 and "policy.mode" in result.err
    monkeypatch.delenv("DATAWARD_POLICY_MODE")
    write_config("policy: {packs: [baseline]}\n")
    result = cli("policy", "validate")
    assert result.code == 0 and "from 1 files" in result.out


def test_broken_yaml_error_names_the_place_not_the_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """PyYAML quotes the line around the error; a config line may hold a token."""
    canary = "https://hooks.example.org/T0/B0/CanaryToken7f3a9"
    write_config(f"integrations:\n  slack: {{url: {canary}\n  x: [1\n")
    with pytest.raises(ConfigError) as info:
        get_settings()
    assert "invalid YAML: line 3, column 4" in str(info.value)
    assert "CanaryToken7f3a9" not in str(info.value)

    from dataward.detect.custom import load_detectors

    bad = tmp_path / "detectors.yaml"
    bad.write_text(f"detectors:\n  - {{name: x, pattern: {canary}\n  y: [\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_detectors(bad)
    assert "not valid YAML: line" in str(info.value)
    assert "CanaryToken7f3a9" not in str(info.value)
    assert "CanaryToken7f3a9" not in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "where", "meant"),
    [
        ("detect:\n  thresold: 0.9\n", "detect.thresold", "detect.threshold"),
        ("polcy:\n  mode: warn\n", "polcy", "policy"),
        ("policy:\n  unclasified: allow\n", "policy.unclasified", "policy.unclassified"),
        ("server:\n  max_body_byte: 10\n", "server.max_body_byte", "server.max_body_bytes"),
    ],
)
def test_an_unknown_key_in_the_config_file_is_an_error(
    cli,  # type: ignore[no-untyped-def]
    text: str,
    where: str,
    meant: str,
) -> None:
    # before: the key was ignored and the default (e.g. policy.mode enforce) applied silently
    write_config(text)
    with pytest.raises(ConfigError, match=f"{where}: unknown setting. Did you mean '{meant}'"):
        get_settings()
    result = cli("policy", "validate")
    assert result.code == 2 and f"'{meant}'" in result.err


def test_other_dataward_variables_are_not_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATAWARD_WEBHOOK_SECRET", "s3cr3t-canary")
    monkeypatch.setenv("DATAWARD_ACTOR", "user:ann")
    assert get_settings().policy == PolicySettings()


def test_unclassified_setting_reaches_the_engine() -> None:
    write_config("policy:\n  unclassified: needs_approval\n  unclassified_points: {ci: allow}\n")
    engine = default_engine()
    assert engine.unclassified_for("training") == "needs_approval"
    assert engine.unclassified_for("ci") == "allow"
    assert decide(req([]), engine=engine, log=False).effect == "needs_approval"


def test_an_unknown_key_in_the_integrations_section_is_an_error() -> None:
    canary = "https://hooks.example.org/T0/B0/CanaryToken7f3a9"
    write_config(f"integrations:\n  webhooks:\n    - {{url: '{canary}', stlye: slack}}\n")
    with pytest.raises(ConfigError) as info:
        get_settings()
    message = str(info.value)
    assert "integrations.webhooks.0.stlye: unknown setting." in message
    assert "Did you mean 'integrations.webhooks.0.style'?" in message
    assert "CanaryToken7f3a9" not in message
    write_config(f"integrations:\n  webhooks:\n    - {{url: '{canary}', style: slack}}\n")
    assert get_settings().integrations["webhooks"][0]["style"] == "slack"


def test_a_misspelt_audit_key_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The audit section ignored unknown keys: a misspelt witness_url silently turned the
    external witness off."""
    (tmp_path / "dataward.yaml").write_text("audit: {witnes_url: http://127.0.0.1:9/w}\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="witness_url"):
        get_settings()
