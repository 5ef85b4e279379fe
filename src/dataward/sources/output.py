"""Writing an output file: atomically, compressed as its name says, within a size limit.

The output is first written to a temporary file next to it, named
``.<output name>.dw-protect-<pid>-<random>.tmp``, and renamed over the output only once it
was written completely (and verified, see :mod:`dataward.protect.verify`). The temporary file is
deleted on any error, on Ctrl-C and on SIGTERM; one left by a run that was killed outright
(``kill -9``, power loss) is deleted by the next run writing into the same folder, once its
process is gone.
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import io
import os
import re
import secrets
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import IO, Any

from dataward.errors import ProtectError
from dataward.sources.locations import COMPRESSION_SUFFIXES

TEMP_MARK = ".dw-protect-"
_TEMP = re.compile(r"^\..+\.dw-protect-(\d+)-[0-9a-f]+\.tmp$")
MIN_OUTPUT_LIMIT = 64 << 20
"""The output-size limit is never below this (small inputs may grow several times)."""


class OutputTooLargeError(ProtectError):
    """The output passed its size limit; the partial output was deleted."""


def compression_of(path: Path) -> str | None:
    """The codec an output named ``path`` is compressed with (the codecs the readers unwrap)."""
    return COMPRESSION_SUFFIXES.get(path.suffix.lower())


def output_limit(input_bytes: int | None, ratio: float, absolute: int | None) -> int:
    """The most bytes an output may take on disk."""
    if absolute is not None:
        return absolute
    if input_bytes is None:
        return MIN_OUTPUT_LIMIT
    return max(MIN_OUTPUT_LIMIT, int(input_bytes * ratio))


def _alive(pid: int) -> bool:
    if pid == os.getpid() or os.name != "posix":
        return True  # elsewhere os.kill(pid, 0) is not a harmless probe
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    except OSError:
        return False
    return True


def clean_stale(folder: Path) -> int:
    """Delete the temporary files of protect runs whose process is gone; returns how many."""
    removed = 0
    try:
        entries = list(folder.iterdir())
    except OSError:
        return 0
    for entry in entries:
        m = _TEMP.match(entry.name)
        if m is None or _alive(int(m.group(1))):
            continue
        with contextlib.suppress(OSError):
            entry.unlink()
            removed += 1
    return removed


class _Counting(io.RawIOBase):
    """A write-only stream that counts the bytes reaching the file and stops at ``limit``."""

    def __init__(self, raw: IO[bytes], limit: int) -> None:
        self._raw = raw
        self.limit = limit
        self.count = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        n = len(memoryview(data))
        self.count += n
        if self.count > self.limit:
            raise OutputTooLargeError(
                f"the output passed its size limit of {self.limit:,} bytes and was deleted; "
                "raise protect.max_output_ratio or protect.max_output_bytes if it is expected",
                limit=self.limit,
            )
        self._raw.write(data)
        return n

    def tell(self) -> int:
        return self.count

    def flush(self) -> None:
        self._raw.flush()


class AtomicOutput:
    """The temporary file behind an output, its (compressing, counting) stream, and commit."""

    def __init__(self, path: Path, limit: int) -> None:
        self.path = path
        folder = path.parent if str(path.parent) else Path()
        self.tmp = folder / f".{path.name}{TEMP_MARK}{os.getpid()}-{secrets.token_hex(4)}.tmp"
        try:
            fd = os.open(self.tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as exc:  # name the output's folder, not the temporary file's name
            raise OSError(exc.errno, exc.strerror, str(folder)) from None
        self._file = os.fdopen(fd, "wb")
        self._counter = _Counting(self._file, limit)
        self.codec = compression_of(path)
        self._buffer = io.BufferedWriter(self._counter, 1 << 20)
        self._codec_stream: IO[bytes] | None = self._compressor(self._buffer)
        self.stream: IO[bytes] = self._codec_stream or self._buffer
        """Where the protected bytes go (compressed on their way when the name says so)."""

    def _compressor(self, sink: IO[bytes]) -> IO[bytes] | None:
        if self.codec == "gzip":
            # no name and mtime 0: the same input and key give the same bytes
            return gzip.GzipFile(filename="", mode="wb", fileobj=sink, mtime=0)  # type: ignore[return-value]
        if self.codec == "bz2":
            return bz2.BZ2File(sink, mode="wb")
        if self.codec == "zstd":
            import zstandard

            writer = zstandard.ZstdCompressor(level=3).stream_writer(sink, closefd=False)
            return writer
        return None

    @property
    def bytes_written(self) -> int:
        return self._counter.count

    def finish(self) -> None:
        """Flush everything to the temporary file (which stays, for verification)."""
        if self._codec_stream is not None and not self._codec_stream.closed:
            self._codec_stream.close()  # writes the trailer; leaves the buffer open
        self._buffer.flush()
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()

    def commit(self) -> None:
        mode = self.path.stat().st_mode & 0o777 if self.path.exists() else 0o644
        self.tmp.chmod(mode)
        self.tmp.replace(self.path)

    def discard(self) -> None:
        with contextlib.suppress(Exception):
            self._file.close()
        with contextlib.suppress(OSError):
            self.tmp.unlink()


@contextlib.contextmanager
def signals_as_exit() -> Iterator[None]:
    """SIGTERM and SIGHUP raise ``SystemExit`` in the block (Ctrl-C already raises
    ``KeyboardInterrupt``), so cleanup code in ``finally``/``except`` runs; no-op off the main
    thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _exit(signum: int, _frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    wanted = [signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
    before = {s: signal.signal(s, _exit) for s in wanted}
    try:
        yield
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)


@contextlib.contextmanager
def atomic_output(path: Path, limit: int | None = None) -> Iterator[AtomicOutput]:
    """An :class:`AtomicOutput` whose temporary file is deleted unless :meth:`commit` ran
    (``limit``: the most bytes the output may take; none by default)."""
    clean_stale(path.parent if str(path.parent) else Path())
    with signals_as_exit():
        out = AtomicOutput(path, sys.maxsize if limit is None else limit)
        try:
            yield out
        finally:
            if out.tmp.exists():
                out.discard()


@contextlib.contextmanager
def atomic_file(path: Path, limit: int | None = None) -> Iterator[IO[bytes]]:
    """A binary stream that becomes ``path`` only when the block ends without an exception
    (compressed as the name says)."""
    with atomic_output(path, limit) as out:
        yield out.stream
        out.finish()
        out.commit()
