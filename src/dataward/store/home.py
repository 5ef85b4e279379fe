"""The home folder (``DATAWARD_HOME``) and the private files in it.

Which folder is the home is settled with the settings (:func:`dataward.settings.find_home`);
:func:`create_home` makes it, with the marker file that lets a later search upward accept it.
The home holds the store, key rings, signing keys and caches: it is created 0700 and every file
Dataward creates in it 0600, whatever the process umask (the mode is set explicitly after
creation, since a umask can only remove bits and a strict one can remove too many).
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from dataward.errors import ConfigError
from dataward.settings import HOME_MARKER, home_problem

HOME_MODE = 0o700
FILE_MODE = 0o600


def ensure_home(folder: str | os.PathLike[str]) -> Path:
    """Create ``folder`` (and missing parents) as 0700 if it does not exist; return it.

    An existing folder keeps its mode: it may be shared on purpose (``DATAWARD_HOME=.``).
    """
    path = Path(folder)
    if path.is_dir():
        return path
    missing = []
    parent = path
    while not parent.exists() and parent != parent.parent:
        missing.append(parent)
        parent = parent.parent
    for item in reversed(missing):
        try:
            item.mkdir(mode=HOME_MODE)
        except FileExistsError:  # another process made it first
            continue
        with contextlib.suppress(OSError):  # not every file system keeps modes
            item.chmod(HOME_MODE)
    return path


def create_home(folder: str | os.PathLike[str]) -> bool:
    """Make ``folder`` a Dataward home: create it 0700 if missing and write its marker file
    (:data:`~dataward.settings.HOME_MARKER`). True when the folder was created now."""
    path = Path(folder)
    made = not path.exists()
    ensure_home(path)
    marker = path / HOME_MARKER
    if not marker.exists():
        try:
            fd = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        except FileExistsError:  # another process wrote it first
            return made
        with os.fdopen(fd, "w") as out:
            out.write("This folder is a Dataward home: keep it private and back up its keys.\n")
    return made


def adopt_home(folder: str | os.PathLike[str]) -> bool:
    """``dataward init``: make ``folder`` a home, or mark one an older Dataward made without
    a marker, if this user owns it and nobody else may write it (else :class:`ConfigError`).
    True when the folder was created now."""
    path = Path(folder)
    if os.path.lexists(path):
        problem = home_problem(path, marker=False)
        if problem is not None:
            raise ConfigError(f"{path}: cannot be a Dataward home: it {problem}", path=str(path))
    return create_home(path)


def private_file(path: str | os.PathLike[str]) -> Path:
    """Create ``path`` empty and 0600 if it does not exist; tighten an existing file that
    others can read or write to 0600 (when this user owns it). Returns the path."""
    path = Path(path)
    ensure_home(path.parent)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        tighten(path)
        return path
    os.close(fd)
    with contextlib.suppress(OSError):
        path.chmod(FILE_MODE)
    return path


def tighten(path: Path) -> None:
    """Set an existing file this user owns that group or others can access to 0600."""
    try:
        st = path.stat()
    except OSError:
        return
    if stat.S_IMODE(st.st_mode) & 0o077 and st.st_uid == _uid():
        with contextlib.suppress(OSError):
            path.chmod(FILE_MODE)


def _uid() -> int:
    getuid = getattr(os, "getuid", None)
    return int(getuid()) if getuid is not None else -1
