"""One JSON POST with bounded retries: exponential backoff on 429, 5xx and connection errors.

Shared by webhooks and ticket systems. Nothing here logs a URL (chat webhook URLs carry their
secret in the path), a header or a body: only the redacted target, status codes and error types.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

log = logging.getLogger("dataward.integrations")

RETRY_STATUSES = frozenset({429}) | frozenset(range(500, 600))


def redact_url(url: str) -> str:
    """``scheme://host[:port]/…``: enough to tell targets apart, never a path-borne secret."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.hostname:
        return "<invalid URL>"
    port = f":{parts.port}" if parts.port else ""
    tail = "/…" if parts.path.strip("/") or parts.query else ""
    return f"{parts.scheme}://{parts.hostname}{port}{tail}"


@dataclass(frozen=True)
class RetryPolicy:
    tries: int = 4
    """Attempts in all, the first included."""
    backoff: float = 0.5
    """Seconds before the first retry; doubled for each later one."""
    max_delay: float = 30.0
    """No single wait is longer, whatever ``Retry-After`` asks for."""
    timeout: float = 5.0
    """Seconds for one attempt (connect, write and read alike)."""

    def delay(self, attempt: int, retry_after: str | None) -> float:
        wait = self.backoff * float(2 ** (attempt - 1))
        if retry_after is not None and retry_after.strip().isdigit():
            wait = max(wait, float(retry_after.strip()))
        return min(wait, self.max_delay)


@dataclass
class Delivery:
    """The outcome of one POST with its retries."""

    ok: bool
    attempts: int
    status: int | None = None
    error: str | None = None
    """Why the last attempt failed: ``HTTP 503`` or an exception type, never a message body."""
    body: Any = None
    """The parsed JSON answer of a successful attempt (``None`` when empty or not JSON)."""


@dataclass
class Poster:
    """POSTs JSON bodies with a :class:`RetryPolicy`; ``sleep`` is swappable for tests."""

    policy: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    transport: httpx.BaseTransport | None = field(default=None, repr=False)

    def post(
        self,
        url: str,
        payload: Mapping[str, Any],
        *,
        headers: Callable[[bytes], dict[str, str]] | None = None,
        auth: tuple[str, str] | None = None,
    ) -> Delivery:
        """POST ``payload``; ``headers(body)`` is called per attempt (fresh timestamps)."""
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        target = redact_url(url)
        basic = httpx.BasicAuth(*auth) if auth is not None else httpx.Auth()
        last: Delivery = Delivery(ok=False, attempts=0)
        with httpx.Client(timeout=self.policy.timeout, transport=self.transport) as client:
            for attempt in range(1, self.policy.tries + 1):
                sent = {"Content-Type": "application/json", "Accept": "application/json"}
                if headers is not None:
                    sent.update(headers(body))
                retry_after = None
                try:
                    resp = client.post(url, content=body, headers=sent, auth=basic)
                except httpx.HTTPError as exc:
                    last = Delivery(ok=False, attempts=attempt, error=type(exc).__name__)
                    retry = True
                else:
                    if resp.is_success:
                        return Delivery(True, attempt, resp.status_code, body=_json(resp))
                    last = Delivery(False, attempt, resp.status_code, f"HTTP {resp.status_code}")
                    retry = resp.status_code in RETRY_STATUSES
                    retry_after = resp.headers.get("retry-after")
                log.warning(
                    "delivery to %s failed: %s (try %d of %d)",
                    target,
                    last.error,
                    attempt,
                    self.policy.tries,
                )
                if not retry or attempt == self.policy.tries:
                    break
                self.sleep(self.policy.delay(attempt, retry_after))
        return last


def _json(resp: httpx.Response) -> Any:
    if not resp.content:
        return None
    try:
        return resp.json()
    except ValueError:
        return None
