"""The key behind the catalog's keyed hashes.

:func:`catalog_key` is the one place the catalog gets its HMAC key: the ``catalog`` HKDF sub-key of
the local key ring (``DATAWARD_HOME/keys.json``, created on first use). Equal values hash equal
under one key ring, so a catalog can say "these two columns share values" without holding them.
"""

from __future__ import annotations

from pathlib import Path

PURPOSE = "catalog"


def catalog_key(home: str | Path | None = None) -> bytes:
    """The 32-byte HMAC key for catalog hashes (derived, never stored)."""
    from dataward.keys.ring import KeyRing

    return KeyRing.load_or_create(home).subkey(PURPOSE)
