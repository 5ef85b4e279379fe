"""Safe renderings of sensitive values: masked previews for messages, logs and reports."""

from __future__ import annotations

ELLIPSIS = "…"


def preview(value: str, keep: int = 4) -> str:
    """Return a masked preview that never reveals the middle of ``value``.

    Short values are masked entirely, so the preview of a short secret reveals nothing.

    >>> preview("4111111111111111")
    '4111…1111'
    >>> preview("hunter2")
    '*******'
    """
    if len(value) < 3 * keep:
        return "*" * len(value)
    return f"{value[:keep]}{ELLIPSIS}{value[-keep:]}"
