"""Placeholders: how a pseudonymized value reads in a prompt, and how a completion gets the
values back, whole or in streamed pieces.

A placeholder is ``<ENTITY_N>`` (``<EMAIL_ADDRESS_1>``): upper-case ASCII, short, and kept
intact by models that echo it. Restoring reads the text once with plain string operations
(each ``<`` looks at most :data:`MAX_PLACEHOLDER` characters ahead), so its cost is linear in
the text. Only placeholders of the caller's own conversation are replaced.

>>> restore("Mail <EMAIL_ADDRESS_1> now", {"<EMAIL_ADDRESS_1>": "ada@example.org"})
'Mail ada@example.org now'
>>> r = StreamRestorer({"<PERSON_1>": "Ada"})
>>> [r.feed("Hi <PER"), r.feed("SON_1>!"), r.flush()]
['Hi ', 'Ada!', '']
"""

from __future__ import annotations

import json
from collections.abc import Mapping

MAX_PLACEHOLDER = 64
"""The longest placeholder, brackets included (entity names are at most 40 characters)."""
_INNER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def make_placeholder(entity: str, number: int) -> str:
    """``<ENTITY_N>``; an entity name outside ``[A-Z0-9_]`` is reduced to ``VALUE``."""
    name = entity.upper()[:40]
    if not name or not set(name) <= _INNER:
        name = "VALUE"
    return f"<{name}_{number}>"


def _escaped(value: str) -> str:
    """``value`` as the inside of a JSON string literal (tool-call arguments are JSON text)."""
    return json.dumps(value, ensure_ascii=False)[1:-1]


def restore(text: str, values: Mapping[str, str], *, json_string: bool = False) -> str:
    """``text`` with each placeholder of ``values`` replaced by its value (JSON-escaped when
    ``json_string``: the text is JSON, the placeholder inside one of its strings)."""
    if not values or "<" not in text:
        return text
    out: list[str] = []
    done = 0
    at = text.find("<")
    while at != -1:
        close = text.find(">", at + 1, at + MAX_PLACEHOLDER)
        if close == -1:
            at = text.find("<", at + 1)
            continue
        value = values.get(text[at : close + 1])
        if value is None:
            at = text.find("<", at + 1)
            continue
        out.append(text[done:at])
        out.append(_escaped(value) if json_string else value)
        done = close + 1
        at = text.find("<", done)
    out.append(text[done:])
    return "".join(out)


def pending_start(text: str) -> int:
    """Where a placeholder may begin that the text cuts off (``len(text)`` if none): the last
    ``<`` when everything after it could still grow into a placeholder."""
    at = text.rfind("<", max(0, len(text) - MAX_PLACEHOLDER))
    if at == -1 or not set(text[at + 1 :]) <= _INNER:
        return len(text)
    return at


MAX_HELD_TOKEN = 200
"""The longest run of token characters a stream holds back while it may still be a key."""
_TOKEN = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-+/=.:~")


def token_start(text: str) -> int:
    """Where the run of token characters (letters, digits, ``_-+/=.:~``) ending the text
    begins, at most :data:`MAX_HELD_TOKEN` back (``len(text)`` if the text ends elsewhere)."""
    at = len(text)
    floor = max(0, len(text) - MAX_HELD_TOKEN)
    while at > floor and text[at - 1] in _TOKEN:
        at -= 1
    return at


class StreamRestorer:
    """Restores one streamed text (a choice's content, a tool call's arguments): each piece
    is given back restored at once, except a tail that may be the start of a placeholder,
    held until the next piece completes or rules it out (at most :data:`MAX_PLACEHOLDER`
    characters)."""

    __slots__ = ("_held", "hold_tokens", "json_string", "values")

    def __init__(
        self, values: Mapping[str, str], *, json_string: bool = False, hold_tokens: bool = False
    ) -> None:
        self.values = values
        self.json_string = json_string
        self.hold_tokens = hold_tokens
        """Also hold the word being written (:func:`token_start`), so a key the next piece
        completes is checked before any of it goes out."""
        self._held = ""

    def feed(self, piece: str) -> str:
        text = self._held + piece
        cut = pending_start(text)
        if self.hold_tokens:
            cut = min(cut, token_start(text))
        self._held = text[cut:]
        return restore(text[:cut], self.values, json_string=self.json_string)

    def flush(self) -> str:
        """What is still held, restored: the stream ended."""
        text, self._held = self._held, ""
        return restore(text, self.values, json_string=self.json_string)

    @property
    def held(self) -> str:
        return self._held
