"""Kubeflow Pipelines component specs: scan, decide and protect as pipeline steps.

Each spec is a KFP component definition (the ``component.yaml`` format that
``kfp.components.load_component_from_file`` reads: ``name``, ``inputs``, ``outputs`` and an
``implementation.container`` with ``image``, ``command`` and placeholders such as
``{inputPath: data}``). Each step runs the ``dataward`` CLI in the image you name (one with
``pip install dataward``), so a step does exactly what the command does on a laptop:

- ``dataward-scan``: ``dataward scan --full --format json`` of the input → ``scan`` (JSON);
- ``dataward-decide``: ``dataward decide --fail`` of a request → ``decision``; a deny (exit
  10) or a decision that needs an approval (12) fails the step and stops the pipeline, a
  decision with obligations (11) passes on to ``protect``;
- ``dataward-protect``: ``dataward protect --decision`` → ``protected`` and its signed
  ``receipt`` (the evidence for the next ``decide``).

KFP hands files over without their extension; the ``format`` input (``csv``, ``parquet``,
``jsonl``...) names it. Steps run in separate pods: mount the same ``DATAWARD_HOME`` (a volume
or a secret with the key ring and signing keys) into each, or receipts signed in one step do
not verify in the next.
"""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["component_specs", "component_yaml"]

_SCAN = """set -e
dir="$(mktemp -d)"; cp "$0" "$dir/data.$2"
mkdir -p "$(dirname "$1")"
dataward scan --full --format json "$dir/data.$2" > "$1"
"""

_DECIDE = """code=0
mkdir -p "$(dirname "$1")"
dataward decide --fail "$0" > "$1" || code=$?
case "$code" in
  0|11) exit 0 ;;
  *) echo "dataward decide exited $code (10: deny, 12: needs approval): the pipeline stops" >&2
     exit "$code" ;;
esac
"""

_PROTECT = """set -e
dir="$(mktemp -d)"; cp "$0" "$dir/data.$4"
dataward protect --quiet --decision "$1" "$dir/data.$4" "$dir/out.$4"
mkdir -p "$(dirname "$2")" "$(dirname "$3")"
cp "$dir/out.$4" "$2"; cp "$dir/out.$4.receipt.json" "$3"
"""


def component_specs(image: str) -> dict[str, dict[str, Any]]:
    """The three component specs, by name, for a container ``image`` with Dataward."""
    fmt = {
        "name": "format",
        "type": "String",
        "default": "csv",
        "description": "The data's format: csv, tsv, json, jsonl, parquet or arrow.",
    }

    def container(script: str, args: list[Any]) -> dict[str, Any]:
        return {"container": {"image": image, "command": ["sh", "-c", script], "args": args}}

    return {
        "dataward-scan": {
            "name": "dataward-scan",
            "description": "Classify a dataset's columns (every row) with Dataward.",
            "inputs": [{"name": "data", "type": "Dataset"}, fmt],
            "outputs": [{"name": "scan", "type": "JsonObject"}],
            "implementation": container(
                _SCAN, [{"inputPath": "data"}, {"outputPath": "scan"}, {"inputValue": "format"}]
            ),
        },
        "dataward-decide": {
            "name": "dataward-decide",
            "description": "Decide a request with Dataward's policies; deny stops the run.",
            "inputs": [{"name": "request", "type": "JsonObject"}],
            "outputs": [{"name": "decision", "type": "JsonObject"}],
            "implementation": container(
                _DECIDE, [{"inputPath": "request"}, {"outputPath": "decision"}]
            ),
        },
        "dataward-protect": {
            "name": "dataward-protect",
            "description": "Protect a dataset under a decision; a signed receipt proves it.",
            "inputs": [
                {"name": "data", "type": "Dataset"},
                {"name": "decision", "type": "JsonObject"},
                fmt,
            ],
            "outputs": [
                {"name": "protected", "type": "Dataset"},
                {"name": "receipt", "type": "JsonObject"},
            ],
            "implementation": container(
                _PROTECT,
                [
                    {"inputPath": "data"},
                    {"inputPath": "decision"},
                    {"outputPath": "protected"},
                    {"outputPath": "receipt"},
                    {"inputValue": "format"},
                ],
            ),
        },
    }


def component_yaml(name: str, image: str) -> str:
    """One spec as the ``component.yaml`` text KFP loads."""
    return yaml.safe_dump(component_specs(image)[name], sort_keys=False)
