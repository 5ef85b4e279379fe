"""Opening one input: :func:`open_source` resolves a path, ``archive.zip!member`` or URL to a
location, unwraps single-file compression and picks the format (given, from the extension, or
sniffed from the first bytes)."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path, PurePosixPath
from typing import Any

from dataward.errors import ConfigError, SourceError
from dataward.sources.archive import members, unsafe_member_name
from dataward.sources.base import Limits, Source, SourceFormat, sources
from dataward.sources.locations import (
    COMPRESSION_SUFFIXES,
    CompressedLocation,
    LocalLocation,
    Location,
    UrlLocation,
    read_head,
)
from dataward.sources.sniff import (
    binary_kind,
    compression_magic,
    is_zip,
    sniff_text_format,
)

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+://")
_COMMON = frozenset({"location", "format", "limits", "sample"})


def is_url(uri: str) -> bool:
    return bool(_URL.match(uri))


def open_source(uri: str | Path, *, format: str | None = None, **options: Any) -> Source:
    """Open one input as a :class:`Source`.

    ``uri`` is a path, ``archive.zip!inner/file.csv`` or a URL (``s3://``, ``gs://``,
    ``abfs://``, ``file://``; needs ``dataward[cloud]``). ``format`` names a registered format
    (``csv``, ``tsv``, ``json``, ``jsonl``, ``parquet``, ``arrow``, ``orc``, ``text``); by
    default it comes from the extension (after ``.gz``, ``.bz2``, ``.zst``) or from the first
    bytes. ``limits=Limits(...)`` and the format's own options (``delimiter=``,
    ``encoding=``, ``header=``, ``bad_rows=`` ...) pass through.

    Raises :class:`~dataward.errors.SourceError` when the input cannot be read, and
    :class:`~dataward.errors.ConfigError` for an unknown format or option.
    """
    limits = options.pop("limits", None) or Limits()
    if not isinstance(limits, Limits):
        raise ConfigError("limits must be a dataward.sources.Limits", option="limits")
    return open_location(resolve(uri, limits), format=format, limits=limits, options=options)


def resolve(uri: str | Path, limits: Limits) -> Location:
    """The location of a path, archive member or URL (nothing is read yet but a zip index)."""
    text = str(uri)
    if isinstance(uri, str) and is_url(text):
        if text.startswith("file://") and not _has_fsspec():
            return _local(Path(text.removeprefix("file://")))
        return UrlLocation(text)
    path = Path(uri)
    if "!" in text and not path.exists():
        archive, _, member = text.partition("!")
        if Path(archive).is_file():
            return _member(LocalLocation(Path(archive)), member, limits)
    return _local(path)


def _has_fsspec() -> bool:
    try:
        importlib.import_module("fsspec")
    except ImportError:
        return False
    return True


def _local(path: Path) -> LocalLocation:
    if not path.exists():
        if path.is_symlink():
            raise SourceError(
                f"{path}: a symbolic link that leads nowhere (a loop or a missing target)",
                path=str(path),
            )
        raise SourceError(f"{path}: no such file", path=str(path))
    if path.is_dir():
        raise SourceError(
            f"{path}: is a directory; use discover() to scan a folder", path=str(path)
        )
    return LocalLocation(path)


def _member(archive: Location, member: str, limits: Limits) -> Location:
    uri = f"{archive.uri}!{member}"
    problem = unsafe_member_name(member)
    if problem is not None:
        raise SourceError(f"{uri}: {problem}", path=uri, member=member)
    for found in members(archive, limits):
        if isinstance(found, SourceError):
            if getattr(found, "member", None) in (member, None):
                raise found
            continue
        if found.member == member:
            return found
    raise SourceError(f"{uri}: no such member in the archive", path=uri, member=member)


def open_location(
    location: Location,
    *,
    format: str | None,
    limits: Limits,
    options: dict[str, Any],
    strict_options: bool = True,
) -> Source:
    """Unwrap compression, pick the format and build its source."""
    try:
        head = read_head(location, limits.sample_bytes)
    except SourceError:
        raise
    codec = COMPRESSION_SUFFIXES.get(PurePosixPath(location.name).suffix.lower())
    codec = codec or compression_magic(head)
    if codec is not None:
        location = CompressedLocation(location, codec)
        head = read_head(location, limits.sample_bytes)
    fmt = _pick_format(location, head, format, limits)
    kwargs = _options_for(fmt, options, strict=strict_options)
    return fmt.factory(location, format=fmt.name, limits=limits, sample=head, **kwargs)


def _pick_format(
    location: Location, head: bytes, format: str | None, limits: Limits
) -> SourceFormat:
    if format is not None:
        return sources.get(format)
    suffix = PurePosixPath(location.name).suffix.lower()
    if suffix == ".zip" or (not suffix and is_zip(head)):
        raise SourceError(
            f"{location.uri}: is a zip archive; use discover() or name a member as "
            f"'{location.uri}!inner/file.csv'",
            path=location.uri,
        )
    by_extension = extension_map()
    if suffix in by_extension:
        return sources.get(by_extension[suffix])
    for name in sources.names():
        fmt = sources.get(name)
        if fmt.magic and head.startswith(fmt.magic):
            return fmt
    kind = binary_kind(head)
    if kind is not None:
        raise SourceError(
            f"{location.uri}: binary file ({kind}); not text, CSV, JSON or a supported "
            "columnar format",
            path=location.uri,
            kind=kind,
        )
    at_eof = len(head) < limits.sample_bytes
    return sources.get(sniff_text_format(head, at_eof=at_eof))


def format_for(name: str | Path) -> str | None:
    """The format a file name says (its extension after any compression suffix), or None.

    >>> format_for("visits.csv.gz"), format_for("notes.json"), format_for("README")
    ('csv', 'json', None)
    """
    path = PurePosixPath(str(name).lower())
    if path.suffix in COMPRESSION_SUFFIXES:
        path = PurePosixPath(path.stem)
    return extension_map().get(path.suffix)


def extension_map() -> dict[str, str]:
    """File extension → format name over all registered formats."""
    mapping: dict[str, str] = {}
    for name in sources.names():
        for ext in sources.get(name).extensions:
            mapping.setdefault(ext.lower(), name)
    return mapping


def option_names(fmt: SourceFormat) -> set[str]:
    """The keyword options a format accepts (beyond location, format, limits and sample)."""
    params = inspect.signature(fmt.factory).parameters.values()
    return {
        p.name for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY and p.name not in _COMMON
    }


def _options_for(fmt: SourceFormat, options: dict[str, Any], *, strict: bool) -> dict[str, Any]:
    accepted = option_names(fmt)
    unknown = sorted(set(options) - accepted)
    if unknown and strict:
        known = ", ".join(sorted(accepted)) or "none"
        raise ConfigError(
            f"unknown option {', '.join(map(repr, unknown))} for the {fmt.name} format "
            f"(its options: {known})",
            option=unknown[0],
        )
    return {k: v for k, v in options.items() if k in accepted}


def all_option_names() -> set[str]:
    names: set[str] = set()
    for name in sources.names():
        names |= option_names(sources.get(name))
    return names
