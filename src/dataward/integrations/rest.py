"""One JSON request of any method with bounded retries, for catalog APIs (Atlas, Collibra).

:class:`~dataward.integrations.http.Poster` posts webhooks; catalogs also read (``GET``) and
replace (``PUT``). The retry rules are the same: 429, 5xx and connection errors are retried
with exponential backoff (``Retry-After`` honoured up to the policy's cap); other answers are
final. Nothing here logs a body, a header or a URL's path: only the redacted target, the method,
the status and the error type.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from dataward.integrations.http import RETRY_STATUSES, Delivery, RetryPolicy, redact_url

log = logging.getLogger("dataward.integrations")

__all__ = ["call"]


def call(
    method: str,
    url: str,
    body: Any = None,
    *,
    headers: Mapping[str, str],
    auth: tuple[str, str] | None = None,
    policy: RetryPolicy | None = None,
    sleep: Callable[[float], None] = time.sleep,
    transport: httpx.BaseTransport | None = None,
    what: str = "request",
) -> Delivery:
    """``method url`` with ``body`` as JSON; a :class:`Delivery` with the parsed answer."""
    policy = policy or RetryPolicy()
    content = None if body is None else json.dumps(body, separators=(",", ":")).encode()
    basic = httpx.BasicAuth(*auth) if auth is not None else httpx.Auth()
    last = Delivery(ok=False, attempts=0)
    with httpx.Client(timeout=policy.timeout, transport=transport) as client:
        for attempt in range(1, policy.tries + 1):
            retry_after = None
            try:
                resp = client.request(
                    method, url, content=content, headers=dict(headers), auth=basic
                )
            except httpx.HTTPError as exc:
                last, retry = Delivery(False, attempt, error=type(exc).__name__), True
            else:
                if resp.is_success:
                    try:
                        answer = resp.json() if resp.content else None
                    except ValueError:
                        answer = None
                    return Delivery(True, attempt, resp.status_code, body=answer)
                last = Delivery(False, attempt, resp.status_code, f"HTTP {resp.status_code}")
                retry = resp.status_code in RETRY_STATUSES
                retry_after = resp.headers.get("retry-after")
            log.warning(
                "%s %s %s failed: %s (try %d of %d)",
                what,
                method,
                redact_url(url),
                last.error,
                attempt,
                policy.tries,
            )
            if not retry or attempt == policy.tries:
                break
            sleep(policy.delay(attempt, retry_after))
    return last
