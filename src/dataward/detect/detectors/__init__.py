"""Built-in detectors, one family per module; importing a module registers its detectors."""

from __future__ import annotations

import importlib
import pkgutil

_loaded = False


def load_builtins() -> None:
    """Import every module of this package once, so their ``@register`` calls run."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    for info in sorted(
        pkgutil.walk_packages(__path__, prefix=f"{__name__}."), key=lambda i: i.name
    ):
        importlib.import_module(info.name)
