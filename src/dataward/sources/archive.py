"""Zip archives: each member becomes its own location, after safety checks.

A member is refused (a SourceError for that member; the others go on) when its name is
absolute or climbs out with ``..``, when it is encrypted, a nested archive, larger than
``Limits.max_member_bytes``, compressed more than ``Limits.max_ratio`` to one (a zip bomb), or
overlaps another member (a "flat" zip bomb). The total declared size of all members is capped
by ``Limits.max_archive_bytes``. The declared size is enforced again while reading.
"""

from __future__ import annotations

import itertools
import re
import zipfile
from collections.abc import Iterator
from pathlib import PurePosixPath

from dataward.errors import SourceError
from dataward.sources.base import Limits
from dataward.sources.locations import Location, ZipMemberLocation, describe_os_error

_DRIVE = re.compile(r"^[A-Za-z]:")
ARCHIVE_SUFFIXES = (".zip",)


def is_archive_name(name: str) -> bool:
    return name.lower().endswith(ARCHIVE_SUFFIXES)


def unsafe_member_name(name: str) -> str | None:
    """Why a member name is unsafe to use as a path, or None."""
    if "\x00" in name:
        return "its name contains a NUL byte"
    normalized = name.replace("\\", "/")
    if normalized.startswith("/") or _DRIVE.match(normalized):
        return "its name is an absolute path"
    if ".." in PurePosixPath(normalized).parts:
        return "its name climbs out of the archive with '..'"
    return None


def members(archive: Location, limits: Limits) -> Iterator[ZipMemberLocation | SourceError]:
    """The file members of a zip archive, in archive order; directories are skipped."""
    try:
        with archive.open() as fh, zipfile.ZipFile(fh) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile:
        yield SourceError(
            f"{archive.uri}: not a readable zip archive (corrupt or truncated)", path=archive.uri
        )
        return
    except SourceError as exc:
        yield exc
        return
    except OSError as exc:
        yield SourceError(f"{archive.uri}: cannot read: {describe_os_error(exc)}", path=archive.uri)
        return
    overlapping = _overlapping(infos)
    total = 0
    for index, info in enumerate(infos):
        if info.is_dir():
            continue
        uri = f"{archive.uri}!{info.filename}"
        problem = unsafe_member_name(info.filename)
        if problem is None:
            problem = _size_problem(info, limits, index in overlapping)
        if problem is None and total + info.file_size > limits.max_archive_bytes:
            problem = (
                f"the members so far add up to more than {limits.max_archive_bytes} bytes "
                "uncompressed (Limits.max_archive_bytes)"
            )
        if problem is not None:
            yield SourceError(f"{uri}: skipped: {problem}", path=uri, member=info.filename)
            continue
        total += info.file_size
        yield ZipMemberLocation(archive, info.filename, index, info.file_size, uri=uri)


def _size_problem(info: zipfile.ZipInfo, limits: Limits, overlaps: bool) -> str | None:
    if info.flag_bits & 0x1:
        return "the member is encrypted"
    if is_archive_name(info.filename):
        return "nested archives are not expanded; unpack it first"
    if overlaps:
        return "its data overlaps another member (a zip bomb)"
    if info.file_size > limits.max_member_bytes:
        return (
            f"{info.file_size} bytes uncompressed is more than Limits.max_member_bytes "
            f"({limits.max_member_bytes})"
        )
    if info.file_size > limits.ratio_floor_bytes:
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.max_ratio:
            return (
                f"compression ratio {ratio:.0f}:1 is above Limits.max_ratio "
                f"({limits.max_ratio:.0f}:1); possibly a zip bomb"
            )
    return None


def _overlapping(infos: list[zipfile.ZipInfo]) -> set[int]:
    """Indexes of members whose compressed data runs into the next member's header."""
    order = sorted(range(len(infos)), key=lambda i: infos[i].header_offset)
    bad: set[int] = set()
    for a, b in itertools.pairwise(order):
        first, second = infos[a], infos[b]
        if first.is_dir() or second.is_dir():
            continue
        if first.header_offset + first.compress_size > second.header_offset:
            bad.update((a, b))
    return bad
