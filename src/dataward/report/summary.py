"""The executive summary: plain sentences from templates, or drafted by an LLM.

The template is the default and needs nothing. The LLM is off unless asked for
(``--llm-url``): it is any OpenAI-compatible ``/chat/completions`` endpoint, and it is sent
metadata only (counts, control names and statuses), never a path, a column name or a value.
A failed call fails the report (no silent fallback to a text the reader did not ask for).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from dataward.report.evidence import ReportError

TEMPLATE = (
    "As of {generated_at}, Dataward knows {total} datasets; {sensitive} hold sensitive data and "
    "{protected} of them were protected. {scanned} of {total} datasets were scanned in the last "
    "{days} days. {decisions} policy decisions were made ({effects}). Of {controls} controls "
    "assessed, {met} are met, {partial} partial and {not_met} not met{na}. The audit log holds "
    "{events} events and {verified}."
)


def template_summary(doc: Mapping[str, Any]) -> str:
    """The summary of a report document in plain language, from :data:`TEMPLATE`."""
    ds, dec, audit = doc["datasets"], doc["decisions"], doc["audit"]
    statuses = doc.get("controls_by_status", {})
    effects = ", ".join(f"{n} {e}" for e, n in dec["by_effect"].items()) or "none"
    na = statuses.get("not_applicable", 0)
    text = TEMPLATE.format(
        generated_at=doc["generated_at"],
        total=ds["total"],
        sensitive=ds["sensitive"],
        protected=sum(1 for d in ds["items"] if d["sensitive"] and d["protected"]),
        scanned=ds["scanned"],
        days=ds["scanned_window_days"],
        decisions=dec["total"],
        effects=effects,
        controls=len(doc.get("controls", [])),
        met=statuses.get("met", 0),
        partial=statuses.get("partial", 0),
        not_met=statuses.get("not_met", 0),
        na=f" ({na} not applicable)" if na else "",
        events=audit["events"],
        verified="verifies" if audit["verified"] else "FAILED verification",
    )
    short = [c for c in doc.get("controls", []) if c["status"] in ("not_met", "partial")]
    if short:
        text += " Needs attention: " + "; ".join(
            f"{c['framework'].upper()} {c['control']} ({c['coverage']['text'] or c['status']})"
            for c in short[:5]
        )
        text += "." if len(short) <= 5 else f"; and {len(short) - 5} more."
    return text


def metadata(doc: Mapping[str, Any]) -> dict[str, Any]:
    """What an LLM may see of a report: counts and control statuses, nothing named."""
    ds = doc["datasets"]
    return {
        "generated_at": doc["generated_at"],
        "datasets": {k: ds[k] for k in ("total", "scanned", "sensitive", "protected", "by_tag")},
        "decisions": {k: doc["decisions"][k] for k in ("total", "by_effect")},
        "audit": {k: doc["audit"][k] for k in ("events", "verified", "checkpoints")},
        "controls": [
            {
                "framework": c["framework"],
                "control": c["control"],
                "title": c["title"],
                "status": c["status"],
                "numerator": c["coverage"]["numerator"],
                "denominator": c["coverage"]["denominator"],
            }
            for c in doc.get("controls", [])
        ],
    }


def llm_summarizer(
    url: str, *, model: str = "gpt-4o-mini", api_key: str | None = None, timeout: float = 30.0
) -> Callable[[Mapping[str, Any]], str]:
    """A summarizer that asks the OpenAI-compatible endpoint at ``url`` (its base, e.g.
    ``http://127.0.0.1:8000/v1``) to draft the summary from :func:`metadata`."""
    import httpx

    endpoint = url.rstrip("/") + "/chat/completions"

    def summarize(doc: Mapping[str, Any]) -> str:
        body = {
            "model": model,
            "temperature": 0,
            "messages": [
                {
                    "role": "system",
                    "content": "You write a short executive summary (at most 120 words, plain "
                    "language, no lists) of a data-protection posture report for a governance "
                    "board. Use only the figures given.",
                },
                {"role": "user", "content": json.dumps(metadata(doc), sort_keys=True)},
            ],
        }
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        try:
            response = httpx.post(endpoint, json=body, headers=headers, timeout=timeout)
            response.raise_for_status()
            text = response.json()["choices"][0]["message"]["content"]
        except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as exc:
            raise ReportError(
                f"the summary endpoint failed ({type(exc).__name__}); "
                "drop --llm-url for the template summary"
            ) from None
        if not isinstance(text, str) or not text.strip():
            raise ReportError("the summary endpoint returned no text")
        return text.strip()

    return summarize
