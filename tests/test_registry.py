from __future__ import annotations

import pickle
from importlib.metadata import EntryPoint

import pytest

from dataward import registry as registry_module
from dataward.errors import ConfigError, DatawardError, SourceError, UnknownNameError
from dataward.registry import Registry

PLUGIN = object()


def test_unknown_name_suggests_close_matches() -> None:
    reg: Registry[int] = Registry("detector")
    reg.add("email", 1)
    reg.add("credit-card", 2)
    with pytest.raises(UnknownNameError) as info:
        reg.get("emial")
    assert "Did you mean 'email'?" in str(info.value)
    assert info.value.suggestions == ["email"]
    assert isinstance(info.value, KeyError) and isinstance(info.value, ConfigError)


def test_taken_name_is_never_replaced() -> None:
    reg: Registry[int] = Registry("operator")
    reg.register("mask")(1)
    with pytest.raises(ConfigError, match="already registered"):
        reg.add("mask", 2)
    assert reg.get("mask") == 1


def test_entry_points_load_lazily_on_unknown_name(monkeypatch: pytest.MonkeyPatch) -> None:
    ep = EntryPoint(name="acme-id", value=f"{__name__}:PLUGIN", group="dataward.detectors")
    calls: list[str] = []

    def fake_entry_points(group: str) -> list[EntryPoint]:
        calls.append(group)
        return [ep]

    monkeypatch.setattr(registry_module, "entry_points", fake_entry_points)
    reg: Registry[object] = Registry("detector", "dataward.detectors")
    reg.add("email", object())
    reg.get("email")
    assert calls == []  # built-ins do not touch entry points
    assert reg.get("acme-id") is PLUGIN
    assert calls == ["dataward.detectors"]
    assert reg.names() == ["acme-id", "email"]


def test_errors_pickle_with_their_context() -> None:
    err = SourceError("data.csv: line 3 is not valid UTF-8", path="data.csv", line=3)
    clone = pickle.loads(pickle.dumps(err))
    assert type(clone) is SourceError
    assert (clone.path, clone.line, str(clone)) == ("data.csv", 3, str(err))
    unknown = pickle.loads(pickle.dumps(UnknownNameError("detector", "emial", ["email"])))
    assert unknown.suggestions == ["email"]
    assert isinstance(clone, DatawardError) and isinstance(clone, OSError)


def test_exit_codes_are_documented_values() -> None:
    assert (DatawardError.exit_code, ConfigError.exit_code, SourceError.exit_code) == (1, 2, 3)
