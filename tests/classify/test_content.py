"""Content classes (issue 19): what a dataset is, its implied tags, the catalog, policies,
custom YAML classes and the webhook summary."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dataward.catalog import Catalog
from dataward.classify import scan
from dataward.classify.content import (
    ContentConfig,
    classify_record,
    classify_text,
    content_config,
    sample_file,
)
from dataward.classify.content_custom import load_classes
from dataward.classify.content_model import CLASSES, Sample, features
from dataward.errors import ConfigError

EMAIL = "canary.7731@example.org"
SSN = "523-71-6604"

CODE = """# Copyright 2024 Example Corp. Licensed under the Apache License 2.0.
import os
import sys
from pathlib import Path


class Loader:
    def __init__(self, root):
        self.root = Path(root)

    def load(self, name):
        with open(self.root / name) as fh:
            return fh.read()


def main(argv):
    loader = Loader(os.getcwd())
    for name in argv:
        print(loader.load(name))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
"""

CONTRACT = """MUTUAL NON-DISCLOSURE AGREEMENT

This Agreement is entered into as of March 1, 2025 by and between Northwind Traders Ltd
("Discloser") and Contoso Analytics GmbH ("Recipient"), each a "Party".

1. Confidential Information. The Recipient shall hold all Confidential Information in strict
confidence and shall not disclose it to any third party without prior written consent.
2. Term. This Agreement shall continue for a period of 24 months from the Effective Date.
3. Governing Law. This Agreement shall be governed by the laws of the State of Delaware.
4. Remedies. Each party shall indemnify the other against losses arising from a breach hereof.

IN WITNESS WHEREOF, the parties have executed this Agreement as of the date first written above.
"""


def _prompt_log(path: Path, extra: str = "") -> Path:
    rows = [
        {
            "request_id": f"r{i}",
            "model": "gpt-4o-mini",
            "prompt": f"Summarize ticket {i} for the support team.{extra}",
            "completion": "The customer cannot log in; a password reset was sent.",
            "prompt_tokens": 40 + i,
            "completion_tokens": 12,
        }
        for i in range(12)
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", "utf-8")
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "landing"
    root.mkdir()
    (root / "loader.py").write_text(CODE, "utf-8")
    (root / "nda.txt").write_text(CONTRACT, "utf-8")
    _prompt_log(root / "prompts.jsonl")
    return root


def test_code_contract_and_prompt_log_are_never_public(folder: Path) -> None:
    result = scan([folder], record=False, workers=1)
    assert not result.errors
    by_name = {Path(d.path).name: d for d in result.datasets}
    expect = {
        "loader.py": ("SOURCE_CODE", {"INTELLECTUAL_PROPERTY", "CONFIDENTIAL"}),
        "nda.txt": ("CONTRACT_LEGAL", {"CONFIDENTIAL"}),
        "prompts.jsonl": ("PROMPT_COMPLETION_LOG", {"INTERNAL"}),
    }
    for name, (cls, tags) in expect.items():
        d = by_name[name]
        assert "PUBLIC" not in d.tag_names, (name, d.tag_names)
        assert tags <= set(d.tag_names)
        best = d.content_classes()[0]
        assert best["class"] == cls and best["confidence"] >= 0.5
        assert best["reasons"] and best["source"] == "model"
    reasons = by_name["loader.py"].content_classes()[0]["reasons"]
    assert "3 function definitions" in reasons and "a license header" in reasons
    assert any("import" in r for r in reasons)
    assert (
        "summary" in result.summary().splitlines()[0]
        or "1 file is a contract" in (result.summary().splitlines()[0])
    )
    assert "1 file is source code" in result.content_summary()


def test_scan_json_has_content_classes_beside_tags(cli: Callable[..., Any], folder: Path) -> None:
    r = cli("scan", str(folder), "--format", "json", "--workers", "1")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    for d in doc["datasets"]:
        assert "content_classes" in d and "tags" in d
        assert {"class", "confidence", "reasons"} <= set(d["content_classes"][0])
        for col in d["columns"]:
            assert isinstance(col["content_classes"], list)
    log = next(d for d in doc["datasets"] if d["path"].endswith("prompts.jsonl"))
    prompt = next(c for c in log["columns"] if c["name"] == "prompt")
    assert prompt["content_classes"]  # a text column has classes of its own
    ids = next(c for c in log["columns"] if c["name"] == "request_id")
    assert ids["content_classes"] == []  # short codes: too little text for a class


def test_public_only_when_the_content_says_so(tmp_path: Path) -> None:
    (tmp_path / "colors.csv").write_text("color\n" + "\n".join(["red", "blue"] * 20) + "\n")
    page = (
        "# Introducing CloudSync\n\nJoin thousands of happy customers. Sign up today and get "
        "your first month free. Learn more on our website.\nSubscribe to our newsletter."
    )
    (tmp_path / "launch.md").write_text(page, "utf-8")
    (tmp_path / "launch_contact.md").write_text(page + f"\nWrite to {EMAIL}.", "utf-8")
    result = scan([tmp_path], record=False, workers=1)
    tags = {Path(d.path).name: d.tag_names for d in result.datasets}
    assert tags["colors.csv"] == ["PUBLIC"]
    assert tags["launch.md"] == ["PUBLIC"]
    assert "PUBLIC" not in tags["launch_contact.md"]  # an identifier: never public
    best = {Path(d.path).name: d.content_classes()[0]["class"] for d in result.datasets}
    assert best["launch.md"] == "MARKETING_PUBLIC" and best["colors.csv"] == "OTHER"


def test_catalog_stores_classes_and_policies_use_them(folder: Path, tmp_path: Path) -> None:
    from dataward.policy import PolicyEngine
    from dataward.policy.api import catalog_classification

    result = scan([folder], workers=1)
    nda = next(d.path for d in result.datasets if d.path.endswith("nda.txt"))
    cat = Catalog.open()
    try:
        shown = cat.dataset(nda)
        assert shown["content_classes"][0]["class"] == "CONTRACT_LEGAL"
        assert cat.standing(nda).content_classes == ("CONTRACT_LEGAL",)  # type: ignore[union-attr]
        rows = cat.content_classes(nda)
        assert rows[0]["column"] is None and rows[0]["source"] == "model"
    finally:
        cat.store.close()
    policy = tmp_path / "contracts.cedar"
    policy.write_text(
        '@id("no-contracts-in-training")\n@reason("no customer contracts in fine-tuning sets")\n'
        'forbid (principal, action, resource) when { action in Action::"training" && '
        'resource has content_classes && resource.content_classes.contains("CONTRACT_LEGAL") };\n'
        "permit (principal, action, resource);\n",
        "utf-8",
    )
    engine = PolicyEngine.load(["baseline"], [policy], tag_resolver=catalog_classification)

    def decide(path: str) -> Any:
        request = {
            "principal": {"type": "ServiceAccount", "id": "trainer"},
            "action": "fine_tune",
            "resource": {"type": "Dataset", "id": path},
            "context": {"purpose": "analytics"},
        }
        return engine.decide(request, issue_token=False)

    denied = decide(nda)
    assert denied.effect == "deny" and "no-contracts-in-training" in denied.reasons
    code = next(d.path for d in result.datasets if d.path.endswith("loader.py"))
    assert "no-contracts-in-training" not in decide(code).reasons


def test_record_and_text_classes() -> None:
    rec = {"prompt": "Translate this into French.", "completion": "Voici.", "model": "gpt-4o"}
    assert classify_record(rec)[0].name == "PROMPT_COMPLETION_LOG"
    log = "\n".join(
        f"2025-05-0{i % 9 + 1}T10:00:0{i % 10}Z ERROR [api] timeout after {i} s" for i in range(20)
    )
    best = classify_text(log, name="api.log")[0]
    assert best.name == "SYSTEM_LOG" and any("timestamped line" in r for r in best.reasons)
    sample = Sample("a.py", "text", (), CODE)
    assert features(sample) == features(sample)  # deterministic, no hash seed


def test_every_class_implies_known_tags() -> None:
    from dataward.taxonomy import DATASET_TAGS

    for name, tags in CLASSES.items():
        assert set(tags) <= set(DATASET_TAGS), name
    assert CLASSES["OTHER"] == () and CLASSES["MARKETING_PUBLIC"] == ("PUBLIC",)


# -- custom classes -----------------------------------------------------------------------------

CUSTOM = """
classes:
  - name: PROMPT_DATA
    description: our own prompt-log schema
    keywords: [system_prompt, user_turn]
    globs: ["**/prompt-logs/*.jsonl"]
    columns: [prompt_id, system_prompt, model_answer]
    examples: ["you are the support bot of example shop reset a password"]
    tags: [INTERNAL, CONFIDENTIAL]
"""


def _custom_data(root: Path) -> Path:
    folder = root / "prompt-logs"
    folder.mkdir(parents=True)
    rows = [
        {
            "prompt_id": i,
            "system_prompt": "you are the support bot of example shop",
            "model_answer": "ok",
        }
        for i in range(10)
    ]
    path = folder / "day1.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), "utf-8")
    return path


def test_custom_yaml_class_from_dataward_yaml(tmp_path: Path) -> None:
    (tmp_path / "classes.yaml").write_text(CUSTOM, "utf-8")
    (tmp_path / "dataward.yaml").write_text("content:\n  classes: [classes.yaml]\n", "utf-8")
    data = _custom_data(tmp_path / "lake")
    config = content_config()
    assert [c.name for c in config.custom] == ["PROMPT_DATA"]
    (d,) = scan([data], record=False, workers=1).datasets
    best = d.content_classes()[0]
    assert best["class"] == "PROMPT_DATA" and best["source"] == "custom"
    assert best["tags"] == ["INTERNAL", "CONFIDENTIAL"]
    assert any("path matches" in r for r in best["reasons"])
    assert any("column names" in r for r in best["reasons"])
    assert {"INTERNAL", "CONFIDENTIAL"} <= set(d.tag_names)
    # a file that is not one: the class does not apply
    (tmp_path / "list.txt").write_text("apples\npears\nbread\n", "utf-8")
    (plain,) = scan([tmp_path / "list.txt"], record=False, workers=1).datasets
    assert all(c["class"] != "PROMPT_DATA" for c in plain.content_classes())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("classes: [{name: SOURCE_CODE, keywords: [x]}]", "already defined"),
        ("classes: [{name: MINE, keywords: [x], tags: [INTERNL]}]", "Did you mean 'INTERNAL'"),
        ("classes: [{name: MINE}]", "no keywords, globs, columns or examples"),
        ("classes: [{name: mine, keywords: [x]}]", "classes.0.name"),
        ("classes: [{name: MINE, keywrds: [x]}]", "keywrds"),
        ("classes: [", "not valid YAML"),
    ],
)
def test_custom_class_file_errors_name_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(ConfigError) as err:
        load_classes(path)
    assert message in str(err.value) and str(path) in str(err.value)


def test_a_bad_content_section_stops_the_scan(tmp_path: Path) -> None:
    (tmp_path / "dataward.yaml").write_text("content:\n  imply: 2\n", "utf-8")
    (tmp_path / "a.txt").write_text("hello\n", "utf-8")
    with pytest.raises(ConfigError, match=r"content\.imply"):
        scan([tmp_path / "a.txt"], record=False, workers=1)


def test_no_value_reaches_output_catalog_audit_or_logs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, runtime: Any
) -> None:
    caplog.set_level(logging.DEBUG)
    root = tmp_path / "in"
    root.mkdir()
    (root / "nda.txt").write_text(CONTRACT + f"\nNotices: {EMAIL}, SSN {SSN}\n", "utf-8")
    _prompt_log(root / "prompts.jsonl", extra=f" Customer {EMAIL} SSN {SSN}.")
    result = scan([root], workers=1)
    out = json.dumps(result.to_dict()) + result.summary()
    out += json.dumps([d.to_dict() for d in result.datasets])
    cat = Catalog.open()
    try:
        for d in result.datasets:
            out += json.dumps(cat.dataset(d.path)) + json.dumps(cat.content_classes(d.path))
    finally:
        cat.store.close()
    audit = json.dumps([e.payload for e in runtime.audit_log.events()], default=str)
    for canary in (EMAIL, SSN):
        assert canary not in out
        assert canary not in audit
        assert canary not in caplog.text
    assert "content_classes" in audit


def test_sampler_reads_the_head_once(tmp_path: Path) -> None:
    path = tmp_path / "big.log"
    path.write_text("\n".join(f"2025-01-01T00:00:00Z INFO line {i}" for i in range(50_000)))
    sampler, fmt = sample_file(path)
    sample = sampler.sample(path.name, fmt)
    assert fmt == "text" and len(sample.text) <= 32_000 and sampler.full()
    assert ContentConfig().custom == ()


def test_dashboard_inventory_shows_the_classes(folder: Path) -> None:
    from dataward.server.views import inventory

    scan([folder], workers=1)
    cat = Catalog.open()
    try:
        inv = inventory(cat.store, q="nda", tag="", page=1)
    finally:
        cat.store.close()
    (item,) = inv["items"]
    assert item["content_classes"][0]["class"] == "CONTRACT_LEGAL"
    assert item["content_classes"][0]["reasons"]


def test_fail_on_a_content_tag(cli: Callable[..., Any], folder: Path) -> None:
    r = cli("scan", str(folder), "--fail-on", "INTELLECTUAL_PROPERTY", "--workers", "1")
    assert r.code == 5 and "INTELLECTUAL_PROPERTY" in r.err


def test_catalog_show_prints_the_classes(cli: Callable[..., Any], folder: Path) -> None:
    assert cli("scan", str(folder), "--workers", "1").code == 0
    r = cli("catalog", "show", "nda.txt")
    assert r.code == 0, r.err
    assert "content: CONTRACT_LEGAL" in r.out and "(model)" in r.out


def test_an_uncertain_content_class_is_not_called_public() -> None:
    """With no identifier and no class sure enough (under ``imply``), the dataset is INTERNAL,
    never PUBLIC on a guess; a sure public class keeps PUBLIC."""
    from dataward.classify.content import content_tags
    from dataward.classify.content_model import ContentClass

    unsure = ContentClass("CONTRACT_LEGAL", 0.4, ("whereas",), tags=("CONFIDENTIAL",))
    assert [t.name for t in content_tags((), (unsure,), imply=0.5)] == ["INTERNAL"]
    sure = ContentClass("MARKETING_PUBLIC", 0.9, ("press release",), tags=("PUBLIC",))
    assert [t.name for t in content_tags((), (sure,), imply=0.5)] == ["PUBLIC"]
