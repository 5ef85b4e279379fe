"""Private files: created 0600 in a 0700 folder, written atomically (temp file, then rename)."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from dataward.errors import KeyringError


def _write_temp(folder: Path, data: bytes) -> Path:
    fd, name = tempfile.mkstemp(prefix=".tmp-", dir=folder)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            Path(name).unlink()
        raise
    return Path(name)


def _sync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform can fsync a folder
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def ensure_dir(folder: Path) -> None:
    from dataward.store.home import ensure_home

    ensure_home(folder)  # 0700 (parents too), whatever the umask


def replace_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (0600) so readers see the old or the new file, never half."""
    ensure_dir(path.parent)
    tmp = _write_temp(path.parent, data)
    tmp.replace(path)
    _sync_dir(path.parent)


def create_exclusively(path: Path, data: bytes) -> bool:
    """Create ``path`` (0600) with ``data`` unless it exists; False when another writer won."""
    ensure_dir(path.parent)
    tmp = _write_temp(path.parent, data)
    try:
        os.link(tmp, path)
    except FileExistsError:
        return False
    finally:
        tmp.unlink()
    _sync_dir(path.parent)
    return True


def read_private(path: Path) -> bytes:
    """Read a private file, refusing one that others can read or write."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise KeyringError(f"cannot read {path}: {exc.strerror}", path=str(path)) from None
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyringError(
            f"{path} is open to other users (mode {stat.S_IMODE(mode):04o}); "
            f"run `chmod 600 {path}`",
            path=str(path),
        )
    return path.read_bytes()


def read_or_create_secret(path: Path, make: Callable[[], bytes]) -> bytes:
    """The content of ``path``, created from ``make()`` on first use (race-free)."""
    if not path.exists():
        create_exclusively(path, make())
    return read_private(path)
