from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from dataward.detect import Engine
from dataward.detect.custom import get_validator, load_detectors
from dataward.errors import ConfigError, UnknownNameError

SPEC = """
detectors:
  - name: employee-id
    entity: EMPLOYEE_ID
    patterns:
      - {name: emp, regex: "EMP-[0-9]{6}", score: 0.4}
    context: {en: [employee, staff], de: [mitarbeiter]}
    negative_context: [sample]
  - name: loyalty-card
    entity: LOYALTY_CARD
    patterns:
      - {name: card, regex: "[0-9]{4} [0-9]{4} [0-9]{4} [0-9]{4}", score: 0.6}
    validator: luhn
    validated_score: 0.8
"""


@pytest.fixture
def spec_file(tmp_path: Path) -> Path:
    path = tmp_path / "custom.yaml"
    path.write_text(SPEC)
    return path


@pytest.mark.parametrize("backend", ["hyperscan", "re"])
def test_yaml_detectors_find_with_context_and_validators(spec_file: Path, backend: str) -> None:
    engine = Engine(load_detectors(spec_file), backend=backend)  # type: ignore[arg-type]
    assert engine.detect("EMP-123456") == []
    [f] = engine.detect("staff id EMP-123456")
    assert (f.entity, f.start, f.end, f.detector) == ("EMPLOYEE_ID", 9, 19, "employee-id")
    assert engine.detect("Mitarbeiter EMP-123456 sample") == []
    [card] = engine.detect("card 4111 1111 1111 1111")
    assert (card.entity, card.score) == ("LOYALTY_CARD", 0.8)
    assert engine.detect("card 4111 1111 1111 1112") == []


def test_yaml_detectors_pickle(spec_file: Path) -> None:
    dets = load_detectors(spec_file)
    clone = pickle.loads(pickle.dumps(dets))
    assert [d.name for d in clone] == ["employee-id", "loyalty-card"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("detectors: [{name: x, entity: X, patterns: []}]", "patterns"),
        (
            "detectors: [{name: x, entity: X, patterns: [{name: a, regex: '(', score: 0.5}]}]",
            "does not compile",
        ),
        (
            "detectors: [{name: x, entity: X, patterns: [{name: a, regex: 'a', score: 2}]}]",
            "less than or equal",
        ),
        (
            "detectors: [{name: x, entity: lower, patterns: [{name: a, regex: 'a', score: 0.5}]}]",
            "entity",
        ),
        (
            "detectors: [{name: x, entity: X, patterns: [{name: a, regex: 'a', score: 0.5}], typo: 1}]",
            "typo",
        ),
        ("detectors: [: bad", "not valid YAML"),
    ],
)
def test_bad_files_name_the_file_and_the_problem(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(body)
    with pytest.raises(ConfigError, match=message) as info:
        load_detectors(path)
    assert "bad.yaml" in str(info.value)


def test_unknown_validator_suggests(tmp_path: Path) -> None:
    path = tmp_path / "v.yaml"
    path.write_text(
        "detectors: [{name: x, entity: X, validator: lunh, "
        "patterns: [{name: a, regex: '[0-9]+', score: 0.5}]}]"
    )
    with pytest.raises(UnknownNameError, match="Did you mean 'luhn'"):
        load_detectors(path)


def test_stdnum_validators_by_module_name() -> None:
    assert get_validator("stdnum:es.nif")("12345678Z")
    assert not get_validator("stdnum:es.nif")("12345678A")
    with pytest.raises(ConfigError, match="no module"):
        get_validator("stdnum:xx.nothing")


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_detectors(tmp_path / "nope.yaml")


def test_unsafe_pattern_that_re2_cannot_run_is_refused_naming_the_detector(
    tmp_path: Path,
) -> None:
    # nested quantifier (exponential in Python re) plus a look-ahead (RE2 refuses it)
    path = tmp_path / "redos.yaml"
    path.write_text(
        "detectors: [{name: path-like, entity: X, "
        "patterns: [{name: p, regex: '(?:[a-z./]+/?)+(?=;)', score: 0.5}]}]"
    )
    with pytest.raises(ConfigError, match=r"detector 'path-like'.*nested quantifier") as info:
        load_detectors(path)
    assert info.value.detector == "path-like"  # type: ignore[attr-defined]


def test_unsafe_pattern_that_re2_can_run_runs_in_linear_time(tmp_path: Path) -> None:
    # before: Python re ran it on short values and backtracked exponentially on this text
    path = tmp_path / "nested.yaml"
    path.write_text(
        "detectors: [{name: path-like, entity: X, "
        "patterns: [{name: p, regex: '/(?:[a-z.]+/?)+;', score: 0.9, boundary: false}]}]"
    )
    engine = Engine(load_detectors(path), backend="hyperscan")  # type: ignore[arg-type]
    adversarial = "/" + "abcdefgh" * 12 + "!"
    assert engine.detect(adversarial) == []
    [f] = engine.detect(adversarial + " /usr/lib;")
    assert (f.start, f.end) == (len(adversarial) + 1, len(adversarial) + 10)
