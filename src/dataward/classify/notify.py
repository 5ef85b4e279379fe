"""Webhooks for scans; the implementation lives in :mod:`dataward.integrations`."""

from __future__ import annotations

from dataward.integrations.events import scan_event
from dataward.integrations.webhooks import Webhook, sign

__all__ = ["Webhook", "scan_event", "sign"]
