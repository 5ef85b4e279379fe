"""A report document written out: JSON, HTML (inline SVG charts), PDF (headless Chromium),
OSCAL assessment results, and the GDPR Art. 30 records of processing as CSV.

JSON and OSCAL are byte-identical for the same document (sorted keys, identifiers derived from
the document, no clock read). Every file is written to a temporary name and moved into place.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any

from dataward.report import charts
from dataward.report.evidence import ReportError, json_dumps
from dataward.report.posture import FRAMEWORKS

FORMATS = ("json", "html", "pdf", "oscal", "csv")
"""What ``--format`` takes; ``csv`` is the GDPR Art. 30 records of processing."""

OSCAL_VERSION = "1.1.2"
NAMESPACE = uuid.UUID("5b0e3c1e-6a2f-4b39-9d55-0d6a3c7e2f10")
"""UUIDs in the OSCAL form are uuid5 of this namespace and the document's own text."""
PROP_NS = "https://dataward.dev/ns/oscal"


def to_json(doc: Mapping[str, Any]) -> bytes:
    return json_dumps(doc).encode("utf-8")


def chart_set(doc: Mapping[str, Any]) -> dict[str, str]:
    """The report's charts as SVG strings (the dashboard shows the same ones)."""
    ds = doc["datasets"]
    sensitive = [d for d in ds["items"] if d["sensitive"]]
    return {
        "coverage": charts.coverage(
            "Coverage",
            [
                (f"scanned in {ds['scanned_window_days']} days", ds["scanned"], ds["total"]),
                (
                    "sensitive protected",
                    sum(1 for d in sensitive if d["protected"]),
                    len(sensitive),
                ),
                ("protect runs verified", doc["protect"]["verified"], doc["protect"]["runs"]),
            ],
            "chart-coverage",
        ),
        "controls": charts.bars(
            "Controls by status", doc.get("controls_by_status", {}), "chart-controls"
        ),
        "tags": charts.bars("Datasets by tag", ds["by_tag"], "chart-tags"),
        "effects": charts.bars(
            "Decisions by effect", doc["decisions"]["by_effect"], "chart-effects"
        ),
        "timeline": charts.timeline(
            "Sensitivity by dataset over time", doc["sensitivity_over_time"], "chart-timeline"
        ),
        "alerts": charts.bars(
            "Alerts by severity",
            doc["alerts"].get("by_severity", {}) if doc["alerts"].get("built") else {},
            "chart-alerts",
        ),
        "lineage": charts.lineage("Lineage", doc["lineage"].get("edges", []), "chart-lineage"),
    }


def to_html(doc: Mapping[str, Any]) -> str:
    """The report as one self-contained HTML page (no script, no link out)."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape
    from markupsafe import Markup

    env = Environment(
        loader=FileSystemLoader(str(files("dataward.report").joinpath("templates"))),
        autoescape=select_autoescape(["html"]),
    )
    svg = {k: Markup(v) for k, v in chart_set(doc).items()}
    return env.get_template("report.html").render(
        doc=doc,
        charts=svg,
        names=FRAMEWORKS,
        frameworks=", ".join(FRAMEWORKS[f] for f in doc["frameworks"]),
    )


def chromium() -> str:
    """The headless Chromium binary; a :class:`ReportError` when none is installed."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    raise ReportError(
        "a PDF report needs Chromium (`apt-get install chromium`); "
        "write --format html and print it instead"
    )


def to_pdf(html: str, timeout: float = 120.0) -> bytes:
    """The HTML printed to PDF by headless Chromium (its own profile, no network use)."""
    binary = chromium()
    with tempfile.TemporaryDirectory(prefix="dataward-report-") as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(html, encoding="utf-8")
        out = Path(tmp) / "report.pdf"
        command = [
            binary,
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--no-first-run",
            "--disable-extensions",
            "--disable-background-networking",
            f"--user-data-dir={tmp}/profile",
            "--no-pdf-header-footer",
            f"--print-to-pdf={out}",
            page.as_uri(),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise ReportError(f"Chromium did not print the report within {timeout:.0f} s") from None
        if not out.exists() or out.stat().st_size == 0:
            raise ReportError("Chromium printed no PDF (run it by hand to see why)")
        return out.read_bytes()


def _slug(text: str) -> str:
    out = "".join(ch.lower() if ch.isalnum() else "-" for ch in text)
    while "--" in out:
        out = out.replace("--", "-")
    return out.strip("-")


def to_oscal(doc: Mapping[str, Any]) -> bytes:
    """The report as OSCAL assessment results (one result, an observation and a finding per
    control, evidence as ``audit:<id>`` links), validated with compliance-trestle's models
    when installed (the ``report`` extra)."""
    seed = hashlib.sha256(to_json(doc)).hexdigest()

    def uid(name: str) -> str:
        return str(uuid.uuid5(NAMESPACE, f"{seed}:{name}"))

    when = doc["generated_at"]
    observations, findings, selected = [], [], []
    for c in doc["controls"]:
        cid = f"{c['framework']}-{_slug(c['control'])}"
        selected.append({"control-id": cid})
        obs_uuid = uid("obs:" + cid)
        evidence = [
            {
                "href": f"audit:{e['event']}",
                "description": (
                    f"{e['kind']} event {e['event']}, leaf {e['leaf_hash']}, included in the "
                    f"tree of {e['tree_size']} events (root {doc['audit']['root']}) by "
                    f"{len(e['inclusion_proof'])} proof hashes: "
                    + (" ".join(e["inclusion_proof"]) or "none")
                ),
            }
            for e in c["evidence"]
        ]
        observation: dict[str, Any] = {
            "uuid": obs_uuid,
            "title": f"{FRAMEWORKS[c['framework']]} {c['control']}: {c['title']}",
            "description": c["coverage"]["text"] or c["note"] or c["status"],
            "props": [{"name": "status", "ns": PROP_NS, "value": c["status"]}],
            "methods": ["EXAMINE", "TEST"],
            "collected": when,
        }
        if evidence:
            observation["relevant-evidence"] = evidence
        if c["note"]:
            observation["remarks"] = c["note"]
        observations.append(observation)
        state = "satisfied" if c["status"] == "met" else "not-satisfied"
        reason = {"met": "pass", "not_met": "fail"}.get(c["status"], "other")
        findings.append(
            {
                "uuid": uid("finding:" + cid),
                "title": f"{FRAMEWORKS[c['framework']]} {c['control']}",
                "description": c["asks"],
                "target": {
                    "type": "objective-id",
                    "target-id": cid,
                    "status": {"state": state, "reason": reason},
                },
                "related-observations": [{"observation-uuid": obs_uuid}],
            }
        )
    result: dict[str, Any] = {
        "uuid": uid("result"),
        "title": "Dataward posture assessment",
        "description": doc["summary"]["text"],
        "start": doc["since"] or when,
        "end": when,
        "reviewed-controls": {"control-selections": [{"include-controls": selected}]},
    }
    if observations:
        result["observations"] = observations
        result["findings"] = findings
    oscal = {
        "assessment-results": {
            "uuid": uid("document"),
            "metadata": {
                "title": "Dataward data protection posture",
                "last-modified": when,
                "version": seed[:12],
                "oscal-version": OSCAL_VERSION,
            },
            "import-ap": {
                "href": "#dataward-posture-plan",
                "remarks": "The assessment plan is the control catalogue of dataward.report "
                "(controls.yaml).",
            },
            "results": [result],
        }
    }
    validate_oscal(oscal)
    return json_dumps(oscal).encode("utf-8")


def validate_oscal(oscal: Mapping[str, Any]) -> None:
    """Validate with compliance-trestle's OSCAL models; a :class:`ReportError` names the first
    problem. Without trestle installed this checks nothing (the report extra brings it)."""
    try:
        from trestle.oscal.assessment_results import AssessmentResults
    except ImportError:  # pragma: no cover - the report extra installs it
        return
    try:
        AssessmentResults.model_validate(oscal["assessment-results"])
    except Exception as exc:
        first = str(exc).splitlines()[:3]
        raise ReportError(
            f"the OSCAL assessment results do not validate: {' '.join(first)}"
        ) from None


ART30_COLUMNS = (
    "dataset_id",
    "dataset",
    "categories_of_personal_data",
    "special_categories",
    "tags",
    "records",
    "last_inventoried",
    "protected",
    "erasure_supported",
    "retention_recorded",
)


def _cell(value: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def to_art30_csv(doc: Mapping[str, Any]) -> str:
    """GDPR Art. 30 records of processing: one row per dataset holding personal data."""
    from dataward.taxonomy import taxonomy

    tax = taxonomy()

    def regs(entity: str) -> tuple[str, ...]:
        return tax.get(entity).regulations if entity in tax else ()

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(ART30_COLUMNS)
    for d in doc["datasets"]["items"]:
        personal = [e for e in d["entities"] if "GDPR_PERSONAL" in regs(e)]
        special = [e for e in d["entities"] if "GDPR_SPECIAL" in regs(e)]
        if not personal and not special:
            continue
        writer.writerow(
            [
                d["id"],
                _cell(d["path"]),
                " ".join(personal),
                " ".join(special),
                " ".join(d["tags"]),
                d["rows"],
                d["last_scan"] or "",
                "yes" if d["protected"] else "no",
                "yes" if doc["subjects"].get("built") else "not built yet",
                "yes" if doc["retention"].get("total") else "no",
            ]
        )
    return buf.getvalue()


def render(doc: Mapping[str, Any], fmt: str) -> bytes:
    """The report document in ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "json":
        return to_json(doc)
    if fmt == "html":
        return to_html(doc).encode("utf-8")
    if fmt == "pdf":
        return to_pdf(to_html(doc))
    if fmt == "oscal":
        return to_oscal(doc)
    if fmt == "csv":
        return to_art30_csv(doc).encode("utf-8")
    raise ReportError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")


def write_atomic(path: Path, data: bytes) -> None:
    """``data`` at ``path``: written beside it under a temporary name, then moved into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
