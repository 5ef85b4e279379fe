"""Outbound integrations: signed webhooks (generic JSON, Slack, Teams), Jira and ServiceNow
tickets, retries with backoff, and a dead-letter table for deliveries that failed every try."""

from __future__ import annotations

from dataward.integrations.config import Integrations, Outcome
from dataward.integrations.deadletter import DeadLetter, DeadLetters
from dataward.integrations.events import safe_event, scan_event
from dataward.integrations.http import Delivery, RetryPolicy
from dataward.integrations.settings import IntegrationsSettings
from dataward.integrations.tickets import Jira, ServiceNow, Ticket
from dataward.integrations.webhooks import Webhook, sign, verify

__all__ = [
    "DeadLetter",
    "DeadLetters",
    "Delivery",
    "Integrations",
    "IntegrationsSettings",
    "Jira",
    "Outcome",
    "RetryPolicy",
    "ServiceNow",
    "Ticket",
    "Webhook",
    "safe_event",
    "scan_event",
    "sign",
    "verify",
]
