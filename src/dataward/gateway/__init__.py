"""The LLM gateway: an OpenAI-compatible proxy that checks prompts and completions.

``dataward gateway --upstream URL`` (or :func:`create_gateway` in Python) serves
``/v1/chat/completions`` and ``/v1/responses``, streaming or not, tool calls included. Each
prompt is scanned by the engine; by :class:`Mode` it is passed, pseudonymized per
conversation (the completion restored for the caller) or blocked; a detection error or
timeout stops the request (fail closed); each prompt and completion is a ``gateway`` audit
event with a hash and counts, never text. ``docs/gateway.md`` has the details.
"""

from __future__ import annotations

from dataward.gateway.app import conversation_id, create_gateway, open_vault
from dataward.gateway.config import (
    CONVERSATION_HEADER,
    GatewayConfig,
    GatewayError,
    Mode,
)
from dataward.gateway.vault import MemoryVault, RedisVault, Vault

__all__ = [
    "CONVERSATION_HEADER",
    "GatewayConfig",
    "GatewayError",
    "MemoryVault",
    "Mode",
    "RedisVault",
    "Vault",
    "conversation_id",
    "create_gateway",
    "open_vault",
]
