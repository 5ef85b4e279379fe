"""Text-type routing: which parts of a value the NER model reads.

The NER model reads sentences. Run on code, JSON, logs or base64 it costs most of the engine's
time and guesses names in identifiers. :func:`kind` classifies a value cheaply (a few C-level
counts and linear regexes over at most its first :data:`_SAMPLE` characters) as one of

- ``prose``: sentences, notes (clinical notes too), short table cells: the model reads it all;
- ``json``, ``xml``, ``code`` (source and config), ``log``: the model reads only the prose-like
  parts: string literals and values with words in them, comments, a log line's message;
- ``binary``: base64, hex, hashes and other runs without words: the model reads nothing.

Pattern detectors (secrets, IDs, e-mail addresses...) always read the whole value; routing only
decides what the model sees. :func:`prose_spans` gives those parts as ``(start, end)`` offsets.

>>> kind('{"name":"Ada Lovelace","id":12}')
'json'
>>> text = '{"name":"Ada Lovelace","id":12}'
>>> [text[s:e] for s, e in prose_spans(text)]
['Ada Lovelace']
>>> kind("Patient seen by Dr. Amit Martinez today.")
'prose'
"""

from __future__ import annotations

import re

import re2

__all__ = ["kind", "prose_spans"]

_SAMPLE = 2048
"""Characters of a value that :func:`kind` reads (a prefix is enough to tell the type)."""

_SYMBOLS = frozenset("{}[]()<>;=_|$&*^~`@#")
_BINARY = re.compile(r"[A-Za-z0-9+/=_-]{24,}")
_LOG_START = re.compile(
    r"(?:\[?[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}"  # ISO timestamp
    r"|[0-9]{1,3}(?:\.[0-9]{1,3}){3} \S+ \S+ \["  # Apache/nginx access log
    r"|[A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2}"  # syslog
    r"|\[?(?:TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL|CRITICAL)\]?[ :])"
)
_CODE_START = re.compile(
    r"\s*(?:def |class |import |from \S+ import|return\b|if \(|for \(|while \(|function\b"
    r"|const |let |var |public |private |protected |static |package |#include|#!"
    r"|export |module\.|require\(|func |fn |SELECT |INSERT |UPDATE |CREATE )"
)
# no "key: value" here: forms and notes ("Name: Jennifer Olesen") read like that too
_CODE_SIGNS = re.compile(
    r"[a-z0-9][A-Z]|[A-Za-z0-9]_[A-Za-z0-9]|[=!<>]=|->|=>|::|\(\)|[:{(\[,;\\]\s*$|\"\"\"|'''"
    r"|^\s*(?:elif|else|try|except|finally|with|raise|assert|yield|lambda|async|await|return|pass"
    r"|def|class|import|from|if|for|while|switch|case)\b|\b[A-Za-z_]\w*\.\w+\(|^\s*@|\bself\b"
)
"""Signs of code in a line; one alone can occur in prose (McDonald, a trailing comma)."""
# RE2 for these two: they run over the whole value, and with Python's re every unclosed quote
# or "/*" rescans to the end of its line or the text (quadratic: 14 s for 20,000 of them).
_STRING = re2.compile(r""""(?:[^"\\\n]|\\.){2,}"|'(?:[^'\\\n]|\\.){2,}'""")
_COMMENT = re2.compile(
    r"(?:^|\s)(?:#|//|--)([^\n]{3,})|/\*([^*]*)\*/|<!--([^-]*)-->"
    r"|(?:\"\"\"|''')([^\"'\n]{3,})"
)
_XML_TEXT = re.compile(r">([^<>]{3,})<")
_LOG_MESSAGE = re.compile(
    r"(?:\]|:[0-9]{2}(?:[.,][0-9]+)?Z?|\b(?:INFO|WARN|WARNING|ERROR|DEBUG)\b)"
)
_WORD = re.compile(r"[^\W\d_]{2,}")


def kind(text: str) -> str:
    """The type of ``text``: ``prose``, ``json``, ``xml``, ``code``, ``log`` or ``binary``."""
    sample = text[:_SAMPLE]
    stripped = sample.strip()
    if not stripped:
        return "prose"
    first = stripped[0]
    if " " not in stripped and _BINARY.fullmatch(stripped) is not None:
        return "binary"
    if first in "{[" and (
        '":' in sample or '", "' in sample or '","' in sample or stripped[-1] in "}]"
    ):
        return "json"
    if (first == "<" and ">" in sample and "</" in sample) or sample.startswith("<?xml"):
        return "xml"
    if _LOG_START.match(stripped) is not None:
        return "log"
    symbols = sum(1 for ch in sample if ch in _SYMBOLS)
    letters = sum(1 for ch in sample if ch.isalpha())
    spaces = sample.count(" ")
    n = len(sample)
    if letters < n * 0.25 and (spaces < n * 0.05 or n > 64):
        return "binary"  # digits, punctuation, separators, encoded blobs: no sentences
    # e-mail addresses and URLs in prose have camel case (JulianGalvez@...): not code signs
    head = " ".join(w for w in sample[:512].split(" ") if "@" not in w and "/" not in w)
    signs = len(_CODE_SIGNS.findall(head))
    words = len(_WORD.findall(sample, 0, 512))
    if (
        (symbols > n * 0.1 and words <= 6)
        or symbols > n * 0.25
        or signs >= 3
        or (signs == 2 and words <= 12)
        or (signs and words <= 4)
        or (_CODE_START.match(sample) is not None and symbols >= 2)
    ):
        return "code"
    return "prose"


def _prose_like(part: str) -> bool:
    """Whether a string literal or comment holds words the model should read: at least one word
    of two letters and no code-like density of symbols."""
    if len(part) < 2 or _WORD.search(part) is None:
        return False
    if " " not in part and not part[:1].isupper():
        return False  # one lower-case token: an identifier, a key, a path
    symbols = sum(1 for ch in part if ch in _SYMBOLS)
    return symbols <= len(part) * 0.1


def prose_spans(text: str, text_kind: str | None = None) -> list[tuple[int, int]]:
    """The ``(start, end)`` parts of ``text`` the NER model should read, by :func:`kind`."""
    k = text_kind or kind(text)
    if k == "prose":
        return [(0, len(text))]
    if k == "binary":
        return []
    spans: list[tuple[int, int]] = []
    for m in _STRING.finditer(text):
        if text[m.end() : m.end() + 3].lstrip()[:1] == ":":
            continue  # an object key names a field, it holds no data
        if _prose_like(m.group()[1:-1]):
            spans.append((m.start() + 1, m.end() - 1))
    if k in ("code", "xml"):
        for m in _COMMENT.finditer(text):
            for g in (1, 2, 3, 4):
                if m.start(g) >= 0 and _prose_like(m.group(g)):
                    spans.append(m.span(g))
    if k == "xml":
        spans.extend(m.span(1) for m in _XML_TEXT.finditer(text) if _prose_like(m.group(1)))
    if k == "log":
        cut = 0
        for m in _LOG_MESSAGE.finditer(text[:200]):
            cut = m.end()
        if _prose_like(text[cut:]):
            spans.append((cut, len(text)))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:  # string literals inside a log message or a comment: keep the outer span
        if merged and s < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged
