"""Webhooks: a generic JSON event, a Slack message or a Microsoft Teams Adaptive Card.

Every request carries ``X-Dataward-Timestamp`` and, with a shared secret,
``X-Dataward-Signature: sha256=<hex>``, the HMAC-SHA256 of ``<timestamp>.<body>``. A receiver
recomputes it over the raw body and rejects stale timestamps. Failed deliveries (connection
errors, 429 and 5xx answers) are retried with exponential backoff; when every try fails the body
goes to the dead-letter table (when one is given).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from dataward.integrations.deadletter import DeadLetters
from dataward.integrations.events import dataset_lines, safe_event, title
from dataward.integrations.http import Delivery, Poster, RetryPolicy, redact_url

Style = Literal["generic", "slack", "teams"]


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    """The signature header value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(
    secret: bytes, timestamp: str, body: bytes, signature: str, max_age: float = 300
) -> bool:
    """For receivers: the signature matches and the timestamp is at most ``max_age`` old."""
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > max_age:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def slack_message(event: Mapping[str, Any]) -> dict[str, Any]:
    lines = [str(event.get("summary", ""))]
    for d in event.get("datasets", []):
        tags = ", ".join(d.get("tags", [])) or "none"
        lines.append(f"• {d.get('summary', d.get('path', ''))} (tags: {tags})")
    return {"text": "\n".join(x for x in lines if x)}


def teams_card(event: Mapping[str, Any]) -> dict[str, Any]:
    """An Adaptive Card (1.4) in the message envelope that Teams workflow webhooks accept."""
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": title(event),
            "weight": "Bolder",
            "size": "Medium",
            "wrap": True,
        },
    ]
    facts = [{"title": str(k), "value": str(v)} for k, v in (event.get("changes") or {}).items()]
    if facts:
        body.append({"type": "FactSet", "facts": facts})
    body += [{"type": "TextBlock", "text": line, "wrap": True} for line in dataset_lines(event)]
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": body,
                },
            }
        ],
    }


@dataclass
class Webhook:
    url: str
    secret: bytes | None = None
    style: Style = "generic"
    tries: int = 4
    backoff: float = 0.5
    """Seconds before the first retry; doubled each time."""
    timeout: float = 5.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    name: str = ""
    """How logs and dead letters name this hook (default: the URL's scheme and host)."""
    dead_letters: DeadLetters | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not self.name:
            self.name = f"{self.style}:{redact_url(self.url)}"

    @property
    def kind(self) -> str:
        return "webhook"

    def payload(self, event: Mapping[str, Any]) -> dict[str, Any]:
        clean = safe_event(event)
        if self.style == "slack":
            return slack_message(clean)
        if self.style == "teams":
            return teams_card(clean)
        return clean

    def _headers(self, body: bytes) -> dict[str, str]:
        ts = str(int(time.time()))
        headers = {"X-Dataward-Timestamp": ts}
        if self.secret:
            headers["X-Dataward-Signature"] = sign(self.secret, ts, body)
        return headers

    def post(self, payload: Mapping[str, Any]) -> Delivery:
        """POST an already formatted body, with retries (no dead letter)."""
        policy = RetryPolicy(tries=self.tries, backoff=self.backoff, timeout=self.timeout)
        return Poster(policy, self.sleep).post(self.url, payload, headers=self._headers)

    def deliver(self, event: Mapping[str, Any]) -> Delivery:
        """Deliver ``event``; when every try fails, record a dead letter (if configured)."""
        payload = self.payload(event)
        delivery = self.post(payload)
        if not delivery.ok and self.dead_letters is not None:
            self.dead_letters.record(
                self.kind, self.name, str(event.get("event", "")), payload, delivery
            )
        return delivery

    def send(self, event: Mapping[str, Any]) -> bool:
        """Deliver ``event``; ``True`` when the endpoint answered 2xx within ``tries``."""
        return self.deliver(event).ok
