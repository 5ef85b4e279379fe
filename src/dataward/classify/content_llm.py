"""Optional LLM review of a dataset whose content class is uncertain.

Off unless ``dataward.yaml`` names an endpoint::

    content:
      llm:
        url: http://127.0.0.1:8080/v1      # OpenAI-compatible: POST {url}/chat/completions
        model: gpt-4o-mini
        api_key_env: OPENAI_API_KEY          # the variable's name, never the key
        below: 0.6                           # review when the best class is under this

What leaves the machine: the file name with every detected value replaced by ``<ENTITY>``, the
format, the (already masked) column names, the row count, the tags, the model's guesses, and a
few sample lines **masked**: every value a detector finds becomes ``<ENTITY>`` and every run of
three or more digits ``<NUMBER>`` (account numbers no detector knows). A sample that cannot be
masked (the detectors fail) is not sent: the review is skipped and says why. The answer must
name a known class; it is recorded as a class of source ``llm`` with its reason (masked again),
in the scan's result, the catalog and the audit log.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from dataward.classify.content_model import ContentClass, Sample

if TYPE_CHECKING:
    from dataward.detect.engine import Engine


class LlmSettings(BaseModel):
    """``content: llm:``: an OpenAI-compatible chat-completions endpoint (off when absent)."""

    model_config = ConfigDict(extra="forbid")
    url: str
    """Base URL: ``POST {url}/chat/completions``."""
    model: str = "gpt-4o-mini"
    api_key_env: str | None = None
    """Name of the environment variable holding the key (never the key itself)."""
    below: float = Field(default=0.6, ge=0.0, le=1.0)
    """Review a dataset whose best class has less confidence than this (1: every dataset)."""
    samples: int = Field(default=5, ge=1, le=50)
    max_chars: int = Field(default=300, ge=20, le=4000)
    timeout: float = Field(default=20.0, gt=0)


SYSTEM = (
    "You classify datasets by their content. Answer with one JSON object "
    '{"class": <one of the listed classes>, "confidence": <0..1>, "reason": <one sentence>}. '
    "Values in the samples are masked as <ENTITY> or <NUMBER>; never guess them."
)


def mask_text(text: str, engine: Engine) -> str:
    """``text`` with every detected value replaced by ``<ENTITY_TYPE>`` and digit runs of three
    or more by ``<NUMBER>`` (plain string operations: linear time)."""
    (found,) = engine.detect_many([text])
    out: list[str] = []
    pos = 0
    for f in sorted(found, key=lambda f: f.start):
        if f.start < pos:
            continue
        out.append(text[pos : f.start])
        out.append(f"<{f.entity}>")
        pos = f.end
    out.append(text[pos:])
    return _mask_digits("".join(out))


def _mask_digits(text: str) -> str:
    out: list[str] = []
    run: list[str] = []
    for ch in text:
        if ch.isdigit():
            run.append(ch)
            continue
        if run:
            out.append("<NUMBER>" if len(run) >= 3 else "".join(run))
            run = []
        out.append(ch)
    if run:
        out.append("<NUMBER>" if len(run) >= 3 else "".join(run))
    return "".join(out)


def request_body(
    settings: LlmSettings,
    sample: Sample,
    *,
    path: str,
    engine: Engine,
    guesses: Sequence[ContentClass],
    classes: Sequence[str],
) -> dict[str, Any]:
    """The chat-completions body: metadata and masked sample lines only."""
    from dataward.detect.api import masked_path

    lines = [ln for ln in sample.text.split("\n") if ln.strip()]
    step = max(1, len(lines) // settings.samples)
    picked = lines[::step][: settings.samples]
    masked = [mask_text(ln[: settings.max_chars], engine) for ln in picked]
    payload = {
        "file": masked_path(path),
        "format": sample.fmt,
        "columns": [mask_text(c, engine) for c in sample.columns[:50]],
        "model_guesses": [{"class": g.name, "confidence": g.confidence} for g in guesses],
        "classes": list(classes),
        "samples": masked,
    }
    return {
        "model": settings.model,
        "temperature": 0,
        "messages": [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": json.dumps(payload, ensure_ascii=False)},
        ],
    }


def review(
    settings: LlmSettings,
    sample: Sample,
    *,
    path: str,
    engine: Engine,
    guesses: Sequence[ContentClass],
    implied: Mapping[str, tuple[str, ...]],
) -> tuple[ContentClass | None, dict[str, Any]]:
    """Ask the endpoint; returns the class it chose (or ``None``) and the record of the review
    (``{"class", "reason", "model"}`` or ``{"error", "model"}``), which never holds a value."""
    import httpx

    record: dict[str, Any] = {"model": settings.model, "endpoint": _origin(settings.url)}
    try:
        body = request_body(
            settings, sample, path=path, engine=engine, guesses=guesses, classes=list(implied)
        )
    except Exception as exc:  # masking failed: nothing is sent
        record["error"] = f"samples could not be masked ({type(exc).__name__}); nothing sent"
        return None, record
    headers = {"content-type": "application/json"}
    if settings.api_key_env:
        key = os.environ.get(settings.api_key_env)
        if not key:
            record["error"] = f"{settings.api_key_env} is not set; nothing sent"
            return None, record
        headers["authorization"] = f"Bearer {key}"
    url = settings.url.rstrip("/") + "/chat/completions"
    try:
        resp = httpx.post(url, json=body, headers=headers, timeout=settings.timeout)
        resp.raise_for_status()
        content = resp.json()["choices"][0]["message"]["content"]
        answer = json.loads(content)
        name = str(answer["class"]).strip().upper()
    except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as exc:
        record["error"] = f"no usable answer ({type(exc).__name__})"
        return None, record
    if name not in implied:
        record["error"] = "the answer names no known class"
        return None, record
    reason = mask_text(str(answer.get("reason", ""))[:300], engine)
    conf = answer.get("confidence")
    confidence = float(conf) if isinstance(conf, int | float) and 0 <= conf <= 1 else 0.75
    record.update({"class": name, "confidence": round(confidence, 4), "reason": reason})
    why = ("LLM review: " + reason,) if reason else ("LLM review",)
    return ContentClass(name, round(confidence, 4), why, "llm", implied[name]), record


def _origin(url: str) -> str:
    """The endpoint without its path or credentials (``http://host:port``), for the record."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = parts.hostname or ""
    return f"{parts.scheme}://{host}{f':{parts.port}' if parts.port else ''}"
