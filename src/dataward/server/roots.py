"""Which files ``POST /v1/scan`` may read: the scan roots, symlinks resolved, never the home.

A requested path is resolved (every symlink followed) and must land under a scan root and
outside ``DATAWARD_HOME``, which holds the key ring, the audit signing key and the store. A
folder is walked first: a symlink in it that leads outside the roots (or into the home, or in a
loop) refuses the request, since the scanner would follow it. The home, when it lies inside a
requested folder, is excluded from the scan.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

HIDDEN = ("__MACOSX",)


class ScanRootError(Exception):
    """A path (or a link inside a folder) leads outside the scan roots or into the home."""

    def __init__(self, message: str, status: int = 403) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class ScanRoots:
    roots: tuple[Path, ...]
    home: Path

    @classmethod
    def of(cls, roots: Sequence[Path], home: Path) -> ScanRoots:
        return cls(tuple(Path(r).resolve() for r in roots), Path(home).resolve())

    def allows(self, resolved: Path) -> bool:
        if resolved == self.home or self.home in resolved.parents:
            return False
        return any(resolved == r or r in resolved.parents for r in self.roots)

    def check(self, raw: str) -> Path:
        """The resolved path for a requested one; raises :class:`ScanRootError` (403, or 404
        when it does not exist)."""
        try:
            path = Path(raw).resolve()
        except (OSError, RuntimeError):  # a symlink loop
            raise ScanRootError(f"{raw!r} cannot be resolved (a symlink loop?)") from None
        if not self.allows(path):
            raise ScanRootError(f"{raw!r} is outside the scan roots of this service")
        if not path.exists():
            raise ScanRootError(f"{raw!r} does not exist", status=404)
        if path.is_dir():
            self._check_links(raw, path)
        return path

    def _check_links(self, raw: str, folder: Path) -> None:
        """Refuse a folder with a symlink (to a file or a folder) that leaves the roots."""
        for dirpath, dirnames, filenames in os.walk(folder):
            base = Path(dirpath)
            if base == self.home:
                dirnames.clear()
                continue
            # the scanner skips hidden entries and never enters linked folders (os.walk)
            dirnames[:] = [d for d in dirnames if not d.startswith(".") and d not in HIDDEN]
            for name in [*dirnames, *filenames]:
                entry = base / name
                if name.startswith(".") or not entry.is_symlink():
                    continue
                try:
                    target = entry.resolve()
                except (OSError, RuntimeError):
                    target = None
                if target is None or not self.allows(target):
                    rel = entry.relative_to(folder).as_posix()
                    raise ScanRootError(
                        f"{raw!r} holds a symlink ({rel!r}) that leads outside the scan roots; "
                        "remove it or scan the folders beside it"
                    )

    def excluded(self, folder: Path) -> list[str]:
        """Exclude globs (as ``scan(exclude=...)`` takes them) that keep the home out of a
        scan of ``folder``."""
        if self.home == folder or folder not in self.home.parents:
            return []
        rel = self.home.relative_to(folder).as_posix()
        return ["".join(f"[{c}]" if c in "*?[" else c for c in rel)]
