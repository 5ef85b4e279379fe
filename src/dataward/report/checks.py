"""The checks behind the controls of ``controls.yaml``: each measures one thing in the facts.

A check returns a :class:`Outcome`: a status, a coverage (numerator of denominator, "3 of 4
datasets with special-category data protected"), the audit events that show it, and a note. A
check whose subsystem is not installed in the store says so ("not built yet") and reports
``not_applicable`` instead of inventing a number.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from dataward.report.evidence import DatasetFact, Facts, Ref

STATUSES = ("met", "partial", "not_met", "not_applicable")

ZIP_REMOVED = frozenset({"redact", "suppress", "nullify"})
"""Operators that remove a ZIP code outright. ``generalize`` keeps a prefix but does not turn
the restricted three-digit areas into 000, so a generalised ZIP column is partial: the
report cannot see the values to tell."""


@dataclass(frozen=True, slots=True)
class Outcome:
    status: str
    numerator: int | None = None
    denominator: int | None = None
    unit: str = ""
    refs: tuple[Ref, ...] = ()
    note: str = ""
    datasets: tuple[int, ...] = field(default=())
    """Ids of the datasets the finding is about (those that fall short first)."""

    @property
    def coverage(self) -> str:
        if self.denominator is None:
            return self.note
        return f"{self.numerator} of {self.denominator} {self.unit}"


Check = Callable[[Facts, Mapping[str, Any]], Outcome]


def _share(numerator: int, denominator: int) -> str:
    if denominator == 0:
        return "not_applicable"
    if numerator == denominator:
        return "met"
    return "partial" if numerator else "not_met"


def _selected(facts: Facts, params: Mapping[str, Any]) -> list[DatasetFact]:
    """The datasets a control is about: those with one of ``tags``, or a column whose entity
    type falls under ``regulation`` (taxonomy), or every dataset."""
    tags = set(params.get("tags") or ())
    regulation = params.get("regulation")
    out = []
    for d in facts.datasets:
        if tags and not tags.intersection(d.tags):
            continue
        if regulation and not any(
            regulation in facts.regulations.get(e, ()) for e in d.raw_columns.values()
        ):
            continue
        out.append(d)
    return out


def _latest(refs: list[Ref], n: int = 3) -> tuple[Ref, ...]:
    return tuple(refs[-n:])


def _what(params: Mapping[str, Any], default: str) -> str:
    tags = params.get("tags")
    if params.get("regulation"):
        return f"datasets with {params['regulation']} data"
    if tags:
        return f"datasets tagged {'/'.join(tags)}"
    return default


def scanned_share(facts: Facts, params: Mapping[str, Any]) -> Outcome:
    """Datasets (those selected) scanned in the last ``days`` days before the report's time."""
    days = int(params.get("days", 7))
    chosen = _selected(facts, params)
    cutoff = datetime.fromisoformat(facts.generated_at.replace("Z", "+00:00")) - timedelta(
        days=days
    )
    fresh = [
        d
        for d in chosen
        if d.last_scan and datetime.fromisoformat(d.last_scan.replace("Z", "+00:00")) >= cutoff
    ]
    stale = [d.id for d in chosen if d not in fresh]
    refs = [r for d in fresh for r in d.scan_refs[-1:]]
    return Outcome(
        _share(len(fresh), len(chosen)),
        len(fresh),
        len(chosen),
        f"{_what(params, 'datasets')} scanned in the last {days} days",
        _latest(sorted(set(refs), key=lambda r: r.index)),
        datasets=tuple(stale),
    )


def protected_share(facts: Facts, params: Mapping[str, Any]) -> Outcome:
    """Selected datasets that a protect run has read (tokenised, masked, encrypted...)."""
    chosen = _selected(facts, params)
    done = [d for d in chosen if d.protected]
    refs = sorted({r for d in done for r in d.protect_refs}, key=lambda r: r.index)
    return Outcome(
        _share(len(done), len(chosen)),
        len(done),
        len(chosen),
        f"{_what(params, 'sensitive datasets')} protected",
        _latest(refs),
        datasets=tuple(d.id for d in chosen if not d.protected),
    )


def identifiers_protected(facts: Facts, params: Mapping[str, Any]) -> Outcome:
    """Columns holding an identifier of ``regulation`` in the selected datasets that a protect
    run transformed."""
    regulation = params["regulation"]
    chosen = _selected(facts, {"tags": params.get("tags")})
    total = done = 0
    short: list[int] = []
    refs: set[Ref] = set()
    for d in chosen:
        for col, entity in d.raw_columns.items():
            if regulation not in facts.regulations.get(entity, ()):
                continue
            total += 1
            if col in d.protected_columns:
                done += 1
                refs.update(d.protect_refs[-1:])
            elif d.id not in short:
                short.append(d.id)
    return Outcome(
        _share(done, total),
        done,
        total,
        f"identifier columns in {_what(params, 'datasets')} protected",
        _latest(sorted(refs, key=lambda r: r.index)),
        datasets=tuple(short),
    )


def zip3_rule(facts: Facts, params: Mapping[str, Any]) -> Outcome:
    """ZIP code columns of the selected datasets: met when each was removed; partial when
    transformed otherwise (generalised to a prefix without the 000 rule for the restricted
    areas, or tokenised: one value per ZIP is not Safe Harbor's removal)."""
    chosen = _selected(facts, {"tags": params.get("tags")})
    total = removed = transformed = 0
    refs: set[Ref] = set()
    short: list[int] = []
    for d in chosen:
        for col, entity in d.raw_columns.items():
            if entity != "POSTAL_CODE":
                continue
            total += 1
            op = d.protected_columns.get(col)
            if op in ZIP_REMOVED:
                removed += 1
                refs.update(d.protect_refs[-1:])
            else:
                if op is not None:
                    transformed += 1
                    refs.update(d.protect_refs[-1:])
                if d.id not in short:
                    short.append(d.id)
    restricted = ", ".join(params.get("restricted", ()))
    status = _share(removed, total)
    if status == "not_met" and transformed:
        status = "partial"
    return Outcome(
        status,
        removed,
        total,
        "ZIP code columns in PHI datasets removed"
        + (f" ({transformed} transformed otherwise)" if transformed else ""),
        _latest(sorted(refs, key=lambda r: r.index)),
        note="Safe Harbor keeps the first three digits only where the three-digit area has "
        f"over 20,000 people; these become 000: {restricted}",
        datasets=tuple(short),
    )


def protect_verified(facts: Facts, params: Mapping[str, Any]) -> Outcome:
    """Protect runs that read their output back (verify full or sample) before it was used."""
    total = len(facts.protect_refs)
    return Outcome(
        _share(facts.protect_verified, total),
        facts.protect_verified,
        total,
        "protect runs verified their output",
        _latest(facts.protect_refs),
    )


def high_risk_decided(facts: Facts, params: Mapping[str, Any]) -> Outcome:
    """Decisions on resources tagged with one of ``tags`` that denied or bound obligations
    (never a bare allow); not met when such datasets exist and no decision was asked."""
    tags = set(params.get("tags") or ())
    asked = [d for d in facts.decisions if tags.intersection(d.tags)]
    guarded = [d for d in asked if d.effect != "allow"]
    risky = _selected(facts, {"tags": sorted(tags)})
    if not asked:
        status = "not_met" if risky else "not_applicable"
        return Outcome(
            status,
            0,
            None,
            "decisions on high-risk data",
            note=f"{len(risky)} datasets tagged {'/'.join(sorted(tags))} and no decision on "
            "such data",
            datasets=tuple(d.id for d in risky),
        )
    return Outcome(
        _share(len(guarded), len(asked)),
        len(guarded),
        len(asked),
        f"decisions on {'/'.join(sorted(tags))} data denied or bound obligations",
        _latest(facts.decision_refs),
    )


def audit_verified(facts: Facts, params: Mapping[str, Any]) -> Outcome:
    """The audit log verifies end to end (hash chain of the Merkle tree, signed checkpoints)."""
    refs = [
        r
        for kind in ("scan", "protect", "decision")
        for r in {"scan": facts.scan_refs, "protect": facts.protect_refs}.get(
            kind, facts.decision_refs
        )[-1:]
    ]
    if facts.tree_size == 0:
        return Outcome("not_met", 0, 0, "audit events", note="the audit log is empty")
    return Outcome(
        "met" if facts.verified else "not_met",
        facts.tree_size if facts.verified else 0,
        facts.tree_size,
        "audit events verified",
        tuple(sorted(refs, key=lambda r: r.index)),
        note=facts.verify_message,
    )


def audit_checkpointed(facts: Facts, params: Mapping[str, Any]) -> Outcome:
    """Verified, and at least one signed checkpoint commits to the tree."""
    base = audit_verified(facts, params)
    if base.status != "met":
        return base
    status = "met" if facts.checkpoints else "partial"
    return Outcome(
        status,
        facts.checkpoints,
        None,
        "",
        base.refs,
        note=f"{facts.checkpoints} signed checkpoints over {facts.tree_size} events",
    )


def _subsystem(facts: Facts, subsystem: str, kinds: tuple[str, ...], what: str) -> Outcome:
    refs = sorted((r for k in kinds for r in facts.kinds.get(k, [])), key=lambda r: r.index)
    if not facts.installed(subsystem):
        return Outcome(
            "not_applicable",
            note=f"{subsystem}: not built yet in this deployment (no tables, "
            "no events), so nothing is measured",
        )
    if not refs:
        return Outcome("not_applicable", 0, None, what, note=f"no {what} recorded")
    return Outcome("met", len(refs), None, what, _latest(refs), note=f"{len(refs)} {what} recorded")


def erasure_recorded(facts: Facts, params: Mapping[str, Any]) -> Outcome:
    """Erasure requests carried out (subject erasure certificates, audit-log erasures)."""
    return _subsystem(facts, "subjects", ("subject_erasure", "erasure"), "erasures")


def retention_recorded(facts: Facts, params: Mapping[str, Any]) -> Outcome:
    """Retention runs recorded (deletions, archives, refusals under a hold)."""
    return _subsystem(facts, "retention", ("retention",), "retention actions")


def lineage_recorded(facts: Facts, params: Mapping[str, Any]) -> Outcome:
    """Runs with their inputs and outputs recorded (lineage)."""
    return _subsystem(facts, "lineage", ("lineage",), "lineage runs")


CHECKS: Mapping[str, Check] = {
    "scanned_share": scanned_share,
    "protected_share": protected_share,
    "identifiers_protected": identifiers_protected,
    "zip3_rule": zip3_rule,
    "protect_verified": protect_verified,
    "high_risk_decided": high_risk_decided,
    "audit_verified": audit_verified,
    "audit_checkpointed": audit_checkpointed,
    "erasure_recorded": erasure_recorded,
    "retention_recorded": retention_recorded,
    "lineage_recorded": lineage_recorded,
}
"""Check names as ``controls.yaml`` spells them."""
