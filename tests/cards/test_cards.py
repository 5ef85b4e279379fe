"""Cards from the records: Croissant 1.1 + RAI (validated by mlcroissant), a Hugging Face card,
Markdown, a model card section; and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import mlcroissant as mlc
import pytest
import yaml

from dataward.audit import merkle
from dataward.cards import CardError, card, croissant, gather, hf_card, model_section
from dataward.runtime import Runtime
from tests.cards.conftest import Pipeline

# mlcroissant's rdflib use (a library's, not ours)
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")


def test_croissant_validates_with_rai_from_the_records(
    runtime: Runtime, pipeline: Pipeline
) -> None:
    doc = card(runtime, pipeline.raw, "croissant", license="CC-BY-4.0")
    dataset = mlc.Dataset(jsonld=doc)  # raises mlc.ValidationError on an error
    issues = dataset.metadata.ctx.issues
    assert not issues.errors, issues.report()
    assert not issues.warnings, issues.report()
    meta = dataset.metadata
    assert "http://mlcommons.org/croissant/1.1" in doc["conformsTo"]
    sensitive = " ".join(meta.personal_sensitive_information or [])
    assert "EMAIL_ADDRESS" in sensitive and "US_SSN" in sensitive
    assert "scanned by Dataward" in (meta.data_collection or "")
    governance = " ".join(doc["rai:dataGovernanceProtocol"])
    assert "allow_with_obligations for train" in governance
    assert "purpose research" in governance
    preprocessing = " ".join(doc["rai:dataPreprocessingProtocol"])
    assert "column email masked by token" in preprocessing or "masked by" in preprocessing
    fields = [f.name for f in meta.record_sets[0].fields]
    assert "email" in fields and "ssn" in fields


def test_protected_card_says_labels_stopped_and_use_allowed(
    runtime: Runtime, pipeline: Pipeline
) -> None:
    facts = gather(runtime, pipeline.protected)
    doc = croissant(facts)
    mlc.Dataset(jsonld=doc)
    email = next(c for c in facts.columns if c["name"] == "email")
    assert {x["status"] for x in email["labels"]} == {"stopped"}
    assert doc["rai:dataUseCases"] == ["allowed for purpose research"]
    assert [n["name"] for n in facts.upstream] == [pipeline.raw]
    assert [n["name"] for n in facts.downstream][:1] == ["features.people"]


def test_card_proofs_verify_against_the_audit_log(runtime: Runtime, pipeline: Pipeline) -> None:
    facts = gather(runtime, pipeline.raw)
    cp = facts.proofs["checkpoint"]
    import base64

    root = base64.b64decode(cp["root"])
    assert facts.proofs["events"]
    for e in facts.proofs["events"]:
        proof = [bytes.fromhex(h) for h in e["inclusion_proof"]]
        leaf = bytes.fromhex(e["leaf_hash"])
        assert merkle.verify_inclusion(leaf, e["index"], cp["size"], proof, root)
        bad = bytes(32)
        assert not merkle.verify_inclusion(bad, e["index"], cp["size"], proof, root)
    assert runtime.audit_log.verify().events >= cp["size"]


def test_hf_card_has_front_matter_and_body(runtime: Runtime, pipeline: Pipeline) -> None:
    text = hf_card(gather(runtime, pipeline.raw))
    assert text.startswith("---\n")
    front = yaml.safe_load(text.split("---\n")[1])
    assert front["pretty_name"] == "people.csv"
    assert front["size_categories"] == ["n<1K"]
    assert "email" in front["dataward"]["sensitive_columns"]
    assert "## Personal and sensitive information" in text
    from huggingface_hub import DatasetCard

    parsed = DatasetCard(text)
    assert parsed.data.pretty_name == "people.csv"


def test_model_section_names_data_decision_and_token_digest(
    runtime: Runtime, pipeline: Pipeline
) -> None:
    text = model_section(runtime, pipeline.model.name)
    assert "## Training data governance" in text
    assert "features features.people @ fv1" in text
    assert pipeline.decision.decision_id in text
    assert "go tokens (SHA-256): sha256:" in text
    assert pipeline.token not in text


def test_unknown_dataset_and_format(runtime: Runtime) -> None:
    with pytest.raises(CardError, match="no dataset"):
        card(runtime, "nowhere.csv", "croissant")
    with pytest.raises(CardError, match="format"):
        card(runtime, "nowhere.csv", "pdf")


def test_cli_card_formats_and_out(cli, pipeline: Pipeline, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "cards" / "people.json"
    result = cli("card", pipeline.raw, "--format", "croissant", "--out", str(out))
    assert result.code == 0, result.err
    mlc.Dataset(jsonld=json.loads(out.read_text()))
    hf = cli("card", pipeline.raw, "--format", "hf")
    assert hf.code == 0 and hf.out.startswith("---\n")
    md = cli("card", pipeline.raw, "--format", "md")
    assert md.code == 0 and md.out.startswith("# people.csv")
    assert cli("card", pipeline.raw, "--format", "pdf").code == 2
    missing = cli("card", "nowhere.csv")
    assert missing.code == 3 and "no dataset" in missing.err
    model = cli("card", pipeline.model.name, "--model")
    assert model.code == 0 and "Training data governance" in model.out
