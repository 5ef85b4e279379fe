"""Canary: no raw identifier in the index, the plan, the certificate, the audit log, the
store, the logs or the errors, through index, find, plan, execute, consent and retention."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from dataward.retention import place_hold
from dataward.runtime import Runtime
from dataward.subjects import SubjectError, execute, find, index_paths, plan
from dataward.subjects.consent import withdraw

from .conftest import CANARY_EMAIL, CANARY_SSN

SPELLINGS = (
    CANARY_EMAIL,
    CANARY_EMAIL.upper(),
    "canary.7731",
    CANARY_SSN,
    CANARY_SSN.replace("-", ""),
    "5550172",
)


def _absent(text: str, where: str) -> None:
    for value in SPELLINGS:
        assert value.lower() not in text.lower(), f"{value!r} leaked into {where}"


def test_no_identifier_anywhere(
    landing: Path, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    index_paths([str(landing)])
    place_hold("matter-7", str(landing / "events.jsonl"))
    found = find(CANARY_EMAIL)
    erasure = plan(CANARY_EMAIL)
    result = execute(erasure, CANARY_EMAIL)
    withdraw(CANARY_SSN, entity="US_SSN")
    withdraw(purpose="marketing")
    errors: list[str] = []
    for bad in ("not an identifier", f"{CANARY_EMAIL} trailing words"):
        with pytest.raises(SubjectError) as info:
            find(bad)
        errors.append(str(info.value))
    _absent(json.dumps([x.to_dict() for x in found]), "find")
    _absent(json.dumps(erasure.to_dict()), "the plan")
    _absent(json.dumps(result.to_dict()), "the result")
    _absent(result.certificate.to_json(), "the certificate")
    _absent(" ".join(errors), "errors")
    _absent(caplog.text, "logs")
    for event in runtime.audit_log.events():
        _absent(json.dumps(event.payload, default=str), f"audit event {event.kind}")
    runtime.close()
    home = Path(runtime.home)
    stored = [p for p in home.rglob("*") if p.is_file()]
    assert any(p.suffix == ".db" for p in stored)
    for p in stored:
        _absent(p.read_bytes().decode("latin-1"), f"the home file {p.name}")
