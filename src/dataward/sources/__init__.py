"""Sources: readers that stream files, archive members and object-store objects as Arrow
record batches in bounded memory, plus the line reader used by ``dataward detect``.

>>> from dataward.sources import sources
>>> sorted(sources.names())
['arrow', 'csv', 'json', 'jsonl', 'orc', 'parquet', 'text', 'tsv']
"""

from __future__ import annotations

# Importing the format modules registers the built-in formats, in this order.
from dataward.sources import columnar, delimited, jsonl, text  # noqa: F401
from dataward.sources.base import Limits, Source, SourceFormat, register, sources
from dataward.sources.columnar import ArrowSource, OrcSource, ParquetSource
from dataward.sources.delimited import CsvSource
from dataward.sources.discover import discover
from dataward.sources.flatten import flatten
from dataward.sources.jsonl import JsonlSource, JsonSource
from dataward.sources.locations import (
    CompressedLocation,
    LocalLocation,
    Location,
    UrlLocation,
    ZipMemberLocation,
)
from dataward.sources.opening import open_source
from dataward.sources.records import Record, iter_records
from dataward.sources.text import TextSource

__all__ = [
    "ArrowSource",
    "CompressedLocation",
    "CsvSource",
    "JsonSource",
    "JsonlSource",
    "Limits",
    "LocalLocation",
    "Location",
    "OrcSource",
    "ParquetSource",
    "Record",
    "Source",
    "SourceFormat",
    "TextSource",
    "UrlLocation",
    "ZipMemberLocation",
    "discover",
    "flatten",
    "iter_records",
    "open_source",
    "register",
    "sources",
]
