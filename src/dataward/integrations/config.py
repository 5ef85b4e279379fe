"""Building the configured integrations from the ``integrations:`` section of ``dataward.yaml``
(its schema is :mod:`dataward.integrations.settings`).

Secrets never sit in the file: each one is read from an environment variable whose *name* the
file gives (``token_env``, ``password_env``, ``secret_env``, ``url_env``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from dataward.errors import ConfigError
from dataward.integrations.deadletter import DeadLetters
from dataward.integrations.events import sensitive
from dataward.integrations.http import Delivery
from dataward.integrations.settings import IntegrationsSettings
from dataward.integrations.tickets import Jira, ServiceNow, Ticket
from dataward.integrations.webhooks import Webhook
from dataward.store import Store


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
