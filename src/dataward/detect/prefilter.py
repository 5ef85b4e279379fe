"""Multi-pattern prefilters: which patterns hit a value, in one scan.

Hyperscan (compiled from a superset form of each pattern, cached on disk) is the fast path; RE2's
``Set`` serves where Hyperscan is missing. Both only say which patterns may match; the engine's
span regexes decide.
"""

from __future__ import annotations

import hashlib
import logging
import os
import struct
import threading
from collections.abc import Sequence
from typing import Any

from dataward.detect.model import Pattern

log = logging.getLogger("dataward.detect.engine")


def _optional(module: str) -> Any:
    """The module if it is installed here, else ``None`` (availability depends on the platform)."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        return None


_hs: Any = _optional("hyperscan")
_re2: Any = _optional("re2")


def _re2_options() -> Any:
    options = _re2.Options()
    options.log_errors = False  # a pattern RE2 refuses falls back quietly; never print to stderr
    return options


def available_backends() -> list[str]:
    """Backends usable here, fastest first."""
    out = []
    if _hs is not None:
        out.append("hyperscan")
    if _re2 is not None:
        out.append("re2")
    out.append("re")
    return out


class _HyperscanPrefilter:
    """Which patterns hit a value, by one Hyperscan scan.

    The database is compiled from a superset form of each pattern (large counted repetitions
    loosened, see :func:`loosen_repeats`), which compiles fast and never misses a match; the span
    regex confirms every hit. Compiled databases are cached on disk under ``DATAWARD_HOME``.
    """

    def __init__(
        self, patterns: Sequence[Pattern], serialized: tuple[bytes, list[int]] | None = None
    ) -> None:
        assert _hs is not None
        self.always: list[int] = []
        self._patterns = list(patterns)
        self._parts: list[Any] | None = None
        self._parts_lock = threading.Lock()
        if serialized is None:
            serialized = _load_cached(patterns)
        self.db: Any = None
        if serialized is not None:
            try:
                self.db = _hs.loadb(serialized[0], _hs.HS_MODE_BLOCK)
                self.always = list(serialized[1])
            except _hs.error:  # a damaged cache file: compile again and overwrite it
                log.debug("ignoring an unloadable Hyperscan database")
        if self.db is None:
            self.db = self._compile(patterns)
            _store_cached(patterns, self.serialize())
        self._scratch = _hs.Scratch(self.db)
        self.db.scratch = self._scratch
        # Hyperscan scratch space serves one scan at a time: each thread gets its own
        self._local = threading.local()

    def _compile(self, patterns: Sequence[Pattern]) -> Any:
        assert _hs is not None
        base = _hs.HS_FLAG_SINGLEMATCH | _hs.HS_FLAG_UTF8
        exprs = [loosen_repeats(p.regex).encode("utf-8") for p in patterns]
        flags = [base | (_hs.HS_FLAG_CASELESS if p.ignore_case else 0) for p in patterns]
        ids = list(range(len(patterns)))
        db = _hs.Database(mode=_hs.HS_MODE_BLOCK)
        if not exprs:
            return db
        try:
            db.compile(expressions=exprs, ids=ids, flags=flags)
            return db
        except _hs.error:
            log.debug("Hyperscan refused the pattern set; checking patterns one by one")
        keep_e, keep_i, keep_f = [], [], []
        for i, (expr, f) in enumerate(zip(exprs, flags, strict=True)):
            if not _hs_compiles(expr, f):
                if _hs_compiles(expr, f | _hs.HS_FLAG_PREFILTER):
                    f |= _hs.HS_FLAG_PREFILTER
                else:
                    log.debug(
                        "pattern %s: Hyperscan cannot prefilter it; always run", patterns[i].name
                    )
                    self.always.append(i)
                    continue
            keep_e.append(expr)
            keep_i.append(i)
            keep_f.append(f)
        if keep_e:
            db.compile(expressions=keep_e, ids=keep_i, flags=keep_f)
        return db

    def serialize(self) -> tuple[bytes, list[int]]:
        assert _hs is not None
        return _hs.dumpb(self.db), self.always

    def hits(self, text: str) -> list[int]:
        found: list[int] = []
        data = text.encode("utf-8", "surrogatepass")
        if len(data) > LONG_SCAN:
            for db, scratch in self._part_scanners():
                db.scan(data, match_event_handler=_on_match, context=found, scratch=scratch)
        else:
            scratch = getattr(self._local, "scratch", None)
            if scratch is None:
                scratch = self._local.scratch = self._scratch.clone()
            self.db.scan(data, match_event_handler=_on_match, context=found, scratch=scratch)
        if self.always:
            found.extend(self.always)
        found.sort()
        return found

    def _part_scanners(self) -> list[tuple[Any, Any]]:
        """The pattern set as databases of :data:`PART_SIZE` patterns, each with this thread's
        scratch (built on the first long text)."""
        assert _hs is not None
        with self._parts_lock:
            if self._parts is None:
                self._parts = self._load_or_build_parts()
        scanners: list[tuple[Any, Any]] | None = getattr(self._local, "parts", None)
        if scanners is None:
            scanners = [(db, _hs.Scratch(db)) for db in self._parts]
            self._local.parts = scanners
        return scanners

    def _load_or_build_parts(self) -> list[Any]:
        assert _hs is not None
        cached = _load_cached(self._patterns, "parts")
        if cached is not None:
            blobs = _unpack(cached[0])
            if blobs is not None:
                return [_hs.loadb(blob, _hs.HS_MODE_BLOCK) for blob in blobs]
        skip = set(self.always)
        ids = [i for i in range(len(self._patterns)) if i not in skip]
        base = _hs.HS_FLAG_SINGLEMATCH | _hs.HS_FLAG_UTF8
        parts = []
        for k in range(0, len(ids), PART_SIZE):
            group = ids[k : k + PART_SIZE]
            exprs = [loosen_repeats(self._patterns[i].regex).encode("utf-8") for i in group]
            flags = [
                base | (_hs.HS_FLAG_CASELESS if self._patterns[i].ignore_case else 0) for i in group
            ]
            db = _hs.Database(mode=_hs.HS_MODE_BLOCK)
            try:
                db.compile(expressions=exprs, ids=group, flags=flags)
            except _hs.error:  # one needs the prefilter form, as in the whole database
                flags = [
                    f if _hs_compiles(e, f) else f | _hs.HS_FLAG_PREFILTER
                    for e, f in zip(exprs, flags, strict=True)
                ]
                db.compile(expressions=exprs, ids=group, flags=flags)
            parts.append(db)
        blob = _pack([_hs.dumpb(db) for db in parts])
        _store_cached(self._patterns, (blob, []), "parts")
        return parts


LONG_SCAN = 32_768
"""Texts longer than this (in UTF-8 bytes) are scanned by several smaller databases. Some
combinations of patterns in one database made Hyperscan slow down more than linearly on long
runs without separators (1 MB of base64: 0.9 s in one database, 0.09 s in 16 of 27 patterns)."""
PART_SIZE = 27


def _on_match(pid: int, start: int, end: int, flags: int, context: Any) -> None:
    context.append(pid)


_REPEAT_LIMIT = 24


def loosen_repeats(regex: str, limit: int = _REPEAT_LIMIT) -> str:
    """A superset of ``regex`` for prefiltering: ``{n,m}`` with n or m above ``limit`` becomes
    ``{min(n, limit),}``. Every string the original matches, the result matches too.

    >>> loosen_repeats(r"xox[bp]-[A-Za-z0-9]{100,300}")
    'xox[bp]-[A-Za-z0-9]{24,}'
    """
    out: list[str] = []
    i, n = 0, len(regex)
    in_class = False
    while i < n:
        ch = regex[i]
        if ch == "\\":
            out.append(regex[i : i + 2])
            i += 2
            continue
        if in_class:
            if ch == "]":
                in_class = False
            out.append(ch)
            i += 1
            continue
        if ch == "[":
            in_class = True
            out.append(ch)
            # a ']' right after '[' or '[^' is a literal
            if regex[i + 1 : i + 2] == "^":
                out.append("^")
                i += 1
            if regex[i + 1 : i + 2] == "]":
                out.append("]")
                i += 1
            i += 1
            continue
        if ch == "{":
            close = regex.find("}", i)
            body = regex[i + 1 : close] if close != -1 else ""
            lo, sep, hi = body.partition(",")
            if lo.isdigit() and (not hi or hi.isdigit()):
                low = int(lo)
                high = int(hi) if hi else (None if sep else low)
                if low > limit or (high is not None and high > limit):
                    out.append(f"{{{min(low, limit)},}}")
                    i = close + 1
                    continue
        out.append(ch)
        i += 1
    return "".join(out)


def _cache_path(patterns: Sequence[Pattern], kind: str = "") -> Any:
    from pathlib import Path

    from dataward.settings import get_settings

    h = hashlib.sha256(f"{getattr(_hs, '__version__', '?')}|{_REPEAT_LIMIT}|{kind}".encode())
    for p in patterns:
        h.update(f"{p.regex}\0{p.ignore_case}\n".encode())
    try:
        folder = get_settings().cache
    except Exception:  # settings problems surface elsewhere; the cache is optional
        return None
    return Path(folder) / f"hyperscan-{h.hexdigest()[:24]}.db"


def _load_cached(patterns: Sequence[Pattern], kind: str = "") -> tuple[bytes, list[int]] | None:
    path = _cache_path(patterns, kind)
    if path is None or not path.exists():
        return None
    try:
        blobs = _unpack(path.read_bytes())
    except OSError:
        blobs = None
    if blobs is None or len(blobs) != 2 or len(blobs[1]) % 4:
        log.debug("ignoring unreadable Hyperscan cache %s", path)  # rebuilt and rewritten
        return None
    data, always = blobs
    return data, list(struct.unpack(f"<{len(always) // 4}I", always))


def _store_cached(
    patterns: Sequence[Pattern], serialized: tuple[bytes, list[int]], kind: str = ""
) -> None:
    path = _cache_path(patterns, kind)
    if path is None:
        return
    from dataward.store.home import ensure_home, private_file

    try:
        ensure_home(path.parent)  # 0700, and the cache file 0600, like all of the home
        tmp = private_file(path.with_suffix(f".{os.getpid()}.tmp"))
        data, always = serialized
        tmp.write_bytes(_pack([data, struct.pack(f"<{len(always)}I", *always)]))
        tmp.replace(path)
    except OSError:  # read-only home: run without the cache
        log.debug("cannot write the Hyperscan cache under %s", path.parent)


_MAGIC = b"DWHS1"


def _pack(blobs: Sequence[bytes]) -> bytes:
    """Byte strings, length-prefixed: the cache holds data only (a pickle in the home would let
    whoever can write the cache folder run code in every process that loads the engine)."""
    out = [_MAGIC, struct.pack("<I", len(blobs))]
    for b in blobs:
        out += [struct.pack("<Q", len(b)), b]
    return b"".join(out)


def _unpack(raw: bytes) -> list[bytes] | None:
    """What :func:`_pack` wrote, or ``None`` for anything else (the cache is then rebuilt)."""
    if not raw.startswith(_MAGIC) or len(raw) < len(_MAGIC) + 4:
        return None
    pos = len(_MAGIC) + 4
    (count,) = struct.unpack_from("<I", raw, len(_MAGIC))
    out = []
    for _ in range(count):
        if pos + 8 > len(raw):
            return None
        (n,) = struct.unpack_from("<Q", raw, pos)
        pos += 8
        if pos + n > len(raw):
            return None
        out.append(raw[pos : pos + n])
        pos += n
    return out if pos == len(raw) else None


_HS_COMPILE_CACHE: dict[tuple[bytes, int], bool] = {}


def _hs_compiles(expr: bytes, flags: int) -> bool:
    assert _hs is not None
    key = (expr, flags)
    if key not in _HS_COMPILE_CACHE:
        try:
            _hs.Database(mode=_hs.HS_MODE_BLOCK).compile(expressions=[expr], ids=[0], flags=[flags])
            _HS_COMPILE_CACHE[key] = True
        except _hs.error:
            _HS_COMPILE_CACHE[key] = False
    return _HS_COMPILE_CACHE[key]


class _Re2SetPrefilter:
    """Which patterns hit a value, by one RE2 ``Set`` match (when Hyperscan is missing)."""

    def __init__(self, patterns: Sequence[Pattern]) -> None:
        assert _re2 is not None
        self.set = _re2.Set.SearchSet(_re2_options())
        self.ids: list[int] = []
        self.always: list[int] = []
        for i, p in enumerate(patterns):
            source = f"(?i){p.regex}" if p.ignore_case else p.regex
            try:
                self.set.Add(source)
                self.ids.append(i)
            except Exception:  # RE2 lacks the construct: run it every time
                self.always.append(i)
        self.set.Compile()

    def hits(self, text: str) -> list[int]:
        found = [self.ids[j] for j in self.set.Match(text) or ()]
        found.extend(self.always)
        found.sort()
        return found
