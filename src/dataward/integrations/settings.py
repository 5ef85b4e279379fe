"""The ``integrations:`` section of ``dataward.yaml``: its schema, with no integration code, so
that :mod:`dataward.settings` can validate it at load without importing the integrations.

Secrets never sit in the file: each one is read from an environment variable whose *name* the
file gives (``token_env``, ``password_env``, ``secret_env``, ``url_env``), with defaults below.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


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
