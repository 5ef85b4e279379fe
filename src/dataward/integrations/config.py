"""Configuring integrations: the ``integrations:`` section of ``dataward.yaml``.

Secrets never sit in the file: each one is read from an environment variable whose *name* the
file gives (``token_env``, ``password_env``, ``secret_env``, ``url_env``), with defaults below.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from dataward.errors import ConfigError
from dataward.integrations.deadletter import DeadLetters
from dataward.integrations.events import sensitive
from dataward.integrations.http import Delivery
from dataward.integrations.tickets import Jira, ServiceNow, Ticket
from dataward.integrations.webhooks import Webhook
from dataward.store import Store


class RetrySettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tries: int = Field(default=4, ge=1, le=10)
    backoff: float = Field(default=0.5, ge=0)
    timeout: float = Field(default=10.0, gt=0)


class WebhookSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = ""
    url: str | None = None
    url_env: str | None = None
    """Read the URL from this variable instead (Slack and Teams URLs are secrets)."""
    style: Literal["generic", "slack", "teams"] = "generic"
    secret_env: str | None = "DATAWARD_WEBHOOK_SECRET"
    """The HMAC secret's variable; unset or empty: requests go unsigned."""

    @model_validator(mode="after")
    def _one_url(self) -> WebhookSettings:
        if not self.url and not self.url_env:
            raise ValueError("a webhook needs 'url' or 'url_env'")
        return self


class JiraSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    base_url: str
    email: str
    token_env: str = "DATAWARD_JIRA_TOKEN"
    project: str
    issue_type: str = "Task"
    api_version: Literal[2, 3] = 2
    labels: list[str] = Field(default_factory=lambda: ["dataward"])
    priority: str | None = None


class ServiceNowSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    base_url: str
    username: str
    password_env: str = "DATAWARD_SERVICENOW_PASSWORD"
    assignment_group: str | None = None
    category: str | None = None
    urgency: int = Field(default=2, ge=1, le=3)
    impact: int = Field(default=2, ge=1, le=3)


class IntegrationsSettings(BaseModel):
    """The ``integrations:`` section."""

    model_config = ConfigDict(extra="forbid")  # a misspelled key is an error

    webhooks: list[WebhookSettings] = Field(default_factory=list)
    jira: JiraSettings | None = None
    servicenow: ServiceNowSettings | None = None
    tickets_when: Literal["sensitive", "always"] = "sensitive"
    """Open tickets only for events with a sensitive tag (default), or for every event."""
    retry: RetrySettings = Field(default_factory=RetrySettings)


def _env(name: str | None, env: Mapping[str, str], what: str, required: bool) -> str:
    value = env.get(name, "") if name else ""
    if required and not value:
        raise ConfigError(f"{what}: set the environment variable {name}")
    return value


@dataclass
class Outcome:
    """What :meth:`Integrations.notify` did."""

    deliveries: dict[str, Delivery] = field(default_factory=dict)
    tickets: list[Ticket] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(d.ok for d in self.deliveries.values())


@dataclass
class Integrations:
    webhooks: list[Webhook] = field(default_factory=list)
    ticketers: list[Jira | ServiceNow] = field(default_factory=list)
    tickets_when: Literal["sensitive", "always"] = "sensitive"
    dead_letters: DeadLetters | None = None

    @classmethod
    def from_settings(
        cls,
        section: IntegrationsSettings | Mapping[str, Any],
        store: Store | None = None,
        env: Mapping[str, str] | None = None,
    ) -> Integrations:
        """Build every configured integration; secrets come from ``env`` (``os.environ``)."""
        cfg = (
            section
            if isinstance(section, IntegrationsSettings)
            else IntegrationsSettings.model_validate(dict(section))
        )
        env = os.environ if env is None else env
        dl = DeadLetters(store) if store is not None else None
        retry = cfg.retry.model_dump()
        hooks = []
        for i, w in enumerate(cfg.webhooks):
            url = w.url or _env(w.url_env, env, f"webhook {w.name or i}", required=True)
            secret = _env(w.secret_env, env, "webhook secret", required=False)
            hooks.append(
                Webhook(
                    url,
                    secret=secret.encode() or None,
                    style=w.style,
                    name=w.name,
                    dead_letters=dl,
                    **retry,
                )
            )
        ticketers: list[Jira | ServiceNow] = []
        if cfg.jira is not None:
            j = cfg.jira
            ticketers.append(
                Jira(
                    j.base_url,
                    email=j.email,
                    token=_env(j.token_env, env, "jira", required=True),
                    project=j.project,
                    issue_type=j.issue_type,
                    api_version=j.api_version,
                    labels=tuple(j.labels),
                    priority=j.priority,
                    dead_letters=dl,
                    **retry,
                )
            )
        if cfg.servicenow is not None:
            s = cfg.servicenow
            ticketers.append(
                ServiceNow(
                    s.base_url,
                    username=s.username,
                    password=_env(s.password_env, env, "servicenow", required=True),
                    assignment_group=s.assignment_group,
                    category=s.category,
                    urgency=s.urgency,
                    impact=s.impact,
                    dead_letters=dl,
                    **retry,
                )
            )
        return cls(hooks, ticketers, cfg.tickets_when, dl)

    def by_name(self) -> dict[str, Webhook | Jira | ServiceNow]:
        out: dict[str, Webhook | Jira | ServiceNow] = {}
        for hook in self.webhooks:
            out[hook.name] = hook
        for t in self.ticketers:
            out[t.name] = t
        return out

    def notify(self, event: Mapping[str, Any]) -> Outcome:
        """Send ``event`` to every webhook; open tickets when it is sensitive (or always)."""
        outcome = Outcome()
        for hook in self.webhooks:
            outcome.deliveries[hook.name] = hook.deliver(event)
        if self.tickets_when == "always" or sensitive(event):
            for t in self.ticketers:
                delivery = t.deliver(event)
                outcome.deliveries[t.name] = delivery
                ticket = t.ticket(delivery.body) if delivery.ok else None
                if ticket is not None:
                    outcome.tickets.append(ticket)
        return outcome

    def replay(self) -> dict[str, int]:
        """Post every pending dead letter again through the integration that wrote it."""
        if self.dead_letters is None:
            return {"delivered": 0, "failed": 0, "skipped": 0}
        return self.dead_letters.replay(self.by_name())
