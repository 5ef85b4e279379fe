"""Tickets: a Jira issue (REST API v2 or v3) or a ServiceNow incident for a sensitive finding.

Both use basic authentication (Jira: account email and API token; ServiceNow: user and
password), retry like webhooks, and dead-letter the request body when every try fails. The
ticket says where and what (dataset paths, tags, counts, masked previews), never a raw value.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from dataward.integrations.deadletter import DeadLetters
from dataward.integrations.events import dataset_lines, safe_event, title
from dataward.integrations.http import Delivery, Poster, RetryPolicy


@dataclass(frozen=True)
class Ticket:
    system: str
    key: str
    """``SEC-12`` for Jira, ``INC0010001`` for ServiceNow."""
    url: str


def description(event: Mapping[str, Any]) -> str:
    lines = [str(event.get("summary", ""))]
    if event.get("scan_id") is not None:
        lines.append(f"Scan #{event['scan_id']}.")
    found = dataset_lines(event)
    if found:
        lines += ["", "Datasets:", *(f"- {line}" for line in found)]
    lines += ["", "Raised by Dataward; the ticket holds no sensitive values."]
    return "\n".join(lines).strip()


def _label(tag: str) -> str:
    return re.sub(r"\s+", "_", tag.strip())[:255]


@dataclass
class _Ticketer:
    base_url: str
    name: str = ""
    tries: int = 4
    backoff: float = 0.5
    timeout: float = 10.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    dead_letters: DeadLetters | None = field(default=None, repr=False)
    kind = "ticket"

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        if not self.name:
            self.name = self.kind

    @property
    def endpoint(self) -> str:
        raise NotImplementedError

    def auth(self) -> tuple[str, str]:
        raise NotImplementedError

    def payload(self, event: Mapping[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def ticket(self, answer: Any) -> Ticket | None:
        raise NotImplementedError

    def post(self, payload: Mapping[str, Any]) -> Delivery:
        policy = RetryPolicy(tries=self.tries, backoff=self.backoff, timeout=self.timeout)
        return Poster(policy, self.sleep).post(self.endpoint, payload, auth=self.auth())

    def create(self, event: Mapping[str, Any]) -> Ticket | None:
        """Open a ticket for ``event``; ``None`` (and a dead letter) when every try fails."""
        delivery = self.deliver(event)
        return self.ticket(delivery.body) if delivery.ok else None

    def deliver(self, event: Mapping[str, Any]) -> Delivery:
        payload = self.payload(safe_event(event))
        delivery = self.post(payload)
        if not delivery.ok and self.dead_letters is not None:
            self.dead_letters.record(
                self.kind, self.name, str(event.get("event", "")), payload, delivery
            )
        return delivery


@dataclass
class Jira(_Ticketer):
    """Creates an issue with ``POST /rest/api/{2,3}/issue``."""

    email: str = ""
    token: str = field(default="", repr=False)
    project: str = ""
    """The project key, ``SEC``."""
    issue_type: str = "Task"
    api_version: Literal[2, 3] = 2
    labels: tuple[str, ...] = ("dataward",)
    priority: str | None = None
    kind = "jira"

    @property
    def endpoint(self) -> str:
        return f"{self.base_url}/rest/api/{self.api_version}/issue"

    def auth(self) -> tuple[str, str]:
        return (self.email, self.token)

    def payload(self, event: Mapping[str, Any]) -> dict[str, Any]:
        tags = sorted({t for d in event.get("datasets", ()) for t in d.get("tags", ())})
        text = description(event)
        desc: Any = text
        if self.api_version == 3:  # v3 takes Atlassian Document Format
            desc = {
                "type": "doc",
                "version": 1,
                "content": [
                    {"type": "paragraph", "content": [{"type": "text", "text": para}]}
                    for para in text.split("\n")
                    if para
                ],
            }
        fields: dict[str, Any] = {
            "project": {"key": self.project},
            "issuetype": {"name": self.issue_type},
            "summary": title(event),
            "description": desc,
            "labels": [*self.labels, *(_label(t) for t in tags)],
        }
        if self.priority:
            fields["priority"] = {"name": self.priority}
        return {"fields": fields}

    def ticket(self, answer: Any) -> Ticket | None:
        if not isinstance(answer, dict) or "key" not in answer:
            return None
        return Ticket("jira", str(answer["key"]), f"{self.base_url}/browse/{answer['key']}")


@dataclass
class ServiceNow(_Ticketer):
    """Creates an incident with ``POST /api/now/table/incident``."""

    username: str = ""
    password: str = field(default="", repr=False)
    assignment_group: str | None = None
    """The queue: a group name or sys_id."""
    category: str | None = None
    urgency: int = 2
    impact: int = 2
    kind = "servicenow"

    @property
    def endpoint(self) -> str:
        return f"{self.base_url}/api/now/table/incident"

    def auth(self) -> tuple[str, str]:
        return (self.username, self.password)

    def payload(self, event: Mapping[str, Any]) -> dict[str, Any]:
        body: dict[str, Any] = {
            "short_description": title(event)[:160],
            "description": description(event),
            "urgency": str(self.urgency),
            "impact": str(self.impact),
        }
        if self.assignment_group:
            body["assignment_group"] = self.assignment_group
        if self.category:
            body["category"] = self.category
        return body

    def ticket(self, answer: Any) -> Ticket | None:
        result = answer.get("result") if isinstance(answer, dict) else None
        if not isinstance(result, dict) or "number" not in result:
            return None
        sys_id = result.get("sys_id", "")
        return Ticket(
            "servicenow",
            str(result["number"]),
            f"{self.base_url}/nav_to.do?uri=incident.do%3Fsys_id%3D{sys_id}",
        )
