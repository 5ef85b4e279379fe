"""Kubeflow component specs: the component.yaml structure KFP reads, every placeholder bound to
a declared input or output, and each step's command run here as KFP's launcher would run it
(placeholders replaced by files and values, ``sh -c`` in a shell with ``dataward`` on PATH):
scan -> decide -> protect on one CSV, and a decide that cannot run stops the pipeline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from dataward.integrations.kubeflow import component_specs, component_yaml

EMAIL = "canary.7731@example.org"
SSN = "078-05-1120"
TOP_KEYS = {"name", "description", "metadata", "inputs", "outputs", "implementation"}
PLACEHOLDERS = {"inputPath": "inputs", "inputValue": "inputs", "outputPath": "outputs"}


def test_specs_have_the_component_yaml_shape_and_bound_placeholders() -> None:
    specs = component_specs("ghcr.io/acme/dataward:1")
    assert set(specs) == {"dataward-scan", "dataward-decide", "dataward-protect"}
    for name, spec in specs.items():
        assert yaml.safe_load(component_yaml(name, "ghcr.io/acme/dataward:1")) == spec
        assert set(spec) <= TOP_KEYS and spec["name"] == name
        container = spec["implementation"]["container"]
        assert container["image"] == "ghcr.io/acme/dataward:1"
        assert container["command"][:2] == ["sh", "-c"]
        declared = {k: {i["name"] for i in spec.get(k, [])} for k in ("inputs", "outputs")}
        for arg in container["args"]:
            ((kind, ref),) = arg.items()
            assert ref in declared[PLACEHOLDERS[kind]], (name, arg)


def run_step(spec: dict[str, Any], files: dict[str, Path], out: Path, env: dict[str, str]) -> Any:
    """Run a component's command as the KFP launcher does: inputs as files or values,
    outputs as paths whose folders do not exist yet."""
    container = spec["implementation"]["container"]
    defaults = {i["name"]: i.get("default") for i in spec["inputs"]}
    args = []
    outputs = {}
    for arg in container["args"]:
        ((kind, ref),) = arg.items()
        if kind == "inputPath":
            args.append(str(files[ref]))
        elif kind == "inputValue":
            args.append(str(defaults[ref]))
        else:
            outputs[ref] = out / "outputs" / ref / "data"
            args.append(str(outputs[ref]))
    done = subprocess.run(
        [*container["command"], *args], env=env, capture_output=True, text=True, timeout=180
    )
    return done, outputs


@pytest.fixture
def step_env(tmp_path: Path) -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)
    return {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}",
            "DATAWARD_HOME": str(tmp_path / "home")}  # fmt: skip


def test_scan_decide_protect_run_as_pipeline_steps(
    tmp_path: Path, step_env: dict[str, str]
) -> None:
    specs = component_specs("local")
    data = tmp_path / "inputs" / "data"
    data.parent.mkdir()
    rows = [f"Ada Lovelace,{EMAIL},{SSN}"] + [
        f"Person {i},user{i}@example.com,219-09-{9000 + i}" for i in range(9)
    ]
    data.write_text("name,email,ssn\n" + "\n".join(rows) + "\n")  # no extension, as KFP gives

    done, out = run_step(specs["dataward-scan"], {"data": data}, tmp_path / "scan", step_env)
    assert done.returncode == 0, done.stderr
    scan = json.loads(out["scan"].read_text())
    tags = sorted(
        {t["name"] if isinstance(t, dict) else t for d in scan["datasets"] for t in d["tags"]}
    )
    assert "PII" in tags

    request = tmp_path / "inputs" / "request"
    request.write_text(json.dumps({
        "principal": {"type": "ServiceAccount", "id": "trainer"}, "action": "train",
        "resource": {"type": "Dataset", "id": "people", "tags": tags},
        "context": {"purpose": "model-training", "job_id": "kfp-1"},
    }))  # fmt: skip
    done, out_d = run_step(specs["dataward-decide"], {"request": request}, tmp_path / "d", step_env)
    assert done.returncode == 0, done.stderr  # obligations (exit 11) pass on to protect
    decision = json.loads(out_d["decision"].read_text())
    assert decision["effect"] == "allow_with_obligations"

    done, out_p = run_step(
        specs["dataward-protect"],
        {"data": data, "decision": out_d["decision"]},
        tmp_path / "p",
        step_env,
    )
    assert done.returncode == 0, done.stderr
    protected = out_p["protected"].read_text()
    assert (
        EMAIL not in protected and SSN not in protected and protected.count("\n") == 11
    )  # the header and ten rows
    receipt = json.loads(out_p["receipt"].read_text())
    assert receipt["decision_id"] == decision["decision_id"]
    assert EMAIL not in done.stderr + done.stdout


def test_a_decide_that_cannot_run_stops_the_pipeline(
    tmp_path: Path, step_env: dict[str, str]
) -> None:
    request = tmp_path / "request"
    request.write_text(json.dumps({
        "principal": {"type": "User", "id": "ann"}, "action": "train",
        "resource": {"type": "Dataset", "id": "x", "tags": ["NOT_A_TAG"]},
        "context": {"purpose": "model-training"},
    }))  # fmt: skip
    spec = component_specs("local")["dataward-decide"]
    done, _out = run_step(spec, {"request": request}, tmp_path / "d", step_env)
    assert done.returncode not in (0, 11)
    assert "the pipeline stops" in done.stderr
