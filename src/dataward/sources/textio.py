"""Text plumbing shared by the CSV, JSON, JSONL and text sources.

Text sources check on construction that the content is text and detect its encoding from a
sample; while streaming they read UTF-8 (other encodings are transcoded on the fly) in lines
of at most ``Limits.max_line_bytes``.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from typing import IO, Any

from dataward.errors import SourceError
from dataward.sources.base import Limits, Source
from dataward.sources.locations import Location
from dataward.sources.sniff import check_text, detect_encoding

UTF8_NAMES = frozenset({"utf-8", "utf-8-sig", "ascii"})


class TextBasedSource(Source):
    """A source whose content is text: binary content and undecodable bytes are refused."""

    def __init__(
        self,
        location: Location,
        *,
        format: str,
        limits: Limits | None = None,
        sample: bytes | None = None,
        encoding: str | None = None,
    ) -> None:
        super().__init__(location, format=format, limits=limits, sample=sample)
        head = self.sample
        check_text(head, self.uri)
        if encoding is not None:
            try:
                encoding = codecs.lookup(encoding).name
            except LookupError:
                from dataward.errors import ConfigError

                raise ConfigError(f"unknown encoding {encoding!r}", option="encoding") from None
        self.encoding = encoding or detect_encoding(head, self.uri, at_eof=self.sample_is_all)

    @property
    def sample_is_all(self) -> bool:
        """Whether the sample holds the whole content."""
        return len(self.sample) < self.limits.sample_bytes

    def open_utf8(self) -> IO[bytes]:
        """The content as UTF-8 bytes (transcoded when the file uses another encoding)."""
        stream = self.location.open()
        if self.encoding in UTF8_NAMES:
            return stream
        return io.BufferedReader(Utf8Transcoder(stream, self.encoding, self.uri), 1 << 16)

    def lines(self, fh: IO[bytes]) -> Iterator[tuple[int, str]]:
        """``(line number, text without the line end)`` of a UTF-8 stream, 1-based."""
        cap = self.limits.max_line_bytes
        lineno = 0
        offset = 0
        while True:
            raw = fh.readline(cap + 1)
            if not raw:
                return
            lineno += 1
            if len(raw) > cap and not raw.endswith(b"\n"):
                raise self._error(
                    f"line {lineno} is longer than {cap} bytes; split the input or raise "
                    "Limits.max_line_bytes",
                    line=lineno,
                    offset=offset,
                )
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                at = offset + exc.start
                encoding = "UTF-8" if self.encoding in UTF8_NAMES else self.encoding
                raise self._error(
                    f"line {lineno} is not valid {encoding} (byte {at} of the file); re-encode "
                    "the file as UTF-8 or pass encoding=",
                    line=lineno,
                    offset=at,
                ) from None
            offset += len(raw)
            if lineno == 1:
                text = text.removeprefix("\ufeff")
            yield lineno, text.rstrip("\r\n")


class Utf8Transcoder(io.RawIOBase):
    """Decode a byte stream from ``encoding`` and re-encode it as UTF-8, incrementally."""

    def __init__(self, raw: IO[bytes], encoding: str, uri: str) -> None:
        self._raw = raw
        self._decoder = codecs.getincrementaldecoder(encoding)()
        self._encoding = encoding
        self._uri = uri
        self._pending = b""
        self._consumed = 0
        self._eof = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        while not self._pending and not self._eof:
            chunk = self._raw.read(1 << 16)
            self._eof = not chunk
            try:
                text = self._decoder.decode(chunk, final=self._eof)
            except UnicodeDecodeError as exc:
                held = len(self._decoder.getstate()[0])
                at = max(self._consumed + exc.start - held, 0)
                raise SourceError(
                    f"{self._uri}: invalid {self._encoding} near byte {at}; the file mixes "
                    "encodings; re-encode it or pass encoding=",
                    path=self._uri,
                    offset=at,
                ) from None
            self._consumed += len(chunk)
            self._pending = text.encode("utf-8")
        n = min(len(view), len(self._pending))
        view[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            super().close()


def first_invalid_offset(stream: IO[bytes], encoding: str) -> int | None:
    """Byte offset of the first byte that does not decode (used on error paths only)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    consumed = 0
    with stream:
        while True:
            chunk = stream.read(1 << 20)
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                # the decoder may hold up to 3 bytes of a character from the previous chunk
                held = len(decoder.getstate()[0])
                return max(consumed + exc.start - held, 0)
            if not chunk:
                return None
            consumed += len(chunk)
