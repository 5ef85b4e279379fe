"""Policy test files (YAML): requests and the effects they must get (``dataward policy test``).

::

    policies:                 # optional; default: the configured packs and paths
      packs: [baseline, hipaa]
      paths: [../policies]    # relative to this file
    tests:
      - name: PHI for marketing needs tokenization
        request: {principal: {id: ann}, action: train,
                  resource: {id: patients, tags: [PHI]}, context: {purpose: marketing}}
        approvals: [data-steward]        # optional: approver roles in force
        expect:
          effect: allow_with_obligations
          obligations: [tokenize:PHI]    # optional: exactly these transforms
          reasons: [hipaa.phi-purpose]   # optional: at least these policies
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from dataward.errors import PolicyError, yaml_problem
from dataward.policy.decision import EFFECTS
from dataward.policy.engine import PolicyEngine
from dataward.policy.request import Approval


@dataclass(frozen=True, slots=True)
class CaseResult:
    file: str
    name: str
    passed: bool
    problems: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "name": self.name,
            "passed": self.passed,
            "problems": list(self.problems),
        }


def run_file(path: Path, engine: PolicyEngine | None = None) -> list[CaseResult]:
    """Run one test file; ``engine`` is used when the file names no policies."""
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read policy tests: {exc}", path=str(path)) from None
    except yaml.YAMLError as exc:
        raise PolicyError(
            f"{path}: policy tests are not valid YAML: {yaml_problem(exc)}", path=str(path)
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("tests"), list):
        raise PolicyError(f"{path}: expected a mapping with a 'tests' list", path=str(path))
    spec = data.get("policies")
    if isinstance(spec, dict):
        paths = [path.parent / p for p in spec.get("paths", [])]
        engine = PolicyEngine.load(spec.get("packs", []), paths)
    elif engine is None:
        from dataward.policy.api import default_engine

        engine = default_engine()
    results = []
    for i, case in enumerate(data["tests"]):
        if not isinstance(case, dict) or not isinstance(case.get("expect"), dict):
            raise PolicyError(f"{path}: test #{i + 1} needs 'request' and 'expect'", path=str(path))
        results.append(_run_case(path, i, case, engine))
    return results


def _run_case(path: Path, index: int, case: dict[str, Any], engine: PolicyEngine) -> CaseResult:
    name = str(case.get("name") or f"test #{index + 1}")
    expect = case["expect"]
    if expect.get("effect") not in EFFECTS:
        raise PolicyError(
            f"{path}: {name}: expect.effect must be one of {', '.join(EFFECTS)}", path=str(path)
        )
    approvals = [
        Approval(f"test-{r}", str(r), "policy-test", None) for r in case.get("approvals", [])
    ]
    try:
        prepared = engine.prepare(case.get("request") or {}, approvals)
    except PolicyError as exc:
        return CaseResult(str(path), name, False, (f"invalid request: {exc}",))
    ev = engine.evaluate(prepared)
    problems = []
    if ev.effect != expect["effect"]:
        problems.append(
            f"effect: expected {expect['effect']}, got {ev.effect} ({', '.join(ev.reasons)})"
        )
    if "obligations" in expect:
        got = sorted(o.transform for o in ev.obligations)
        if sorted(expect["obligations"]) != got:
            problems.append(f"obligations: expected {sorted(expect['obligations'])}, got {got}")
    if "approvals" in expect:
        got = sorted(a.approver for a in ev.approvals)
        if sorted(expect["approvals"]) != got:
            problems.append(f"approvals: expected {sorted(expect['approvals'])}, got {got}")
    missing = set(expect.get("reasons", [])) - set(ev.reasons)
    if missing:
        problems.append(f"reasons: missing {sorted(missing)} (got {list(ev.reasons)})")
    return CaseResult(str(path), name, not problems, tuple(problems))
