"""The catalog: datasets, their files (fingerprints), column profiles, tags and scans.

Nothing raw is stored: column examples are masked previews and keyed hashes
(:func:`dataward.catalog.keys.catalog_key`).
"""

from __future__ import annotations

from dataward.catalog.catalog import Catalog, CatalogError, FileState, ScannedFile
from dataward.catalog.identity import Standing, canonical_path
from dataward.catalog.keys import catalog_key

__all__ = [
    "Catalog",
    "CatalogError",
    "FileState",
    "ScannedFile",
    "Standing",
    "canonical_path",
    "catalog_key",
]
