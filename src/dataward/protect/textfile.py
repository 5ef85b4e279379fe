"""Plain text files: protected in blocks of lines, so values that span lines (a PEM private
key block) are found and replaced whole.

A block ends on a line boundary after :data:`BLOCK_LINES` lines or :data:`BLOCK_CHARS`
characters, but never inside a ``-----BEGIN ... PRIVATE KEY-----`` block: that one is kept
whole up to its ``-----END`` line (at most :data:`PEM_MAX_CHARS`). A key block with no end in
reach fails closed: every key-body line after its header is removed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

BLOCK_LINES = 128
BLOCK_CHARS = 16 * 1024
PEM_MAX_CHARS = 1 << 20
_PEM_BEGIN = "-----BEGIN "
_PEM_END = "-----END "
_KEY = "PRIVATE KEY"
_BODY = re.compile(r"[A-Za-z0-9+/=]{8,}")  # a class and a bound: linear, no backtracking


@dataclass(frozen=True, slots=True)
class Block:
    lines: list[str]
    """The block's lines, without their line ends."""
    open_key: int | None = None
    """Index of a private-key header line whose block has no end in reach."""

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def _opens_key(line: str) -> bool:
    return _PEM_BEGIN in line and _KEY in line


def _closes_key(line: str) -> bool:
    return _PEM_END in line and _KEY in line


def blocks(lines: Iterable[str]) -> Iterator[Block]:
    """Group ``lines`` into blocks (see the module docstring)."""
    cur: list[str] = []
    size = 0
    key_at: int | None = None  # index in cur of an unclosed key header
    key_size = 0
    for line in lines:
        cur.append(line)
        size += len(line) + 1
        if key_at is None and _opens_key(line) and not _closes_key(line):
            key_at, key_size = len(cur) - 1, 0
        elif key_at is not None:
            key_size += len(line) + 1
            if _closes_key(line):
                key_at = None
            elif key_size > PEM_MAX_CHARS:
                yield Block(cur, open_key=key_at)
                cur, size, key_at = [], 0, None
                continue
        if key_at is None and (len(cur) >= BLOCK_LINES or size >= BLOCK_CHARS):
            yield Block(cur)
            cur, size = [], 0
    if cur:
        yield Block(cur, open_key=key_at)


def scrub_open_key(lines: list[str], header: int) -> list[str]:
    """Lines after an unterminated key header with key-body lines emptied."""
    out = list(lines)
    for i in range(header, len(out)):
        stripped = out[i].strip()
        if i == header or _BODY.fullmatch(stripped) is not None:
            out[i] = ""
    return out
