"""Classification: column profiles, per-record counts and dataset sensitivity tags.

>>> from dataward.classify import classify_table
>>> result = classify_table({"contact": ["ada@example.org", "bob@example.com", None]})
>>> column = result.columns[0]
>>> column.entity, column.null_share
('EMAIL_ADDRESS', 0.3333...)
"""

from __future__ import annotations

from dataward.classify.classifier import classify_batches, classify_table, sample_batches
from dataward.classify.dataset import DatasetClassification, RecordStats, Tag, derive_tags
from dataward.classify.profile import ColumnProfile, is_sensitive, keyed_hash
from dataward.classify.scan import ScanResult, scan

__all__ = [
    "ColumnProfile",
    "DatasetClassification",
    "RecordStats",
    "ScanResult",
    "Tag",
    "classify_batches",
    "classify_table",
    "derive_tags",
    "is_sensitive",
    "keyed_hash",
    "sample_batches",
    "scan",
]
