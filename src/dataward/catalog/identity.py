"""How a dataset is named in the catalog: one canonical path per dataset, matched exactly.

A local file is known by its resolved absolute path (symbolic links and ``..`` resolved), an
archive member by its archive's resolved path and the member (``/data/a.zip!people.csv``), a
remote object by its URL as written. Two spellings of one file (``data/people.csv`` and
``./data/../data/people.csv``) are one dataset; two files with the same base name are two.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

_REMOTE = ("://",)


def canonical_path(path: str | os.PathLike[str]) -> str:
    """The catalog's name for the dataset at ``path``.

    >>> canonical_path("s3://bucket/people.csv")
    's3://bucket/people.csv'
    """
    text = os.fspath(path)
    if any(marker in text for marker in _REMOTE):
        return text
    outer, bang, member = text.partition("!")
    if bang and Path(text).exists():  # a file with "!" in its name, not an archive member
        outer, bang, member = text, "", ""
    try:
        resolved = str(Path(outer).expanduser().resolve())
    except (OSError, RuntimeError, ValueError):  # a loop or a NUL: keep the absolute spelling
        resolved = os.path.abspath(outer)  # noqa: PTH100 (resolve() is what failed)
    return f"{resolved}{bang}{member}"


@dataclass(frozen=True, slots=True)
class Standing:
    """What the catalog knows about one dataset, for a decision: found by exact id or path."""

    id: int
    path: str
    status: str
    """``present``, or ``removed`` (its file was gone at the last scan)."""
    tags: tuple[str, ...]
    """Dataset-level tags, from scans and people."""
    scanned: bool
    """Whether a scan classified it (scan tags are recorded: at least ``PUBLIC``)."""
    sampled: bool
    rows: int
    scanned_rows: int
    """Rows the classifying scan looked at (``rows`` when not sampled)."""
    last_scan_id: int | None
    updated_at: str
    size_bytes: int = 0
    content_classes: tuple[str, ...] = ()
    """The dataset's content classes of confidence 0.5 or more (issue 19)."""

    def drift(self) -> str | None:
        """Why the scan may no longer describe the file (gone, or another size now), for a
        local file; ``None`` when it still matches or cannot be checked (URLs, archive
        members). A cheap check (one ``stat``), not the fingerprint."""
        if "://" in self.path or ("!" in self.path and not Path(self.path).exists()):
            return None  # a URL or an archive member
        try:
            size = Path(self.path).stat().st_size
        except FileNotFoundError:
            return "its file is gone since the last scan"
        except OSError:
            return "its file cannot be read"
        if size != self.size_bytes:
            return "its file changed since the last scan"
        return None


def as_id(key: str | int) -> int | None:
    """A catalog id: an int, or a string of ASCII digits that fits a 64-bit id."""
    if isinstance(key, bool):
        return None
    if isinstance(key, str):
        if not (key.isascii() and key.isdigit() and len(key) < 19):
            return None
        key = int(key)
    return key if 0 <= key < 2**63 else None
