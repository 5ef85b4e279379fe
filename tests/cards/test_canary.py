"""No raw value in lineage or cards: canary values (an e-mail, an SSN) and a column named by an
e-mail go through scan → protect → decide → features → train → cards, and appear nowhere:
not in the lineage tables, the exported events, the audit log, the cards, the CLI output or
the logs."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
import sqlalchemy as sa

from dataward.cards import card, model_section
from dataward.lineage import tables as lt
from dataward.lineage.io import export_events
from dataward.lineage.view import lineage_graph, to_dot, to_json
from dataward.runtime import Runtime
from tests.cards.conftest import CANARY_COLUMN, CANARY_EMAIL, CANARY_SSN, Pipeline

pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
CANARIES = (CANARY_EMAIL, CANARY_SSN, CANARY_COLUMN, "c4n4ry")


def _clean(text: str, where: str) -> None:
    for canary in CANARIES:
        assert canary not in text, f"{canary!r} leaked into {where}"


def test_no_canary_anywhere(
    runtime: Runtime, pipeline: Pipeline, cli: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    outputs = {
        "croissant": json.dumps(card(runtime, pipeline.raw, "croissant")),
        "hf": card(runtime, pipeline.raw, "hf"),
        "md": card(runtime, pipeline.protected, "md"),
        "model": model_section(runtime, pipeline.model.name),
        "events": json.dumps(export_events(runtime)),
        "graph": to_json(lineage_graph(runtime, pipeline.raw)),
        "dot": to_dot(lineage_graph(runtime, pipeline.raw)),
    }
    for name, text in outputs.items():
        _clean(text, name)
    # the canary column was scanned: its masked name is what the catalog, lineage and cards know
    assert CANARY_COLUMN in (pipeline.root / "lz" / "people.csv").read_text()
    assert "<EMAIL_ADDRESS>" in outputs["croissant"]
    shown = cli("lineage", "show", pipeline.raw)
    carded = cli("card", pipeline.raw, "--format", "md")
    assert shown.code == carded.code == 0
    _clean(shown.out + shown.err + carded.out + carded.err, "the CLI")
    with runtime.store.begin() as conn:
        for table in lt.metadata.sorted_tables:
            rows = conn.execute(sa.select(table)).all()
            assert rows or table.name in ("lineage_links",), table.name
            _clean(json.dumps([list(map(str, r)) for r in rows]), table.name)
    log = [e.payload for e in runtime.audit_log.events() if e.kind == "lineage"]
    assert log
    _clean(json.dumps(log), "the audit log's lineage events")
    _clean(caplog.text, "the logs")
