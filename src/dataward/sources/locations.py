"""Where the bytes of a source are: a local file, a compressed file, an archive member, a URL.

A location is plain, picklable data; :meth:`Location.open` opens a fresh stream each time.
Every stream is guarded: read errors (permission denied, a corrupt gzip stream, a bad CRC)
become :class:`~dataward.errors.SourceError` naming the location and the byte offset.
"""

from __future__ import annotations

import bz2
import errno
import gzip
import importlib
import io
import tempfile
import zipfile
import zlib
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from dataward.errors import SourceError

COMPRESSION_SUFFIXES = {
    ".gz": "gzip",
    ".gzip": "gzip",
    ".bz2": "bz2",
    ".zst": "zstd",
    ".zstd": "zstd",
}
CLOUD_EXTRA_HINT = "install the extra: pip install 'dataward[cloud]'"


def describe_os_error(exc: OSError) -> str:
    """A short reason for an OS error, without the path (the caller names it)."""
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, FileNotFoundError):
        return "no such file"
    if isinstance(exc, IsADirectoryError):
        return "is a directory"
    if exc.errno is not None and exc.strerror:
        return exc.strerror.lower()
    return type(exc).__name__


class Location(ABC):
    """The bytes of one input."""

    uri: str
    """What users see and the catalog keys on: a path, ``archive.zip!member`` or a URL."""
    name: str
    """The file name used to guess the format (a compression suffix removed)."""

    @property
    @abstractmethod
    def size_bytes(self) -> int | None:
        """Stored size when known."""

    @abstractmethod
    def _open(self) -> Any:
        """The content stream, unguarded."""

    def open(self) -> IO[bytes]:
        """A fresh guarded stream of the (decompressed) content."""
        try:
            raw = self._open()
        except SourceError:
            raise
        except OSError as exc:
            raise SourceError(
                f"{self.uri}: cannot open: {describe_os_error(exc)}", path=self.uri
            ) from None
        return io.BufferedReader(GuardedReader(raw, self.uri), buffer_size=1 << 16)

    def open_raw(self) -> IO[bytes]:
        """The stored bytes to fingerprint (compressed files stay compressed)."""
        return self.open()

    def local_path(self) -> Path | None:
        """A local file holding exactly the content, when there is one (fast paths use it)."""
        return None

    @property
    def seekable(self) -> bool:
        """Whether :meth:`open` gives a stream that seeks cheaply (Parquet needs one)."""
        return False


@dataclass(frozen=True)
class LocalLocation(Location):
    path: Path
    uri: str = ""
    name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "uri", self.uri or str(self.path))
        object.__setattr__(self, "name", self.name or self.path.name)

    @property
    def size_bytes(self) -> int | None:
        try:
            return self.path.stat().st_size
        except OSError:
            return None

    def _open(self) -> Any:
        if self.path.is_dir():
            raise IsADirectoryError(errno.EISDIR, "is a directory")
        return self.path.open("rb")

    def local_path(self) -> Path | None:
        return self.path

    @property
    def seekable(self) -> bool:
        return True


@dataclass(frozen=True)
class CompressedLocation(Location):
    """A single-file compressed stream (gzip, bz2, zstd) around another location."""

    inner: Location
    codec: str
    uri: str = ""
    name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "uri", self.uri or self.inner.uri)
        if not self.name:
            path = PurePosixPath(self.inner.name)
            stem = path.stem if path.suffix.lower() in COMPRESSION_SUFFIXES else path.name
            object.__setattr__(self, "name", stem)

    @property
    def size_bytes(self) -> int | None:
        return self.inner.size_bytes

    def _open(self) -> Any:
        raw = self.inner.open()
        if self.codec == "gzip":
            return gzip.GzipFile(fileobj=raw, mode="rb")
        if self.codec == "bz2":
            return bz2.BZ2File(raw, mode="rb")
        if self.codec == "zstd":
            import zstandard

            reader = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)
            return _Closing(reader, [raw])
        raise SourceError(f"{self.uri}: unknown compression {self.codec!r}", path=self.uri)

    def open_raw(self) -> IO[bytes]:
        return self.inner.open()


@dataclass(frozen=True)
class ZipMemberLocation(Location):
    """One member of a zip archive; the declared size is enforced while reading."""

    archive: Location
    member: str
    index: int
    file_size: int
    uri: str = ""
    name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "uri", self.uri or f"{self.archive.uri}!{self.member}")
        object.__setattr__(self, "name", self.name or PurePosixPath(self.member).name)

    @property
    def size_bytes(self) -> int | None:
        return self.file_size

    def _open(self) -> Any:
        container = self.archive.open()
        try:
            zf = zipfile.ZipFile(container)
            info = zf.infolist()[self.index]
            member = zf.open(info)
        except (zipfile.BadZipFile, IndexError, NotImplementedError, RuntimeError) as exc:
            container.close()
            raise SourceError(
                f"{self.uri}: cannot open archive member ({type(exc).__name__})", path=self.uri
            ) from None
        return _Closing(member, [zf, container], limit=self.file_size)


@dataclass(frozen=True)
class UrlLocation(Location):
    """An object-store or remote URL read through fsspec (``s3://``, ``gs://``, ``file://``)."""

    url: str
    storage_options: dict[str, Any] = field(default_factory=dict)
    uri: str = ""
    name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "uri", self.uri or self.url)
        tail = self.url.split("://", 1)[-1].rstrip("/")
        object.__setattr__(self, "name", self.name or PurePosixPath(tail).name)

    def filesystem(self) -> tuple[Any, str]:
        fsspec = import_fsspec(self.url)
        try:
            fs, path = fsspec.core.url_to_fs(self.url, **self.storage_options)
        except (ImportError, ValueError) as exc:
            scheme = self.url.split("://", 1)[0]
            raise SourceError(
                f"{self.url}: no filesystem for {scheme}:// ({type(exc).__name__}); "
                f"{CLOUD_EXTRA_HINT}",
                path=self.url,
            ) from None
        return fs, str(path)

    @property
    def size_bytes(self) -> int | None:
        try:
            fs, path = self.filesystem()
            size = fs.size(path)
        except (OSError, SourceError):
            return None
        return int(size) if size is not None else None

    def _open(self) -> Any:
        fs, path = self.filesystem()
        stream: IO[bytes] = fs.open(path, "rb")
        return stream

    @property
    def seekable(self) -> bool:
        return True


def import_fsspec(url: str) -> Any:
    """Import fsspec lazily; its absence is a SourceError naming the ``cloud`` extra."""
    try:
        fsspec = importlib.import_module("fsspec")
    except ImportError:
        scheme = url.split("://", 1)[0]
        raise SourceError(
            f"{url}: reading {scheme}:// URLs needs fsspec; {CLOUD_EXTRA_HINT}",
            path=url,
            extra="cloud",
        ) from None
    return fsspec


class GuardedReader(io.RawIOBase):
    """Turns exceptions raised while reading into SourceError with the byte offset."""

    def __init__(self, raw: IO[bytes], uri: str) -> None:
        self._raw = raw
        self._uri = uri
        self.offset = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return bool(self._raw.seekable())

    def seek(self, pos: int, whence: int = io.SEEK_SET) -> int:
        self.offset = self._raw.seek(pos, whence)
        return self.offset

    def tell(self) -> int:
        return self.offset

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        try:
            data = self._raw.read(len(view))
        except SourceError:
            raise
        except (OSError, EOFError, zlib.error, zipfile.BadZipFile, ValueError) as exc:
            raise SourceError(
                f"{self._uri}: read failed near byte {self.offset}: {_reason(exc)}",
                path=self._uri,
                offset=self.offset,
            ) from None
        except Exception as exc:  # zstandard.ZstdError and other decoder errors
            raise SourceError(
                f"{self._uri}: read failed near byte {self.offset} ({type(exc).__name__})",
                path=self._uri,
                offset=self.offset,
            ) from None
        n = len(data)
        view[:n] = data
        self.offset += n
        return n

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            super().close()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and not isinstance(exc, zipfile.BadZipFile):
        if isinstance(exc, gzip.BadGzipFile):
            return "not a valid gzip stream"
        if exc.errno is not None:
            return describe_os_error(exc)
    if isinstance(exc, EOFError):
        return "compressed stream ended early (truncated file)"
    if isinstance(exc, zipfile.BadZipFile):
        return "corrupt archive member (bad CRC or truncated)"
    if isinstance(exc, zlib.error):
        return "corrupt compressed data"
    return type(exc).__name__


class _Closing(io.RawIOBase):
    """A stream that closes the objects it depends on, and stops past ``limit`` bytes."""

    def __init__(self, raw: Any, dependents: list[Any], limit: int | None = None) -> None:
        self._raw = raw
        self._dependents = dependents
        self._limit = limit
        self._read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        data: bytes = self._raw.read(len(view))
        self._read += len(data)
        if self._limit is not None and self._read > self._limit:
            raise OSError(errno.EFBIG, "more bytes than the archive declares")
        view[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if self.closed:
            return
        try:
            self._raw.close()
            for dep in self._dependents:
                dep.close()
        finally:
            super().close()


def read_head(location: Location, size: int) -> bytes:
    """The first ``size`` bytes of the content (fewer when the content is shorter)."""
    with location.open() as fh:
        chunks: list[bytes] = []
        left = size
        while left > 0:
            chunk = fh.read(left)
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    return b"".join(chunks)


def seekable_copy(location: Location, max_bytes: int) -> tuple[Any, Callable[[], None]]:
    """A seekable file with the content: the local path itself, a fresh stream, or a spooled
    temporary file on disk (memory stays bounded). Returns the file (or path) and a closer."""
    path = location.local_path()
    if path is not None:
        return str(path), lambda: None
    if location.seekable:
        stream = location.open()
        return stream, stream.close
    spool = tempfile.TemporaryFile(prefix="dataward-")  # noqa: SIM115 - returned to the caller
    try:
        with location.open() as fh:
            copied = 0
            while chunk := fh.read(1 << 20):
                copied += len(chunk)
                if copied > max_bytes:
                    raise SourceError(
                        f"{location.uri}: larger than {max_bytes} bytes uncompressed",
                        path=location.uri,
                    )
                spool.write(chunk)
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return spool, spool.close


class StreamLocation(Location):
    """A stream that can be read once, such as standard input.

    Its first ``head_bytes`` are kept, so the format can be picked from them and every reader
    starts at the beginning; past them, a reader goes on only from where the stream is (a
    reader behind it is a SourceError). Not picklable: a stream stays in its process.
    """

    def __init__(self, stream: IO[bytes], uri: str = "<stdin>", head_bytes: int = 1 << 20) -> None:
        self.uri = uri
        self.name = ""
        self._stream = stream
        self._read = getattr(stream, "read1", stream.read)
        self._head = bytearray()
        self._cap = head_bytes
        self._consumed = 0

    @property
    def size_bytes(self) -> int | None:
        return None

    def _open(self) -> Any:
        return _Replay(self)


class _Replay(io.RawIOBase):
    """One reader of a :class:`StreamLocation`: its kept head, then the stream itself."""

    def __init__(self, location: StreamLocation) -> None:
        self._loc = location
        self._pos = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        loc = self._loc
        head = loc._head
        if self._pos < len(head):
            data = bytes(head[self._pos : self._pos + len(view)])
        elif self._pos != loc._consumed:
            raise SourceError(f"{loc.uri}: can be read only once", path=loc.uri)
        else:
            data = loc._read(len(view))
            loc._consumed += len(data)
            if len(head) < loc._cap:
                head += data[: loc._cap - len(head)]
        n = len(data)
        view[:n] = data
        self._pos += n
        return n
