"""Sources: one module per format, each with a reader that streams files, archive members and
object-store objects as Arrow record batches in bounded memory, and (for the formats that can
be written) a writer; one registry (:data:`sources`) picks the format of a path or content for
scan, detect and protect alike.

>>> from dataward.sources import sources
>>> sorted(sources.names())
['arrow', 'csv', 'json', 'jsonl', 'orc', 'parquet', 'text', 'tsv']
"""

from __future__ import annotations

# Importing the format modules registers the built-in formats, in this order.
from dataward.sources import columnar, delimited, jsondoc, jsonl, text  # noqa: F401
from dataward.sources.base import (
    Limits,
    Source,
    SourceFormat,
    Writer,
    register,
    sources,
    writable_formats,
)
from dataward.sources.columnar import ArrowSource, OrcSource, ParquetSource
from dataward.sources.delimited import CsvSource
from dataward.sources.discover import discover
from dataward.sources.flatten import flatten
from dataward.sources.jsondoc import JsonSource
from dataward.sources.jsonl import JsonlSource
from dataward.sources.locations import (
    CompressedLocation,
    LocalLocation,
    Location,
    UrlLocation,
    ZipMemberLocation,
)
from dataward.sources.opening import format_for, open_source
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
    "Source",
    "SourceFormat",
    "TextSource",
    "UrlLocation",
    "Writer",
    "ZipMemberLocation",
    "discover",
    "flatten",
    "format_for",
    "open_source",
    "register",
    "sources",
    "writable_formats",
]
