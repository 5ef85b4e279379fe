"""Webhooks: a generic JSON event or a Slack-compatible message, signed and retried.

Every request carries ``X-Dataward-Signature: sha256=<hex>``, the HMAC-SHA256 of
``<timestamp>.<body>`` under the shared secret, and ``X-Dataward-Timestamp``. Failed deliveries
(connection errors, 429 and 5xx answers) are retried with exponential backoff, a bounded number of
times. Events hold paths, counts and tags only, never a cell value.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

log = logging.getLogger(__name__)


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    """The signature header value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


@dataclass
class Webhook:
    url: str
    secret: bytes | None = None
    style: Literal["generic", "slack"] = "generic"
    tries: int = 4
    backoff: float = 0.5
    """Seconds before the first retry; doubled each time."""
    timeout: float = 5.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    def payload(self, event: dict[str, Any]) -> dict[str, Any]:
        if self.style == "slack":
            lines = [event.get("summary", "")]
            for d in event.get("datasets", []):
                lines.append(f"• {d['summary']} (tags: {', '.join(d['tags'])})")
            return {"text": "\n".join(x for x in lines if x)}
        return event

    def send(self, event: dict[str, Any]) -> bool:
        """Deliver ``event``; ``True`` when the endpoint answered 2xx within ``tries``."""
        body = json.dumps(self.payload(event), ensure_ascii=False).encode()
        for attempt in range(1, self.tries + 1):
            ts = str(int(time.time()))
            headers = {"Content-Type": "application/json", "X-Dataward-Timestamp": ts}
            if self.secret:
                headers["X-Dataward-Signature"] = sign(self.secret, ts, body)
            req = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
            retry = True
            try:
                with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                    if 200 <= resp.status < 300:
                        return True
            except urllib.error.HTTPError as exc:
                retry = exc.code == 429 or exc.code >= 500
                log.warning("webhook answered %s (try %d of %d)", exc.code, attempt, self.tries)
            except (urllib.error.URLError, OSError) as exc:
                log.warning(
                    "webhook unreachable: %s (try %d of %d)",
                    type(exc).__name__,
                    attempt,
                    self.tries,
                )
            if not retry or attempt == self.tries:
                break
            self.sleep(self.backoff * 2 ** (attempt - 1))
        return False


def scan_event(result: Any) -> dict[str, Any]:
    """The generic event for a :class:`~dataward.classify.scan.ScanResult`."""
    return {
        "event": "dataward.scan.completed",
        "scan_id": result.scan_id,
        "summary": result.summary().splitlines()[0],
        "changes": result.changes,
        "datasets": [
            {"path": d["path"], "rows": d["rows"], "tags": d["tags"], "summary": d["summary"]}
            for d in result.to_dict()["datasets"]
        ],
        "errors": list(result.errors),
    }
