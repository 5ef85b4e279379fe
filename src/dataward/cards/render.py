"""A dataset's facts (:class:`~dataward.cards.facts.CardFacts`) as a card:

- :func:`croissant`: Croissant 1.1 JSON-LD with the Responsible AI vocabulary
  (``rai:personalSensitiveInformation``, ``rai:dataCollection``,
  ``rai:dataGovernanceProtocol``, ``rai:dataPreprocessingProtocol``, ``rai:dataUseCases``,
  ``rai:dataLimitations``...), one ``cr:RecordSet`` with a ``cr:Field`` per column;
- :func:`hf_card`: a Hugging Face dataset card (YAML front matter + Markdown);
- :func:`markdown`: the same facts as plain Markdown;
- :func:`model_section`: the "Training data governance" section of a model card, from the
  model's lineage and links.

Every statement comes from a record (the catalog, a decision, a lineage run, an audit event);
nothing is invented, and what is unknown is said to be.
"""

from __future__ import annotations

from typing import Any

import yaml

from dataward.cards.facts import CardFacts
from dataward.lineage.graph import links, store_of, upstream
from dataward.lineage.labels import labels

__all__ = ["croissant", "hf_card", "markdown", "model_section"]

CROISSANT_1_1 = "http://mlcommons.org/croissant/1.1"
RAI_1_0 = "http://mlcommons.org/croissant/RAI/1.0"

_CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "arrayShape": "cr:arrayShape",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "containedIn": "cr:containedIn",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isArray": "cr:isArray",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}
"""The Croissant 1.1 JSON-LD context (as ``mlcroissant`` writes it for 1.1)."""

_ENCODINGS = {
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "json": "application/json",
    "jsonl": "application/jsonlines",
    "parquet": "application/x-parquet",
    "txt": "text/plain",
    "text": "text/plain",
}

_TYPES = {
    "int": "sc:Integer",
    "uint": "sc:Integer",
    "float": "sc:Float",
    "double": "sc:Float",
    "decimal": "sc:Float",
    "bool": "sc:Boolean",
    "date": "sc:Date",
    "timestamp": "sc:DateTime",
}


def _data_type(arrow_type: str) -> str:
    for prefix, sc_type in _TYPES.items():
        if arrow_type.startswith(prefix):
            return sc_type
    return "sc:Text"


def _id(text: str) -> str:
    """A JSON-LD ``@id`` fragment: no spaces, slashes or ``#``."""
    cleaned = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in text)
    return cleaned or "_"


def _sensitive_lines(facts: CardFacts) -> list[str]:
    lines = []
    for c in facts.columns:
        live = sorted({x["label"] for x in c["labels"] if x["status"] != "stopped"})
        if c["entity"] and c["sensitive"] and c["entity"] not in live:
            live.append(c["entity"])
        if live:
            lines.append(f"column {c['name']}: {', '.join(sorted(live))}")
    return lines


def _collection(facts: CardFacts) -> str:
    up = ", ".join(f"{n['name']} ({n['kind']})" for n in facts.upstream) or "none recorded"
    sample = "sampled" if facts.sampled else "every row read"
    return (
        f"{facts.rows:,} rows of {facts.format} at {facts.path}, scanned by Dataward on "
        f"{facts.scanned_at} ({sample}). Recorded upstream lineage: {up}."
    )


def _governance(facts: CardFacts) -> list[str]:
    out = []
    for d in facts.decisions:
        line = (
            f"decision {d['decision_id']}: {d['effect']} for {d['action']}"
            f" (purpose {d['purpose'] or 'unspecified'}, policy revision {d['policy_revision']})"
        )
        if d["obligations"]:
            line += f"; obligations {', '.join(d['obligations'])}"
        out.append(line)
    cp = facts.proofs.get("checkpoint")
    if cp:
        out.append(
            f"audit log checkpoint: {cp['size']} events, root {cp['root']}; "
            f"{len(facts.proofs['events'])} events about this dataset with inclusion proofs"
        )
    return out or ["no decision about this dataset is logged"]


def _preprocessing(facts: CardFacts) -> list[str]:
    return [
        f"{p['input']} -> {p['output']}: column {p['column']} masked by "
        f"{p['operator'] or 'an operator'} (run {p['run_id']})"
        for p in facts.protect_runs
    ]


def croissant(facts: CardFacts, *, license: str | None = None) -> dict[str, Any]:
    """Croissant 1.1 JSON-LD with RAI properties (``mlcroissant`` validates it). ``license``:
    the dataset's license URL or SPDX id, which no record holds (absent: mlcroissant warns
    that the recommended ``license`` is missing)."""
    file_id = _id(facts.name)
    record_id = _id(facts.name.rsplit(".", 1)[0]) + "_records"
    distribution: dict[str, Any] = {
        "@type": "cr:FileObject",
        "@id": file_id,
        "name": facts.name,
        "contentUrl": facts.path,
        "encodingFormat": _ENCODINGS.get(facts.format, "application/octet-stream"),
        "contentSize": f"{facts.size_bytes} B",
    }
    distribution["sha256"] = facts.sha256
    if facts.version:
        distribution["identifier"] = facts.version
    fields = [
        {
            "@type": "cr:Field",
            "@id": f"{record_id}/{_id(c['name'])}",
            "name": c["name"],
            "description": (
                f"sensitive: {c['entity']}" if c["sensitive"] and c["entity"] else "not sensitive"
            ),
            "dataType": _data_type(c["data_type"]),
            "source": {"fileObject": {"@id": file_id}, "extract": {"column": c["name"]}},
        }
        for c in facts.columns
    ]
    uses = sorted({str(d["purpose"]) for d in facts.decisions if d["effect"] != "deny"})
    refused = sorted({str(d["purpose"]) for d in facts.decisions if d["effect"] == "deny"})
    limitations = [f"refused for purpose {p} by policy" for p in refused]
    if facts.sampled:
        limitations.append("classified from a sample of its rows")
    doc: dict[str, Any] = {
        "@context": _CONTEXT,
        "@type": "sc:Dataset",
        "name": facts.name,
        "description": f"{facts.name}: {facts.rows:,} rows; card made by Dataward from its records",
        "conformsTo": [CROISSANT_1_1, RAI_1_0],
        "citeAs": f"{facts.name} ({facts.version or 'unversioned'})",
        "url": facts.path,
        "version": "1.0.0",
        "datePublished": facts.scanned_at[:10],
        "creator": {"@type": "sc:Organization", "name": "Dataward"},
        "keywords": facts.tags,
        "distribution": [distribution],
        "recordSet": [
            {"@type": "cr:RecordSet", "@id": record_id, "name": record_id, "field": fields}
        ],
        "rai:personalSensitiveInformation": _sensitive_lines(facts) or ["none found by scan"],
        "rai:dataCollection": _collection(facts),
        "rai:dataCollectionType": ["Dataward catalog scan"],
        "rai:dataGovernanceProtocol": _governance(facts),
        "rai:dataPreprocessingProtocol": _preprocessing(facts) or ["no masking run recorded"],
        "rai:dataUseCases": [f"allowed for purpose {p}" for p in uses] or ["none decided"],
        "rai:dataLimitations": limitations or ["none recorded"],
        "rai:dataReleaseMaintenancePlan": (
            "regenerated from the catalog, decision log, lineage and audit log on each "
            "`dataward card` run"
        ),
    }
    if license:
        doc["license"] = license
    return doc


def _size_category(rows: int) -> str:
    for bound, label in (
        (1_000, "n<1K"),
        (10_000, "1K<n<10K"),
        (100_000, "10K<n<100K"),
        (1_000_000, "100K<n<1M"),
        (10_000_000, "1M<n<10M"),
        (100_000_000, "10M<n<100M"),
    ):
        if rows < bound:
            return label
    return "n>100M"


def _body(facts: CardFacts, *, heading: str = "#") -> list[str]:
    h2 = heading + "#"
    lines = [
        f"{heading} {facts.name}",
        "",
        f"{facts.rows:,} rows of {facts.format}; version `{facts.version or 'unknown'}`; "
        f"scanned {facts.scanned_at}.",
        "",
        f"{h2} Personal and sensitive information",
        "",
    ]
    sensitive = _sensitive_lines(facts)
    lines += [f"- {s}" for s in sensitive] or ["- none found by scan"]
    lines += ["", "| column | type | entity | labels |", "|---|---|---|---|"]
    for c in facts.columns:
        labs = ", ".join(
            f"{x['label']} ({x['status']}{', ' + x['operator'] if x['operator'] else ''})"
            for x in c["labels"]
        )
        lines.append(f"| {c['name']} | {c['data_type']} | {c['entity'] or '-'} | {labs or '-'} |")
    lines += ["", f"{h2} Lineage", ""]
    lines += [
        f"- upstream: {n['name']} ({n['kind']}, {n['version'] or '-'})" for n in facts.upstream
    ]
    lines += [
        f"- downstream: {n['name']} ({n['kind']}, {n['version'] or '-'})" for n in facts.downstream
    ]
    if not facts.upstream and not facts.downstream:
        lines.append("- no lineage recorded")
    lines += [f"- {p}" for p in _preprocessing(facts)]
    lines += ["", f"{h2} Governance", ""]
    lines += [f"- {g}" for g in _governance(facts)]
    if facts.proofs:
        lines += ["", "Audit events (index: leaf hash):", ""]
        lines += [
            f"- {e['index']} ({e['kind']}): `{e['leaf_hash']}`" for e in facts.proofs["events"]
        ]
    return lines


def hf_card(facts: CardFacts, *, license: str | None = None) -> str:
    """A Hugging Face dataset card: YAML front matter (``pretty_name``, ``license`` when
    given, ``size_categories``, ``tags``, ``configs``) and the Markdown body."""
    front: dict[str, Any] = {} if not license else {"license": license}
    front |= {
        "pretty_name": facts.name,
        "size_categories": [_size_category(facts.rows)],
        "tags": sorted({"dataward", *(t.lower() for t in facts.tags)}),
        "configs": [
            {"config_name": "default", "data_files": [{"split": "train", "path": facts.name}]}
        ],
        "dataward": {
            "version": facts.version,
            "sensitive_columns": [c["name"] for c in facts.sensitive_columns],
            "decisions": [d["decision_id"] for d in facts.decisions],
        },
    }
    text = yaml.safe_dump(front, sort_keys=False, allow_unicode=True)
    return "---\n" + text + "---\n\n" + "\n".join(_body(facts)) + "\n"


def markdown(facts: CardFacts) -> str:
    """The card as plain Markdown."""
    return "\n".join(_body(facts)) + "\n"


def model_section(target: Any, model: str) -> str:
    """A model card's "Training data governance" section: the dataset and feature versions the
    model's versions were trained from (lineage), the labels still live on them, and the
    decisions, go token digests and receipts linked to the model."""
    from dataward.detect.api import masked_path

    store = store_of(target)
    up = upstream(store, model)
    found = links(store, model)
    lines = ["## Training data governance", ""]
    if not up:
        lines.append("No training data is recorded in the lineage graph for this model.")
    for n in up:
        live = sorted({f"{x.label}" for x in labels(store, n.name) if x.status != "stopped"})
        lines.append(
            f"- {n.kind} {masked_path(n.name)} @ {n.version or 'unversioned'}"
            + (f": sensitive labels {', '.join(live)}" if live else ": no live sensitive label")
        )
    names = {
        "decision": "decisions",
        "go_token": "go tokens (SHA-256)",
        "receipt": "receipts",
        "mlflow_run": "MLflow runs",
        "dataset_version": "dataset versions",
    }
    for kind, title in names.items():
        if found.get(kind):
            lines.append(f"- {title}: {', '.join(found[kind])}")
    return "\n".join(lines) + "\n"
