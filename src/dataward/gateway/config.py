"""What a gateway runs with: its mode, its upstream and its limits, and its errors.

The gateway has no section in ``dataward.yaml`` yet: ``dataward gateway`` builds a
:class:`GatewayConfig` from its options, and the SDK (:func:`dataward.gateway.create_gateway`)
takes one directly, so one process can run gateways in different modes (the tests do).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dataward.detect.model import Finding
from dataward.errors import ConfigError, DatawardError

if TYPE_CHECKING:
    from dataward.retention.rules import Rule

DEFAULT_UPSTREAM_KEY_ENV = "DATAWARD_GATEWAY_UPSTREAM_KEY"
"""Where ``dataward gateway`` reads the upstream's key unless ``--upstream-key-env`` names
another variable."""
CONVERSATION_HEADER = "X-Dataward-Conversation"
"""The request header naming a conversation; without it the id comes from the history."""
SECRET_CATEGORIES = frozenset({"SECRET", "CREDENTIAL"})
"""Entity categories (taxonomy) that are blocked in ``pseudonymize`` mode: a key sent to a
model cannot be made safe by a placeholder the model never needed."""
GATEWAY_THRESHOLD = 0.15
"""The gateway's default detection threshold: on the 2,109 dev PII sentences it lets 2.8% of
the values about a person reach the upstream where the settings' 0.5 lets 3.9% through
(``bench/gateway.py``); the extra placeholders are restored for the caller."""


class Mode(enum.StrEnum):
    """What the gateway does with sensitive values it finds in a prompt."""

    PSEUDONYMIZE = "pseudonymize"
    """Replace each value with a placeholder kept per conversation and restore the completion;
    secrets (:data:`SECRET_CATEGORIES`) are blocked."""
    BLOCK = "block"
    """Refuse any prompt (and any non-streamed completion) holding a finding."""
    PASS = "pass"
    """Forward unchanged; findings are still counted in the audit log."""


@dataclass(frozen=True, slots=True, kw_only=True)
class GatewayConfig:
    """A gateway's settings (see :class:`Mode` and ``docs/gateway.md``)."""

    upstream: str
    """Base URL of the OpenAI-compatible upstream, as OpenAI's ``base_url``
    (``https://api.openai.com/v1``): the gateway posts to ``{upstream}/chat/completions``."""
    mode: Mode = Mode.PSEUDONYMIZE
    upstream_key: str | None = None
    """Sent to the upstream as ``Authorization: Bearer``; never the caller's key."""
    conversation_ttl: float = 3600.0
    """Seconds a conversation's pseudonyms live after its last request."""
    redis_url: str | None = None
    """Keep the vault in Redis (values encrypted under the key ring) instead of memory, so
    several gateway processes share conversations."""
    detect_timeout: float = 10.0
    """Seconds the scan of one request may take; past it the request fails closed."""
    upstream_timeout: float = 120.0
    max_body_bytes: int = 5 * 1024 * 1024
    rate_per_second: float | None = None
    """Sustained requests a second per caller key (a token bucket per process); ``None``: no
    limit."""
    burst: int | None = None
    """The bucket's size (default: two seconds' worth)."""
    block_categories: frozenset[str] = SECRET_CATEGORIES
    threshold: float | None = GATEWAY_THRESHOLD
    """The engine's score threshold (``None``: the settings'). A placeholder too many costs
    little here (the caller gets the value back), a value missed reaches the model: so the
    gateway runs lower than scans do (:data:`GATEWAY_THRESHOLD`)."""
    retention_rules: tuple[Rule, ...] = ()
    """Retention rules (:mod:`dataward.retention`): each audit event records the longest
    duration those matching its artifact type (``prompt_log``, ``completion_log``) and the
    categories of its findings give."""
    detect: Callable[[str], list[Finding]] | None = field(default=None, compare=False)
    """The detector (default: the runtime's engine, ``rt.detect``)."""

    def __post_init__(self) -> None:
        if not self.upstream.startswith(("http://", "https://")):
            raise ConfigError("the gateway's upstream must be an http:// or https:// URL")
        if self.threshold is not None and not 0.0 <= self.threshold <= 1.0:
            raise ConfigError("the gateway's threshold must be between 0 and 1")
        if self.conversation_ttl <= 0 or self.detect_timeout <= 0:
            raise ConfigError("the gateway's conversation TTL and detection timeout must be > 0")


class GatewayError(DatawardError):
    """The gateway refused or could not finish a request; ``code`` says which way
    (``dataward_blocked``, ``dataward_detection_failed``, ``dataward_vault_failed``...)."""

    code: str
    status: int

    def __init__(self, message: str, *, code: str, status: int = 400, **context: object) -> None:
        super().__init__(message, code=code, status=status, **context)
