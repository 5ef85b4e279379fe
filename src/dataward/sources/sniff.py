"""Looking at the first bytes: binary or text, which encoding, which format, which CSV dialect."""

from __future__ import annotations

import codecs
import csv
import json

from dataward.errors import SourceError

COMPRESSION_MAGIC = {b"\x1f\x8b": "gzip", b"BZh": "bz2", b"\x28\xb5\x2f\xfd": "zstd"}
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
BINARY_MAGIC = {
    b"%PDF-": "a PDF document",
    b"\x89PNG\r\n\x1a\n": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF87a": "a GIF image",
    b"GIF89a": "a GIF image",
    b"\x7fELF": "an ELF executable",
    b"SQLite format 3\x00": "an SQLite database",
    b"PK\x03\x04": "a zip container (zip, docx, xlsx, jar)",
    b"7z\xbc\xaf\x27\x1c": "a 7z archive",
    b"Rar!\x1a\x07": "a RAR archive",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "an OLE document (doc, xls, msg)",
    b"FEA1": "a Feather V1 file (convert it to Arrow IPC / Feather V2)",
}
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
CSV_DELIMITERS = ",\t;|"
PREFERRED_ENCODINGS = ("cp1252", "iso8859-15", "iso8859-1", "cp1250", "cp1251")


def compression_magic(head: bytes) -> str | None:
    for magic, codec in COMPRESSION_MAGIC.items():
        if head.startswith(magic):
            return codec
    return None


def is_zip(head: bytes) -> bool:
    return head.startswith(ZIP_MAGIC)


def bom_encoding(head: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    return None


def binary_kind(head: bytes) -> str | None:
    """What binary thing ``head`` starts, or None for text (NUL bytes mean binary)."""
    for magic, kind in BINARY_MAGIC.items():
        if head.startswith(magic):
            return kind
    if bom_encoding(head) in ("utf-16", "utf-32"):
        return None
    if b"\x00" in head[:8192]:
        return "contains NUL bytes"
    return None


def check_text(head: bytes, uri: str) -> None:
    """Raise SourceError when ``head`` is binary."""
    kind = binary_kind(head)
    if kind is not None:
        raise SourceError(
            f"{uri}: binary file ({kind}); not text, CSV, JSON or a supported columnar format",
            path=uri,
            kind=kind,
        )


def first_invalid_utf8(data: bytes, *, final: bool) -> int | None:
    """Offset of the first byte that is not valid UTF-8 (a cut character at the end of a
    non-final sample is fine)."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=final)
    except UnicodeDecodeError as exc:
        return exc.start
    return None


def detect_encoding(sample: bytes, uri: str, *, at_eof: bool) -> str:
    """The encoding of a text sample: a BOM, then UTF-8 (the fast path), then charset-normalizer.

    Raises SourceError naming the first undecodable byte when nothing fits.
    """
    bom = bom_encoding(sample)
    if bom is not None:
        return bom
    bad = first_invalid_utf8(sample, final=at_eof)
    if bad is None:
        return "utf-8"
    from charset_normalizer import from_bytes

    matches = from_bytes(sample)
    best = matches.best()
    if best is None or best.encoding is None:
        raise SourceError(
            f"{uri}: not decodable text (invalid UTF-8 at byte {bad} and no other encoding "
            "fits); re-encode the file as UTF-8",
            path=uri,
            offset=bad,
        )
    # Short samples often fit several single-byte code pages equally well; then prefer the
    # common ones over the order charset-normalizer happens to list them in.
    tied = {
        codecs.lookup(m.encoding).name
        for m in matches
        if m.encoding and m.chaos <= best.chaos + 0.01 and m.coherence >= best.coherence - 0.1
    }
    for preferred in PREFERRED_ENCODINGS:
        if preferred in tied:
            return preferred
    return codecs.lookup(best.encoding).name


def decode_sample(sample: bytes, encoding: str, *, at_eof: bool) -> str:
    """Decode a sample, dropping a character cut at the end."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    return decoder.decode(sample, final=at_eof)


def complete_lines(text: str, *, at_eof: bool) -> str:
    """Drop a last line that the sample cut off."""
    if at_eof:
        return text
    cut = text.rfind("\n")
    return text[: cut + 1] if cut >= 0 else text


def sniff_dialect(text: str, default: str = ",") -> tuple[str, str]:
    """``(delimiter, quotechar)`` of a CSV sample, using :class:`csv.Sniffer`."""
    try:
        dialect = csv.Sniffer().sniff(text[:16384], delimiters=CSV_DELIMITERS)
    except csv.Error:
        return default, '"'
    return dialect.delimiter, dialect.quotechar or '"'


def looks_tabular(text: str) -> bool:
    """Several lines that split into the same number (>1) of fields."""
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if len(lines) < 2:
        return False
    delimiter, quote = sniff_dialect("\n".join(lines) + "\n")
    try:
        widths = {len(row) for row in csv.reader(lines, delimiter=delimiter, quotechar=quote)}
    except csv.Error:
        return False
    return len(widths) == 1 and widths.pop() > 1


def sniff_text_format(sample: bytes, *, at_eof: bool) -> str:
    """``json``, ``jsonl``, ``csv`` or ``text`` for text content without a known extension."""
    encoding = bom_encoding(sample) or "utf-8"
    text = decode_sample(sample, encoding, at_eof=at_eof).lstrip("\ufeff \t\r\n")
    if text.startswith("["):
        return "json"
    if text.startswith("{"):
        first, _, rest = text.partition("\n")
        try:
            json.loads(first)
        except ValueError:
            return "json"
        second = rest.lstrip()
        return "jsonl" if not second or second.startswith("{") else "json"
    if looks_tabular(complete_lines(text, at_eof=at_eof)):
        return "csv"
    return "text"
