"""An optional narrative of an alert from any OpenAI-compatible endpoint (off by default).

The endpoint receives **metadata only**: the alert's kind, severity, principal and its kind,
role, the names of objects and columns with their tags, and each signal's sentence and figures
(counts, medians, network prefixes). It never receives a value or a query: alerts hold none.
The answer is kept beside the template summary (``evidence.narrative``), never replacing it.
"""

from __future__ import annotations

import json
import os
from typing import Any

from dataward.monitor.alerts import Alert, MonitorError, save

SYSTEM = (
    "You explain data-access alerts to a security analyst in two or three plain sentences: "
    "what deviated, why it matters, what to check first. Use only the metadata given."
)


def metadata(alert: Alert) -> dict[str, Any]:
    """What the endpoint may see of ``alert``."""
    evidence = alert.evidence
    return {
        "kind": alert.kind,
        "severity": alert.severity,
        "score": alert.score,
        "principal": alert.principal,
        "principal_kind": evidence.get("principal_kind"),
        "role": evidence.get("role"),
        "objects": alert.objects[:20],
        "columns": alert.columns[:40],
        "tags": evidence.get("tags", {}),
        "signals": [
            {"name": s.get("name"), "text": s.get("text"), "figures": s.get("figures")}
            for s in evidence.get("signals", [])
        ],
        "events": alert.events,
    }


def narrate(
    alert: Alert,
    endpoint: str,
    model: str,
    *,
    api_key: str | None = None,
    timeout: float = 30.0,
    store: Any = None,
) -> str:
    """Ask ``endpoint`` (``…/v1``, OpenAI's chat completions API) for a narrative; with
    ``store``, keep it in the alert's evidence."""
    import httpx

    body = {
        "model": model,
        "messages": [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": json.dumps(metadata(alert), sort_keys=True)},
        ],
        "temperature": 0,
    }
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    url = endpoint.rstrip("/") + "/chat/completions"
    try:
        resp = httpx.post(url, json=body, headers=headers, timeout=timeout)
        resp.raise_for_status()
        text = str(resp.json()["choices"][0]["message"]["content"]).strip()
    except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise MonitorError(
            f"the narrative endpoint did not answer ({type(exc).__name__})", field="endpoint"
        ) from None
    if store is not None:
        alert.evidence["narrative"] = text[:4000]
        save(store, [alert])
    return text


def api_key_from(variable: str | None) -> str | None:
    """The API key in environment variable ``variable`` (never on a command line)."""
    return os.environ.get(variable) if variable else None
