"""Finding the sources under paths: folders, archives, compressed files and object-store URLs.

:func:`discover` never raises for one bad input: it yields a
:class:`~dataward.errors.SourceError` in its place and goes on with the others.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from dataward.errors import ConfigError, SourceError
from dataward.sources.archive import is_archive_name, members
from dataward.sources.base import Limits, Source, sources
from dataward.sources.locations import (
    LocalLocation,
    Location,
    UrlLocation,
    describe_os_error,
)
from dataward.sources.opening import all_option_names, is_url, open_location, resolve

PathLike = str | os.PathLike[str]


def discover(
    paths: PathLike | Iterable[PathLike],
    *,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    recursive: bool = True,
    hidden: bool = False,
    format: str | None = None,
    **options: Any,
) -> Iterator[Source | SourceError]:
    """Yield a :class:`Source` for every readable input under ``paths`` and a
    :class:`SourceError` for every input that cannot be read.

    Folders are walked (``recursive=False``: top level only) in name order; ``include`` and
    ``exclude`` are globs on the path relative to the folder (or on the member path inside an
    archive): a glob without ``/`` matches the file name at any depth (``*.csv``), one with
    ``/`` the whole relative path (``raw/**/*.jsonl``); ``**`` spans folders. An excluded
    folder is not entered. Hidden files and folders (``.name``) are skipped unless
    ``hidden=True``. Paths given explicitly are always opened. ``.zip`` archives are expanded
    into their members; ``.gz``, ``.bz2`` and ``.zst`` files are read through. ``format`` and
    ``options`` (``limits=``, ``delimiter=`` ...) go to :func:`open_source`; each format gets
    the options it knows.
    """
    limits = options.pop("limits", None) or Limits()
    if format is not None:
        sources.get(format)  # an unknown format is a ConfigError before anything is read
    unknown = sorted(set(options) - all_option_names())
    if unknown:
        raise ConfigError(
            f"unknown source option {', '.join(map(repr, unknown))}", option=unknown[0]
        )
    walker = _Walker(_Globs(include), _Globs(exclude), recursive, hidden, format, limits, options)
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    for path in paths:
        yield from walker.path(path)


class _Globs:
    """Glob patterns compiled to one regular expression each."""

    def __init__(self, patterns: Sequence[str]) -> None:
        if isinstance(patterns, str):
            patterns = [patterns]
        self.patterns = [(p.strip("/"), "/" in p.strip("/")) for p in patterns if p.strip("/")]

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def match(self, rel: str) -> bool:
        name = rel.rsplit("/", 1)[-1]
        return any(
            _compile(pattern).match(rel if anchored else name)
            for pattern, anchored in self.patterns
        )


@functools.lru_cache(maxsize=256)
def _compile(pattern: str) -> re.Pattern[str]:
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif char == "*":
            out.append("[^/]*")
            i += 1
        elif char == "?":
            out.append("[^/]")
            i += 1
        elif char == "[" and "]" in pattern[i + 1 :]:
            end = pattern.index("]", i + 1)
            body = pattern[i + 1 : end]
            if body.startswith("!"):
                body = "^" + body[1:]
            out.append(f"[{body.replace(chr(92), chr(92) * 2)}]")
            i = end + 1
        else:
            out.append(re.escape(char))
            i += 1
    return re.compile("".join(out) + r"\Z")


class _Walker:
    def __init__(
        self,
        include: _Globs,
        exclude: _Globs,
        recursive: bool,
        hidden: bool,
        format: str | None,
        limits: Limits,
        options: dict[str, Any],
    ) -> None:
        self.include = include
        self.exclude = exclude
        self.recursive = recursive
        self.hidden = hidden
        self.format = format
        self.limits = limits
        self.options = options

    def wanted(self, rel: str) -> bool:
        parts = rel.split("/")
        if not self.hidden and any(p.startswith(".") or p == "__MACOSX" for p in parts):
            return False
        if self.exclude and any(
            self.exclude.match("/".join(parts[: i + 1])) for i in range(len(parts))
        ):
            return False
        return not self.include or self.include.match(rel)

    def path(self, path: PathLike) -> Iterator[Source | SourceError]:
        text = os.fspath(path)
        if is_url(text):
            yield from self.url(text)
            return
        local = Path(text)
        if local.is_dir():
            yield from self.folder(local)
            return
        try:
            location = resolve(text, self.limits)
        except SourceError as exc:
            yield exc
            return
        yield from self.file(location)

    def folder(self, root: Path) -> Iterator[Source | SourceError]:
        errors: list[OSError] = []
        for dirpath, dirnames, filenames in os.walk(root, onerror=errors.append):
            while errors:
                exc = errors.pop(0)
                where = exc.filename or dirpath
                yield SourceError(
                    f"{where}: cannot list the folder: {describe_os_error(exc)}", path=str(where)
                )
            base = Path(dirpath)
            rel_dir = base.relative_to(root).as_posix()
            prefix = "" if rel_dir == "." else f"{rel_dir}/"
            dirnames.sort()
            if not self.recursive:
                dirnames.clear()
            dirnames[:] = [d for d in dirnames if self._enter(f"{prefix}{d}")]
            for name in sorted(filenames):
                rel = f"{prefix}{name}"
                if not self.wanted(rel) and not (is_archive_name(name) and self._enter(rel)):
                    continue
                yield from self.file(LocalLocation(base / name))
        while errors:  # the root itself could not be listed
            exc = errors.pop(0)
            yield SourceError(
                f"{root}: cannot list the folder: {describe_os_error(exc)}", path=str(root)
            )

    def _enter(self, rel: str) -> bool:
        """Whether to look inside a folder (or archive): hidden and excluded ones are not."""
        name = rel.rsplit("/", 1)[-1]
        if not self.hidden and (name.startswith(".") or name == "__MACOSX"):
            return False
        return not (self.exclude and self.exclude.match(rel))

    def url(self, url: str) -> Iterator[Source | SourceError]:
        location = UrlLocation(url)
        try:
            fs, root = location.filesystem()
            is_dir = bool(fs.isdir(root))
            if not is_dir:
                yield from self.file(location)
                return
            found = fs.find(root, maxdepth=None if self.recursive else 1, detail=True)
        except SourceError as exc:
            yield exc
            return
        except OSError as exc:
            yield SourceError(f"{url}: cannot list: {describe_os_error(exc)}", path=url)
            return
        base = PurePosixPath(root)
        for item in sorted(found):
            if found[item].get("type") != "file":
                continue
            item_path = PurePosixPath(item)
            try:
                rel = item_path.relative_to(base).as_posix()
            except ValueError:
                rel = item_path.name
            if not self.wanted(rel) and not (is_archive_name(rel) and self._enter(rel)):
                continue
            yield from self.file(UrlLocation(fs.unstrip_protocol(item)))

    def file(self, location: Location) -> Iterator[Source | SourceError]:
        if is_archive_name(location.name):
            for member in members(location, self.limits):
                if isinstance(member, SourceError):
                    yield member
                elif self.wanted(member.member):
                    yield from self.open(member)
            return
        yield from self.open(location)

    def open(self, location: Location) -> Iterator[Source | SourceError]:
        try:
            yield open_location(
                location,
                format=self.format,
                limits=self.limits,
                options=self.options,
                strict_options=False,
            )
        except SourceError as exc:
            yield exc
