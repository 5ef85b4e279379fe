"""Built-in detectors, one family per module; importing a module registers its detectors."""

from __future__ import annotations

import functools
import importlib
import pkgutil


@functools.cache
def load_builtins() -> None:
    """Import every module of this package once, so their ``@register`` calls run (the
    detector registry is filled once per process, like any import)."""
    for info in sorted(
        pkgutil.walk_packages(__path__, prefix=f"{__name__}."), key=lambda i: i.name
    ):
        importlib.import_module(info.name)
