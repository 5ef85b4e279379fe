"""How a dataset is named in the catalog: one canonical path per dataset, matched exactly.

A local file is known by its resolved absolute path (symbolic links and ``..`` resolved), an
archive member by its archive's resolved path and the member (``/data/a.zip!people.csv``), a
remote object by its URL as written. Two spellings of one file (``data/people.csv`` and
``./data/../data/people.csv``) are one dataset; two files with the same base name are two.
"""

from __future__ import annotations

import os
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
    try:
        resolved = str(Path(outer).expanduser().resolve())
    except (OSError, RuntimeError, ValueError):  # a loop or a NUL: keep the absolute spelling
        resolved = os.path.abspath(outer)  # noqa: PTH100 (resolve() is what failed)
    return f"{resolved}{bang}{member}"
