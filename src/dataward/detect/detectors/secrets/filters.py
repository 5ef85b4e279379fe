"""Hard-negative filters for secrets: placeholders, templates, environment references, examples."""

from __future__ import annotations

import re

_TEMPLATE = re.compile(r"^\$\{.*\}$|^\{\{.*\}\}$|^%\(?[A-Za-z_]+\)?s?%?$|^<[^<>]+>$|^\$[A-Z_][A-Z0-9_]*$")
_PLACEHOLDER_WORDS = ("example", "placeholder", "changeme", "your_", "your-", "xxxx", "dummy", "redacted")


def looks_fake(value: str) -> str | None:
    """Why ``value`` is not a real secret (a placeholder, template or example), or ``None``."""
    if _TEMPLATE.match(value):
        return "template or environment reference"
    lowered = value.lower()
    for word in _PLACEHOLDER_WORDS:
        if word in lowered:
            return f"placeholder word {word!r}"
    if len(set(value)) <= 2:
        return "repeated character"
    return None
