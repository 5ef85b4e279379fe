"""Sources: readers that turn files into records or Arrow record batches."""

from __future__ import annotations

from dataward.sources.records import Record, iter_records

__all__ = ["Record", "iter_records"]
