"""Run the whole loop on a generated landing zone and write an HTML report.

1. build a landing zone (CSV, JSONL, Parquet, free-text notes, a config file);
2. scan and classify it into the catalog;
3. ask for a training decision: PHI, card data and a secret give obligations;
4. protect every file *with that decision*: each run applies exactly its obligations and
   returns a signed receipt (the evidence);
5. check that no original identifier survives in the protected files;
6. ask again for the protected dataset (its version is the hash of the protected files) with
   the receipts as evidence: allow, with a signed go token that names them (a request that
   only claims the transforms stays denied);
7. verify the audit log, which recorded every step;
8. write ``report.html``.
"""

from __future__ import annotations

import csv
import html
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console

from dataward.demo.landing import build

PURPOSE = "product-analytics"


@dataclass
class Step:
    title: str
    detail: str
    rows: list[list[str]] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    status: str = "ok"


def _request(tags: list[str], version: str, transforms: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "principal": {"type": "ServiceAccount", "id": "readmission-trainer", "groups": ["ml"]},
        "action": "train",
        "resource": {"type": "Dataset", "id": "clinical-landing", "version": version, "tags": tags},
        "context": {
            "purpose": PURPOSE,
            "environment": "prod",
            "job_id": "readmission-risk-v1",
            "lawful_basis": ["legitimate_interests"],
            "consent": [PURPOSE],
            "transforms": list(transforms),
        },
    }


def run_demo(workdir: Path, console: Console | None = None) -> Path:
    """Run the demo in ``workdir``; returns the path of the HTML report."""
    import dataward as dw
    from dataward.audit import open_audit_log
    from dataward.policy import evidence, verify_token
    from dataward.protect.files import protect_file
    from dataward.store import open_store

    console = console or Console()
    steps: list[Step] = []
    landing, protected = workdir / "landing", workdir / "protected"
    started = time.perf_counter()

    files = build(landing)
    steps.append(
        Step(
            "Landing zone",
            f"{len(files)} files of synthetic clinical and billing data in {landing}",
            [[f.relative_to(workdir).as_posix(), f"{f.stat().st_size:,} bytes"] for f in files],
            ["file", "size"],
        )
    )
    console.print(f"[bold]1.[/] built a landing zone of {len(files)} files in {landing}")

    result = dw.scan([landing], force=True)
    tags = sorted(result.tags())
    scan_rows = [
        [Path(d.path).name, str(d.rows), ", ".join(d.tag_names), d.summary(new_rows=d.rows)]
        for d in result.datasets
    ]
    steps.append(
        Step(
            "Scan and classify",
            result.summary().splitlines()[0],
            scan_rows,
            ["dataset", "rows", "tags", "summary"],
        )
    )
    console.print(
        f"[bold]2.[/] scanned: {result.summary().splitlines()[0]}; tags {', '.join(tags)}"
    )

    version = "|".join(sorted(f.fingerprint[-12:] for f in result.files))
    first = dw.decide(_request(tags, version))
    obligations = [o.to_dict() for o in first.obligations]
    steps.append(
        Step(
            "Training decision",
            f"train on clinical-landing for {PURPOSE!r}: {first.effect}",
            [
                [o["transform"], o["operator"], o["target"], ", ".join(o["policies"])]
                for o in obligations
            ],
            ["obligation", "operator", "target", "policies"],
            "warn" if first.effect != "allow" else "ok",
        )
    )
    console.print(
        f"[bold]3.[/] decision: [yellow]{first.effect}[/] with obligations "
        + ", ".join(o["transform"] for o in obligations)
    )

    protected.mkdir(parents=True, exist_ok=True)
    protect_rows = []
    receipts = []
    for f in files:
        out = protected / f.relative_to(landing)
        out.parent.mkdir(parents=True, exist_ok=True)
        report = protect_file(f, out, decision=first)
        receipt = report.receipt or {}
        receipts.append(receipt)
        met = ", ".join(
            f"{o['transform']} ×{o['count']}" for o in receipt.get("obligations", []) if o["count"]
        )
        protect_rows.append(
            [
                f.relative_to(landing).as_posix(),
                str(report.rows_out),
                met or "-",
                f"{evidence.receipt_digest(receipt)[7:19]}…",
            ]
        )
    steps.append(
        Step(
            "Protect with the decision",
            f"every file rewritten into {protected} with exactly the decision's obligations; "
            "each run returns a receipt signed with the audit key",
            protect_rows,
            ["file", "rows", "obligations met (values)", "receipt"],
        )
    )
    console.print(
        f"[bold]4.[/] protected {len(files)} files into {protected}, {len(receipts)} receipts"
    )

    leaks = _leak_check(landing, protected)
    steps.append(
        Step(
            "Leak check",
            "original identifiers searched for in every protected file",
            [[k, str(total), str(found)] for k, (total, found) in leaks.items()],
            ["identifier", "originals", "still present"],
            "ok" if not any(found for _, found in leaks.values()) else "bad",
        )
    )
    remaining = sum(found for _, found in leaks.values())
    console.print(f"[bold]5.[/] leak check: {remaining} original identifiers remain")

    protected_version = evidence.folder_sha256(protected)
    claimed = tuple(o["transform"] for o in obligations)
    only_claimed = dw.decide(_request(tags, protected_version, claimed))
    second = dw.decide(_request(tags, protected_version), evidence=receipts)
    token = second.token or ""
    named = verify_token(token).get("evidence", []) if token else []
    steps.append(
        Step(
            "Decision after protection",
            f"the protected dataset (version {protected_version[:19]}…): transforms only "
            f"claimed: {only_claimed.effect}; with the {len(receipts)} receipts as evidence: "
            f"{second.effect}",
            [
                ["claimed only", only_claimed.effect],
                ["with evidence", second.effect],
                [
                    "go token",
                    f"{token[:24]}… (Ed25519, expires {second.expires_at or 'in 15 min'})",
                ],
                ["evidence it names", ", ".join(f"{d[7:19]}…" for d in named) or "-"],
            ],
            ["", ""],
            "ok" if second.effect == "allow" and only_claimed.effect != "allow" else "bad",
        )
    )
    console.print(
        f"[bold]6.[/] claimed only: {only_claimed.effect}; with evidence: "
        f"[green]{second.effect}[/], go token issued: {bool(token)}, naming "
        f"{len(named)} receipts"
    )

    store = open_store()
    try:
        log = open_audit_log(store)
        log.checkpoint()
        report_ = log.verify()
        kinds: dict[str, int] = {}
        for event in log.events():
            kinds[event.kind] = kinds.get(event.kind, 0) + 1
        audit_detail = (
            f"verified {report_.events} events and {report_.checkpoints} signed checkpoints; "
            f"root {report_.root.hex()[:16]}…"
        )
    finally:
        store.close()
    steps.append(
        Step(
            "Audit log",
            audit_detail,
            [[k, str(v)] for k, v in sorted(kinds.items())],
            ["event", "count"],
        )
    )
    console.print(f"[bold]7.[/] audit log: {audit_detail}")

    path = workdir / "report.html"
    _write_report(path, steps, time.perf_counter() - started)
    console.print(f"[bold]8.[/] report: [link=file://{path.resolve()}]{path.resolve()}[/]")
    return path


def _leak_check(landing: Path, protected: Path) -> dict[str, tuple[int, int]]:
    """How many original SSNs, emails, phones and card numbers appear in protected files.

    The originals stay in memory and are never printed: only counts leave this function."""
    import pyarrow.parquet as pq

    with (landing / "patients.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    originals = {
        "SSN": {r["ssn"] for r in rows},
        "email": {r["email"] for r in rows},
        "phone": {r["phone"] for r in rows},
        "name": {f"{r['first_name']} {r['last_name']}" for r in rows},
        "card": set(pq.read_table(landing / "claims.parquet")["card_number"].to_pylist()),
    }
    blob = b"".join(p.read_bytes() for p in sorted(protected.rglob("*")) if p.is_file())
    text = blob.decode("utf-8", "replace")
    return {k: (len(v), sum(1 for x in v if x in text)) for k, v in originals.items()}


def _write_report(path: Path, steps: list[Step], seconds: float) -> None:
    colour = {"ok": "#2e7d32", "warn": "#b26a00", "bad": "#c62828"}
    parts = []
    for n, step in enumerate(steps, 1):
        rows = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
            for row in step.rows
        )
        head = "".join(f"<th>{html.escape(h)}</th>" for h in step.header)
        table = (
            f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>" if rows else ""
        )
        parts.append(
            f'<section><h2><span style="color:{colour[step.status]}">●</span> {n}. '
            f"{html.escape(step.title)}</h2><p>{html.escape(step.detail)}</p>{table}</section>"
        )
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Dataward demo report</title><style>
body {{ font: 14px/1.5 system-ui, sans-serif; max-width: 1000px; margin: 24px auto; color: #1d2330; }}
section {{ border: 1px solid #e3e6ee; border-radius: 10px; padding: 12px 18px; margin: 14px 0; }}
h1 {{ font-size: 22px; }} h2 {{ font-size: 17px; margin: 4px 0; }}
table {{ border-collapse: collapse; width: 100%; }} td, th {{ text-align: left; padding: 4px 8px;
border-bottom: 1px solid #eef0f5; }} th {{ color: #6b7385; font-size: 12px; }}
</style></head><body><h1>Dataward: from landing zone to an allowed training job</h1>
<p>Run {when} in {seconds:.1f} s. Values are never shown: tables hold counts, tags and masked
previews only.</p>{"".join(parts)}</body></html>"""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
